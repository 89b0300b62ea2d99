// Employers as the console's administrators look for them: a paged search by name (canonical or any spelling) or
// credit code, and short summaries (names, codes, spellings, visit counts) of the two sides of a review.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { EmployerStatus } from '../db/tables/foundation.table.ts';

export interface EmployerSearch {
  /** Substrings to look for (e.g. the text as typed and its canonical form); empty: every employer. */
  patterns: string[];
  /** A normalised credit code to match exactly, when the text is one. */
  creditCode?: string;
  statuses: EmployerStatus[];
}

export interface EmployerListRow {
  id: number;
  canonicalName: string;
  creditCode: string | null;
  status: EmployerStatus;
  spellings: number;
  visits: number;
}

const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function matching(db: Executor, s: EmployerSearch) {
  let q = db.selectFrom('employers as e').where('e.status', 'in', s.statuses);
  const patterns = s.patterns.filter(Boolean).map((p) => `%${likeLiteral(p)}%`);
  if (patterns.length || s.creditCode) {
    // The ids matching by name, by spelling or by code, each found through its own index (trigram GIN for the names
    // and spellings, migration 0019) and joined by hash: an OR across them would scan every employer.
    q = q.where('e.id', 'in', (eb) => {
      const byName = eb
        .selectFrom('employers as n')
        .select('n.id')
        .where((inner) => inner.or(patterns.map((p) => inner('n.canonical_name', 'ilike', p))));
      const bySpelling = eb
        .selectFrom('employer_spellings as sp')
        .select('sp.employer_id as id')
        .where((inner) => inner.or(patterns.map((p) => inner('sp.spelling', 'ilike', p))));
      const byCode = eb
        .selectFrom('employers as c')
        .select('c.id')
        .where('c.credit_code', '=', s.creditCode ?? null);
      if (!patterns.length) return byCode;
      return s.creditCode ? byName.unionAll(bySpelling).unionAll(byCode) : byName.unionAll(bySpelling);
    });
  }
  return q;
}

/** One page of matching employers by name, with their number of spellings and of active visits. */
export async function searchEmployers(
  db: Executor,
  search: EmployerSearch,
  page: number,
  pageSize: number,
): Promise<{ total: number; rows: EmployerListRow[] }> {
  // One scan: the total rides along each row of the page (a page past the end counts on its own).
  const rows = await matching(db, search)
    .select(['e.id', 'e.canonical_name', 'e.credit_code', 'e.status', sql<string>`count(*) OVER ()`.as('total')])
    .orderBy('e.canonical_name')
    .orderBy('e.id')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const total =
    rows.length > 0
      ? Number(rows[0]!.total)
      : Number(
          (
            await matching(db, search)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
  const counts = await countsOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      canonicalName: r.canonical_name,
      creditCode: r.credit_code,
      status: r.status,
      spellings: counts.get(r.id)?.spellings ?? 0,
      visits: counts.get(r.id)?.visits ?? 0,
    })),
  };
}

async function countsOf(db: Executor, ids: number[]): Promise<Map<number, { spellings: number; visits: number }>> {
  if (ids.length === 0) return new Map();
  const [spellings, visits] = await Promise.all([
    db
      .selectFrom('employer_spellings')
      .select(['employer_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('employer_id', 'in', ids)
      .groupBy('employer_id')
      .execute(),
    db
      .selectFrom('visits')
      .select(['employer_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('employer_id', 'in', ids)
      .where('state', '=', 'active')
      .groupBy('employer_id')
      .execute(),
  ]);
  const out = new Map(ids.map((id) => [id, { spellings: 0, visits: 0 }]));
  for (const r of spellings) out.get(r.employer_id)!.spellings = Number(r.n);
  for (const r of visits) if (r.employer_id !== null) out.get(r.employer_id)!.visits = Number(r.n);
  return out;
}

export interface EmployerSummary {
  id: number;
  canonicalName: string;
  creditCode: string | null;
  status: EmployerStatus;
  /** At most `maxSpellings` of its spellings, oldest first. */
  spellings: string[];
  visits: number;
}

/** Summaries of these employers, by id: what the review page shows beside each other. */
export async function employerSummaries(
  db: Executor,
  ids: number[],
  maxSpellings = 20,
): Promise<Map<number, EmployerSummary>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const [employers, spellings, counts] = await Promise.all([
    db
      .selectFrom('employers')
      .select(['id', 'canonical_name', 'credit_code', 'status'])
      .where('id', 'in', unique)
      .execute(),
    sql<{ employer_id: number; spelling: string }>`
      SELECT employer_id, spelling FROM (
        SELECT employer_id, spelling, row_number() OVER (PARTITION BY employer_id ORDER BY id) AS n
        FROM employer_spellings WHERE employer_id = ANY(${unique}::int[])
      ) s WHERE n <= ${maxSpellings} ORDER BY employer_id, n`.execute(db),
    countsOf(db, unique),
  ]);
  const out = new Map<number, EmployerSummary>();
  for (const e of employers)
    out.set(e.id, {
      id: e.id,
      canonicalName: e.canonical_name,
      creditCode: e.credit_code,
      status: e.status,
      spellings: [],
      visits: counts.get(e.id)?.visits ?? 0,
    });
  for (const s of spellings.rows) out.get(s.employer_id)?.spellings.push(s.spelling);
  return out;
}
