// The demand ledger (用人单位需求台账) read straight from the visits: one aggregate per employer over the campaign's
// active visits dated in its window (up to a cut-off), in a scope (all universities, or a province's). Nothing derived
// is stored, so an amendment, a retraction or an administrator's merge shows at the next read.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/database.ts';
import {
  mergeMajors,
  type DemandOrder,
  type DemandVisitor,
  type EmployerDemandRow,
} from '../domain/employer-demand.ts';
import type { ModelEmployer } from '../domain/notices/model-cases.ts';
import { scopeFilter, type FigureFilter } from './measures.repository.ts';

export interface DemandQuery {
  campaignId: string;
  /** Cut-off date (visits dated up to it); default: the campaign's end. */
  asOf?: string;
  filter?: FigureFilter;
}

interface DemandSqlRow {
  employer_id: number;
  canonical_name: string;
  credit_code: string | null;
  visits: number;
  universities: number;
  positions: number;
  new_positions: number;
  hired: number;
  internship_bases: number;
  first_on: string;
  last_on: string;
  visited_by: Array<{
    universityCode: string;
    universityName: string;
    provinceCode: string;
    visits: number;
    firstVisitedOn: string;
    lastVisitedOn: string;
    internshipBase: boolean;
  }>;
  majors: string[] | null;
  total?: number;
}

/** The aggregate, per employer; `extra` narrows the visits (a keyset), `tail` orders and limits. */
function demandSql(q: DemandQuery, extra: RawBuilder<unknown>, tail: RawBuilder<unknown>, withTotal: boolean) {
  const cutOff = q.asOf ? sql`least(c.end_date, ${q.asOf}::date)` : sql`c.end_date`;
  return sql<DemandSqlRow>`
    WITH v AS (
      SELECT v.employer_id, v.university_code, v.visited_on, v.positions, v.new_positions, v.hired,
             v.internship_base, v.majors
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${q.campaignId} AND v.state = 'active' AND v.employer_id IS NOT NULL
        AND v.visited_on BETWEEN c.start_date AND ${cutOff} ${scopeFilter('v', q.filter ?? {})} ${extra}),
    per_university AS (
      SELECT v.employer_id, v.university_code, count(*)::int AS visits, min(v.visited_on) AS first_on,
             max(v.visited_on) AS last_on, sum(v.positions)::bigint AS positions,
             sum(v.new_positions)::bigint AS new_positions, sum(v.hired)::bigint AS hired,
             bool_or(v.internship_base) AS base
      FROM v GROUP BY v.employer_id, v.university_code),
    per_employer AS (
      SELECT p.employer_id, sum(p.visits)::int AS visits, count(*)::int AS universities,
             sum(p.positions)::int AS positions, sum(p.new_positions)::int AS new_positions, sum(p.hired)::int AS hired,
             count(*) FILTER (WHERE p.base)::int AS internship_bases,
             min(p.first_on) AS first_on, max(p.last_on) AS last_on,
             jsonb_agg(jsonb_build_object(
               'universityCode', trim(u.code), 'universityName', u.name, 'provinceCode', u.province_code,
               'visits', p.visits, 'firstVisitedOn', p.first_on, 'lastVisitedOn', p.last_on, 'internshipBase', p.base)
               ORDER BY p.first_on, u.code) AS visited_by
             ${withTotal ? sql`, count(*) OVER ()::int AS total` /* over every group, before the outer LIMIT */ : sql``}
      FROM per_university p JOIN universities u ON u.code = p.university_code
      GROUP BY p.employer_id)
    SELECT pe.*, e.canonical_name, e.credit_code,
           (SELECT array_agg(DISTINCT m) FROM v v2, jsonb_array_elements_text(v2.majors) m WHERE v2.employer_id = pe.employer_id) AS majors
    FROM per_employer pe JOIN employers e ON e.id = pe.employer_id
    ${tail}`;
}

function toRow(r: DemandSqlRow): EmployerDemandRow {
  return {
    employerId: r.employer_id,
    employerName: r.canonical_name,
    creditCode: r.credit_code || null,
    visits: r.visits,
    universities: r.universities,
    positions: r.positions,
    newPositions: r.new_positions,
    hired: r.hired,
    internshipBases: r.internship_bases,
    majors: mergeMajors([r.majors]),
    firstVisitedOn: r.first_on,
    lastVisitedOn: r.last_on,
    visitedBy: r.visited_by.map((x): DemandVisitor => ({ ...x })),
  };
}

const ORDER: Record<DemandOrder, RawBuilder<unknown>> = {
  positions: sql`ORDER BY pe.positions DESC, pe.hired DESC, pe.employer_id`,
  hired: sql`ORDER BY pe.hired DESC, pe.positions DESC, pe.employer_id`,
};

/** One page of the ledger in the given order, and how many employers it has in all. */
export async function employerDemandPage(
  db: Executor,
  q: DemandQuery & { order: DemandOrder; limit: number; offset: number },
): Promise<{ total: number; rows: EmployerDemandRow[] }> {
  const { rows } = await demandSql(q, sql``, sql`${ORDER[q.order]} LIMIT ${q.limit} OFFSET ${q.offset}`, true).execute(
    db,
  );
  let total = rows[0]?.total;
  if (total === undefined) {
    // A page past the end has no row to carry the count.
    const { rows: c } = await sql<{ n: number }>`
      SELECT count(DISTINCT v.employer_id)::int AS n FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${q.campaignId} AND v.state = 'active' AND v.employer_id IS NOT NULL
        AND v.visited_on BETWEEN c.start_date AND ${q.asOf ? sql`least(c.end_date, ${q.asOf}::date)` : sql`c.end_date`}
        ${scopeFilter('v', q.filter ?? {})}`.execute(db);
    total = c[0]?.n ?? 0;
  }
  return { total, rows: rows.map(toRow) };
}

/**
 * Every employer of the ledger in employer-id order, read in keyset pages of employers (each page one pass over
 * those employers' visits on visits_employer_idx), so a national ledger of hundreds of thousands of employers streams
 * in constant memory.
 */
export async function* employerDemandRows(
  db: Executor,
  q: DemandQuery & { pageSize?: number },
): AsyncGenerator<EmployerDemandRow> {
  const pageSize = q.pageSize ?? 1000;
  let after = 0;
  for (;;) {
    // The page's employer ids first (cheap: index only), then their aggregate.
    const { rows: ids } = await sql<{ id: number }>`
      SELECT DISTINCT v.employer_id AS id FROM visits v
      WHERE v.campaign_id = ${q.campaignId} AND v.state = 'active' AND v.employer_id > ${after}
        ${scopeFilter('v', q.filter ?? {})}
      ORDER BY 1 LIMIT ${pageSize}`.execute(db);
    if (ids.length === 0) return;
    const last = ids[ids.length - 1]!.id;
    const { rows } = await demandSql(
      q,
      sql`AND v.employer_id > ${after} AND v.employer_id <= ${last}`,
      sql`ORDER BY pe.employer_id`,
      false,
    ).execute(db);
    for (const r of rows) yield toRow(r);
    if (ids.length < pageSize) return;
    after = last;
  }
}

/**
 * The first `limit` employers of the scope by graduates hired or by positions (the notices' 典型), without the
 * per-university detail: one grouped pass over the scope's visits.
 */
export async function topEmployers(
  db: Executor,
  q: DemandQuery & { order: DemandOrder; limit: number },
): Promise<ModelEmployer[]> {
  const cutOff = q.asOf ? sql`least(c.end_date, ${q.asOf}::date)` : sql`c.end_date`;
  const order =
    q.order === 'hired'
      ? sql`ORDER BY hired DESC, positions DESC, employer_id`
      : sql`ORDER BY positions DESC, hired DESC, employer_id`;
  const { rows } = await sql<{
    employer_id: number;
    canonical_name: string;
    hired: number;
    positions: number;
    new_positions: number;
    universities: number;
  }>`
    WITH t AS (
      SELECT v.employer_id, sum(v.hired)::int AS hired, sum(v.positions)::int AS positions,
             sum(v.new_positions)::int AS new_positions, count(DISTINCT v.university_code)::int AS universities
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${q.campaignId} AND v.state = 'active' AND v.employer_id IS NOT NULL
        AND v.visited_on BETWEEN c.start_date AND ${cutOff} ${scopeFilter('v', q.filter ?? {})}
      GROUP BY v.employer_id
      ${order} LIMIT ${q.limit})
    SELECT t.*, e.canonical_name FROM t JOIN employers e ON e.id = t.employer_id ${order}`.execute(db);
  return rows.map((r) => ({
    employerId: r.employer_id,
    employerName: r.canonical_name,
    hired: r.hired,
    positions: r.positions,
    newPositions: r.new_positions,
    universities: r.universities,
  }));
}
