// Redelivers inbox rows still 'accepted' after INBOX_REDELIVERY_SECONDS: a lost job (Redis flushed or restarted
// without persistence, a crash between commit and enqueue, a job that failed for good) loses no event.
import { sql } from 'kysely';
import type { Producer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import type { Logger } from '../../shared/log.ts';
import { listStaleAcceptedInboxIds } from '../../shared/repositories/inbox-processing.repository.ts';

export interface SweeperOptions {
  db: Db;
  producer: Producer;
  log: Logger;
  redeliverySeconds: number;
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

export function startSweeper(options: SweeperOptions): Sweeper {
  const { db, producer, log } = options;
  let stopped = false;
  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function sweepOnce(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean;
      }>`SELECT pg_try_advisory_xact_lock(${SWEEPER_LOCK}) AS locked`.execute(trx);
      if (!rows[0]?.locked) return 0;
      const ids = await listStaleAcceptedInboxIds(trx, options.redeliverySeconds, options.limit ?? 2000);
      if (ids.length) {
        await producer.redeliverVisitEvents(ids);
        log.info({ count: ids.length, oldest: ids[0] }, 'redelivered unprocessed inbox rows');
      }
      return ids.length;
    });
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce()
        .catch((err: unknown) => {
          log.warn({ err }, 'sweep failed; trying again at the next interval');
          return 0;
        })
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }
  schedule();

  return {
    sweepOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
