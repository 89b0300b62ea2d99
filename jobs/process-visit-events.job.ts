// The visit-events job: groups the jobs that arrive together into shared transactions (group commit), falls back to
// one transaction per job and per event when one fails, and retries or dead-letters. Applying the rows (employer,
// visit state, processed mark) is the use case shared/use-cases/apply-visit-events.ts.
import { QUEUES } from './catalogue.ts';
import { defineJob, type JobContext } from './job.ts';
import { observeProcessingLatency } from './processing-metrics.ts';
import { createGroupRunner } from '../shared/group-runner.ts';
import { activeContext, inSpan, linksOf, withContext, type Context } from '../shared/tracing.ts';
import {
  applyVisitEvents,
  deadLetterVisitEvent,
  isPermanent,
  reasonOf,
  type Applied,
} from '../shared/use-cases/apply-visit-events.ts';

/**
 * applyVisitEvents, traced: a span under the active (job's) span, linked to the other jobs of its group (`others`).
 */
function applyInTransaction(ctx: JobContext, ids: number[], attempt: number, others: Context[] = []): Promise<Applied> {
  return inSpan(
    'visit-events transaction',
    { attributes: { 'ledger.events': ids.length, 'ledger.jobs': others.length + 1 }, links: linksOf(others) },
    () => applyVisitEvents(ctx.db, ctx.config, ids, attempt),
  );
}

export interface ProcessOptions {
  /** 1-based attempt of the job; on the last one a transient failure is dead-lettered instead of thrown. */
  attempt?: number;
  maxAttempts?: number;
}

export interface ProcessResult {
  processed: number;
  rejected: number;
  /** Rows of a batch that failed transiently and were re-enqueued as their own jobs. */
  redelivered: number;
}

/**
 * Processes inbox rows. Fast path: all rows in one transaction. If that fails, each row gets its own transaction,
 * so one bad event never holds back the others: permanent failures are dead-lettered, transient ones retried.
 */
export async function processVisitEvents(
  ctx: JobContext,
  ids: number[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const attempt = options.attempt ?? 1;
  const last = attempt >= (options.maxAttempts ?? 1);
  try {
    const r = await applyInTransaction(ctx, ids, attempt);
    observe(r);
    return { processed: r.processed.length, rejected: r.rejected.length, redelivered: 0 };
  } catch (err) {
    if (ids.length === 1) return processOneAfterFailure(ctx, ids[0]!, err, attempt, last);
    ctx.log.warn({ err: reasonOf(err), ids: ids.length }, 'batch transaction failed; processing its events one by one');
  }
  const result: ProcessResult = { processed: 0, rejected: 0, redelivered: 0 };
  const transient: number[] = [];
  for (const id of ids) {
    try {
      const r = await applyInTransaction(ctx, [id], attempt);
      observe(r);
      result.processed += r.processed.length;
      result.rejected += r.rejected.length;
    } catch (err) {
      if (isPermanent(err)) {
        await deadLetter(ctx, id, reasonOf(err), attempt);
        result.rejected++;
      } else {
        ctx.log.warn({ err: reasonOf(err), inboxId: id }, 'event failed; re-enqueueing it as its own job');
        transient.push(id);
      }
    }
  }
  if (transient.length) {
    // Each gets its own job and attempts; if Redis is unreachable this throws and the whole batch is retried.
    await ctx.producer.redeliverVisitEvents(transient);
    result.redelivered = transient.length;
  }
  return result;
}

async function processOneAfterFailure(
  ctx: JobContext,
  id: number,
  err: unknown,
  attempt: number,
  last: boolean,
): Promise<ProcessResult> {
  if (isPermanent(err) || last) {
    const reason = isPermanent(err) ? reasonOf(err) : `gave up after ${attempt} attempts: ${reasonOf(err)}`;
    await deadLetter(ctx, id, reason, attempt); // throws when the database is unreachable: BullMQ keeps the job failed, the sweeper redelivers
    ctx.log.warn({ inboxId: id, reason }, 'event dead-lettered');
    return { processed: 0, rejected: 1, redelivered: 0 };
  }
  throw err; // transient: BullMQ retries with backoff
}

const deadLetter = (ctx: JobContext, inboxId: number, reason: string, attempts: number): Promise<void> =>
  deadLetterVisitEvent(ctx.db, inboxId, reason, attempts);

function observe(r: Applied): void {
  for (const p of r.processed) observeProcessingLatency(p.latencySeconds);
}

/**
 * Group commit: a worker process runs at most `MAX_IN_FLIGHT` processing transactions at once; jobs that arrive
 * meanwhile wait and then go together in one transaction (claim, visit upserts, status update and commit shared),
 * up to `MAX_GROUP` events. Few transactions suit PostgreSQL on few cores, and big groups amortise the fixed cost
 * per transaction. Should a shared transaction fail, each job runs again on its own (and a batch job then event by
 * event), so one bad event never holds back the others.
 */
const MAX_IN_FLIGHT = 2;
const MAX_GROUP = 200;

interface Submission {
  ctx: JobContext;
  ids: number[];
  options: ProcessOptions;
  /** The job's trace context: its group's transaction runs under the first job's and links the others. */
  trace: Context;
}

/** Jobs arriving while MAX_IN_FLIGHT transactions run go together in the next one (shared/group-runner.ts). */
export class Coalescer {
  private readonly runner = createGroupRunner<Submission, ProcessResult>({
    maxInFlight: MAX_IN_FLIGHT,
    maxSize: MAX_GROUP,
    sizeOf: (s) => s.ids.length,
    run: (group) => this.runShared(group),
    // A job alone, and each job of a group whose shared transaction failed: processVisitEvents splits further.
    runAlone: (s) => withContext(s.trace, () => processVisitEvents(s.ctx, s.ids, s.options)),
  });

  submit(ctx: JobContext, ids: number[], options: ProcessOptions): Promise<ProcessResult> {
    return this.runner.submit({ ctx, ids, options, trace: activeContext() });
  }

  private async runShared(group: Submission[]): Promise<ProcessResult[]> {
    const { ctx } = group[0]!;
    const attempt = Math.max(...group.map((s) => s.options.attempt ?? 1));
    try {
      const r = await withContext(group[0]!.trace, () =>
        applyInTransaction(
          ctx,
          group.flatMap((s) => s.ids),
          attempt,
          group.slice(1).map((s) => s.trace),
        ),
      );
      observe(r);
      const processed = new Set(r.processed.map((p) => p.id));
      const rejected = new Set(r.rejected);
      return group.map((s) => ({
        processed: s.ids.filter((id) => processed.has(id)).length,
        rejected: s.ids.filter((id) => rejected.has(id)).length,
        redelivered: 0,
      }));
    } catch (err) {
      ctx.log.warn(
        { err: reasonOf(err), jobs: group.length },
        'shared transaction failed; processing its jobs one by one',
      );
      throw err;
    }
  }
}

const coalescers = new WeakMap<object, Coalescer>();

export const processVisitEventsJob = defineJob({
  queue: QUEUES.visitEvents,
  async handle(payload, ctx, job) {
    let coalescer = coalescers.get(ctx.db);
    if (!coalescer) coalescers.set(ctx.db, (coalescer = new Coalescer()));
    return coalescer.submit(ctx, payload.inboxIds, {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
  },
});
