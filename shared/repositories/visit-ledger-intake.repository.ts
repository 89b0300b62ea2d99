// Spreadsheet intake: the current state of a university's visits (to tell a new row from a changed or unchanged one),
// the uploads kept with their answers (for the annotated copy), and the command line's own client for its inbox rows.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { AnnotationPlan } from '../domain/visit-ledger/annotated.ts';

export interface StoredVisitEvent {
  universityCode: string;
  ref: string;
  eventId: string;
  occurredAt: Date;
  /** The event as received (the inbox's raw_body). */
  rawBody: string;
}

/**
 * For each visit of these universities, the event that is its state (processed: the visit row's event) and every
 * event still waiting in the inbox, which may be later. The caller keeps the latest per visit. Pending rows are found
 * through the inbox's pending index (few rows), visits through their primary key.
 */
export async function listVisitEventsOfUniversities(
  db: Executor,
  universityCodes: string[],
): Promise<StoredVisitEvent[]> {
  if (universityCodes.length === 0) return [];
  const { rows } = await sql<{
    university_code: string;
    ref: string;
    event_id: string;
    occurred_at: Date;
    raw_body: string;
  }>`
    SELECT v.university_code, v.ref, v.event_id, v.occurred_at, i.raw_body
    FROM visits v JOIN inbox_events i ON i.id = v.inbox_id
    WHERE v.university_code = ANY(${universityCodes}::bpchar[])
    UNION ALL
    SELECT i.university_code, i.visit_ref, i.event_id, i.occurred_at, i.raw_body
    FROM inbox_events i
    WHERE i.status = 'accepted' AND i.university_code = ANY(${universityCodes}::bpchar[])`.execute(db);
  return rows.map((r) => ({
    universityCode: r.university_code.trim(),
    ref: r.ref,
    eventId: r.event_id,
    occurredAt: r.occurred_at,
    rawBody: r.raw_body,
  }));
}

export interface LedgerUpload {
  id: string;
  clientId: number;
  scope: string;
  fileName: string;
  upload: Buffer;
  annotation: AnnotationPlan;
  expiresAt: Date;
}

export async function insertLedgerUpload(db: Executor, upload: LedgerUpload): Promise<void> {
  await db
    .insertInto('visit_ledger_uploads')
    .values({
      id: upload.id,
      client_id: upload.clientId,
      scope: upload.scope,
      file_name: upload.fileName,
      upload: upload.upload,
      annotation: JSON.stringify(upload.annotation),
      expires_at: upload.expiresAt,
    })
    .execute();
}

/** The upload with its answers, unless it has expired. */
export async function findLedgerUpload(db: Executor, id: string): Promise<LedgerUpload | undefined> {
  const row = await db
    .selectFrom('visit_ledger_uploads')
    .select(['id', 'client_id', 'scope', 'file_name', 'upload', 'annotation', 'expires_at'])
    .where('id', '=', id)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      clientId: row.client_id,
      scope: row.scope,
      fileName: row.file_name,
      upload: row.upload,
      annotation: row.annotation,
      expiresAt: row.expires_at,
    }
  );
}

/** Deletes expired uploads; returns how many. */
export async function deleteExpiredLedgerUploads(db: Executor): Promise<number> {
  const result = await db
    .deleteFrom('visit_ledger_uploads')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The api_clients row under which `ledger visits import` stores its events (every inbox row names a client). Its
 * key_hash is no sha256 hex, so no key can ever authenticate as it, and it is created revoked, which `ledger clients
 * list` shows. Created on first use; the same row afterwards.
 */
export async function importClientId(db: Executor, name: string): Promise<number> {
  const marker = `none:${name}`;
  const row = await db
    .insertInto('api_clients')
    .values({ name, scope: 'admin', key_hash: marker, revoked_at: sql`now()` })
    .onConflict((oc) => oc.column('key_hash').doUpdateSet({ name }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
