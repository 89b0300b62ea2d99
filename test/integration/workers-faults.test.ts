// Several worker processes, a worker killed with SIGKILL, PostgreSQL connections cut: every accepted event ends
// processed exactly once and counted once.
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import { createReferenceData } from '../helpers/factories.ts';
import { startWorkerChild, type Child } from '../helpers/processes.ts';
import { ADMIN_DATABASE_URL } from '../helpers/services.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';
import {
  acceptAndEnqueue,
  EXPECTED_TALLY,
  processedCount,
  tally,
  waitForProcessed,
  workload,
} from '../helpers/workload.ts';

let t: TestDatabase;
let r: TestRedis;
let redis: Redis;
let producer: Producer;
const children: Child[] = [];

// Short locks so that a killed worker's jobs are found stalled within seconds; a short redelivery for the sweeper.
const FAST = { lockDurationMs: 3000, stalledIntervalMs: 1000 };

beforeAll(async () => {
  t = await createTestDatabase(3);
  r = createTestRedis();
  redis = new Redis(r.url, { maxRetriesPerRequest: 3 });
  producer = createProducer({ connection: redis, prefix: r.prefix });
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill('SIGTERM');
      await c.exited;
    }
  }
});

afterAll(async () => {
  await producer?.close();
  redis?.disconnect();
  await r?.cleanup();
  await t?.drop();
});

const env = () => ({
  DATABASE_URL: t.url,
  REDIS_URL: r.url,
  QUEUE_PREFIX: r.prefix,
  DB_POOL_SIZE: '4',
  WORKER_CONCURRENCY: '8',
  INBOX_REDELIVERY_SECONDS: '2',
});

async function start(overrides: object = FAST): Promise<Child> {
  const c = await startWorkerChild(env(), overrides);
  children.push(c);
  return c;
}

describe('worker faults', { timeout: 180_000 }, () => {
  it('two worker processes competing on one queue process 2,000 events exactly once', async () => {
    const ref = await createReferenceData(t.db);
    await Promise.all([start(), start()]);
    await acceptAndEnqueue(t.db, producer, ref.clientId, workload(ref, 'two'));
    await waitForProcessed(t.db, ref.universityCode, 2000);
    expect(await tally(t.db, ref.universityCode, 'two')).toEqual(EXPECTED_TALLY);
  });

  it('recovers every event after kill -9 of a worker in the middle of 2,000 events', async () => {
    const ref = await createReferenceData(t.db);
    const victim = await start();
    const accepting = acceptAndEnqueue(t.db, producer, ref.clientId, workload(ref, 'kill'));
    while ((await processedCount(t.db, ref.universityCode)) < 400) await new Promise((res) => setTimeout(res, 20));
    victim.process.kill('SIGKILL');
    await victim.exited;
    const killedAt = await processedCount(t.db, ref.universityCode);
    expect(killedAt).toBeLessThan(2000);
    await accepting;
    await start();
    await waitForProcessed(t.db, ref.universityCode, 2000);
    expect(await tally(t.db, ref.universityCode, 'kill')).toEqual(EXPECTED_TALLY);
  });

  it('recovers when PostgreSQL connections of the workers are terminated during processing', async () => {
    const ref = await createReferenceData(t.db);
    const worker = await start();
    const accepting = acceptAndEnqueue(t.db, producer, ref.clientId, workload(ref, 'cut'));
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    let terminated = 0;
    try {
      for (let i = 0; i < 6; i++) {
        await new Promise((res) => setTimeout(res, 400));
        const res = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ledger-workers' AND pid <> pg_backend_pid()`,
          [t.name],
        );
        terminated += res.rowCount ?? 0;
      }
    } finally {
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);
    await accepting;
    await waitForProcessed(t.db, ref.universityCode, 2000, 50_000).catch((err: Error) => {
      throw new Error(`${err.message}; worker said: ${worker.output().slice(-3000)}`);
    });
    expect(await tally(t.db, ref.universityCode, 'cut')).toEqual(EXPECTED_TALLY);
  });
});
