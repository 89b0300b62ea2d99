// Deliveries: one row per (notice, recipient), the unit of exactly-once. A worker may send only after moving the row
// from 'pending' to 'sending' in one statement (the claim), so two workers never send the same delivery at once, and
// a delivered row is never claimed again.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { DeliveryState } from '../db/tables/notices.table.ts';

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
  const r = await db
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
    .executeTakeFirst();
  return r ? toDelivery(r) : undefined;
}

/** sending → delivered. Only the claimant's state is moved: a row already final stays as it is. */
export async function markDelivered(db: Executor, id: number, response: string): Promise<boolean> {
  const r = await db
    .updateTable('notice_deliveries')
    .set({
      state: 'delivered',
      delivered_at: sql`now()`,
      response: response.slice(0, 2000),
      last_error: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** sending → pending (a retry will follow) or → failed (permanent, or the last attempt), with the error. */
export async function markAttemptFailed(db: Executor, id: number, error: string, final: boolean): Promise<boolean> {
  const r = await db
    .updateTable('notice_deliveries')
    .set({
      state: final ? 'failed' : 'pending',
      last_error: error.slice(0, 2000),
      claimed_at: null,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('state', '=', 'sending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Puts deliveries back to pending for an explicit re-send (`ledger notices resend`), whatever their state except
 * one being sent right now. Returns the ids reset.
 */
export async function resetForResend(db: Executor, noticeId: number, recipientId?: number): Promise<number[]> {
  let q = db
    .updateTable('notice_deliveries')
    .set({ state: 'pending', last_error: null, claimed_at: null, updated_at: sql`now()` })
    .where('notice_id', '=', noticeId)
    .where('state', '<>', 'sending');
  if (recipientId !== undefined) q = q.where('recipient_id', '=', recipientId);
  const rows = await q.returning('id').execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
