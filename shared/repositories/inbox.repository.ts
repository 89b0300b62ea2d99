// ── Acceptance side of the inbox (the API): store events, answer duplicates and conflicts, read an event's status ──
// Uniqueness is the constraint inbox_events_client_event_unique on (client_id, event_id): two copies arriving at the
// same moment are decided by it (the second INSERT waits for the first to commit, then does nothing and compares).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { VisitEventType } from '../db/tables/ingestion.table.ts';

export interface NewInboxEvent {
  clientId: number;
  eventId: string;
  /** sha256 hex of the canonical JSON of the event as sent (see shared/domain/visit-event.schema.ts bodyHash). */
  bodyHash: string;
  /** The event as received (valid: the workers parse it and read the fields they know). */
  rawBody: string;
  eventType: VisitEventType;
  universityCode: string;
  visitRef: string;
  occurredAt: string;
}

export type StoreOutcome = { status: 'accepted'; id: number } | { status: 'duplicate' } | { status: 'conflict' };

/**
 * The insert committed but the read that follows it failed: some of the events are stored and the caller cannot tell
 * which. Sending them again is safe (a stored one answers duplicate).
 */
export class InboxPartlyStoredError extends Error {
  override name = 'InboxPartlyStoredError';
  constructor(override readonly cause: unknown) {
    super(`events stored, but reading back those already there failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

const eventKey = (clientId: number, eventId: string) => `${clientId}\u0000${eventId}`;

/**
 * Stores events (of one client or several) in one statement, so they commit together or not at all, plus one read
 * for those already there. Returns, in input order, what each would have got alone and in sequence: accepted,
 * duplicate (same client and eventId, same body hash) or conflict (different body). Repeats of a key within the call
 * compare with its first occurrence. Rows are inserted in key order so that two concurrent calls lock their keys in
 * the same order.
 */
export async function storeInboxEvents(db: Executor, events: NewInboxEvent[]): Promise<StoreOutcome[]> {
  if (events.length === 0) return [];
  const first = new Map<string, NewInboxEvent>();
  for (const e of events)
    if (!first.has(eventKey(e.clientId, e.eventId))) first.set(eventKey(e.clientId, e.eventId), e);
  const rows = [...first.values()].sort(
    (a, b) => a.clientId - b.clientId || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const col = <K extends keyof NewInboxEvent>(k: K) => rows.map((r) => r[k]);
  // A fixed text (arrays, not a VALUES list per row count), prepared once per connection.
  const inserted = await sql<{ id: number; client_id: number; event_id: string }>`/* prepared */
    INSERT INTO inbox_events (client_id, event_id, body_hash, raw_body, event_type, university_code, visit_ref, occurred_at)
    SELECT * FROM unnest(${col('clientId')}::int[], ${col('eventId')}::text[], ${col('bodyHash')}::text[],
                         ${col('rawBody')}::text[], ${col('eventType')}::text[],
                         ${col('universityCode')}::bpchar[], ${col('visitRef')}::text[], ${col('occurredAt')}::timestamptz[])
    ON CONFLICT (client_id, event_id) DO NOTHING
    RETURNING id, client_id, event_id`.execute(db);
  const insertedIds = new Map(inserted.rows.map((r) => [eventKey(r.client_id, r.event_id), r.id]));
  const storedHash = new Map<string, string>();
  for (const [key, e] of first) if (insertedIds.has(key)) storedHash.set(key, e.bodyHash);
  const existing = [...first.entries()].filter(([key]) => !insertedIds.has(key)).map(([, e]) => e);
  if (existing.length) {
    const found = await sql<{ client_id: number; event_id: string; body_hash: string }>`/* prepared */
      SELECT i.client_id, i.event_id, i.body_hash
      FROM unnest(${existing.map((e) => e.clientId)}::int[], ${existing.map((e) => e.eventId)}::text[]) AS k(client_id, event_id)
      JOIN inbox_events i ON i.client_id = k.client_id AND i.event_id = k.event_id`
      .execute(db)
      .catch((err: unknown) => {
        // Outside a transaction the insert above has committed: whatever failed now, not "nothing was stored".
        throw db.isTransaction || inserted.rows.length === 0 ? err : new InboxPartlyStoredError(err);
      });
    for (const r of found.rows) storedHash.set(eventKey(r.client_id, r.event_id), r.body_hash);
  }
  const seen = new Set<string>();
  return events.map((e): StoreOutcome => {
    const key = eventKey(e.clientId, e.eventId);
    const isFirst = !seen.has(key);
    seen.add(key);
    const id = insertedIds.get(key);
    if (isFirst && id !== undefined) return { status: 'accepted', id };
    const hash = storedHash.get(key);
    if (hash === undefined) throw new Error(`inbox row of event ${e.eventId} vanished between insert and read`);
    return hash === e.bodyHash ? { status: 'duplicate' } : { status: 'conflict' };
  });
}

export interface InboxEventStatus {
  eventId: string;
  status: 'accepted' | 'processed' | 'rejected';
  universityCode: string;
  ref: string;
  employerId: number | null;
  error: string | null;
}

/** An event of this client (another client's event with the same id is not visible). */
export async function findClientInboxEvent(
  db: Executor,
  clientId: number,
  eventId: string,
): Promise<InboxEventStatus | undefined> {
  const row = await db
    .selectFrom('inbox_events')
    .select([
      'event_id as eventId',
      'status',
      'university_code as universityCode',
      'visit_ref as ref',
      'employer_id as employerId',
      'error',
    ])
    .where('client_id', '=', clientId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row && { ...row, universityCode: row.universityCode.trim() };
}

/** Seconds since the oldest still-accepted row was received (0 when none): the inbox lag. Uses the pending index. */
export async function oldestAcceptedAgeSeconds(db: Executor): Promise<number> {
  const { rows } = await sql<{ age: number | null }>`
    SELECT extract(epoch FROM (now() - min(received_at)))::float8 AS age FROM inbox_events WHERE status = 'accepted'`.execute(
    db,
  );
  return Math.max(0, rows[0]?.age ?? 0);
}

// ── Reference data an incoming event is checked against (422 rules) ─────────────────────────────────────────
export async function findUniversityProvinces(db: Executor, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db
    .selectFrom('universities')
    .select(['code', 'province_code'])
    .where('code', 'in', codes)
    .execute();
  return new Map(rows.map((r) => [r.code.trim(), r.province_code.trim()]));
}

export async function findCampaignPeriods(
  db: Executor,
  ids: string[],
): Promise<Map<string, { start: string; end: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('campaigns')
    .select(['id', 'start_date', 'end_date'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { start: r.start_date, end: r.end_date }]));
}

/** Is the database answering? (readiness) */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
