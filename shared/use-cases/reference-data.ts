// The reference data as the processes read and load it: provinces, universities and their scope facts, placement
// rates and province averages, prior employers, the campaigns' periods. Reads and upserts with no rule of their own
// beyond the SQL, so they pass through from the repositories; processes call them here (use cases are their door).
export {
  existingUniversityCodes,
  findUniversityProvince,
  findUniversityScopeFacts,
  insertPriorEmployers,
  listProvinces,
  universityStats,
  upsertPlacementRates,
  upsertProvinceAverages,
  upsertUniversities,
  type UpsertCounts,
} from '../repositories/reference.repository.ts';
export { provinceExists, universityExists } from '../repositories/api-client.repository.ts';
export { findCampaignPeriods, findUniversityProvinces } from '../repositories/inbox.repository.ts';
