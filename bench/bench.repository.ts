// SQL only the benchmarks run: loading a synthetic employer registry in bulk and preparing it for measurement. Kept
// beside the benches so that shared/repositories holds what the service itself runs.
import { sql } from 'kysely';
import type { Executor } from '../shared/db/database.ts';
import type { NewEmployer } from '../shared/repositories/employer.repository.ts';

/** Inserts many active employers and their names as spellings in one statement (a synthetic registry). */
export async function bulkInsertEmployers(db: Executor, rows: NewEmployer[]): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await sql<{ n: number }>`
    WITH e AS (
      INSERT INTO employers (canonical_name, normalized_name, credit_code, core_name, core_sorted, brand_name, features, status)
      SELECT * FROM unnest(${rows.map((r) => r.canonicalName)}::text[], ${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.creditCode)}::text[],
                           ${rows.map((r) => r.core)}::text[], ${rows.map((r) => r.coreSorted)}::text[], ${rows.map((r) => r.brand)}::text[],
                           ${rows.map((r) => JSON.stringify(r.features))}::jsonb[], ${rows.map((r) => r.status)}::text[])
      ON CONFLICT (credit_code) DO NOTHING
      RETURNING id, canonical_name, normalized_name, credit_code
    ), s AS (
      INSERT INTO employer_spellings (employer_id, spelling, normalized_name, credit_code)
      SELECT id, canonical_name, normalized_name, credit_code FROM e
      ON CONFLICT DO NOTHING
    )
    SELECT count(*)::int AS n FROM e`.execute(db);
  return res.rows[0]?.n ?? 0;
}

export async function countEmployers(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('employers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Refreshes the planner's statistics and clears index bookkeeping after a bulk load. */
export async function vacuumAnalyzeEmployers(db: Executor): Promise<void> {
  await sql`VACUUM ANALYZE employers`.execute(db);
  await sql`VACUUM ANALYZE employer_spellings`.execute(db);
}
