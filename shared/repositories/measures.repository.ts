// SQL behind measures and rankings: the inputs (campaign, universities, targets, placement), per-university figures as
// of a date (from the trigger-maintained ranking_* tables of migration 0004, or straight from visits), campaign totals.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { CampaignRules, MeasureContext, ProvinceOverride, RawFigures, UniversityInfo } from '../domain/measures.ts';
import { provinceMeans } from '../domain/measures.ts';
import type { CampaignTotals } from '../domain/ranking.types.ts';
import type { ProvinceInfo } from '../domain/ranking.ts';
import { daysBetween } from '../domain/periods.ts';


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
    id: c.id, startDate: c.start_date, endDate: c.end_date, principalTarget: c.principal_target, newTarget: c.new_target,
    behindFactor: Number(c.behind_factor),
  };
}

export async function listProvinces(db: Executor): Promise<ProvinceInfo[]> {
  return db.selectFrom('provinces').select(['code', 'name']).orderBy('code').execute();
}

/**
 * Everything measures need besides the visit figures: the campaign, the universities (all, or one province's: the
 * province mean needs only its own universities), overrides and placement averages. Undefined for an unknown campaign.
 */
export async function loadMeasureInputs(db: Executor, campaignId: string, provinceCode?: string): Promise<MeasureInputs | undefined> {
  const campaign = await getCampaignRules(db, campaignId);
  return campaign ? loadMeasureInputsFor(db, campaign, provinceCode) : undefined;
}

/** loadMeasureInputs for a campaign already read (so callers can run it alongside universityFigures). */
export async function loadMeasureInputsFor(db: Executor, campaign: CampaignRules, provinceCode?: string): Promise<MeasureInputs> {
  const campaignId = campaign.id;
  let uq = db
    .selectFrom('universities as u')
    .leftJoin('placement_rates as r', (j) => j.onRef('r.university_code', '=', 'u.code').on('r.campaign_id', '=', campaignId))
    .select(['u.code', 'u.name', 'u.province_code', 'u.level', 'u.new_undergrad', 'u.vocational', 'r.rate'])
    .orderBy('u.code');
  if (provinceCode) uq = uq.where('u.province_code', '=', provinceCode);
  const [rows, overrides, averages, provinces] = await Promise.all([
    uq.execute(),
    db.selectFrom('campaign_province_targets').selectAll().where('campaign_id', '=', campaignId).execute(),
    db.selectFrom('province_placement_averages').selectAll().where('campaign_id', '=', campaignId).execute(),
    listProvinces(db),
  ]);
  const universities: UniversityInfo[] = rows.map((r) => ({
    code: r.code.trim(), name: r.name, provinceCode: r.province_code, level: r.level, newUndergrad: r.new_undergrad,
    vocational: r.vocational, placementRate: r.rate === null ? null : Number(r.rate),
  }));
  const overrideMap = new Map<string, ProvinceOverride>(
    overrides.map((o) => [o.province_code, {
      principalTarget: o.principal_target, newTarget: o.new_target, behindFactor: o.behind_factor === null ? null : Number(o.behind_factor),
    }]),
  );
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

interface FigureRow {
  university_code: string;
  visits: number; onsite_visits: number; positions: number; internship_bases: number; recruitment_invites: number;
  demand_surveys: number; graduates_tracked: number; satisfaction_sum: number; satisfaction_count: number;
  employers_first: number; principal_first: number; new_first: number;
}

const toFigures = (r: FigureRow): RawFigures => ({
  employersVisited: Number(r.employers_first), principalEmployers: Number(r.principal_first), newEmployers: Number(r.new_first),
  visits: Number(r.visits), onsiteVisits: Number(r.onsite_visits), positions: Number(r.positions),
  internshipBases: Number(r.internship_bases), recruitmentInvites: Number(r.recruitment_invites),
  demandSurveys: Number(r.demand_surveys), graduatesTracked: Number(r.graduates_tracked),
  satisfactionSum: Number(r.satisfaction_sum), satisfactionCount: Number(r.satisfaction_count),
});

const COLS = [
  'visits', 'onsite_visits', 'positions', 'internship_bases', 'recruitment_invites', 'demand_surveys', 'graduates_tracked',
  'satisfaction_sum', 'satisfaction_count', 'employers_first', 'principal_first', 'new_first',
] as const;

export interface FigureFilter {
  provinceCode?: string;
  universityCode?: string;
}

function scopeFilter(alias: string, f: FigureFilter) {
  const parts = [];
  if (f.universityCode) parts.push(sql`AND ${sql.ref(`${alias}.university_code`)} = ${f.universityCode}`);
  if (f.provinceCode) parts.push(sql`AND ${sql.ref(`${alias}.university_code`)} IN (SELECT code FROM universities WHERE province_code = ${f.provinceCode})`);
  return sql.join(parts, sql` `);
}

/**
 * Per-university raw figures as of `asOf` (active visits of the campaign dated from its start up to asOf), from the
 * derived tables. Late cut-offs read the totals minus the days after asOf; early ones sum the days up to asOf, so
 * either way only the shorter side of the campaign is scanned. Universities without visits are absent.
 */
export async function universityFigures(db: Executor, campaign: Pick<CampaignRules, 'id' | 'startDate' | 'endDate'>, asOf: string, filter: FigureFilter = {}): Promise<Map<string, RawFigures>> {
  if (asOf < campaign.startDate) return new Map();
  const early = daysBetween(campaign.startDate, asOf) < daysBetween(asOf, campaign.endDate);
  const list = sql.join(COLS.map((c) => sql`sum(${sql.ref(c)})::bigint AS ${sql.ref(c)}`));
  const query = early
    ? sql<FigureRow>`
        SELECT d.university_code, ${list} FROM ranking_daily d
        WHERE d.campaign_id = ${campaign.id} AND d.day <= ${asOf} ${scopeFilter('d', filter)}
        GROUP BY d.university_code`
    : sql<FigureRow>`
        WITH tail AS (
          SELECT d.university_code, ${list} FROM ranking_daily d
          WHERE d.campaign_id = ${campaign.id} AND d.day > ${asOf} ${scopeFilter('d', filter)}
          GROUP BY d.university_code)
        SELECT t.university_code, ${sql.join(COLS.map((c) => sql`t.${sql.ref(c)} - coalesce(tail.${sql.ref(c)}, 0) AS ${sql.ref(c)}`))}
        FROM ranking_totals t LEFT JOIN tail USING (university_code)
        WHERE t.campaign_id = ${campaign.id} ${scopeFilter('t', filter)}`;
  const { rows } = await query.execute(db);
  return new Map(rows.map((r) => [r.university_code.trim(), toFigures(r)]));
}

/**
 * The same figures computed straight from the visits table (count(distinct) per university): the definition the
 * derived tables must agree with, used by tests and as the benchmark's baseline.
 */
export async function universityFiguresFromVisits(db: Executor, campaignId: string, asOf: string, filter: FigureFilter = {}): Promise<Map<string, RawFigures>> {
  const { rows } = await sql<FigureRow>`
    SELECT x.university_code,
      count(*) AS visits, count(*) FILTER (WHERE x.mode = 'onsite') AS onsite_visits, coalesce(sum(x.positions), 0) AS positions,
      count(*) FILTER (WHERE x.internship_base) AS internship_bases, count(*) FILTER (WHERE x.recruitment_invite) AS recruitment_invites,
      count(*) FILTER (WHERE x.demand_survey) AS demand_surveys, coalesce(sum(x.graduates_tracked), 0) AS graduates_tracked,
      coalesce(sum(x.satisfaction), 0) AS satisfaction_sum, count(x.satisfaction) AS satisfaction_count,
      count(DISTINCT x.employer_id) AS employers_first,
      count(DISTINCT x.employer_id) FILTER (WHERE x.has_principal) AS principal_first,
      count(DISTINCT x.employer_id) FILTER (WHERE NOT x.known_before) AS new_first
    FROM (
      SELECT v.*,
        (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
         OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                    AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${campaignId} AND v.state = 'active' AND v.visited_on >= c.start_date AND v.visited_on <= ${asOf}
        ${scopeFilter('v', filter)}
    ) x
    GROUP BY x.university_code`.execute(db);
  return new Map(rows.map((r) => [r.university_code.trim(), toFigures(r)]));
}

/** Campaign-wide (or one province's) totals as of a date; employers are distinct over all universities in scope. */
export async function campaignTotals(db: Executor, campaignId: string, asOf: string, provinceCode?: string): Promise<CampaignTotals> {
  const campaign = await getCampaignRules(db, campaignId);
  if (!campaign) throw new Error(`campaign ${campaignId} does not exist: create it with \`ledger campaign create\``);
  const filter = provinceCode ? { provinceCode } : {};
  const figures = await universityFigures(db, campaign, asOf, filter);
  const { rows } = await sql<{ employers: number; new_employers: number }>`
    SELECT count(DISTINCT p.employer_id)::int AS employers,
           count(DISTINCT p.employer_id) FILTER (WHERE NOT p.known_before)::int AS new_employers
    FROM ranking_pairs p
    WHERE p.campaign_id = ${campaignId} AND p.first_on <= ${asOf} ${scopeFilter('p', filter)}`.execute(db);
  const totals: CampaignTotals = {
    visits: 0, employers: rows[0]?.employers ?? 0, newEmployers: rows[0]?.new_employers ?? 0, positions: 0,
    internshipBases: 0, graduatesTracked: 0, universitiesWithVisits: 0,
  };
  for (const f of figures.values()) {
    totals.visits += f.visits;
    totals.positions += f.positions;
    totals.internshipBases += f.internshipBases;
    totals.graduatesTracked += f.graduatesTracked;
    if (f.visits > 0) totals.universitiesWithVisits += 1;
  }
  return totals;
}

/**
 * Recomputes the derived tables from the visits (all campaigns, or one). Needed only after writes that bypass the
 * triggers (a bulk load with triggers off) or after a campaign's start date changed; ordinary writes keep them exact.
 * Runs in one transaction (its own unless given one) that blocks visit writes until it commits.
 */
export async function rebuildRankingTables(db: Executor, campaignId?: string): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => rebuildRankingTables(trx, campaignId));
  // Writers wait until the rebuild commits: their trigger deltas must apply to the rebuilt rows, not be lost in them.
  await sql`LOCK TABLE visits, prior_employers IN SHARE MODE`.execute(db);
  const only = (alias: string) => (campaignId ? sql`AND ${sql.ref(`${alias}.campaign_id`)} = ${campaignId}` : sql``);
  await sql`DELETE FROM ranking_pairs p WHERE true ${only('p')}`.execute(db);
  await sql`DELETE FROM ranking_daily d WHERE true ${only('d')}`.execute(db);
  await sql`DELETE FROM ranking_totals t WHERE true ${only('t')}`.execute(db);
  await sql`
    INSERT INTO ranking_pairs (campaign_id, university_code, employer_id, first_on, first_principal_on, known_before)
    SELECT g.campaign_id, g.university_code, g.employer_id, g.first_on, g.first_principal_on,
      pe.university_code IS NOT NULL OR coalesce(ev.first_ever < g.start_date, false)
    -- joins to whole sets (hash joins), not a probe per pair: this runs over every pair at once
    FROM (
      SELECT v.campaign_id, v.university_code, v.employer_id, c.start_date, min(v.visited_on) AS first_on,
             min(v.visited_on) FILTER (WHERE v.has_principal) AS first_principal_on
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.state = 'active' AND v.visited_on >= c.start_date AND v.employer_id IS NOT NULL ${only('v')}
      GROUP BY v.campaign_id, v.university_code, v.employer_id, c.start_date) g
    LEFT JOIN (SELECT DISTINCT university_code, employer_id FROM prior_employers WHERE employer_id IS NOT NULL) pe
      ON pe.university_code = g.university_code AND pe.employer_id = g.employer_id
    LEFT JOIN (SELECT university_code, employer_id, min(visited_on) AS first_ever FROM visits WHERE state = 'active' GROUP BY 1, 2) ev
      ON ev.university_code = g.university_code AND ev.employer_id = g.employer_id`.execute(db);
  await sql`
    INSERT INTO ranking_daily (campaign_id, university_code, day, ${sql.join(COLS.map((c) => sql.ref(c)))})
    SELECT coalesce(s.campaign_id, f.campaign_id), coalesce(s.university_code, f.university_code), coalesce(s.day, f.day),
      coalesce(s.visits, 0), coalesce(s.onsite_visits, 0), coalesce(s.positions, 0), coalesce(s.internship_bases, 0),
      coalesce(s.recruitment_invites, 0), coalesce(s.demand_surveys, 0), coalesce(s.graduates_tracked, 0),
      coalesce(s.satisfaction_sum, 0), coalesce(s.satisfaction_count, 0),
      coalesce(f.employers_first, 0), coalesce(f.principal_first, 0), coalesce(f.new_first, 0)
    FROM (
      SELECT v.campaign_id, v.university_code, v.visited_on AS day, count(*) AS visits,
        count(*) FILTER (WHERE v.mode = 'onsite') AS onsite_visits, sum(v.positions) AS positions,
        count(*) FILTER (WHERE v.internship_base) AS internship_bases, count(*) FILTER (WHERE v.recruitment_invite) AS recruitment_invites,
        count(*) FILTER (WHERE v.demand_survey) AS demand_surveys, sum(v.graduates_tracked) AS graduates_tracked,
        coalesce(sum(v.satisfaction), 0) AS satisfaction_sum, count(v.satisfaction) AS satisfaction_count
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.state = 'active' AND v.visited_on >= c.start_date ${only('v')}
      GROUP BY v.campaign_id, v.university_code, v.visited_on) s
    FULL JOIN (
      SELECT campaign_id, university_code, day, sum(e) AS employers_first, sum(p) AS principal_first, sum(n) AS new_first
      FROM (
        SELECT p.campaign_id, p.university_code, p.first_on AS day, 1 AS e, 0 AS p, CASE WHEN p.known_before THEN 0 ELSE 1 END AS n
        FROM ranking_pairs p WHERE true ${only('p')}
        UNION ALL
        SELECT p.campaign_id, p.university_code, p.first_principal_on, 0, 1, 0
        FROM ranking_pairs p WHERE p.first_principal_on IS NOT NULL ${only('p')}) x
      GROUP BY campaign_id, university_code, day) f
    ON f.campaign_id = s.campaign_id AND f.university_code = s.university_code AND f.day = s.day`.execute(db);
  await sql`
    INSERT INTO ranking_totals (campaign_id, university_code, ${sql.join(COLS.map((c) => sql.ref(c)))})
    SELECT d.campaign_id, d.university_code, ${sql.join(COLS.map((c) => sql`sum(${sql.ref(c)})`))}
    FROM ranking_daily d WHERE true ${only('d')}
    GROUP BY d.campaign_id, d.university_code`.execute(db);
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

/** The university's latest active visits of the campaign up to asOf, newest first. */
export async function recentVisits(db: Executor, campaignId: string, universityCode: string, asOf: string, limit = 20): Promise<RecentVisit[]> {
  const rows = await db
    .selectFrom('visits as v')
    .leftJoin('employers as e', 'e.id', 'v.employer_id')
    .select(['v.ref', 'v.visited_on', 'v.mode', 'v.employer_id', 'v.employer_name', 'e.canonical_name', 'v.leaders', 'v.positions'])
    .where('v.campaign_id', '=', campaignId)
    .where('v.university_code', '=', universityCode)
    .where('v.state', '=', 'active')
    .where('v.visited_on', '<=', asOf)
    .orderBy('v.visited_on', 'desc')
    .orderBy('v.ref', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ref: r.ref, visitedOn: r.visited_on!, mode: r.mode, employerId: r.employer_id, employerName: r.canonical_name ?? r.employer_name,
    leaders: r.leaders, positions: r.positions,
  }));
}

/** Every campaign's id and dates (what the scheduler decides on). */
export async function listCampaignDates(db: Executor): Promise<Array<{ id: string; startDate: string; endDate: string }>> {
  const rows = await db.selectFrom('campaigns').select(['id', 'start_date', 'end_date']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, startDate: r.start_date, endDate: r.end_date }));
}
