// Rankings as of a date: loads inputs and figures through the repositories, measures and orders them (pure domain).
import type { Db } from '../db/database.ts';
import { measureAll, type RawFigures, type UniversityInfo, type UniversityMeasures } from '../domain/measures.ts';
import { rankProvinces, rankUniversities } from '../domain/ranking.ts';
import { provinceOfScope } from '../domain/scope.ts';
import type { ProvinceRanking, Ranking, RankingScope, UniversityRanking } from '../domain/ranking.types.ts';
import {
  centralUniversities,
  getCampaignRules,
  loadMeasureInputsFor,
  recentVisits,
  universityFigures,
  type MeasureInputs,
  type RecentVisit,
} from '../repositories/measures.repository.ts';
import { listPlans } from '../repositories/plan.repository.ts';
import { listUniversityPlans } from '../repositories/university-plan.repository.ts';
import { filingState } from '../domain/people.ts';
import { findCampaignOrFail } from './find-campaign.ts';
import { universityTeam, type UniversityTeam } from './people.ts';

export class UnknownProvinceError extends Error {
  constructor(readonly provinceCode: string) {
    super(`province ${provinceCode} does not exist: use a 6-digit GB/T 2260 province code such as 440000`);
    this.name = 'UnknownProvinceError';
  }
}

/** Measures of every university of the campaign (or of one province) as of the date, with the figures they are of. */
export async function measuresAsOf(
  db: Db,
  campaignId: string,
  asOf: string,
  provinceCode?: string,
): Promise<{ inputs: MeasureInputs; measures: UniversityMeasures[]; figures: Map<string, RawFigures> }> {
  const campaign = await findCampaignOrFail(db, campaignId, getCampaignRules);
  // Reference data and visit figures are independent reads: run them side by side.
  const [inputs, figures] = await Promise.all([
    loadMeasureInputsFor(db, campaign, provinceCode),
    universityFigures(db, campaign, asOf, provinceCode ? { provinceCode } : {}),
  ]);
  if (provinceCode && !inputs.provinces.some((p) => p.code === provinceCode))
    throw new UnknownProvinceError(provinceCode);
  return { inputs, figures, measures: measureAll(inputs.universities, figures, inputs.ctx, asOf) };
}

function universityRanking(
  campaignId: string,
  asOf: string,
  scope: UniversityRanking['scope'],
  measures: UniversityMeasures[],
): UniversityRanking {
  return { campaignId, asOf, scope, rows: rankUniversities(measures) };
}

async function provinceRanking(
  db: Db,
  campaignId: string,
  asOf: string,
  inputs: MeasureInputs,
  measures: UniversityMeasures[],
): Promise<ProvinceRanking> {
  const plans = new Map((await listPlans(db, campaignId)).map((p) => [p.provinceCode, p.filedOn]));
  const rows = rankProvinces(inputs.provinces, measures).map((r) => ({
    ...r,
    planFiledOn: plans.get(r.provinceCode) ?? null,
  }));
  return { campaignId, asOf, scope: 'provinces', rows };
}

/**
 * The 部属 and 部省合建 universities ranked among themselves (scope `central`), with the measures of their reporting unit's
 * rules: the same rows as in their unit's ranking, ranked against each other.
 */
async function centralRanking(db: Db, campaignId: string, asOf: string, measures: UniversityMeasures[]) {
  const central = await centralUniversities(db);
  return universityRanking(
    campaignId,
    asOf,
    'central',
    measures.filter((m) => central.has(m.universityCode)),
  );
}

/** The ranking of one scope as of the date (CONTRACT.md shape). */
export async function computeRanking(db: Db, campaignId: string, scope: RankingScope, asOf: string): Promise<Ranking> {
  return (await rankingWithUniversities(db, campaignId, scope, asOf)).ranking;
}

/**
 * The ranking of one scope with the universities it measured (all of them for `national`, `central` and `provinces`,
 * the unit's for `province:CODE`): their kinds are what the console flags rows with, read once with the ranking.
 */
export async function rankingWithUniversities(
  db: Db,
  campaignId: string,
  scope: RankingScope,
  asOf: string,
): Promise<{ ranking: Ranking; universities: UniversityInfo[] }> {
  const province = scope === 'central' ? null : provinceOfScope(scope);
  const { inputs, measures } = await measuresAsOf(db, campaignId, asOf, province ?? undefined);
  const ranking =
    scope === 'central'
      ? await centralRanking(db, campaignId, asOf, measures)
      : scope === 'provinces'
        ? await provinceRanking(db, campaignId, asOf, inputs, measures)
        : universityRanking(campaignId, asOf, scope as UniversityRanking['scope'], measures);
  return { ranking, universities: inputs.universities };
}

/**
 * Every scope at once from one national computation: national, provinces (the 32 reporting units), then each unit in
 * code order (兵团 is province:660000), then central.
 */
export async function computeAllRankings(db: Db, campaignId: string, asOf: string): Promise<Ranking[]> {
  const { inputs, measures } = await measuresAsOf(db, campaignId, asOf);
  const out: Ranking[] = [
    universityRanking(campaignId, asOf, 'national', measures),
    await provinceRanking(db, campaignId, asOf, inputs, measures),
  ];
  const byProvince = new Map<string, UniversityMeasures[]>(inputs.provinces.map((p) => [p.code, []]));
  for (const m of measures) byProvince.get(m.provinceCode)?.push(m);
  for (const [code, list] of byProvince) out.push(universityRanking(campaignId, asOf, `province:${code}`, list));
  out.push(await centralRanking(db, campaignId, asOf, measures));
  return out;
}

export interface UniversityProgress {
  campaignId: string;
  asOf: string;
  university: { code: string; name: string; provinceCode: string };
  measures: Omit<UniversityMeasures, 'universityCode' | 'universityName' | 'provinceCode' | 'exactCompletion'>;
  rankInProvince: number;
  universitiesInProvince: number;
  /** 部属 ('ministry') or 部省合建 ('joint') universities only: their kind and place in the `central` ranking. */
  central?: { kind: 'ministry' | 'joint'; rank: number; universities: number };
  recentVisits: RecentVisit[];
  /** 任务到人: figures per person (roster leaders, then names not on the roster) and for the team (issue 15). */
  leaders: UniversityTeam['leaders'];
  team: UniversityTeam['team'];
  /** The university's implementation plan (实施方案): filed on, link, the campaign's deadline, late. */
  plan: { filedOn: string | null; link: string | null; deadline: string | null; late: boolean };
}

/** The university's filing as of the date: a plan filed after it is not filed yet. */
async function planAsOf(db: Db, campaignId: string, universityCode: string, asOf: string) {
  const [p] = await listUniversityPlans(db, campaignId, { universityCode });
  const state = filingState(p?.filedOn ?? null, p?.deadline ?? null, asOf);
  return state === 'missing'
    ? { filedOn: null, link: null, deadline: p?.deadline ?? null, late: false }
    : { filedOn: p!.filedOn, link: p!.link, deadline: p!.deadline, late: state === 'late' };
}

export class UnknownUniversityError extends Error {
  constructor(readonly universityCode: string) {
    super(`university ${universityCode} does not exist: import it with \`ledger import universities\``);
    this.name = 'UnknownUniversityError';
  }
}

/** One university's measures, targets, rank within its province and latest visits, as of the date. */
export async function universityProgress(
  db: Db,
  campaignId: string,
  universityCode: string,
  provinceCode: string,
  asOf: string,
): Promise<UniversityProgress> {
  const { measures } = await measuresAsOf(db, campaignId, asOf, provinceCode);
  const rows = rankUniversities(measures);
  const row = rows.find((r) => r.universityCode === universityCode);
  const m = measures.find((x) => x.universityCode === universityCode);
  if (!row || !m) throw new UnknownUniversityError(universityCode);
  // exactCompletion orders the rankings; the progress shows completion rounded, like the rankings do.
  const { universityCode: code, universityName: name, provinceCode: prov, exactCompletion: _, ...rest } = m;
  const kind = (await centralUniversities(db)).get(universityCode);
  let central: UniversityProgress['central'];
  if (kind) {
    const ranking = await computeRanking(db, campaignId, 'central', asOf);
    const place = ranking.rows.find((r) => 'universityCode' in r && r.universityCode === universityCode);
    if (place) central = { kind, rank: place.rank, universities: ranking.rows.length };
  }
  return {
    campaignId,
    asOf,
    university: { code, name, provinceCode: prov },
    measures: rest,
    rankInProvince: row.rank,
    universitiesInProvince: rows.length,
    ...(central ? { central } : {}),
    recentVisits: await recentVisits(db, campaignId, universityCode, asOf),
    ...(await universityTeam(db, campaignId, universityCode, asOf)),
    plan: await planAsOf(db, campaignId, universityCode, asOf),
  };
}

// The ranking tables' rebuild (`ledger rankings rebuild`) and the campaign's totals (the demo's summary).
export { campaignTotals, rebuildRankingTables } from '../repositories/measures.repository.ts';
