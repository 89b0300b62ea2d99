// SQL behind measures and rankings: the inputs (campaign, universities, targets, placement), per-university figures as
// of a date (from the trigger-maintained ranking_* tables of migration 0004, or straight from visits), campaign totals.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/database.ts';
import type {
  CampaignRules,
  MeasureContext,
  ProvinceOverride,
  RawFigures,
  UniversityInfo,
} from '../domain/measures.ts';
import { provinceMeans } from '../domain/measures.ts';
import type { CampaignTotals } from '../domain/ranking.types.ts';
import { noOutreach, PLACE_KINDS, type OutreachFigures } from '../domain/outreach.ts';
import type { ProvinceInfo } from '../domain/ranking.ts';
import { daysBetween } from '../domain/periods.ts';
import { UnknownCampaignError } from '../domain/unknown-campaign-error.ts';

export interface MeasureInputs {
  campaign: CampaignRules;
  universities: UniversityInfo[];
  provinces: ProvinceInfo[];
  ctx: MeasureContext;
}

export async function getCampaignRules(db: Executor, campaignId: string): Promise<CampaignRules | undefined> {
  const c = await db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!c) return undefined;
  return {
    id: c.id,
    startDate: c.start_date,
    endDate: c.end_date,
    principalTarget: c.principal_target,
    newTarget: c.new_target,
    behindFactor: Number(c.behind_factor),
    onsiteShareFlag: Number(c.onsite_share_flag),
    baseWithoutTargets: c.base_without_targets,
  };
}

const nullableNumber = (v: number | null) => (v === null ? null : Number(v));

export interface CampaignRuleSet {
  campaign: CampaignRules;
  planDeadline: string | null;
  /** Per-province overrides, by province code (provinces without any are absent). */
  overrides: Map<string, ProvinceOverride>;
}

/** A campaign's rules with every province's overrides and its plan deadline (what notices apply and quote). */
export async function loadCampaignRuleSet(db: Executor, campaignId: string): Promise<CampaignRuleSet | undefined> {
  const [campaign, deadline, overrides] = await Promise.all([
    getCampaignRules(db, campaignId),
    db.selectFrom('campaigns').select('plan_deadline').where('id', '=', campaignId).executeTakeFirst(),
    db.selectFrom('campaign_province_targets').selectAll().where('campaign_id', '=', campaignId).execute(),
  ]);
  if (!campaign) return undefined;
  return {
    campaign,
    planDeadline: deadline?.plan_deadline ?? null,
    overrides: new Map(overrides.map((o) => [o.province_code, toOverride(o)])),
  };
}

function toOverride(o: {
  principal_target: number | null;
  new_target: number | null;
  behind_factor: number | null;
  onsite_share_flag: number | null;
  base_without_targets: number | null;
}): ProvinceOverride {
  return {
    principalTarget: o.principal_target,
    newTarget: o.new_target,
    behindFactor: nullableNumber(o.behind_factor),
    onsiteShareFlag: nullableNumber(o.onsite_share_flag),
    baseWithoutTargets: o.base_without_targets,
  };
}

/** The 部属 ('ministry') and 部省合建 ('joint') universities by code (universities.central, migration 0013). */
export async function centralUniversities(db: Executor): Promise<Map<string, 'ministry' | 'joint'>> {
  const rows = await db
    .selectFrom('universities')
    .select(['code', 'central'])
    .where('central', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.code.trim(), r.central!]));
}

export async function listProvinces(db: Executor): Promise<ProvinceInfo[]> {
  return db.selectFrom('provinces').select(['code', 'name']).orderBy('code').execute();
}

/**
 * Everything measures need besides the visit figures, for a campaign already read (so callers can run it alongside
 * universityFigures): the universities (all, or one province's: the province mean needs only its own universities),
 * overrides and placement averages.
 */
export async function loadMeasureInputsFor(
  db: Executor,
  campaign: CampaignRules,
  provinceCode?: string,
): Promise<MeasureInputs> {
  const campaignId = campaign.id;
  let uq = db
    .selectFrom('universities as u')
    .leftJoin('placement_rates as r', (j) =>
      j.onRef('r.university_code', '=', 'u.code').on('r.campaign_id', '=', campaignId),
    )
    .select([
      'u.code',
      'u.name',
      'u.province_code',
      'u.level',
      'u.new_undergrad',
      'u.vocational',
      'u.central',
      'r.rate',
    ])
    .orderBy('u.code');
  if (provinceCode) uq = uq.where('u.province_code', '=', provinceCode);
  const [rows, overrides, averages, provinces] = await Promise.all([
    uq.execute(),
    db.selectFrom('campaign_province_targets').selectAll().where('campaign_id', '=', campaignId).execute(),
    db.selectFrom('province_placement_averages').selectAll().where('campaign_id', '=', campaignId).execute(),
    listProvinces(db),
  ]);
  const universities: UniversityInfo[] = rows.map((r) => ({
    code: r.code.trim(),
    name: r.name,
    provinceCode: r.province_code,
    level: r.level,
    newUndergrad: r.new_undergrad,
    vocational: r.vocational,
    placementRate: r.rate === null ? null : Number(r.rate),
    central: r.central,
  }));
  const overrideMap = new Map<string, ProvinceOverride>(overrides.map((o) => [o.province_code, toOverride(o)]));
  return {
    campaign,
    universities,
    provinces,
    ctx: {
      campaign,
      overrides: overrideMap,
      explicitAverages: new Map(averages.map((a) => [a.province_code, Number(a.rate)])),
      meanRates: provinceMeans(universities),
    },
  };
}

const COLS = [
  'visits',
  'onsite_visits',
  'positions',
  'internship_bases',
  'recruitment_invites',
  'demand_surveys',
  'graduates_tracked',
  'satisfaction_sum',
  'satisfaction_count',
  'employers_first',
  'principal_first',
  'new_first',
  // migration 0014
  'new_positions',
  'hired',
  'staff_visits',
  'staff_only_visits',
  'staff_participants',
  'reached_first',
  ...PLACE_KINDS.flatMap((k) => [`place_${k}_visits` as const, `place_${k}_first` as const]),
] as const;

/** Where each column is in a university's figures array (COLS' order). */
const AT = Object.fromEntries(COLS.map((c, i) => [c, i])) as Record<(typeof COLS)[number], number>;
const PLACE_AT = PLACE_KINDS.map((k) => [k, AT[`place_${k}_visits`], AT[`place_${k}_first`]] as const);

const toFigures = (r: readonly number[]): RawFigures => {
  const placeKinds = {} as OutreachFigures['placeKinds'];
  for (const [k, visits, first] of PLACE_AT) placeKinds[k] = { visits: r[visits]!, employers: r[first]! };
  return {
    employersVisited: r[AT.employers_first]!,
    principalEmployers: r[AT.principal_first]!,
    newEmployers: r[AT.new_first]!,
    visits: r[AT.visits]!,
    onsiteVisits: r[AT.onsite_visits]!,
    positions: r[AT.positions]!,
    internshipBases: r[AT.internship_bases]!,
    recruitmentInvites: r[AT.recruitment_invites]!,
    demandSurveys: r[AT.demand_surveys]!,
    graduatesTracked: r[AT.graduates_tracked]!,
    satisfactionSum: r[AT.satisfaction_sum]!,
    satisfactionCount: r[AT.satisfaction_count]!,
    outreach: {
      allEmployersReached: r[AT.reached_first]!,
      staffVisits: r[AT.staff_visits]!,
      staffOnlyVisits: r[AT.staff_only_visits]!,
      staffParticipants: r[AT.staff_participants]!,
      newPositions: r[AT.new_positions]!,
      hired: r[AT.hired]!,
      placeKinds,
    },
  };
};

/**
 * Runs a query of one row per university (university_code and every column of COLS, as bigints) and reads it as two
 * JSON arrays, the codes and each university's figures as an array of numbers: for the 2,756 rows × 30 columns of a
 * national ranking that costs the API a fifth of the CPU (and garbage) of the driver's row-by-row, column-by-column
 * parsing, and PostgreSQL less than sending the rows (bench/RESULTS.md console-api). The two aggregates of one
 * aggregation step take the rows in the same order, so codes[i] is figures[i]'s university (sorting both by code
 * would cost 3 of the query's 27 ms for nothing).
 */
async function figuresOf(db: Executor, query: RawBuilder<unknown>): Promise<Map<string, RawFigures>> {
  const { rows } = await sql<{ codes: string[] | null; figures: number[][] | null }>`
    SELECT json_agg(f.university_code) AS codes,
      json_agg(ARRAY[${sql.join(COLS.map((c) => sql`f.${sql.ref(c)}`))}]) AS figures
    FROM (${query}) f`.execute(db);
  const codes = rows[0]?.codes ?? [];
  const figures = rows[0]?.figures ?? [];
  const map = new Map<string, RawFigures>();
  codes.forEach((code, i) => map.set(code.trim(), toFigures(figures[i]!)));
  return map;
}

export interface FigureFilter {
  provinceCode?: string;
  universityCode?: string;
  /** Only the 部属 and 部省合建 universities (universities.central, migration 0013). */
  central?: boolean;
}

/** The SQL condition that keeps rows of `alias` (with a university_code) inside the filter. */
export function scopeFilter(alias: string, f: FigureFilter) {
  const parts = [];
  if (f.universityCode) parts.push(sql`AND ${sql.ref(`${alias}.university_code`)} = ${f.universityCode}`);
  if (f.provinceCode)
    parts.push(
      sql`AND ${sql.ref(`${alias}.university_code`)} IN (SELECT code FROM universities WHERE province_code = ${f.provinceCode})`,
    );
  if (f.central)
    parts.push(
      sql`AND ${sql.ref(`${alias}.university_code`)} IN (SELECT code FROM universities WHERE central IS NOT NULL)`,
    );
  return sql.join(parts, sql` `);
}

/**
 * Per-university raw figures as of `asOf` (active visits of the campaign dated inside its window, from its start up to
 * asOf or its end), from the derived tables. Late cut-offs read the totals minus the days after asOf; early ones sum
 * the days up to asOf, so either way only the shorter side of the campaign is scanned. Universities without visits are
 * absent.
 */
export async function universityFigures(
  db: Executor,
  campaign: Pick<CampaignRules, 'id' | 'startDate' | 'endDate'>,
  cutOff: string,
  filter: FigureFilter = {},
): Promise<Map<string, RawFigures>> {
  if (cutOff < campaign.startDate) return new Map();
  // The derived tables hold only days inside the window (migration 0007); a cut-off past the end reads up to the end.
  const asOf = cutOff < campaign.endDate ? cutOff : campaign.endDate;
  const early = daysBetween(campaign.startDate, asOf) < daysBetween(asOf, campaign.endDate);
  const list = sql.join(COLS.map((c) => sql`sum(${sql.ref(c)})::bigint AS ${sql.ref(c)}`));
  const query = early
    ? sql`
        SELECT d.university_code, ${list} FROM ranking_daily d
        WHERE d.campaign_id = ${campaign.id} AND d.day <= ${asOf} ${scopeFilter('d', filter)}
        GROUP BY d.university_code`
    : sql`
        WITH tail AS (
          SELECT d.university_code, ${list} FROM ranking_daily d
          WHERE d.campaign_id = ${campaign.id} AND d.day > ${asOf} ${scopeFilter('d', filter)}
          GROUP BY d.university_code)
        SELECT t.university_code, ${sql.join(COLS.map((c) => sql`t.${sql.ref(c)} - coalesce(tail.${sql.ref(c)}, 0) AS ${sql.ref(c)}`))}
        FROM ranking_totals t LEFT JOIN tail USING (university_code)
        WHERE t.campaign_id = ${campaign.id} ${scopeFilter('t', filter)}`;
  return figuresOf(db, query);
}

/**
 * The same figures computed straight from the visits table (count(distinct) per university over the active visits
 * dated inside the campaign's window, up to asOf): the definition the derived tables must agree with, used by tests
 * and as the benchmark's baseline.
 */
export async function universityFiguresFromVisits(
  db: Executor,
  campaignId: string,
  asOf: string,
  filter: FigureFilter = {},
): Promise<Map<string, RawFigures>> {
  return figuresOf(
    db,
    sql`
    SELECT x.university_code,
      count(*) AS visits, count(*) FILTER (WHERE x.mode = 'onsite') AS onsite_visits, coalesce(sum(x.positions), 0) AS positions,
      count(*) FILTER (WHERE x.internship_base) AS internship_bases, count(*) FILTER (WHERE x.recruitment_invite) AS recruitment_invites,
      count(*) FILTER (WHERE x.demand_survey) AS demand_surveys, coalesce(sum(x.graduates_tracked), 0) AS graduates_tracked,
      coalesce(sum(x.satisfaction), 0) AS satisfaction_sum, count(x.satisfaction) AS satisfaction_count,
      count(DISTINCT x.employer_id) FILTER (WHERE x.has_leader) AS employers_first,
      count(DISTINCT x.employer_id) FILTER (WHERE x.has_principal) AS principal_first,
      count(DISTINCT x.employer_id) FILTER (WHERE x.has_leader AND NOT x.known_before) AS new_first,
      coalesce(sum(x.new_positions), 0) AS new_positions, coalesce(sum(x.hired), 0) AS hired,
      count(*) FILTER (WHERE jsonb_array_length(x.staff) > 0) AS staff_visits,
      count(*) FILTER (WHERE NOT x.has_leader) AS staff_only_visits,
      coalesce(sum(jsonb_array_length(x.staff)), 0) AS staff_participants,
      count(DISTINCT x.employer_id) AS reached_first,
      ${sql.join(
        PLACE_KINDS.map(
          (k) =>
            sql`count(*) FILTER (WHERE x.place_kind = ${k}) AS ${sql.ref(`place_${k}_visits`)},
              count(DISTINCT x.employer_id) FILTER (WHERE x.place_kind = ${k}) AS ${sql.ref(`place_${k}_first`)}`,
        ),
      )}
    FROM (
      SELECT v.*,
        (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
         OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                    AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${campaignId} AND v.state = 'active' AND v.visited_on BETWEEN c.start_date AND c.end_date
        AND v.visited_on <= ${asOf}
        ${scopeFilter('v', filter)}
    ) x
    GROUP BY x.university_code`,
  );
}

/**
 * Distinct employers of the scope as of `asOf`: visited with a leader, newly developed, reached by anyone, and per
 * kind of place. Campaign-wide it is a range count over campaign_employers (one row per employer with its first
 * dates, migration 0019); a reporting unit's or the central universities' few thousand pairs are counted directly.
 */
async function distinctEmployers(
  db: Executor,
  campaignId: string,
  asOf: string,
  filter: FigureFilter,
): Promise<Record<string, number>> {
  const campaignWide = !filter.universityCode && !filter.provinceCode && !filter.central;
  const kinds = (alias: string, count: (col: ReturnType<typeof sql.ref>) => ReturnType<typeof sql>) =>
    sql.join(PLACE_KINDS.map((k) => sql`${count(sql.ref(`${alias}.first_${k}_on`))}::int AS ${sql.ref(k)}`));
  const { rows } = campaignWide
    ? await sql<Record<string, number>>`
        SELECT count(*) FILTER (WHERE e.first_on <= ${asOf})::int AS employers,
               count(*) FILTER (WHERE e.first_new_on <= ${asOf})::int AS new_employers,
               count(*)::int AS reached,
               ${kinds('e', (col) => sql`count(*) FILTER (WHERE ${col} <= ${asOf})`)}
        FROM campaign_employers e
        WHERE e.campaign_id = ${campaignId} AND e.first_reached_on <= ${asOf}`.execute(db)
    : await sql<Record<string, number>>`
        SELECT count(DISTINCT p.employer_id) FILTER (WHERE p.first_on <= ${asOf})::int AS employers,
               count(DISTINCT p.employer_id) FILTER (WHERE p.first_on <= ${asOf} AND NOT p.known_before)::int AS new_employers,
               count(DISTINCT p.employer_id)::int AS reached,
               ${kinds('p', (col) => sql`count(DISTINCT p.employer_id) FILTER (WHERE ${col} <= ${asOf})`)}
        FROM ranking_pairs p
        WHERE p.campaign_id = ${campaignId} AND p.first_reached_on <= ${asOf} ${scopeFilter('p', filter)}`.execute(db);
  return rows[0] ?? {};
}

/**
 * Campaign-wide (or one reporting unit's, or the central universities') totals as of a date; employers are distinct
 * over all universities in scope.
 */
export async function campaignTotals(
  db: Executor,
  campaignId: string,
  asOf: string,
  /** A reporting unit's code, or a filter (`{ central: true }`); absent: the whole campaign. */
  provinceCode?: string | FigureFilter,
  /** The scope's figures as of `asOf` when the caller has them already (measuresAsOf's): not read twice. */
  known?: Map<string, RawFigures>,
): Promise<CampaignTotals> {
  const campaign = await getCampaignRules(db, campaignId);
  if (!campaign) throw new UnknownCampaignError(campaignId);
  const filter = typeof provinceCode === 'string' ? { provinceCode } : (provinceCode ?? {});
  // Independent reads: side by side.
  const [figures, distinct] = await Promise.all([
    known ?? universityFigures(db, campaign, asOf, filter),
    distinctEmployers(db, campaignId, asOf, filter),
  ]);
  const row = distinct;
  const outreach = noOutreach();
  outreach.allEmployersReached = row.reached ?? 0;
  for (const k of PLACE_KINDS) outreach.placeKinds[k].employers = row[k] ?? 0;
  const totals: CampaignTotals = {
    visits: 0,
    employers: row.employers ?? 0,
    newEmployers: row.new_employers ?? 0,
    positions: 0,
    internshipBases: 0,
    graduatesTracked: 0,
    universitiesWithVisits: 0,
    outreach,
  };
  for (const f of figures.values()) {
    totals.visits += f.visits;
    totals.positions += f.positions;
    totals.internshipBases += f.internshipBases;
    totals.graduatesTracked += f.graduatesTracked;
    if (f.visits > 0) totals.universitiesWithVisits += 1;
    const o = f.outreach;
    if (!o) continue;
    outreach.staffVisits += o.staffVisits;
    outreach.staffOnlyVisits += o.staffOnlyVisits;
    outreach.staffParticipants += o.staffParticipants;
    outreach.newPositions += o.newPositions;
    outreach.hired += o.hired;
    for (const k of PLACE_KINDS) outreach.placeKinds[k].visits += o.placeKinds[k].visits;
  }
  return totals;
}

/**
 * Recomputes the derived tables from the visits (all campaigns, or one): ranking_rebuild of migration 0007, one
 * statement that blocks visit writes until it commits. Ordinary writes and changes of a campaign's dates keep the
 * tables exact by themselves; this is for writes that bypassed the triggers (a bulk load with triggers off).
 */
export async function rebuildRankingTables(db: Executor, campaignId?: string): Promise<void> {
  await sql`SELECT ranking_rebuild(${campaignId ?? null}::text)`.execute(db);
}

export interface RecentVisit {
  ref: string;
  visitedOn: string;
  mode: string | null;
  employerId: number | null;
  employerName: string | null;
  leaders: Array<{ role: string; name: string }>;
  positions: number;
}

/** The university's latest active visits of the campaign inside its window up to asOf, newest first. */
export async function recentVisits(
  db: Executor,
  campaignId: string,
  universityCode: string,
  asOf: string,
  limit = 20,
): Promise<RecentVisit[]> {
  const rows = await db
    .selectFrom('visits as v')
    .innerJoin('campaigns as c', 'c.id', 'v.campaign_id')
    .leftJoin('employers as e', 'e.id', 'v.employer_id')
    .select([
      'v.ref',
      'v.visited_on',
      'v.mode',
      'v.employer_id',
      'v.employer_name',
      'e.canonical_name',
      'v.leaders',
      'v.positions',
    ])
    .where('v.campaign_id', '=', campaignId)
    .where('v.university_code', '=', universityCode)
    .where('v.state', '=', 'active')
    .where('v.visited_on', '<=', asOf)
    // the visits the figures count: none outside the campaign's window
    .whereRef('v.visited_on', '>=', 'c.start_date')
    .whereRef('v.visited_on', '<=', 'c.end_date')
    .orderBy('v.visited_on', 'desc')
    .orderBy('v.ref', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ref: r.ref,
    visitedOn: r.visited_on!,
    mode: r.mode,
    employerId: r.employer_id,
    employerName: r.canonical_name ?? r.employer_name,
    leaders: r.leaders,
    positions: r.positions,
  }));
}

/** Every campaign's id and dates (what the scheduler decides on). */
export async function listCampaignDates(
  db: Executor,
): Promise<Array<{ id: string; startDate: string; endDate: string }>> {
  const rows = await db.selectFrom('campaigns').select(['id', 'start_date', 'end_date']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, startDate: r.start_date, endDate: r.end_date }));
}
