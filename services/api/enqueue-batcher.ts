// Enqueues committed inbox ids in groups formed by load alone (shared/group-runner.ts): single posts from many
// clients at once become one BullMQ addBulk of batch jobs instead of a job each, which is what the workers process
// fastest. Requests do not wait for it (their rows are committed), and a failure only logs: the workers' sweeper
// redelivers what never reached the queue. Waiting cost a Redis round trip per answer: 1,728 → 1,992 events/s on
// the single path without it (2 cores).
import type { Producer } from '../../jobs/producer.ts';
import { createGroupRunner } from '../../shared/group-runner.ts';
import type { Logger } from '../../shared/log.ts';

export interface EnqueueBatcher {
  /**
   * Resolves once the ids were handed to Redis, or the attempt failed, timed out or was skipped (never rejects).
   * `traceparent`: the sending request's (tracing on), carried in the data of the jobs that hold these ids.
   */
  enqueue(ids: number[], traceparent?: string): Promise<void>;
  /** Flushes what is pending and waits for every enqueue in flight. */
  close(): Promise<void>;
}

export function createEnqueueBatcher(producer: Producer, log: Logger, timeoutMs: number): EnqueueBatcher {
  // The enqueue that has not settled yet, if any. A Redis that hangs (rather than refuses) never answers, and ioredis
  // keeps every command sent to it (with its job data) until it does: no new enqueue is sent while one is unanswered,
  // so what waits on a silent Redis is one command, not one per group. Skipped ids are committed; the sweeper
  // redelivers them.
  let unanswered: object | undefined;
  const runner = createGroupRunner<{ ids: number[]; traceparent?: string }, void>({
    maxInFlight: 1,
    maxSize: Number.POSITIVE_INFINITY,
    sizeOf: (item) => item.ids.length,
    async run(groups) {
      const ids = groups.flatMap((g) => g.ids);
      const traces = new Map<number, string>();
      for (const g of groups) if (g.traceparent !== undefined) for (const id of g.ids) traces.set(id, g.traceparent);
      if (unanswered) {
        log.warn({ inboxIds: ids.length }, 'Redis has not answered the previous enqueue; leaving these to the sweeper');
        return groups.map(() => undefined);
      }
      const attempt = (unanswered = {});
      // Cleared before the race below settles, so the next group never mistakes an answered enqueue for a hung one.
      const sent = producer.enqueueVisitEvents(ids, traces).finally(() => {
        if (unanswered === attempt) unanswered = undefined;
      });
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        sent,
        new Promise<void>(
          (_, reject) =>
            (timeout = setTimeout(() => reject(new Error(`enqueue took over ${timeoutMs} ms`)), timeoutMs)),
        ),
      ])
        .catch((err: unknown) =>
          log.warn(
            { err: (err as Error).message, inboxIds: ids.length },
            'enqueue failed after commit; the sweeper will redeliver',
          ),
        )
        .finally(() => clearTimeout(timeout));
      return groups.map(() => undefined);
    },
  });
  return {
    enqueue: (ids, traceparent) => (ids.length === 0 ? Promise.resolve() : runner.submit({ ids, traceparent })),
    close: () => runner.close(),
  };
}
