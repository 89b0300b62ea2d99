// Redelivers inbox rows still 'accepted' after INBOX_REDELIVERY_SECONDS: a lost job (Redis flushed or restarted
// without persistence, a crash between commit and enqueue, a job that failed for good) loses no event. Rows that a
// job still holds (waiting, delayed, running) are left alone, so a backlog is neither duplicated nor counted. Each
// redelivery is counted on the row; an event whose job never finishes because it crashes or stalls its worker every
// time is dead-lettered after INBOX_MAX_REDELIVERIES instead of circling for ever.
import { sql } from 'kysely';
import type { Producer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import type { Logger } from '../../shared/log.ts';
import { upsertDeadLetter } from '../../shared/repositories/dead-letter.repository.ts';
import {
  countInboxRedeliveries,
  listStaleAcceptedInboxRows,
  markInboxRejected,
} from '../../shared/repositories/inbox-processing.repository.ts';

export interface SweeperOptions {
  db: Db;
  producer: Producer;
  log: Logger;
  redeliverySeconds: number;
  /** Redeliveries of one row at most (INBOX_MAX_REDELIVERIES, default 5); then it is dead-lettered. */
  maxRedeliveries?: number;
  intervalMs: number;
  /** Rows per sweep; the next sweep takes the rest. */
  limit?: number;
}

export interface Sweeper {
  /** Runs one sweep now (tests, and the loop); returns how many rows were redelivered. */
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

// One sweeper at a time across all worker processes: more would only enqueue the same ids again (harmless, wasted).
const SWEEPER_LOCK = 0x4c454447; // 'LEDG'
const DEFAULT_MAX_REDELIVERIES = 5;

/** Runs `sweep` every `intervalMs` (after the previous run ended) until stopped; a failed run is logged and retried. */
export function startLoop(
  intervalMs: number,
  sweep: () => Promise<unknown>,
  log: Logger,
  what: string,
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .catch((err: unknown) => log.warn({ err }, `${what} failed; trying again at the next interval`))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  }
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export function startSweeper(options: SweeperOptions): Sweeper {
  const { db, producer, log } = options;
  const maxRedeliveries = options.maxRedeliveries ?? DEFAULT_MAX_REDELIVERIES;

  async function sweepOnce(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${SWEEPER_LOCK}) AS locked`.execute(trx);
      if (!rows[0]?.locked) return 0;
      const stale = await listStaleAcceptedInboxRows(trx, options.redeliverySeconds, options.limit ?? 2000);
      if (stale.length === 0) return 0;
      const live = await producer.liveVisitEventIds(stale.map((r) => r.id));
      const lost = stale.filter((r) => !live.has(r.id));
      const exhausted = lost.filter((r) => r.redeliveries >= maxRedeliveries);
      for (const r of exhausted) {
        const reason =
          `gave up after ${r.redeliveries} redeliveries: its job never finished (the worker crashed or stalled on it ` +
          "each time, see the workers' log); fix the cause, then run `ledger dlq replay`";
        if (await markInboxRejected(trx, r.id, reason)) {
          await upsertDeadLetter(trx, { inboxId: r.id, reason, attempts: r.redeliveries + 1 });
          log.error({ inboxId: r.id, redeliveries: r.redeliveries }, 'event dead-lettered by the sweeper');
        }
      }
      // Counted in this transaction, enqueued before it commits: if Redis refuses, the count rolls back with it.
      const ids = await countInboxRedeliveries(
        trx,
        lost.filter((r) => r.redeliveries < maxRedeliveries).map((r) => r.id),
      );
      if (ids.length) {
        await producer.redeliverVisitEvents(ids);
        log.info({ count: ids.length, oldest: ids[0], stillQueued: live.size }, 'redelivered unprocessed inbox rows');
      }
      return ids.length;
    });
  }

  const loop = startLoop(options.intervalMs, sweepOnce, log, 'inbox sweep');
  return { sweepOnce, stop: () => loop.stop() };
}
