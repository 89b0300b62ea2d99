// The audit trail's SQL (migration 0020): append under the head's row lock, read in seq order.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { auditEntryHash, type AuditEntry, type AuditInput } from '../domain/audit.ts';

/** What jsonb gives back for a value: Dates as ISO strings, undefined dropped; the hash is taken over this. */
const asStored = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
const jsonText = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * Appends one entry after the chain's head, inside the caller's transaction (so the entry commits or rolls back with
 * the change it records). The head's row lock orders concurrent appends; it is held until that transaction ends.
 */
export async function appendAuditEntry(trx: Transaction<Database>, input: AuditInput): Promise<AuditEntry> {
  const head = await trx
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const entry = {
    seq: head.seq + 1,
    at: new Date(),
    actor: input.actor,
    action: input.action,
    target: input.target,
    before: asStored(input.before),
    after: asStored(input.after),
    result: input.result,
    detail: asStored(input.detail),
  };
  const hash = auditEntryHash(head.hash, entry);
  await trx
    .insertInto('audit_log')
    .values({
      seq: entry.seq,
      at: entry.at,
      actor_kind: entry.actor.kind,
      actor_client_id: entry.actor.clientId,
      actor_name: entry.actor.name,
      address: entry.actor.address,
      action: entry.action,
      target: entry.target,
      before: jsonText(entry.before),
      after: jsonText(entry.after),
      result: entry.result,
      detail: jsonText(entry.detail),
      prev_hash: head.hash,
      hash,
    })
    .execute();
  await trx.updateTable('audit_head').set({ seq: entry.seq, hash }).where('id', '=', 1).execute();
  return { ...entry, prevHash: head.hash, hash };
}

export async function readAuditHead(db: Executor): Promise<{ seq: number; hash: string }> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return head;
}

export interface AuditFilter {
  /** Entries with a seq above this one (paging forward); 0 for the first. */
  afterSeq?: number;
  /** Entries with a seq below this one (paging back from the newest). */
  beforeSeq?: number;
  action?: string;
  actorClientId?: number;
  /** The actor's name as recorded (a person's account name, a key's client name, `system`). */
  actorName?: string;
  from?: Date;
  to?: Date;
  limit: number;
  order: 'asc' | 'desc';
}

/** Entries in seq order (ascending to verify and export, descending to show the newest first). */
export async function listAuditEntries(db: Executor, f: AuditFilter): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.afterSeq !== undefined) q = q.where('seq', '>', f.afterSeq);
  if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
  if (f.action !== undefined) q = q.where(sql<boolean>`action LIKE ${`${f.action.replace(/[\\%_]/g, '\\$&')}%`}`);
  if (f.actorClientId !== undefined) q = q.where('actor_client_id', '=', f.actorClientId);
  if (f.actorName !== undefined) q = q.where('actor_name', '=', f.actorName);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  const rows = await q.orderBy('seq', f.order).limit(f.limit).execute();
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    actor: { kind: r.actor_kind, clientId: r.actor_client_id, name: r.actor_name, address: r.address },
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
    result: r.result,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
