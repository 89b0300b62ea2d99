// A university's visits ledger for the console (paged, filtered), each leader flagged against the roster (任务到人;
// the tally per leader is shared/repositories/people.repository.ts).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface VisitFilter {
  campaignId: string;
  universityCode: string;
  /** Substring of the employer's name (as written or resolved), its credit code, the ref, or the notes. */
  q?: string;
  /** `YYYY-MM`: visits dated in that month. */
  month?: string;
  mode?: 'onsite' | 'invited' | 'online';
  /** A leader's name, exactly. */
  leader?: string;
}

export interface LedgerVisit {
  ref: string;
  visitedOn: string | null;
  mode: string | null;
  /** onRoster: the name is on the university's roster for the campaign; null when it has no roster (issue 15). */
  leaders: Array<{ role: string; name: string; onRoster: boolean | null }>;
  employer: {
    id: number | null;
    name: string | null;
    nameAsWritten: string | null;
    creditCode: string | null;
    regionCode: string | null;
  };
  outcomes: {
    positions: number;
    internshipBase: boolean;
    recruitmentInvite: boolean;
    demandSurvey: boolean;
    graduatesTracked: number;
    satisfaction: number | null;
    newPositions: number;
    hired: number;
  };
  /** Staff taking part (全员联动); a visit with no leaders was made by staff alone. */
  staff: Array<{ role: string; name?: string }>;
  placeKind: string | null;
  /** Majors or skills the employer asked for (用人单位需求台账). */
  majors: string[];
  notes: string | null;
  /** False for a visit dated outside the campaign's window (it counts nowhere). */
  counted: boolean;
  occurredAt: string;
  eventId: string;
  /** 代录: the person who wrote the visit's latest state for the university, when not the university's own account. */
  writtenBy: { name: string; scope: string } | null;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterSql(f: VisitFilter) {
  const parts = [
    sql`v.campaign_id = ${f.campaignId}`,
    sql`v.university_code = ${f.universityCode}`,
    sql`v.state = 'active'`,
  ];
  if (f.month) {
    const start = `${f.month}-01`;
    parts.push(sql`v.visited_on >= ${start}::date AND v.visited_on < (${start}::date + interval '1 month')`);
  }
  if (f.mode) parts.push(sql`v.mode = ${f.mode}`);
  if (f.leader) parts.push(sql`v.leaders @> ${JSON.stringify([{ name: f.leader }])}::jsonb`);
  if (f.q) {
    const like = `%${escapeLike(f.q)}%`;
    parts.push(sql`(v.employer_name ILIKE ${like} OR e.canonical_name ILIKE ${like} OR v.credit_code ILIKE ${like}
      OR e.credit_code ILIKE ${like} OR v.ref ILIKE ${like} OR v.notes ILIKE ${like})`);
  }
  return sql.join(parts, sql` AND `);
}

interface VisitRow {
  ref: string;
  visited_on: string | null;
  mode: string | null;
  leaders: Array<{ role: string; name: string; onRoster: boolean | null }>;
  employer_id: number | null;
  canonical_name: string | null;
  employer_name: string | null;
  credit_code: string | null;
  resolved_credit_code: string | null;
  region_code: string | null;
  positions: number;
  internship_base: boolean;
  recruitment_invite: boolean;
  demand_survey: boolean;
  graduates_tracked: number;
  satisfaction: number | null;
  new_positions: number;
  hired: number;
  staff: Array<{ role: string; name?: string }>;
  place_kind: string | null;
  majors: string[];
  notes: string | null;
  counted: boolean;
  occurred_at: Date;
  event_id: string;
  written_by: { name: string; scope: string } | null;
  total: number;
}

/** One page of the university's active visits of the campaign, newest first (visitedOn desc, then ref desc). */
export async function pageUniversityVisits(
  db: Executor,
  filter: VisitFilter,
  page: number,
  pageSize: number,
): Promise<{ total: number; rows: LedgerVisit[] }> {
  const { rows } = await sql<VisitRow>`
    SELECT v.ref, to_char(v.visited_on, 'YYYY-MM-DD') AS visited_on, v.mode,
           (SELECT coalesce(jsonb_agg(l.elem || jsonb_build_object('onRoster', CASE WHEN NOT EXISTS (
                      SELECT 1 FROM leader_rosters r WHERE r.campaign_id = v.campaign_id AND r.university_code = v.university_code)
                    THEN NULL ELSE EXISTS (
                      SELECT 1 FROM leader_rosters r WHERE r.campaign_id = v.campaign_id AND r.university_code = v.university_code
                        AND r.name_key = leader_name_key(l.elem->>'name')) END) ORDER BY l.i), '[]'::jsonb)
            FROM jsonb_array_elements(v.leaders) WITH ORDINALITY AS l(elem, i)) AS leaders,
           v.employer_id,
           e.canonical_name, v.employer_name, v.credit_code, e.credit_code AS resolved_credit_code, v.region_code,
           v.positions, v.internship_base, v.recruitment_invite, v.demand_survey, v.graduates_tracked, v.satisfaction,
           v.new_positions, v.hired, v.staff, v.place_kind, v.majors,
           v.notes, (v.visited_on BETWEEN c.start_date AND c.end_date) AS counted, v.occurred_at, v.event_id,
           CASE WHEN wc.kind = 'user' AND wc.scope <> 'university:' || v.university_code
                THEN jsonb_build_object('name', wc.name, 'scope', wc.scope) END AS written_by,
           count(*) OVER ()::int AS total
    FROM visits v
    JOIN campaigns c ON c.id = v.campaign_id
    LEFT JOIN employers e ON e.id = v.employer_id
    LEFT JOIN inbox_events wi ON wi.id = v.inbox_id
    LEFT JOIN api_clients wc ON wc.id = wi.client_id
    WHERE ${filterSql(filter)}
    ORDER BY v.visited_on DESC NULLS LAST, v.ref DESC
    LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`.execute(db);
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && page > 1) {
    const { rows: counted } = await sql<{ total: number }>`
      SELECT count(*)::int AS total FROM visits v LEFT JOIN employers e ON e.id = v.employer_id
      WHERE ${filterSql(filter)}`.execute(db);
    total = counted[0]?.total ?? 0;
  }
  return {
    total,
    rows: rows.map((r) => ({
      ref: r.ref,
      visitedOn: r.visited_on,
      mode: r.mode,
      leaders: r.leaders,
      employer: {
        id: r.employer_id === null ? null : Number(r.employer_id),
        name: r.canonical_name ?? r.employer_name,
        nameAsWritten: r.employer_name,
        creditCode: r.resolved_credit_code ?? r.credit_code,
        regionCode: r.region_code,
      },
      outcomes: {
        positions: r.positions,
        internshipBase: r.internship_base,
        recruitmentInvite: r.recruitment_invite,
        demandSurvey: r.demand_survey,
        graduatesTracked: r.graduates_tracked,
        satisfaction: r.satisfaction,
        newPositions: r.new_positions,
        hired: r.hired,
      },
      staff: r.staff,
      placeKind: r.place_kind,
      majors: r.majors,
      notes: r.notes,
      counted: r.counted,
      occurredAt: r.occurred_at.toISOString(),
      eventId: r.event_id,
      writtenBy: r.written_by,
    })),
  };
}
