// The inbox sweeper of the worker processes: every interval, redeliverStaleInboxEvents enqueues again the inbox rows
// still 'accepted' after INBOX_REDELIVERY_SECONDS whose job was lost, and dead-letters those redelivered
// INBOX_MAX_REDELIVERIES times already. Also the loop both sweepers run on.
import type { Producer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import type { Logger } from '../../shared/log.ts';
import { redeliverStaleInboxEvents } from '../../shared/use-cases/redeliver-inbox-events.ts';

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
    const { redelivered, deadLettered, stillQueued } = await redeliverStaleInboxEvents(db, producer, {
      redeliverySeconds: options.redeliverySeconds,
      maxRedeliveries,
      limit: options.limit ?? 2000,
    });
    for (const d of deadLettered) log.error(d, 'event dead-lettered by the sweeper');
    if (redelivered.length)
      log.info(
        { count: redelivered.length, oldest: redelivered[0], stillQueued },
        'redelivered unprocessed inbox rows',
      );
    return redelivered.length;
  }

  const loop = startLoop(options.intervalMs, sweepOnce, log, 'inbox sweep');
  return { sweepOnce, stop: () => loop.stop() };
}
