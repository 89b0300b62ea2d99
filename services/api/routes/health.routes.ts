// /healthz (the process answers), /readyz (PostgreSQL and Redis answer), /metrics (Prometheus). No key needed.
import type { FastifyInstance } from 'fastify';
import { QUEUES } from '../../../jobs/catalogue.ts';
import { inboxLag, metricsRegistry, queueDepth } from '../../../shared/metrics.ts';
import { oldestAcceptedAgeSeconds, pingDatabase } from '../../../shared/repositories/inbox.repository.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, producer } = deps;
  // A read of the queue is a Redis round trip through the producer's own connection.
  const pingRedis = async () => {
    await producer.queue(QUEUES.visitEvents).getJobCounts('waiting');
  };
  const hidden = { tags: ['operations'] };

  app.get('/healthz', { schema: { ...hidden, summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { ...hidden, summary: 'PostgreSQL and Redis answer (503 otherwise)' } }, async (request, reply) => {
    const [database, redis] = await Promise.allSettled([withTimeout(pingDatabase(db), CHECK_TIMEOUT_MS, 'PostgreSQL'), withTimeout(pingRedis(), CHECK_TIMEOUT_MS, 'Redis')]);
    const checks = { database: database.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
    if (database.status === 'fulfilled' && redis.status === 'fulfilled') return { status: 'ready', checks };
    const down = [database.status === 'rejected' ? 'PostgreSQL' : null, redis.status === 'rejected' ? 'Redis' : null].filter(Boolean).join(' and ');
    request.log.warn({ checks }, 'not ready');
    return reply
      .code(503)
      .type('application/problem+json')
      .send(JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: `${down} not reachable`, checks }));
  });

  app.get('/metrics', { schema: { ...hidden, summary: 'Prometheus metrics' } }, async (request, reply) => {
    // Gauges sampled now; a dependency that is down leaves its gauge at the last value rather than failing the scrape.
    await Promise.allSettled([
      withTimeout(oldestAcceptedAgeSeconds(db), CHECK_TIMEOUT_MS, 'PostgreSQL').then((age) => inboxLag.set(age)),
      ...Object.values(QUEUES).map((name) =>
        withTimeout(producer.queue(name).getJobCounts('waiting', 'delayed', 'active', 'prioritized', 'waiting-children'), CHECK_TIMEOUT_MS, 'Redis').then((counts) =>
          queueDepth.set({ queue: name }, Object.values(counts).reduce((a, b) => a + b, 0)),
        ),
      ),
    ]).then((results) => {
      const failed = results.filter((r) => r.status === 'rejected');
      if (failed.length) request.log.warn({ failed: failed.length }, 'some metrics could not be sampled');
    });
    return reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });
}

export const healthRoutes: RouteModule = registerHealthRoutes;
