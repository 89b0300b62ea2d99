// What the console reads beside the rankings (docs/console-api.md): the campaigns, a scope's overview, the weekly
// trend, rank changes and university flags on a ranking, a university's visits ledger and leader tally. Every figure
// comes from the code the rankings, snapshots and notices use (measuresAsOf, campaignTotals, listPlans, snapshots).
import type { Db } from '../db/database.ts';
import {
  summarizeMeasures,
  trendPoint,
  universityFlags,
  type ScopeSummary,
  type TrendPoint,
  type UniversityFlags,
} from '../domain/console-figures.ts';
import { expectedShare } from '../domain/periods.ts';
import { round6 } from '../domain/measures.ts';
import { rankChangesAgainst } from '../domain/ranking.ts';
import type {
  CampaignTotals,
  ProvinceRankRow,
  Ranking,
  RankingScope,
  UniversityRankRow,
} from '../domain/ranking.types.ts';
import { provinceOfScope } from '../domain/scope.ts';
import { listCampaigns } from '../repositories/campaign.repository.ts';
import { campaignTotals } from '../repositories/measures.repository.ts';
import { listPlans, type ProvincePlan } from '../repositories/plan.repository.ts';
import { latestWeeklyRanksBefore, weeklySnapshots } from '../repositories/snapshot-history.repository.ts';
import { pageUniversityVisits, type LedgerVisit, type VisitFilter } from '../repositories/visit-ledger.repository.ts';
import { measuresAsOf, rankingWithUniversities } from './compute-rankings.ts';
import { findCampaignOrFail } from './find-campaign.ts';
import { universityTeam, type UniversityTeam } from './people.ts';

/** The province of a `province:CODE` scope; null for `national` and `provinces`. */

export interface CampaignSummary {
  id: string;
  name: string;
  start: string;
  end: string;
  planDeadline: string | null;
}

/** Every campaign, newest start first. */
export async function campaignSummaries(db: Db): Promise<CampaignSummary[]> {
  const all = await listCampaigns(db);
  return all
    .map(({ id, name, start, end, planDeadline }) => ({ id, name, start, end, planDeadline }))
    .sort((a, b) => (a.start === b.start ? (a.id < b.id ? -1 : 1) : a.start < b.start ? 1 : -1));
}

export type OverviewScope = 'national' | `province:${string}`;

export interface Overview {
  campaignId: string;
  asOf: string;
  scope: OverviewScope;
  totals: CampaignTotals;
  universities: Omit<ScopeSummary, 'meanCompletion'>;
  expected: number;
  meanCompletion: number;
  planDeadline: string | null;
  plans: Array<Pick<ProvincePlan, 'provinceCode' | 'provinceName' | 'filedOn' | 'late'>>;
}

/** The head figures of the campaign, nationally or in one province, as of a date. */
export async function campaignOverview(
  db: Db,
  campaignId: string,
  scope: OverviewScope,
  asOf: string,
): Promise<Overview> {
  const province = provinceOfScope(scope) ?? undefined;
  const campaign = await findCampaignOrFail(db, campaignId);
  const [{ measures, totals }, plans] = await Promise.all([
    measuresAsOf(db, campaignId, asOf, province).then(async ({ measures, figures }) => ({
      measures,
      // The notices' totals, from the figures the measures were made of (read once).
      totals: await campaignTotals(db, campaignId, asOf, province, figures),
    })),
    listPlans(db, campaignId),
  ]);
  const { meanCompletion, ...universities } = summarizeMeasures(measures);
  return {
    campaignId,
    asOf,
    scope,
    totals,
    universities,
    expected: round6(expectedShare({ start: campaign.start, end: campaign.end }, asOf)),
    meanCompletion,
    planDeadline: campaign.planDeadline,
    plans: plans
      .filter((p) => province === undefined || p.provinceCode === province)
      .map(({ provinceCode, provinceName, filedOn, late }) => ({ provinceCode, provinceName, filedOn, late })),
  };
}

/** Completion by week from the stored weekly `provinces` snapshots, oldest first. */
export async function campaignTrend(
  db: Db,
  campaignId: string,
  scope: OverviewScope,
): Promise<{ campaignId: string; scope: OverviewScope; points: TrendPoint[] }> {
  await findCampaignOrFail(db, campaignId);
  const province = provinceOfScope(scope);
  const snapshots = await weeklySnapshots<ProvinceRankRow>(db, campaignId, 'provinces');
  const points = snapshots.map((s) => trendPoint(s, province)).filter((p): p is TrendPoint => p !== null);
  return { campaignId, scope, points };
}

export type ConsoleRanking = Ranking & {
  changesSince?: { period: string; asOf: string } | null;
  rows: Array<(UniversityRankRow & { flags?: UniversityFlags }) | ProvinceRankRow>;
};

/**
 * The ranking of a scope as of a date (computeRanking) with `rankChange` against the latest weekly snapshot of its scope
 * taken before that date (withChanges), and each university's flags (withFlags). The snapshot's ranks do not depend on
 * the ranking: they are read alongside it; the universities' kinds come with the inputs the ranking was measured on.
 */
export async function consoleRanking(
  db: Db,
  campaignId: string,
  scope: RankingScope,
  asOf: string,
  options: { withChanges: boolean; withFlags: boolean },
): Promise<ConsoleRanking> {
  const [{ ranking, universities }, previous] = await Promise.all([
    rankingWithUniversities(db, campaignId, scope, asOf),
    options.withChanges ? latestWeeklyRanksBefore(db, campaignId, scope, asOf) : undefined,
  ]);
  const kinds = options.withFlags && scope !== 'provinces' ? new Map(universities.map((u) => [u.code, u])) : undefined;
  if (!options.withChanges && !kinds) return ranking;
  // The rows are this call's own (computeRanking builds them afresh): decorated in place, not copied again.
  const rows = ranking.rows as Array<(UniversityRankRow & { flags?: UniversityFlags }) | ProvinceRankRow>;
  const changes = options.withChanges && rankChangesAgainst(rows, previous?.ranks);
  rows.forEach((row, i) => {
    if (changes) row.rankChange = changes[i]!;
    if (!kinds || !('universityCode' in row)) return;
    const kind = kinds.get(row.universityCode);
    if (kind) row.flags = universityFlags(kind, row.targets);
  });
  return {
    ...ranking,
    rows,
    ...(options.withChanges
      ? { changesSince: previous ? { period: previous.period, asOf: previous.asOf } : null }
      : {}),
  } as ConsoleRanking;
}

/** One page of a university's visits ledger. */
export async function universityVisits(
  db: Db,
  filter: VisitFilter,
  page: number,
  pageSize: number,
): Promise<{
  campaignId: string;
  universityCode: string;
  total: number;
  page: number;
  pageSize: number;
  rows: LedgerVisit[];
}> {
  await findCampaignOrFail(db, filter.campaignId);
  const { total, rows } = await pageUniversityVisits(db, filter, page, pageSize);
  return { campaignId: filter.campaignId, universityCode: filter.universityCode, total, page, pageSize, rows };
}

/** A university's tally per leader and its team (任务到人), as of a date: the figures its progress carries. */
export async function universityLeaders(
  db: Db,
  campaignId: string,
  universityCode: string,
  asOf: string,
): Promise<{ campaignId: string; universityCode: string; asOf: string } & UniversityTeam> {
  await findCampaignOrFail(db, campaignId);
  return { campaignId, universityCode, asOf, ...(await universityTeam(db, campaignId, universityCode, asOf)) };
}
