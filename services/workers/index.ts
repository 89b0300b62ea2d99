// The worker process part: one BullMQ Worker per queue that has a job module, plus the inbox and delivery sweepers.
import { Queue, Worker, type Job } from 'bullmq';
import { QUEUES, type QueueName } from '../../jobs/catalogue.ts';
import { JOB_MODULES } from '../../jobs/index.ts';
import type { JobContext, JobModule } from '../../jobs/job.ts';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import type { Config } from '../../shared/config.ts';
import { createDb, dbOptionsFor, type Db } from '../../shared/db/database.ts';
import { moduleLogger } from '../../shared/log.ts';
import { createRedis, type RedisClient } from '../../shared/redis.ts';
import { contextOf, inSpan, linksOf, SpanKind, tracingEnabled } from '../../shared/tracing.ts';
import { startDeliverySweeper, type DeliverySweeper } from './delivery-sweeper.ts';
import { startLoop, startSweeper, type Sweeper } from './sweeper.ts';
import { isWedged, oldestWaitingAt } from './watchdog.ts';

export interface WorkerOverrides {
  /** Job modules to run (default: jobs/index.ts). */
  modules?: ReadonlyArray<JobModule<any>>;
  /** Concurrency per queue (default: WORKER_CONCURRENCY for visit-events, 4 for the others). */
  concurrency?: Partial<Record<QueueName, number>>;
  /** BullMQ lock settings: tests shorten them so a killed worker's jobs come back quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Sweep interval (default: half of INBOX_REDELIVERY_SECONDS, between 1 s and 5 s); 0 disables both sweepers. */
  sweepIntervalMs?: number;
  /** How long a ready job may wait on an idle worker before the worker is replaced (default 60 s); 0 disables it. */
  watchdogMs?: number;
  db?: Db;
}

interface QueueWorker {
  module: JobModule<any>;
  worker: Worker;
  connection: RedisClient;
  /** Jobs running now, and when the last one started: what the watchdog looks at. */
  load: { running: number; lastStartedAt: number };
}

const DEFAULT_WATCHDOG_MS = 60_000;

export interface Workers {
  close(): Promise<void>;
  sweeper?: Sweeper;
  deliverySweeper?: DeliverySweeper;
  producer: Producer;
}

const log = moduleLogger('workers');

/**
 * Worker sessions commit without waiting for the WAL flush. Safe here: a job's writes and its inbox row's status
 * change commit together, so a crash that loses the last few commits also returns those rows to 'accepted', and the
 * sweeper redelivers them. The inbox itself (the API's commit) stays fully durable, and so does every change of a
 * notice delivery: its statements set synchronous_commit back on (shared/repositories/delivery.repository.ts), since a
 * lost claim or 'delivered' would let a mail go out twice.
 */
const ASYNC_COMMIT = { synchronous_commit: 'off' };

/** Refuses to start when a queue has two handlers, or has jobs waiting but no handler. */
export async function checkHandlers(
  modules: ReadonlyArray<JobModule<any>>,
  queueOf: (name: QueueName) => Queue,
): Promise<void> {
  const seen = new Map<QueueName, number>();
  for (const m of modules) seen.set(m.queue, (seen.get(m.queue) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([q]) => q);
  if (twice.length)
    throw new Error(
      `queue(s) ${twice.join(', ')} have more than one job module: keep exactly one per queue in jobs/index.ts`,
    );
  for (const name of Object.values(QUEUES)) {
    if (seen.has(name)) continue;
    const counts = await queueOf(name).getJobCounts('waiting', 'delayed', 'prioritized');
    const pending = Object.values(counts).reduce((a, b) => a + b, 0);
    if (pending > 0)
      throw new Error(`queue ${name} has ${pending} jobs but no handler: add its job module to jobs/index.ts`);
    log.warn({ queue: name }, 'queue has no handler yet (no jobs waiting)');
  }
}

export async function startWorkers(config: Config, overrides: WorkerOverrides = {}): Promise<Workers> {
  const modules = overrides.modules ?? JOB_MODULES;
  const ownDb = !overrides.db;
  const db =
    overrides.db ??
    createDb(config.DATABASE_URL, {
      poolSize: config.DB_POOL_SIZE,
      applicationName: 'ledger-workers',
      settings: ASYNC_COMMIT,
      ...dbOptionsFor(config, 'background'),
    });
  // BullMQ workers block on Redis, so each gets a connection of its own (role 'worker'); enqueues share this one.
  const producerRedis = createRedis(config.REDIS_URL, 'producer');
  const producer = createProducer({ connection: producerRedis, prefix: config.QUEUE_PREFIX });
  const running: QueueWorker[] = [];
  let sweeper: Sweeper | undefined;
  let deliverySweeper: DeliverySweeper | undefined;
  let watchdog: { stop(): Promise<void> } | undefined;
  let closing: Promise<void> | undefined;

  /** One queue's BullMQ worker, on a connection of its own, with what the watchdog needs to know of it. */
  function startQueueWorker(m: JobModule<any>): QueueWorker {
    const queue: QueueName = m.queue;
    const concurrency =
      overrides.concurrency?.[queue] ?? (queue === QUEUES.visitEvents ? config.WORKER_CONCURRENCY : 4);
    const connection = createRedis(config.REDIS_URL, 'worker');
    const load = { running: 0, lastStartedAt: Date.now() };
    const handle = (job: Job) => {
      const ctx: JobContext = { db, producer, config, log: log.child({ queue, job: job.name, id: job.id }) };
      if (!tracingEnabled()) return m.handle(job.data, ctx, job);
      // The job's span continues the trace of whoever enqueued it (shared/tracing.ts) and links the others.
      const [parent, ...others] = (job.data as { trace?: string[] }).trace ?? [];
      return inSpan(
        `${queue} process`,
        {
          kind: SpanKind.CONSUMER,
          parent: contextOf(parent),
          links: linksOf(others),
          attributes: {
            'messaging.system': 'bullmq',
            'messaging.operation.type': 'process',
            'messaging.destination.name': queue,
            'messaging.message.id': job.id ?? '',
            'ledger.attempt': job.attemptsMade + 1,
          },
        },
        () => m.handle(job.data, ctx, job),
      );
    };
    const worker = new Worker(
      queue,
      async (job: Job) => {
        load.running++;
        load.lastStartedAt = Date.now();
        try {
          return await handle(job);
        } finally {
          load.running--;
        }
      },
      {
        connection,
        prefix: config.QUEUE_PREFIX,
        concurrency,
        ...(overrides.lockDurationMs ? { lockDuration: overrides.lockDurationMs } : {}),
        ...(overrides.stalledIntervalMs ? { stalledInterval: overrides.stalledIntervalMs } : {}),
      },
    );
    worker.on('failed', (job, err) => {
      log.warn({ queue, id: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => log.warn({ queue, err: err.message }, 'worker error'));
    return { module: m, worker, connection, load };
  }

  /** Replaces a wedged worker: the new one starts at once; the old one is closed without waiting on its connection. */
  function replaceWedged(): Promise<void> {
    const stuckMs = overrides.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    return Promise.all(
      running.map(async (entry, i) => {
        const queue = entry.module.queue;
        const q = producer.queue(queue);
        const [waitingSince, paused] = await Promise.all([oldestWaitingAt(q), q.isPaused()]);
        const look = { oldestWaitingAt: waitingSince, paused, ...entry.load };
        if (closing || !isWedged(look, Date.now(), stuckMs)) return;
        log.warn(
          { queue, waitingMs: Date.now() - waitingSince!, idleMs: Date.now() - entry.load.lastStartedAt },
          'a job waits while the worker sits idle: replacing the worker and its connection',
        );
        running[i] = startQueueWorker(entry.module);
        void entry.worker.close(true).catch(() => {});
        entry.connection.disconnect();
      }),
    ).then(() => {});
  }

  try {
    await checkHandlers(modules, (name) => producer.queue(name));
    for (const m of modules) running.push(startQueueWorker(m));
    const sweepIntervalMs =
      overrides.sweepIntervalMs ?? Math.min(5000, Math.max(1000, (config.INBOX_REDELIVERY_SECONDS * 1000) / 2));
    if (sweepIntervalMs > 0) {
      sweeper = startSweeper({
        db,
        producer,
        log,
        redeliverySeconds: config.INBOX_REDELIVERY_SECONDS,
        maxRedeliveries: config.INBOX_MAX_REDELIVERIES,
        intervalMs: sweepIntervalMs,
      });
      // Deliveries are swept where they are sent: a process without the deliveries queue leaves them to those with it.
      if (modules.some((m) => m.queue === QUEUES.deliveries)) {
        deliverySweeper = startDeliverySweeper({
          db,
          producer,
          log,
          leaseSeconds: config.DELIVERY_LEASE_SECONDS,
          intervalMs: sweepIntervalMs,
        });
      }
    }
    const watchdogMs = overrides.watchdogMs ?? DEFAULT_WATCHDOG_MS;
    if (watchdogMs > 0) watchdog = startLoop(Math.max(1000, watchdogMs / 4), replaceWedged, log, 'worker watchdog');
    log.info({ queues: modules.map((m) => m.queue), prefix: config.QUEUE_PREFIX }, 'workers started');
  } catch (err) {
    await closeAll();
    throw err;
  }

  async function closeAll(): Promise<void> {
    // Stop taking jobs and let the running ones finish; then the sweepers; then the connections.
    await watchdog?.stop();
    await Promise.allSettled(running.map((w) => w.worker.close()));
    await sweeper?.stop();
    await deliverySweeper?.stop();
    await producer.close().catch(() => {});
    producerRedis.disconnect();
    for (const w of running) w.connection.disconnect();
    if (ownDb) await db.destroy();
  }

  return {
    producer,
    sweeper,
    deliverySweeper,
    close: () => (closing ??= closeAll().then(() => log.info('workers stopped'))),
  };
}
