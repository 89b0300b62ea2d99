// 任务到人 and universities' 实施方案: replacing rosters (file or API), a university's team figures as of a date, and
// filing a university's plan. The rules are in shared/domain/people.ts, the SQL in people.repository.ts and
// university-plan.repository.ts; the API, the command line, the progress and the console all come through here.
import type { Db } from '../db/database.ts';
import { teamFigures, type LeaderFigures, type RosterLeader, type TeamFigures } from '../domain/people.ts';
import { getRoster, leaderFigures, replaceRosters, type RosterReplacement } from '../repositories/people.repository.ts';
import {
  fileUniversityPlan,
  listUniversityPlans,
  type UniversityPlan,
} from '../repositories/university-plan.repository.ts';
import { findCampaignOrFail } from './find-campaign.ts';

/** Replaces each university's roster for the campaign as a whole, all in one transaction. */
export async function importRosters(
  db: Db,
  campaignId: string,
  rosters: ReadonlyMap<string, ReadonlyArray<RosterLeader>>,
): Promise<RosterReplacement> {
  await findCampaignOrFail(db, campaignId);
  // Inside the caller's transaction when it is one (the audit entry of the change commits with it).
  return db.isTransaction
    ? replaceRosters(db as Parameters<typeof replaceRosters>[0], campaignId, rosters)
    : db.transaction().execute((trx) => replaceRosters(trx, campaignId, rosters));
}

export interface RosterView {
  campaignId: string;
  universityCode: string;
  leaders: RosterLeader[];
}

/** Replaces one university's roster ([] removes it) and returns what is stored. */
export async function putRoster(
  db: Db,
  campaignId: string,
  universityCode: string,
  leaders: ReadonlyArray<RosterLeader>,
): Promise<RosterView & { replaced: number }> {
  const { replaced } = await importRosters(db, campaignId, new Map([[universityCode, leaders]]));
  return { campaignId, universityCode, leaders: await getRoster(db, campaignId, universityCode), replaced };
}

export async function readRoster(db: Db, campaignId: string, universityCode: string): Promise<RosterView> {
  await findCampaignOrFail(db, campaignId);
  return { campaignId, universityCode, leaders: await getRoster(db, campaignId, universityCode) };
}

export interface UniversityTeam {
  /** Per person: roster leaders (with zeros when they made no visit), then names on visits not on the roster. */
  leaders: LeaderFigures[];
  team: TeamFigures;
}

/** A university's figures per leader and for its team, as of the date (campaign checked by the caller). */
export async function universityTeam(
  db: Db,
  campaignId: string,
  universityCode: string,
  asOf: string,
): Promise<UniversityTeam> {
  const leaders = await leaderFigures(db, campaignId, universityCode, asOf);
  return { leaders, team: teamFigures(leaders) };
}

export type UniversityPlanView = Omit<UniversityPlan, 'universityName' | 'provinceCode'> & {
  campaignId: string;
  universityName: string;
  provinceCode: string;
};

/** Records (or corrects) a university's filing and returns it with the deadline and whether it was late. */
export async function fileUniversityPlanFor(
  db: Db,
  campaignId: string,
  universityCode: string,
  filedOn: string,
  link: string | null,
): Promise<UniversityPlanView> {
  await findCampaignOrFail(db, campaignId);
  await fileUniversityPlan(db, campaignId, universityCode, filedOn, link);
  return readUniversityPlan(db, campaignId, universityCode);
}

/** A university's filing for the campaign (filedOn null when none). */
export async function readUniversityPlan(
  db: Db,
  campaignId: string,
  universityCode: string,
): Promise<UniversityPlanView> {
  await findCampaignOrFail(db, campaignId);
  const [plan] = await listUniversityPlans(db, campaignId, { universityCode });
  if (!plan) throw new Error(`university ${universityCode} does not exist`);
  return { campaignId, ...plan };
}

/** Every university of the scope with its filing (national: all; otherwise one province's). */
export async function universityPlans(
  db: Db,
  campaignId: string,
  provinceCode: string | null,
): Promise<{ campaignId: string; deadline: string | null; universities: UniversityPlan[] }> {
  const campaign = await findCampaignOrFail(db, campaignId);
  const universities = await listUniversityPlans(db, campaignId, provinceCode ? { provinceCode } : {});
  return { campaignId, deadline: campaign.planDeadline, universities };
}

// Implementation plans as the command line and the demo list and file them (the API files through fileUniversityPlanFor).
export { filePlan, listPlans } from '../repositories/plan.repository.ts';
