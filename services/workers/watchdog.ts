// The worker watchdog. A BullMQ worker takes jobs over a blocking connection of its own, and after a Redis failover
// that connection can stay wedged for good (a known BullMQ / ioredis Cluster fault): the worker says it is running, the
// queue's other connections work, and jobs wait for ever. The watchdog notices a queue whose jobs wait while its
// worker sits idle, and has the worker replaced by a new one on a new connection.
import type { Queue } from 'bullmq';

/** What the watchdog knows of one queue and its worker at one look. */
export interface QueueLook {
  /** Since when the longest-waiting ready job has been ready (ms since epoch); undefined when none waits. */
  oldestWaitingAt: number | undefined;
  paused: boolean;
  /** Jobs this process's worker is running now. */
  running: number;
  /** When this process's worker last started a job (or was created). */
  lastStartedAt: number;
}

/**
 * A worker is wedged when a ready job has waited longer than `stuckMs` and the worker, running nothing, has not
 * started a job for as long: a healthy idle worker takes a ready job within its block timeout (seconds). A paused
 * queue's jobs wait by design.
 */
export function isWedged(look: QueueLook, now: number, stuckMs: number): boolean {
  if (look.paused || look.oldestWaitingAt === undefined || look.running > 0) return false;
  return now - look.oldestWaitingAt > stuckMs && now - look.lastStartedAt > stuckMs;
}

/**
 * Since when the longest-waiting ready job (waiting or prioritized) has been ready: enqueued, or later when it was
 * delayed or came back after a failed attempt. Two cheap reads on the queue.
 */
export async function oldestWaitingAt(queue: Queue): Promise<number | undefined> {
  const [waiting, prioritized] = await Promise.all([
    queue.getJobs(['wait'], 0, 0, true),
    queue.getJobs(['prioritized'], 0, 0, true),
  ]);
  const times = [...waiting, ...prioritized]
    .map((j) => Math.max(j.timestamp + (j.delay || 0), j.processedOn ?? 0, j.finishedOn ?? 0))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.min(...times) : undefined;
}
