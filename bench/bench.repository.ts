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

export interface SoakCounts {
  inboxByStatus: Record<string, number>;
  /** Accepted inbox rows per event type (the type as stored in the validated body). */
  inboxByType: Record<string, number>;
  visits: number;
  activeVisits: number;
  retractedVisits: number;
  /** Positions of the active visits, summed. */
  activePositions: number;
  /** Times the workers' sweeper put an inbox row back on the queue, summed. */
  redeliveries: number;
}

/** The soak bench's direct count: the inbox and the visits as stored, counted plainly. */
export async function soakCounts(db: Executor): Promise<SoakCounts> {
  const { rows: inbox } = await sql<{ status: string; type: string; n: number; redeliveries: number }>`
    SELECT status, event_type AS type, count(*)::int AS n, sum(redeliveries)::int AS redeliveries
    FROM inbox_events GROUP BY 1, 2`.execute(db);
  const { rows } = await sql<{ visits: number; active: number; retracted: number; positions: number }>`
    SELECT count(*)::int AS visits, count(*) FILTER (WHERE state = 'active')::int AS active,
           count(*) FILTER (WHERE state = 'retracted')::int AS retracted,
           coalesce(sum(positions) FILTER (WHERE state = 'active'), 0)::int AS positions
    FROM visits`.execute(db);
  const inboxByStatus: Record<string, number> = {};
  const inboxByType: Record<string, number> = {};
  let redeliveries = 0;
  for (const r of inbox) {
    redeliveries += r.redeliveries;
    inboxByStatus[r.status] = (inboxByStatus[r.status] ?? 0) + r.n;
    inboxByType[r.type] = (inboxByType[r.type] ?? 0) + r.n;
  }
  const v = rows[0]!;
  return {
    inboxByStatus,
    inboxByType,
    visits: v.visits,
    activeVisits: v.active,
    retractedVisits: v.retracted,
    activePositions: v.positions,
    redeliveries,
  };
}
