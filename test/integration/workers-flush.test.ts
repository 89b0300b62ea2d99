// FLUSHALL on Redis after 1,000 events were accepted: the inbox is the record, the sweeper redelivers what the
// queue lost. Runs against a private redis-server, never the shared one.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import { createReferenceData } from '../helpers/factories.ts';
import { startPrivateRedis, startWorkerChild, type Child, type PrivateRedis } from '../helpers/processes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import {
  acceptAndEnqueue,
  EXPECTED_TALLY,
  processedCount,
  tally,
  waitForProcessed,
  workload,
} from '../helpers/workload.ts';

let t: TestDatabase;
let privateRedis: PrivateRedis;
let redis: Redis;
let producer: Producer;
let worker: Child | undefined;

beforeAll(async () => {
  t = await createTestDatabase(3);
  privateRedis = await startPrivateRedis();
  redis = new Redis(privateRedis.url, { maxRetriesPerRequest: 3 });
  producer = createProducer({ connection: redis, prefix: 'ledger_flush' });
});

afterAll(async () => {
  if (worker && worker.process.exitCode === null) {
    worker.process.kill('SIGTERM');
    await worker.exited;
  }
  await producer?.close();
  redis?.disconnect();
  await privateRedis?.stop();
  await t?.drop();
});

describe('Redis flushed', { timeout: 180_000 }, () => {
  it('processes every accepted event exactly once after FLUSHALL in the middle of 2,000 events', async () => {
    const ref = await createReferenceData(t.db);
    const events = workload(ref, 'flush');
    await acceptAndEnqueue(t.db, producer, ref.clientId, events.slice(0, 1000));
    worker = await startWorkerChild(
      {
        DATABASE_URL: t.url,
        REDIS_URL: privateRedis.url,
        QUEUE_PREFIX: 'ledger_flush',
        DB_POOL_SIZE: '4',
        WORKER_CONCURRENCY: '8',
        INBOX_REDELIVERY_SECONDS: '2',
      },
      { lockDurationMs: 3000, stalledIntervalMs: 1000 },
    );
    // Flush while the worker is busy: waiting jobs and the locks of running ones are gone.
    while ((await processedCount(t.db, ref.universityCode)) < 100) await new Promise((res) => setTimeout(res, 10));
    expect(await redis.flushall()).toBe('OK');
    expect(await processedCount(t.db, ref.universityCode)).toBeLessThan(1000);
    await acceptAndEnqueue(t.db, producer, ref.clientId, events.slice(1000));
    await waitForProcessed(t.db, ref.universityCode, 2000).catch((err: Error) => {
      throw new Error(`${err.message}; worker said: ${worker?.output().slice(-3000)}`);
    });
    expect(await tally(t.db, ref.universityCode, 'flush')).toEqual(EXPECTED_TALLY);
  });
});
