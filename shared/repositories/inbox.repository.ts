// ── Acceptance side of the inbox (the API): store events, answer duplicates and conflicts, read an event's status ──
// Uniqueness is the constraint inbox_events_client_event_unique on (client_id, event_id): two copies arriving at the
// same moment are decided by it (the second INSERT waits for the first to commit, then does nothing and compares).
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { VisitEventType } from '../db/tables/ingestion.table.ts';


export interface NewInboxEvent {
  eventId: string;
  /** sha256 hex of the canonical JSON of the event as sent (see shared/domain/visit-event.schema.ts bodyHash). */
  bodyHash: string;
  /** The validated event (unknown fields dropped): what the workers read. */
  body: unknown;
  /** The event as received. */
  rawBody: string;
  eventType: VisitEventType;
  universityCode: string;
  visitRef: string;
  occurredAt: string;
}

export type StoreOutcome = { status: 'accepted'; id: number } | { status: 'duplicate' } | { status: 'conflict' };

/**
 * Stores the events of one client in one statement (plus one read for those already there) and returns, in input
 * order, what each would have got alone and in sequence: accepted, duplicate (same eventId, same body hash) or
 * conflict (same eventId, different body). Repeats of an eventId within the call compare with its first occurrence's
 * stored row. Rows are inserted in eventId order so that two concurrent batches lock their keys in the same order.
 */
export async function storeInboxEvents(db: Executor, clientId: number, events: NewInboxEvent[]): Promise<StoreOutcome[]> {
  if (events.length === 0) return [];
  const first = new Map<string, NewInboxEvent>();
  for (const e of events) if (!first.has(e.eventId)) first.set(e.eventId, e);
  const rows = [...first.values()]
    .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))
    .map((e) => ({
      client_id: clientId,
      event_id: e.eventId,
      body_hash: e.bodyHash,
      body: JSON.stringify(e.body),
      raw_body: e.rawBody,
      event_type: e.eventType,
      university_code: e.universityCode,
      visit_ref: e.visitRef,
      occurred_at: e.occurredAt,
    }));
  const inserted = await db
    .insertInto('inbox_events')
    .values(rows)
    .onConflict((oc) => oc.columns(['client_id', 'event_id']).doNothing())
    .returning(['id', 'event_id'])
    .execute();
  const insertedIds = new Map(inserted.map((r) => [r.event_id, r.id]));
  const storedHash = new Map<string, string>();
  for (const [eventId, e] of first) if (insertedIds.has(eventId)) storedHash.set(eventId, e.bodyHash);
  const existing = [...first.keys()].filter((id) => !insertedIds.has(id));
  if (existing.length) {
    const found = await db.selectFrom('inbox_events').select(['event_id', 'body_hash']).where('client_id', '=', clientId).where('event_id', 'in', existing).execute();
    for (const r of found) storedHash.set(r.event_id, r.body_hash);
  }
  const seen = new Set<string>();
  return events.map((e): StoreOutcome => {
    const isFirst = !seen.has(e.eventId);
    seen.add(e.eventId);
    const id = insertedIds.get(e.eventId);
    if (isFirst && id !== undefined) return { status: 'accepted', id };
    const hash = storedHash.get(e.eventId);
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
export async function findClientInboxEvent(db: Executor, clientId: number, eventId: string): Promise<InboxEventStatus | undefined> {
  const row = await db
    .selectFrom('inbox_events')
    .select(['event_id as eventId', 'status', 'university_code as universityCode', 'visit_ref as ref', 'employer_id as employerId', 'error'])
    .where('client_id', '=', clientId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row && { ...row, universityCode: row.universityCode.trim() };
}

/** Seconds since the oldest still-accepted row was received (0 when none): the inbox lag. Uses the pending index. */
export async function oldestAcceptedAgeSeconds(db: Executor): Promise<number> {
  const { rows } = await sql<{ age: number | null }>`
    SELECT extract(epoch FROM (now() - min(received_at)))::float8 AS age FROM inbox_events WHERE status = 'accepted'`.execute(db);
  return Math.max(0, rows[0]?.age ?? 0);
}

// ── Reference data an incoming event is checked against (422 rules) ─────────────────────────────────────────
export async function findUniversityProvinces(db: Executor, codes: string[]): Promise<Map<string, string>> {
  if (codes.length === 0) return new Map();
  const rows = await db.selectFrom('universities').select(['code', 'province_code']).where('code', 'in', codes).execute();
  return new Map(rows.map((r) => [r.code.trim(), r.province_code.trim()]));
}

export async function findCampaignPeriods(db: Executor, ids: string[]): Promise<Map<string, { start: string; end: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('campaigns').select(['id', 'start_date', 'end_date']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { start: r.start_date, end: r.end_date }]));
}

/** Is the database answering? (readiness) */
export async function pingDatabase(db: Executor): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
