// ── Processing side of the inbox (workers, sweeper, dead-letter replay) ──────────────────────────────────
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/database.ts';
import type { VisitEventType } from '../db/tables/ingestion.table.ts';

export interface ClaimedInboxRow {
  id: number;
  eventId: string;
  eventType: VisitEventType;
  /** raw_body parsed; null when it does not parse (then no retry can apply it). */
  body: unknown;
  universityCode: string;
  visitRef: string;
  occurredAt: Date;
  attempts: number;
}

/**
 * Locks the given rows that are still 'accepted' (in id order, so two claimers never deadlock). A row already
 * processed or rejected is not returned: re-running a job is a no-op. A competing claimer waits, then sees the
 * row's new status and skips it.
 */
export async function claimAcceptedInboxRows(trx: Transaction<Database>, ids: number[]): Promise<ClaimedInboxRow[]> {
  if (ids.length === 0) return [];
  // Only the primary key in the predicate: with `status = 'accepted'` the planner may walk the whole pending index
  // (the backlog) instead. FOR UPDATE returns each row's latest committed version, so the status test after it is exact.
  const { rows } = await sql<Omit<ClaimedInboxRow, 'body'> & { rawBody: string; status: string }>`/* prepared */
    SELECT id, event_id AS "eventId", event_type AS "eventType", raw_body AS "rawBody", university_code AS "universityCode",
           visit_ref AS "visitRef", occurred_at AS "occurredAt", attempts, status
    FROM inbox_events WHERE id = ANY(${ids}::bigint[])
    ORDER BY id FOR UPDATE`.execute(trx);
  return rows
    .filter((r) => r.status === 'accepted')
    .map(({ status: _status, rawBody, ...row }) => ({ ...row, body: parseStored(rawBody) }));
}

function parseStored(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Marks rows processed in one statement (rows claimed in this transaction); returns the acceptance→processed latency of each, in seconds. */
export async function markInboxProcessed(
  trx: Transaction<Database>,
  rows: Array<{ id: number; employerId: number | null }>,
): Promise<Array<{ id: number; latencySeconds: number }>> {
  if (rows.length === 0) return [];
  const { rows: out } = await sql<{ id: number; latencySeconds: number }>`/* prepared */
    UPDATE inbox_events i SET status = 'processed', employer_id = v.employer_id, processed_at = clock_timestamp(),
      error = NULL, attempts = i.attempts + 1
    FROM unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => r.employerId)}::bigint[]) AS v(id, employer_id)
    WHERE i.id = v.id
    RETURNING i.id, extract(epoch FROM (i.processed_at - i.received_at))::float8 AS "latencySeconds"`.execute(trx);
  return out;
}

/** Marks a row rejected with its error (only while still 'accepted'); returns whether it changed. */
export async function markInboxRejected(db: Executor, id: number, error: string): Promise<boolean> {
  const r = await db
    .updateTable('inbox_events')
    .set({ status: 'rejected', error, processed_at: sql`clock_timestamp()`, attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('status', '=', 'accepted')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface StaleInboxRow {
  id: number;
  /** Times the sweeper has already put this row back on the queue. */
  redeliveries: number;
}

// One inbox sweep at a time across all worker processes: more would only enqueue the same ids again (harmless, wasted).
const INBOX_SWEEP_LOCK = 0x4c454447; // 'LEDG'

/** Takes the inbox sweep's advisory lock until the transaction ends; false when another sweep holds it. */
export async function tryLockInboxSweep(trx: Transaction<Database>): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean;
  }>`SELECT pg_try_advisory_xact_lock(${INBOX_SWEEP_LOCK}) AS locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** Rows still 'accepted' that were received more than `olderThanSeconds` ago, oldest first (the sweeper's scan). */
export async function listStaleAcceptedInboxRows(
  db: Executor,
  olderThanSeconds: number,
  limit: number,
): Promise<StaleInboxRow[]> {
  return db
    .selectFrom('inbox_events')
    .select(['id', 'redeliveries'])
    .where('status', '=', 'accepted')
    .where('received_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .orderBy('received_at')
    .limit(limit)
    .execute();
}

/** Counts one more redelivery of each row still 'accepted'; returns the ids counted. */
export async function countInboxRedeliveries(db: Executor, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('inbox_events')
    .set({ redeliveries: sql`redeliveries + 1` })
    .where('id', 'in', ids)
    .where('status', '=', 'accepted')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Puts rejected rows back to 'accepted' for a replay, with a fresh redelivery budget; returns the ids that changed. */
export async function resetRejectedInboxRows(db: Executor, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('inbox_events')
    .set({ status: 'accepted', error: null, processed_at: null, redeliveries: 0 })
    .where('id', 'in', ids)
    .where('status', '=', 'rejected')
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Accepted events not processed yet, exactly. Not cheap on a big inbox: where autovacuum is off no page is marked
 * all-visible and the partial index keeps its dead entries, so the planner reads the table (a parallel sequential scan
 * of the raw bodies, ~0.6 CPU-s at 300,000 events). Poll inboxRowUpdates and count only to confirm.
 */
export async function countAcceptedInboxRows(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('inbox_events')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', '=', 'accepted')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Rows of inbox_events updated since the server's statistics were reset (processed, rejected, or counted redelivered),
 * from the cumulative statistics: constant cost, a few seconds behind the commits, and counting an aborted update too.
 * For progress only; countAcceptedInboxRows says when the inbox is done.
 */
export async function inboxRowUpdates(db: Executor): Promise<number> {
  const { rows } = await sql<{
    n: string | null;
  }>`SELECT n_tup_upd AS n FROM pg_stat_user_tables WHERE relid = 'inbox_events'::regclass`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

export interface IngestionOutcomes {
  processed: number;
  rejected: number;
  /** Visits applied and not retracted. */
  activeVisits: number;
  employers: number;
}

/** What ingestion has produced so far, in one statement (the demo's summary). */
export async function countIngestionOutcomes(db: Executor): Promise<IngestionOutcomes> {
  const row = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('inbox_events')
        .select(sql<number>`count(*) filter (where status = 'processed')::int`.as('n'))
        .as('processed'),
      eb
        .selectFrom('inbox_events')
        .select(sql<number>`count(*) filter (where status = 'rejected')::int`.as('n'))
        .as('rejected'),
      eb
        .selectFrom('visits')
        .select(sql<number>`count(*) filter (where state = 'active')::int`.as('n'))
        .as('activeVisits'),
      eb
        .selectFrom('employers')
        .select(sql<number>`count(*)::int`.as('n'))
        .as('employers'),
    ])
    .executeTakeFirstOrThrow();
  return {
    processed: Number(row.processed),
    rejected: Number(row.rejected),
    activeVisits: Number(row.activeVisits),
    employers: Number(row.employers),
  };
}

/**
 * Refreshes the planner's statistics of the tables ingestion fills. They grow from empty in minutes during a bulk
 * load; where autovacuum is off the planner would keep judging them by their empty-table statistics and pick scans
 * over indexes. Production relies on autovacuum.
 */
export async function analyzeIngestionTables(db: Executor): Promise<void> {
  await sql`ANALYZE employers, employer_spellings, visits, ranking_pairs, ranking_daily, inbox_events`.execute(db);
}
