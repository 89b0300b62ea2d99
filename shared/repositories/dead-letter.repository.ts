// Events that failed permanently, with the reason; `ledger dlq replay` puts them back in the inbox.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface DeadLetter {
  id: number;
  inboxId: number;
  eventId: string;
  clientId: number;
  universityCode: string;
  visitRef: string;
  reason: string;
  attempts: number;
  createdAt: Date;
  replayedAt: Date | null;
}

/** Records (or re-records after a failed replay) the dead letter of one inbox row. */
export async function upsertDeadLetter(
  db: Executor,
  input: { inboxId: number; reason: string; attempts: number },
): Promise<void> {
  await db
    .insertInto('dead_letters')
    .values({ inbox_id: input.inboxId, reason: input.reason, attempts: input.attempts })
    .onConflict((oc) =>
      oc
        .column('inbox_id')
        .doUpdateSet({ reason: input.reason, attempts: input.attempts, created_at: sql`now()`, replayed_at: null }),
    )
    .execute();
}

/** Dead letters, newest first; by default only those not replayed since they were (last) recorded. */
export async function listDeadLetters(
  db: Executor,
  options: { includeReplayed?: boolean; ids?: number[] } = {},
): Promise<DeadLetter[]> {
  let q = db
    .selectFrom('dead_letters as d')
    .innerJoin('inbox_events as i', 'i.id', 'd.inbox_id')
    .select([
      'd.id',
      'd.inbox_id as inboxId',
      'i.event_id as eventId',
      'i.client_id as clientId',
      'i.university_code as universityCode',
      'i.visit_ref as visitRef',
      'd.reason',
      'd.attempts',
      'd.created_at as createdAt',
      'd.replayed_at as replayedAt',
    ])
    .orderBy('d.id', 'desc');
  if (!options.includeReplayed) q = q.where('d.replayed_at', 'is', null);
  if (options.ids) q = q.where('d.id', 'in', options.ids.length ? options.ids : [-1]);
  return (await q.execute()).map((r) => ({ ...r, universityCode: r.universityCode.trim() }));
}

/** Marks dead letters replayed; returns their inbox ids. */
export async function markDeadLettersReplayed(db: Executor, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('dead_letters')
    .set({ replayed_at: sql`now()` })
    .where('id', 'in', ids)
    .where('replayed_at', 'is', null)
    .returning('inbox_id')
    .execute();
  return rows.map((r) => r.inbox_id);
}
