// The one place that sets job options (ids, attempts, backoff, retention) and adds jobs to queues.
import { Queue, type ConnectionOptions, type JobsOptions, type JobType } from 'bullmq';
import { QUEUES, type JobPayloads, type QueueName } from './catalogue.ts';
import { currentTraceparent } from '../shared/tracing.ts';
import { DELIVERY_MAX_ATTEMPTS } from '../shared/use-cases/notices.ts';

export interface ProducerOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix (QUEUE_PREFIX); tests use their own. */
  prefix: string;
  /** Inbox ids per batch job (default 100): small enough that several workers share one big submission. */
  batchSize?: number;
}

export interface Producer {
  /**
   * Enqueues inbox rows for processing; job ids derive from inbox ids so a re-enqueue is a no-op while queued.
   * `traces`: the traceparent of the request that stored each row (tracing on), carried in its job's data.
   */
  enqueueVisitEvents(inboxIds: number[], traces?: ReadonlyMap<number, string>): Promise<void>;
  /**
   * Enqueues each row as its own `ev-<id>` job, first removing a finished (completed/failed) job with that id,
   * so the sweeper and `dlq replay` can redeliver rows whose earlier job is kept but no longer runs.
   */
  redeliverVisitEvents(inboxIds: number[]): Promise<void>;
  /**
   * Which of these inbox rows a job still holds that is waiting, delayed or running (`ev-<id>`, or a batch `evb-<a>-<b>`
   * whose range covers the id): the sweeper leaves them alone. A row inside a live batch's range but not in that batch
   * (ids of concurrent submissions interleave) counts as held too: it is swept once that batch has finished.
   */
  liveVisitEventIds(inboxIds: number[]): Promise<Set<number>>;
  /**
   * Enqueues the period's ranking run as job `rankings-<campaign>-<period>`: while a job with that id exists (waiting,
   * running, or completed within PERIOD_JOB_RETENTION), adding it again is a no-op, so any number of schedulers run a
   * period once. `rerun` first removes a finished (completed or failed) job of that id: a deliberate re-run by an operator.
   */
  enqueueRankings(campaignId: string, period: string, asOf: string, options?: { rerun?: boolean }): Promise<void>;
  /** Enqueues the period's notices as job `notices-<campaign>-<period>`, with the same once-per-period rule. */
  enqueueNotices(campaignId: string, period: string, options?: { rerun?: boolean }): Promise<void>;
  /**
   * Enqueues one `delivery-<id>` job per notice delivery (retries with backoff, see DELIVERY_JOB_OPTIONS). A job id
   * that exists makes the add a no-op; `replace` first removes a finished job of that id (`ledger notices resend`).
   */
  enqueueDeliveries(deliveryIds: number[], options?: { replace?: boolean }): Promise<void>;
  /**
   * What the delivery's job recorded when a send succeeded but the database refused to say so (`sentResponse`, see
   * jobs/deliver-notice.job.ts); undefined when it has no job or nothing was recorded.
   */
  sentDeliveryResponse(deliveryId: number): Promise<string | undefined>;
  /**
   * Hands a send that succeeded but could not be recorded to the workers (`ledger notices run --inline`): the delivery's
   * job carries `sentResponse`, so it records the delivery instead of sending it. A live job gets it in its data.
   */
  keepSentDelivery(deliveryId: number, response: string): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export type { JobPayloads };
export { QUEUES };

/** States in which a job will still run (or is running): its rows need no redelivery. */
const LIVE_STATES: JobType[] = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'];

/** Job id of one inbox row. BullMQ forbids ':' and integer ids, hence `ev-<id>`. */
export const visitEventJobId = (inboxId: number): string => `ev-${inboxId}`;
/** Job id of a batch: first and last id of the chunk (each row belongs to exactly one chunk, so ids never collide). */
export const visitBatchJobId = (inboxIds: number[]): string => `evb-${inboxIds[0]}-${inboxIds[inboxIds.length - 1]}`;

/** Job ids of the period runs. BullMQ forbids ':' in custom ids, so one in a campaign id becomes '_'. */
const idPart = (s: string) => s.replace(/:/g, '_');
export const rankingsJobId = (campaignId: string, period: string): string => `rankings-${idPart(campaignId)}-${period}`;
export const noticesJobId = (campaignId: string, period: string): string => `notices-${idPart(campaignId)}-${period}`;
export const deliveryJobId = (deliveryId: number): string => `delivery-${deliveryId}`;

/**
 * Notice deliveries: 8 attempts, 2 s doubling (2 s … 256 s, ≈ 8.5 min in all: long enough for SMTP greylisting and a
 * webhook's brief outage); the handler marks the delivery failed on the last attempt or on a permanent refusal.
 */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: DELIVERY_MAX_ATTEMPTS,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { count: 10_000 },
  removeOnFail: { count: 10_000 },
};

/**
 * Period runs keep their completed jobs for 30 days: the kept job is what makes a second scheduler's enqueue of the
 * same period a no-op. Operators re-run on purpose with `rerun` (the finished job is removed first).
 */
export const PERIOD_JOB_RETENTION_SECONDS = 30 * 86400;
const PERIOD_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: PERIOD_JOB_RETENTION_SECONDS },
  removeOnFail: { age: PERIOD_JOB_RETENTION_SECONDS },
};

// Retries with exponential backoff (1 s, 2 s, 4 s … ≈ 2 min in total over 8 attempts); the handler dead-letters
// on the last attempt. Completed jobs are removed (bounded history) so a lost-and-found row can be re-added
// under the same id; failed jobs are kept for inspection.
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 100_000 },
};

/** The enqueuing span's traceparent as a payload field (nothing with tracing off or outside a span). */
function traced(): { trace?: string[] } {
  const t = currentTraceparent();
  return t === undefined ? {} : { trace: [t] };
}

/** The distinct traceparents of these rows, from `traces`, or else the enqueuing span's. */
function tracesOf(ids: number[], traces: ReadonlyMap<number, string> | undefined): { trace?: string[] } {
  if (!traces) return traced();
  const distinct = [...new Set(ids.flatMap((id) => traces.get(id) ?? []))];
  return distinct.length ? { trace: distinct } : {};
}

export function createProducer(options: ProducerOptions): Producer {
  const queues = new Map<QueueName, Queue>();
  const batchSize = options.batchSize ?? 100;

  function queue(name: QueueName): Queue {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: options.connection,
        prefix: options.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      // Errors (Redis down) surface on the add() promise; this only keeps the emitter from throwing.
      q.on('error', () => {});
      queues.set(name, q);
    }
    return q;
  }

  return {
    queue,
    async enqueueVisitEvents(inboxIds, traces) {
      if (inboxIds.length === 0) return;
      const ids = [...inboxIds].sort((a, b) => a - b);
      const q = queue(QUEUES.visitEvents);
      if (ids.length === 1) {
        const payload: JobPayloads['visit-events'] = { inboxIds: ids, ...tracesOf(ids, traces) };
        await q.add('visit-events', payload, { jobId: visitEventJobId(ids[0]!) });
        return;
      }
      const jobs = [];
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        const payload: JobPayloads['visit-events'] = { inboxIds: chunk, ...tracesOf(chunk, traces) };
        jobs.push({
          name: 'visit-events',
          data: payload,
          opts: { jobId: chunk.length === 1 ? visitEventJobId(chunk[0]!) : visitBatchJobId(chunk) },
        });
      }
      await q.addBulk(jobs);
    },
    async redeliverVisitEvents(inboxIds) {
      const q = queue(QUEUES.visitEvents);
      for (const id of inboxIds) {
        const jobId = visitEventJobId(id);
        const existing = await q.getJob(jobId);
        if (existing) {
          const state = await existing.getState();
          if (state === 'completed' || state === 'failed')
            await existing.remove().catch(() => {}); // gone already: fine
          else continue; // still waiting, delayed or running: it will be processed
        }
        const payload: JobPayloads['visit-events'] = { inboxIds: [id], ...traced() };
        await q.add('visit-events', payload, { jobId });
      }
    },
    async liveVisitEventIds(inboxIds) {
      if (inboxIds.length === 0) return new Set();
      // Job ids only (no job data): one LRANGE/ZRANGE per state, cheap even for a backlog of many thousand jobs.
      const jobIds = await queue(QUEUES.visitEvents).getRanges(LIVE_STATES, 0, -1);
      const singles = new Set<number>();
      const batches: Array<[number, number]> = [];
      for (const jobId of jobIds) {
        const batch = /^evb-(\d+)-(\d+)$/.exec(jobId);
        if (batch) batches.push([Number(batch[1]), Number(batch[2])]);
        else if (jobId.startsWith('ev-')) singles.add(Number(jobId.slice(3)));
      }
      return new Set(
        inboxIds.filter((id) => singles.has(id) || batches.some(([first, last]) => first <= id && id <= last)),
      );
    },
    async enqueueRankings(campaignId, period, asOf, opts = {}) {
      const payload: JobPayloads['rankings'] = { campaignId, period, asOf, ...traced() };
      await addPeriodJob(
        queue(QUEUES.rankings),
        'rankings',
        payload,
        rankingsJobId(campaignId, period),
        opts.rerun ?? false,
      );
    },
    async enqueueNotices(campaignId, period, opts = {}) {
      const payload: JobPayloads['notices'] = { campaignId, period, ...traced() };
      await addPeriodJob(
        queue(QUEUES.notices),
        'notices',
        payload,
        noticesJobId(campaignId, period),
        opts.rerun ?? false,
      );
    },
    async enqueueDeliveries(deliveryIds, opts = {}) {
      const q = queue(QUEUES.deliveries);
      if (opts.replace) {
        for (const id of deliveryIds) {
          const existing = await q.getJob(deliveryJobId(id));
          const state = existing ? await existing.getState() : undefined;
          if (state === 'completed' || state === 'failed') await existing!.remove().catch(() => {}); // removed meanwhile: fine
        }
      }
      const trace = traced();
      for (let i = 0; i < deliveryIds.length; i += 500) {
        await q.addBulk(
          deliveryIds.slice(i, i + 500).map((id) => {
            const payload: JobPayloads['deliveries'] = { deliveryId: id, ...trace };
            return { name: 'deliveries', data: payload, opts: { ...DELIVERY_JOB_OPTIONS, jobId: deliveryJobId(id) } };
          }),
        );
      }
    },
    async sentDeliveryResponse(deliveryId) {
      const job = await queue(QUEUES.deliveries).getJob(deliveryJobId(deliveryId));
      const data = job?.data as JobPayloads['deliveries'] | undefined;
      return data?.sentResponse;
    },
    async keepSentDelivery(deliveryId, response) {
      const q = queue(QUEUES.deliveries);
      const payload: JobPayloads['deliveries'] = { deliveryId, sentResponse: response };
      const existing = await q.getJob(deliveryJobId(deliveryId));
      const state = existing ? await existing.getState() : undefined;
      if (existing && state !== 'completed' && state !== 'failed') return existing.updateData(payload);
      if (existing) await existing.remove().catch(() => {}); // removed meanwhile: fine
      await q.add('deliveries', payload, { ...DELIVERY_JOB_OPTIONS, jobId: deliveryJobId(deliveryId) });
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
      queues.clear();
    },
  };
}

/** Adds a once-per-period job; with `rerun`, a finished job of that id is removed first (a running one is left alone). */
async function addPeriodJob(q: Queue, name: string, data: object, jobId: string, rerun: boolean): Promise<void> {
  if (rerun) {
    const existing = await q.getJob(jobId);
    const state = existing ? await existing.getState() : undefined;
    if (state === 'completed' || state === 'failed') await existing!.remove().catch(() => {}); // removed meanwhile: fine
  }
  // A job id that exists (waiting, running, or kept after completion) makes this add a no-op in BullMQ.
  await q.add(name, data, { ...PERIOD_JOB_OPTIONS, jobId });
}
