// Deliveries: one row per (notice, recipient), the unit of exactly-once. A worker may send only after moving the row
// from 'pending' to 'sending' in one statement (the claim), so two workers never send the same delivery at once, and
// a delivered row is never claimed again.
import { sql, type Transaction } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { DeliveryState } from '../db/tables/notices.table.ts';

/**
 * Attempts (claims) of one delivery at most: the queue's retries (jobs/producer.ts) and the sweeper's reclaims share
 * this cap. Here, beside the `attempts` column it bounds, so the producer can use it without loading the senders.
 */
export const DELIVERY_MAX_ATTEMPTS = 8;

/**
 * Runs the statement in a transaction that commits synchronously. The workers' sessions commit asynchronously
 * (services/workers/index.ts), which is safe for visit processing (the inbox row goes back with it) but not here: a
 * claim or a 'delivered' lost in a crash of PostgreSQL would let the mail be sent a second time.
 */
async function durably<T>(db: Executor, statement: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const run = async (trx: Transaction<Database>) => {
    await sql`SET LOCAL synchronous_commit = on`.execute(trx);
    return statement(trx);
  };
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}

export interface Delivery {
  id: number;
  noticeId: number;
  recipientId: number;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  claimedAt: Date | null;
  deliveredAt: Date | null;
  response: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = {
  id: number;
  notice_id: number;
  recipient_id: number;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  claimed_at: Date | null;
  delivered_at: Date | null;
  response: string | null;
  created_at: Date;
  updated_at: Date;
};
const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  noticeId: r.notice_id,
  recipientId: r.recipient_id,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  claimedAt: r.claimed_at,
  deliveredAt: r.delivered_at,
  response: r.response,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Creates a pending delivery for every active recipient of each notice's scope; existing ones are left as they are
 * (ON CONFLICT DO NOTHING), so running a period again creates nothing twice. Returns the number created.
 */
export async function createDeliveries(db: Executor, noticeIds: number[]): Promise<number> {
  if (noticeIds.length === 0) return 0;
  const r = await db
    .insertInto('notice_deliveries')
    .columns(['notice_id', 'recipient_id'])
    .expression((eb) =>
      eb
        .selectFrom('notices as n')
        .innerJoin('notice_recipients as r', (j) => j.onRef('r.scope', '=', 'n.scope').on('r.removed_at', 'is', null))
        .select(['n.id', 'r.id'])
        .where('n.id', 'in', noticeIds),
    )
    .onConflict((oc) => oc.columns(['notice_id', 'recipient_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** Creates (if missing) the delivery of one notice to one recipient; returns it. */
export async function ensureDelivery(db: Executor, noticeId: number, recipientId: number): Promise<Delivery> {
  await db
    .insertInto('notice_deliveries')
    .values({ notice_id: noticeId, recipient_id: recipientId })
    .onConflict((oc) => oc.columns(['notice_id', 'recipient_id']).doNothing())
    .execute();
  const r = await db
    .selectFrom('notice_deliveries')
    .selectAll()
    .where('notice_id', '=', noticeId)
    .where('recipient_id', '=', recipientId)
    .executeTakeFirstOrThrow();
  return toDelivery(r);
}

/** Deliveries of the notices still to be sent (pending), by id. */
export async function pendingDeliveryIds(db: Executor, noticeIds: number[]): Promise<number[]> {
  if (noticeIds.length === 0) return [];
  const rows = await db
    .selectFrom('notice_deliveries')
    .select('id')
    .where('notice_id', 'in', noticeIds)
    .where('state', '=', 'pending')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function listDeliveries(
  db: Executor,
  filter: { noticeIds?: number[]; ids?: number[] },
): Promise<Delivery[]> {
  let q = db.selectFrom('notice_deliveries').selectAll();
  if (filter.noticeIds)
    q = filter.noticeIds.length ? q.where('notice_id', 'in', filter.noticeIds) : q.where(sql<boolean>`false`);
  if (filter.ids) q = filter.ids.length ? q.where('id', 'in', filter.ids) : q.where(sql<boolean>`false`);
  const rows = await q.orderBy('id').execute();
  return rows.map(toDelivery);
}

export async function getDelivery(db: Executor, id: number): Promise<Delivery | undefined> {
  const r = await db.selectFrom('notice_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toDelivery(r) : undefined;
}

/**
 * Claims a delivery for sending: pending → sending, counting the attempt. A row left in 'sending' longer than
 * `leaseSeconds` (its worker died mid-send) may be claimed again. Returns undefined when it is not claimable:
 * delivered, failed, or being sent by another worker right now.
 */
export async function claimDelivery(db: Executor, id: number, leaseSeconds: number): Promise<Delivery | undefined> {
  const r = await durably(db, (trx) =>
    trx
      .updateTable('notice_deliveries')
      .set({ state: 'sending', attempts: sql`attempts + 1`, claimed_at: sql`now()`, updated_at: sql`now()` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('state', '=', 'pending'),
          eb.and([
            eb('state', '=', 'sending'),
            eb('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`),
          ]),
        ]),
      )
      .returningAll()
      .executeTakeFirst(),
  );
  return r ? toDelivery(r) : undefined;
}

/**
 * → delivered, after a successful send: from 'sending', and also from 'pending' or 'failed' (the sweeper reclaimed
 * the row while a slow send was still under way: the send happened, so that is what the row must say).
 */
export async function markDelivered(db: Executor, id: number, response: string): Promise<boolean> {
  const r = await durably(db, (trx) =>
    trx
      .updateTable('notice_deliveries')
      .set({
        state: 'delivered',
        delivered_at: sql`now()`,
        response: response.slice(0, 2000),
        last_error: null,
        claimed_at: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('state', '<>', 'delivered')
      .executeTakeFirst(),
  );
  return Number(r.numUpdatedRows) > 0;
}

/** sending → pending (a retry will follow) or → failed (permanent, or the last attempt), with the error. */
export async function markAttemptFailed(db: Executor, id: number, error: string, final: boolean): Promise<boolean> {
  const r = await durably(db, (trx) =>
    trx
      .updateTable('notice_deliveries')
      .set({
        state: final ? 'failed' : 'pending',
        last_error: error.slice(0, 2000),
        claimed_at: null,
        updated_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('state', '=', 'sending')
      .executeTakeFirst(),
  );
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Puts deliveries back to pending for an explicit re-send (`ledger notices resend`), whatever their state except
 * one being sent right now, with their attempts counted afresh (the attempt cap applies to each send). Returns the
 * ids reset.
 */
export async function resetForResend(db: Executor, noticeId: number, recipientId?: number): Promise<number[]> {
  let q = db
    .updateTable('notice_deliveries')
    .set({ state: 'pending', attempts: 0, last_error: null, claimed_at: null, updated_at: sql`now()` })
    .where('notice_id', '=', noticeId)
    .where('state', '<>', 'sending');
  if (recipientId !== undefined) q = q.where('recipient_id', '=', recipientId);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export interface OpenDelivery {
  id: number;
  state: 'pending' | 'sending';
  attempts: number;
}

/**
 * What the sweeper looks at: rows 'pending' untouched for `leaseSeconds` (their job may be lost: a Redis flush, or a
 * job that ended without sending) and rows 'sending' claimed longer ago than that (their worker died mid-send, or
 * stopped). Oldest first.
 */
export async function listOpenDeliveries(db: Executor, leaseSeconds: number, limit: number): Promise<OpenDelivery[]> {
  const before = sql<Date>`now() - make_interval(secs => ${leaseSeconds})`;
  const rows = await db
    .selectFrom('notice_deliveries')
    .select(['id', 'state', 'attempts'])
    .where('state', 'in', ['pending', 'sending'])
    .where('updated_at', '<', before)
    .where((eb) => eb.or([eb('state', '=', 'pending'), eb('claimed_at', '<', before)]))
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, state: r.state as OpenDelivery['state'], attempts: r.attempts }));
}

/**
 * Takes back deliveries left 'sending' past their lease: → 'pending' to be sent again, or → 'failed' once the row has
 * used `maxAttempts` attempts (each claim counted one), so a delivery that kills its worker every time ends. Only
 * rows still 'sending' past the lease change (a worker that finished meanwhile wins). Returns the rows changed.
 */
export async function reclaimExpiredDeliveries(
  db: Executor,
  ids: number[],
  leaseSeconds: number,
  maxAttempts: number,
): Promise<Array<{ id: number; state: 'pending' | 'failed' }>> {
  if (ids.length === 0) return [];
  const abandoned = `abandoned mid-send: no outcome within the ${leaseSeconds} s lease (its worker died or stopped)`;
  const rows = await durably(db, (trx) =>
    trx
      .updateTable('notice_deliveries')
      .set({
        state: sql`CASE WHEN attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END`,
        last_error: sql`CASE WHEN attempts >= ${maxAttempts} THEN ${`${abandoned}; gave up after ${maxAttempts} attempts`}::text ELSE ${abandoned}::text END`,
        claimed_at: null,
        updated_at: sql`now()`,
      })
      .where('id', 'in', ids)
      .where('state', '=', 'sending')
      .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
      .returning(['id', 'state'])
      .execute(),
  );
  return rows.map((r) => ({ id: r.id, state: r.state as 'pending' | 'failed' })).sort((a, b) => a.id - b.id);
}

/** Per notice, its deliveries 'sending' past the lease (what `ledger notices list` shows as stuck). */
export async function countStuckDeliveries(
  db: Executor,
  noticeIds: number[],
  leaseSeconds: number,
): Promise<Map<number, number>> {
  if (noticeIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('notice_deliveries')
    .select(['notice_id', sql<number>`count(*)::int`.as('n')])
    .where('notice_id', 'in', noticeIds)
    .where('state', '=', 'sending')
    .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${leaseSeconds})`)
    .groupBy('notice_id')
    .execute();
  return new Map(rows.map((r) => [r.notice_id, r.n]));
}
