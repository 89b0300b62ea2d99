// The API process part (`ledger serve --api`): its own database pool, Redis connection and producer, closed on close().
import { createProducer } from '../../jobs/producer.ts';
import type { Config } from '../../shared/config.ts';
import { openDatabases } from '../../shared/db/read-routing.ts';
import { moduleLogger } from '../../shared/log.ts';
import { createRedis } from '../../shared/redis.ts';
import { buildApp } from './app.ts';

export interface RunningApi {
  /** http://host:port the server listens on. */
  url?: string;
  close(): Promise<void>;
}

export async function startApi(config: Config): Promise<RunningApi> {
  const log = moduleLogger('api');
  log.level = config.LOG_LEVEL;
  // The primary, and the lag-tolerant reads (the replica at DATABASE_READ_URL when set).
  const { db, reads, destroy } = openDatabases(config, {
    role: 'api',
    poolSize: config.DB_POOL_SIZE,
    applicationName: 'ledger-api',
  });
  // Few retries (see shared/redis.ts): the event is committed before it is enqueued, and the sweeper redelivers it.
  const redis = createRedis(config.REDIS_URL, 'api');
  const producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  let app;
  try {
    app = await buildApp({ db, reads, config, producer, log });
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    await app?.close().catch(() => {});
    await producer.close().catch(() => {});
    redis.disconnect();
    await destroy();
    throw err;
  }
  const address = app.server.address();
  const url =
    typeof address === 'object' && address
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : undefined;
  log.info({ url }, 'API listening');
  let closing: Promise<void> | undefined;
  const started = app;
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        // Stop accepting and finish requests in flight, then the connections they used.
        await started.close();
        await producer.close().catch(() => {});
        redis.disconnect();
        await destroy();
        log.info('API stopped');
      })()),
  };
}
