// The services an integration test file runs against, set up in beforeAll and taken down in afterAll: a database of
// the file's own (cloned from the migrated template), and on request a Redis key prefix of its own, a producer on it,
// the real API and workers in this process. Teardown closes what the tests registered, then the services, deletes
// the prefix's keys and drops the database; it fails the file if anything still holds a connection to its database.
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import { startWorkers, type WorkerOverrides, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import type { Db } from '../../shared/db/database.ts';
import { createRedis } from '../../shared/redis.ts';
import { startTestApi, type TestApi } from './api.ts';
import { waitFor } from './poll.ts';
import { ADMIN_DATABASE_URL } from './services.ts';
import { startPrivateRedis } from './processes.ts';
import { createTestDatabase, dropDatabase, uniqueName, type TestDatabase } from './test-db.ts';
import { createTestRedis, type TestRedis } from './test-redis.ts';

export interface TestServicesOptions {
  /** Connections in the pool of `services.db` (default 5). */
  poolSize?: number;
  /**
   * A Redis key prefix of the file's own (implied by producer, api and workers); 'private': on a redis-server of the
   * file's own, for tests that flush or stop Redis.
   */
  redis?: boolean | 'private';
  /** A producer on the prefix, over a Redis connection of its own (`services.redis`). */
  producer?: boolean;
  /** The real API on a free port of 127.0.0.1; an object gives it further settings (e.g. `{ EXPORT_CONCURRENCY: '1' }`). */
  api?: boolean | Record<string, string>;
  /** The workers in this process, with their own pool; `env` adds settings, `overrides` go to startWorkers. */
  workers?: boolean | { env?: Record<string, string>; overrides?: WorkerOverrides };
}

/** Settings naming the file's services, as loadConfig and the CLI read them. */
export type ServiceEnv = Record<string, string> & { DATABASE_URL: string };

export interface TestServices {
  readonly database: TestDatabase;
  /** The test database's pool (`database.db`). */
  readonly db: Db;
  /** The file's Redis URL and key prefix. */
  readonly queue: TestRedis;
  /** The producer's Redis connection. */
  readonly redis: Redis;
  readonly producer: Producer;
  readonly api: TestApi;
  readonly workers: Workers;
  /** DATABASE_URL, plus REDIS_URL and QUEUE_PREFIX when there is a prefix: for loadConfig and the CLI. */
  readonly env: ServiceEnv;
  /** Registers something a test opened to be closed at teardown, before the services (last registered, first closed). */
  closeAtEnd(close: () => unknown): void;
}

/**
 * Registers beforeAll and afterAll hooks (of the enclosing describe, or of the file) that set the services up and
 * take them down; read them through the returned getters inside hooks and tests. Call it before the file's own
 * hooks: its beforeAll then runs first and its afterAll last.
 */
export function useTestServices(options: TestServicesOptions = {}): TestServices {
  const wantsRedis = Boolean(options.redis || options.producer || options.api || options.workers);
  let database: TestDatabase | undefined;
  let queue: TestRedis | undefined;
  let redis: Redis | undefined;
  let producer: Producer | undefined;
  let api: TestApi | undefined;
  let workers: Workers | undefined;
  const closers: Array<() => unknown> = [];

  const env = (): ServiceEnv => ({
    DATABASE_URL: got('database', database).url,
    ...(queue ? { REDIS_URL: queue.url, QUEUE_PREFIX: queue.prefix } : {}),
  });

  beforeAll(async () => {
    database = await createTestDatabase(options.poolSize);
    if (options.redis === 'private') {
      const server = await startPrivateRedis();
      queue = { url: server.url, prefix: uniqueName('ledger_test'), cleanup: () => server.stop() };
    } else if (wantsRedis) queue = createTestRedis();
    if (options.producer) {
      const client = createRedis(queue!.url, 'producer');
      // Tests flush and duplicate it: one server (a cluster test sets its services up itself).
      if (!(client instanceof Redis)) throw new Error(`useTestServices needs one Redis server, not ${queue!.url}`);
      redis = client;
      producer = createProducer({ connection: redis, prefix: queue!.prefix });
    }
    if (options.api) {
      const apiEnv = typeof options.api === 'object' ? options.api : {};
      api = await startTestApi({ databaseUrl: database.url, redisUrl: queue!.url, prefix: queue!.prefix, env: apiEnv });
    }
    if (options.workers) {
      const { env: workerEnv = {}, overrides = {} } = typeof options.workers === 'object' ? options.workers : {};
      const config = loadConfig({ ...env(), LOG_LEVEL: 'warn', DB_POOL_SIZE: '4', ...workerEnv });
      workers = await startWorkers(config, overrides);
    }
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    const attempt = async (close: () => unknown) => {
      try {
        await close();
      } catch (err) {
        errors.push(err);
      }
    };
    for (const close of closers.splice(0).reverse()) await attempt(close);
    if (workers) await attempt(() => workers!.close());
    if (api) await attempt(() => api!.close());
    if (producer) await attempt(() => producer!.close());
    redis?.disconnect();
    if (queue) await attempt(() => queue!.cleanup());
    if (database) {
      await attempt(() => database!.db.destroy());
      await attempt(() => expectNoConnections(database!.name));
      await attempt(() => dropDatabase(database!.name));
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'teardown of the test services failed');
  });

  return {
    get database() {
      return got('database', database);
    },
    get db() {
      return got('database', database).db;
    },
    get queue() {
      return got('queue', queue, wantsRedis ? undefined : 'redis: true');
    },
    get redis() {
      return got('redis', redis, options.producer ? undefined : 'producer: true');
    },
    get producer() {
      return got('producer', producer, options.producer ? undefined : 'producer: true');
    },
    get api() {
      return got('api', api, options.api ? undefined : 'api: true');
    },
    get workers() {
      return got('workers', workers, options.workers ? undefined : 'workers: true');
    },
    get env() {
      return env();
    },
    closeAtEnd(close) {
      closers.push(close);
    },
  };

  /** `missingOption`: the option that would have set it up, when it was not given. */
  function got<T>(name: string, value: T | undefined, missingOption?: string): T {
    if (value !== undefined) return value;
    if (missingOption)
      throw new Error(`services.${name} was not asked for: call useTestServices({ ${missingOption} })`);
    throw new Error(`services.${name} is not set up yet: read it inside a hook or a test, not at the top of the file`);
  }
}

/**
 * Fails teardown when something the file opened (an API, workers, a pool, a child process) still holds a connection
 * to its database once every service is closed: DROP DATABASE ... WITH (FORCE) would hide it. A backend of a closed
 * pool may linger for a moment, hence the short wait.
 */
async function expectNoConnections(databaseName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const { rows } = await admin.query<{ application_name: string; n: number }>(
          `SELECT application_name, count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1`,
          [databaseName],
        );
        return rows;
      },
      {
        what: `the connections to ${databaseName} to close (the file left something open: close it in the test or register it with services.closeAtEnd)`,
        until: (rows) => rows.length === 0,
        timeoutMs: 5000,
        intervalMs: 50,
      },
    );
  } finally {
    await admin.end();
  }
}
