// Campaigns as the command line and the scheduler read and change them: create, list, settings, per-province targets,
// and which periods already have snapshots and notices. Plain reads and writes, passed through from the repositories
// so that processes reach them through use cases only.
export {
  deleteProvinceTargets,
  findCampaign,
  insertCampaign,
  listCampaigns,
  updateCampaignSettings,
  upsertProvinceTargets,
  type Campaign,
  type CampaignWithTargets,
  type ProvinceTargets,
  type TargetOverrides,
} from '../repositories/campaign.repository.ts';
export { listCampaignDates } from '../repositories/measures.repository.ts';
export { periodsWithNotices } from '../repositories/notice.repository.ts';
export { periodsWithSnapshots } from '../repositories/snapshot.repository.ts';
