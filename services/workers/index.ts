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
import { startSweeper, type Sweeper } from './sweeper.ts';

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
  db?: Db;
}

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
  const workers: Worker[] = [];
  const connections: RedisClient[] = [producerRedis];
  let sweeper: Sweeper | undefined;
  let deliverySweeper: DeliverySweeper | undefined;
  try {
    await checkHandlers(modules, (name) => producer.queue(name));
    for (const m of modules) {
      const queue: QueueName = m.queue;
      const concurrency =
        overrides.concurrency?.[queue] ?? (queue === QUEUES.visitEvents ? config.WORKER_CONCURRENCY : 4);
      const connection = createRedis(config.REDIS_URL, 'worker');
      connections.push(connection);
      const worker = new Worker(
        queue,
        async (job: Job) => {
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
      workers.push(worker);
    }
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
    log.info({ queues: modules.map((m) => m.queue), prefix: config.QUEUE_PREFIX }, 'workers started');
  } catch (err) {
    await closeAll();
    throw err;
  }

  async function closeAll(): Promise<void> {
    // Stop taking jobs and let the running ones finish; then the sweepers; then the connections.
    await Promise.allSettled(workers.map((w) => w.close()));
    await sweeper?.stop();
    await deliverySweeper?.stop();
    await producer.close().catch(() => {});
    for (const c of connections) c.disconnect();
    if (ownDb) await db.destroy();
  }

  let closing: Promise<void> | undefined;
  return {
    producer,
    sweeper,
    deliverySweeper,
    close: () => (closing ??= closeAll().then(() => log.info('workers stopped'))),
  };
}
