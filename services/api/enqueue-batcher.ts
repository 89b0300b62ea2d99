// Enqueues committed inbox ids in groups formed by load alone: when no enqueue is in flight, ids go at once (no added
// latency); while one is, arriving ids wait and leave together when it returns. Single posts from many clients at once
// thus become one BullMQ addBulk of batch jobs instead of a job each, which is what the workers process fastest.
// A request still waits for its ids' enqueue, and a failure only logs: the rows are committed, and the workers'
// sweeper redelivers what never reached the queue.
import type { Producer } from '../../jobs/producer.ts';
import type { Logger } from '../../shared/log.ts';

const MAX_IN_FLIGHT = 1;

export interface EnqueueBatcher {
  /** Resolves once the ids were handed to Redis, or the attempt failed or timed out (never rejects). */
  enqueue(ids: number[]): Promise<void>;
  /** Flushes what is pending and waits for every enqueue in flight. */
  close(): Promise<void>;
}

export function createEnqueueBatcher(producer: Producer, log: Logger, timeoutMs: number): EnqueueBatcher {
  let pending: number[] = [];
  let waiters: Array<() => void> = [];
  const inFlight = new Set<Promise<void>>();

  function flush(): void {
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
        flush(); // what arrived meanwhile
      });
    inFlight.add(p);
  }

  return {
    enqueue(ids) {
      if (ids.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        pending.push(...ids);
        waiters.push(resolve);
        if (inFlight.size < MAX_IN_FLIGHT) flush();
      });
    },
    async close() {
      flush();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
