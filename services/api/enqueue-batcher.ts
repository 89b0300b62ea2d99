// Enqueues committed inbox ids in small groups: single posts arriving together (many clients at once) become one
// BullMQ addBulk of batch jobs instead of one job each, which is what the workers process fastest (group commit per
// job). A request still waits for its ids' enqueue (at most FLUSH_DELAY_MS later), and a failure only logs: the rows
// are committed, and the workers' sweeper redelivers what never reached the queue.
import type { Producer } from '../../jobs/producer.ts';
import type { Logger } from '../../shared/log.ts';

const FLUSH_DELAY_MS = 2;
const FLUSH_SIZE = 100;

export interface EnqueueBatcher {
  /** Resolves once the ids were handed to Redis, or the attempt failed or timed out (never rejects). */
  enqueue(ids: number[]): Promise<void>;
  /** Flushes what is pending and waits for every enqueue in flight. */
  close(): Promise<void>;
}

export function createEnqueueBatcher(producer: Producer, log: Logger, timeoutMs: number): EnqueueBatcher {
  let pending: number[] = [];
  let waiters: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  function flush(): void {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const ids = pending;
    const done = waiters;
    pending = [];
    waiters = [];
    let timeout: NodeJS.Timeout | undefined;
    const p = Promise.race([
      producer.enqueueVisitEvents(ids),
      new Promise<void>((_, reject) => (timeout = setTimeout(() => reject(new Error(`enqueue took over ${timeoutMs} ms`)), timeoutMs))),
    ])
      .catch((err: unknown) => log.warn({ err: (err as Error).message, inboxIds: ids.length }, 'enqueue failed after commit; the sweeper will redeliver'))
      .finally(() => {
        clearTimeout(timeout);
        inFlight.delete(p);
        for (const w of done) w();
      });
    inFlight.add(p);
  }

  return {
    enqueue(ids) {
      if (ids.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        pending.push(...ids);
        waiters.push(resolve);
        if (pending.length >= FLUSH_SIZE) flush();
        else timer ??= setTimeout(flush, FLUSH_DELAY_MS);
      });
    },
    async close() {
      flush();
      await Promise.all([...inFlight]);
    },
  };
}
