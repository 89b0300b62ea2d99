// /healthz (the process answers), /readyz (this API process can take events), /metrics (Prometheus). No key needed.
//
// An API process is ready when PostgreSQL answers: events are committed to the inbox there, and the workers' sweeper
// queues whatever could not be enqueued, so Redis being down degrades the API (events wait) but does not stop it;
// /readyz says so in its body and still answers 200, so that a load balancer keeps the process in rotation.
//
// These routes need no key, so their readings of PostgreSQL and Redis are shared: one reading at a time, reused for
// READING_TTL_MS, however many requests arrive (and they are rate-limited per address like every route).
import type { FastifyInstance } from 'fastify';
import { QUEUES } from '../../../jobs/catalogue.ts';
import { inboxLag, metricsRegistry, queueDepth } from '../../../shared/metrics.ts';
import type { ApiDeps, RouteModule } from './route.ts';
import { oldestAcceptedAgeSeconds, pingDatabase } from '../../../shared/use-cases/inbox-state.ts';

const CHECK_TIMEOUT_MS = 2000;
/** How long a reading of the database and Redis serves further requests. */
export const READING_TTL_MS = 1000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

/**
 * `read` shared: callers while it runs, and for `ttlMs` after it settled, get the same result. `read` must not reject
 * (a failed reading is a result too, and is reused like any other).
 */
export function sharedReading<T>(ttlMs: number, read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  let running = false;
  let settledAt = 0;
  return () => {
    if (current && (running || Date.now() - settledAt < ttlMs)) return current;
    running = true;
    current = read().finally(() => {
      running = false;
      settledAt = Date.now();
    });
    return current;
  };
}

type Check = 'up' | 'down';

export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, producer } = deps;
  // A read of the queue is a Redis round trip through the producer's own connection.
  const pingRedis = async () => {
    await producer.queue(QUEUES.visitEvents).getJobCounts('waiting');
  };
  const readiness = sharedReading(READING_TTL_MS, async () => {
    const [database, redis] = await Promise.allSettled([
      withTimeout(pingDatabase(db), CHECK_TIMEOUT_MS, 'PostgreSQL'),
      withTimeout(pingRedis(), CHECK_TIMEOUT_MS, 'Redis'),
    ]);
    return {
      database: (database.status === 'fulfilled' ? 'up' : 'down') as Check,
      redis: (redis.status === 'fulfilled' ? 'up' : 'down') as Check,
    };
  });
  // Gauges sampled now; a dependency that is down leaves its gauge at the last value rather than failing the scrape.
  const sampleGauges = sharedReading(READING_TTL_MS, async () => {
    const results = await Promise.allSettled([
      withTimeout(oldestAcceptedAgeSeconds(db), CHECK_TIMEOUT_MS, 'PostgreSQL').then((age) => inboxLag.set(age)),
      ...Object.values(QUEUES).map((name) =>
        withTimeout(
          producer.queue(name).getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children'),
          CHECK_TIMEOUT_MS,
          'Redis',
        ).then((counts) =>
          queueDepth.set(
            { queue: name },
            Object.values(counts).reduce((a, b) => a + b, 0),
          ),
        ),
      ),
    ]);
    return results.filter((r) => r.status === 'rejected').length;
  });
  const hidden = { tags: ['operations'] };

  app.get('/healthz', { schema: { ...hidden, summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    {
      schema: {
        ...hidden,
        summary: 'This API process can take events: 200 while PostgreSQL answers (Redis down: "degraded"), else 503',
      },
    },
    async (request, reply) => {
      const checks = await readiness();
      if (checks.database === 'down') {
        request.log.warn({ checks }, 'not ready');
        const detail = `PostgreSQL${checks.redis === 'down' ? ' and Redis' : ''} not reachable: events cannot be stored`;
        return reply
          .code(503)
          .header('retry-after', '5')
          .type('application/problem+json')
          .send(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail, checks }));
      }
      if (checks.redis === 'down') {
        request.log.warn({ checks }, 'degraded: Redis not reachable');
        return {
          status: 'degraded',
          checks,
          degraded: ['redis'],
          detail:
            'Redis not reachable: events are still accepted and stored; the workers queue them once Redis is back',
        };
      }
      return { status: 'ready', checks };
    },
  );

  app.get('/metrics', { schema: { ...hidden, summary: 'Prometheus metrics' } }, async (request, reply) => {
    const failed = await sampleGauges();
    if (failed) request.log.warn({ failed }, 'some metrics could not be sampled');
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}

export const healthRoutes: RouteModule = registerHealthRoutes;
