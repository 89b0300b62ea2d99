// Redelivers inbox rows still 'accepted' after INBOX_REDELIVERY_SECONDS: a lost job (Redis flushed or restarted
// without persistence, a crash between commit and enqueue, a job that failed for good) loses no event. Rows that a
// job still holds (waiting, delayed, running) are left alone, so a backlog is neither duplicated nor counted. Each
// redelivery is counted on the row; an event whose job never finishes because it crashes or stalls its worker every
// time is dead-lettered after INBOX_MAX_REDELIVERIES instead of circling for ever, until `ledger dlq replay` puts it
// back (replayDeadLetters).
import type { Db } from '../db/database.ts';
import { recordAudit, type AuditActor } from './audit.ts';
import { markDeadLettersReplayed, upsertDeadLetter } from '../repositories/dead-letter.repository.ts';
import {
  countInboxRedeliveries,
  listStaleAcceptedInboxRows,
  markInboxRejected,
  resetRejectedInboxRows,
  tryLockInboxSweep,
} from '../repositories/inbox-processing.repository.ts';

/** What a sweep needs of the queue (jobs/producer.ts provides it). */
export interface InboxQueue {
  /** Which of these rows a live job (waiting, delayed, running) still holds. */
  liveVisitEventIds(inboxIds: number[]): Promise<Set<number>>;
  /** Enqueues the rows again, one job each. */
  redeliverVisitEvents(inboxIds: number[]): Promise<void>;
}

export interface InboxSweepSettings {
  redeliverySeconds: number;
  /** Redeliveries of one row at most; then it is dead-lettered. */
  maxRedeliveries: number;
  /** Rows per sweep; the next sweep takes the rest. */
  limit: number;
}

export interface InboxSweep {
  /** Enqueued again, oldest first. */
  redelivered: number[];
  /** Given up on: rejected and dead-lettered, with the redeliveries they had. */
  deadLettered: Array<{ inboxId: number; redeliveries: number }>;
  /** Stale rows that a live job still holds. */
  stillQueued: number;
}

const NOTHING: InboxSweep = { redelivered: [], deadLettered: [], stillQueued: 0 };

/** One sweep, in one transaction; nothing when another process is sweeping at the same time. */
export async function redeliverStaleInboxEvents(
  db: Db,
  queue: InboxQueue,
  settings: InboxSweepSettings,
): Promise<InboxSweep> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryLockInboxSweep(trx))) return NOTHING;
    const stale = await listStaleAcceptedInboxRows(trx, settings.redeliverySeconds, settings.limit);
    if (stale.length === 0) return NOTHING;
    const live = await queue.liveVisitEventIds(stale.map((r) => r.id));
    const lost = stale.filter((r) => !live.has(r.id));
    const deadLettered: InboxSweep['deadLettered'] = [];
    for (const r of lost.filter((r) => r.redeliveries >= settings.maxRedeliveries)) {
      const reason =
        `gave up after ${r.redeliveries} redeliveries: its job never finished (the worker crashed or stalled on it ` +
        "each time, see the workers' log); fix the cause, then run `ledger dlq replay`";
      if (await markInboxRejected(trx, r.id, reason)) {
        await upsertDeadLetter(trx, { inboxId: r.id, reason, attempts: r.redeliveries + 1 });
        deadLettered.push({ inboxId: r.id, redeliveries: r.redeliveries });
      }
    }
    // Counted in this transaction, enqueued before it commits: if Redis refuses, the count rolls back with it.
    const redelivered = await countInboxRedeliveries(
      trx,
      lost.filter((r) => r.redeliveries < settings.maxRedeliveries).map((r) => r.id),
    );
    if (redelivered.length) await queue.redeliverVisitEvents(redelivered);
    return { redelivered, deadLettered, stillQueued: live.size };
  });
}

/**
 * Puts dead-lettered events back (`ledger dlq replay`, once the cause is fixed): marks the letters replayed and their
 * inbox rows 'accepted' again with a fresh redelivery budget, in one transaction, then enqueues them. The database
 * first, the record of truth: should the enqueue fail (`enqueued: false`), the sweeper redelivers them.
 */
export async function replayDeadLetters(
  db: Db,
  queue: Pick<InboxQueue, 'redeliverVisitEvents'>,
  letterIds: number[],
  actor: AuditActor,
): Promise<{ inboxIds: number[]; enqueued: boolean }> {
  const inboxIds = await db.transaction().execute(async (trx) => {
    const marked = await markDeadLettersReplayed(trx, letterIds);
    const ids = await resetRejectedInboxRows(trx, marked);
    if (ids.length > 0)
      await recordAudit(trx, {
        actor,
        action: 'dlq.replay',
        target: letterIds.length === 1 ? `dead-letter:${letterIds[0]}` : null,
        result: 'ok',
        detail: { deadLetters: letterIds.length, inboxIds: ids },
      });
    return ids;
  });
  try {
    await queue.redeliverVisitEvents(inboxIds);
    return { inboxIds, enqueued: true };
  } catch {
    return { inboxIds, enqueued: false };
  }
}
