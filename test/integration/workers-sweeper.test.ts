import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, visitEventJobId, type Producer } from '../../jobs/producer.ts';
import { rootLogger } from '../../shared/log.ts';
import { startSweeper } from '../../services/workers/sweeper.ts';
import { createReferenceData, insertInboxEvents, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

let t: TestDatabase;
let r: TestRedis;
let redis: Redis;
let producer: Producer;
let ref: ReferenceData;

beforeAll(async () => {
  t = await createTestDatabase(3);
  r = createTestRedis();
  redis = new Redis(r.url, { maxRetriesPerRequest: null });
  producer = createProducer({ connection: redis, prefix: r.prefix });
  ref = await createReferenceData(t.db);
});

afterAll(async () => {
  await producer?.close();
  redis?.disconnect();
  await r?.cleanup();
  await t?.drop();
});

const age = (ids: number[], seconds: number) =>
  sql`UPDATE inbox_events SET received_at = now() - make_interval(secs => ${seconds}) WHERE id = ANY(${ids}::bigint[])`.execute(
    t.db,
  );

describe('inbox sweeper', () => {
  it('re-enqueues rows still accepted after the redelivery delay, and leaves younger rows alone', async () => {
    const old = await insertInboxEvents(t.db, ref.clientId, [visitEvent(ref), visitEvent(ref), visitEvent(ref)]);
    const young = await insertInboxEvents(t.db, ref.clientId, [visitEvent(ref)]);
    await age(old, 120);
    const sweeper = startSweeper({ db: t.db, producer, log: rootLogger, redeliverySeconds: 60, intervalMs: 60_000 });
    try {
      expect(await sweeper.sweepOnce()).toBe(3);
      const q = producer.queue('visit-events');
      for (const id of old) expect(await (await q.getJob(visitEventJobId(id)))?.getState()).toBe('waiting');
      expect(await q.getJob(visitEventJobId(young[0]!))).toBeUndefined();
      // Sweeping again while the jobs still wait adds nothing new.
      await sweeper.sweepOnce();
      expect(await q.getWaitingCount()).toBe(3);
      await q.drain();
      await sql`UPDATE inbox_events SET status = 'processed' WHERE id = ANY(${[...old, ...young]}::bigint[])`.execute(
        t.db,
      );
    } finally {
      await sweeper.stop();
    }
  });

  it('replaces a failed job of a row that is still accepted, so it runs again', async () => {
    const [id] = await insertInboxEvents(t.db, ref.clientId, [visitEvent(ref)]);
    const q = producer.queue('visit-events');
    await q.add('visit-events', { inboxIds: [id!] }, { jobId: visitEventJobId(id!), attempts: 1 });
    const failing = new Worker('visit-events', async () => Promise.reject(new Error('database unreachable')), {
      connection: redis.duplicate(),
      prefix: r.prefix,
    });
    const failed = new Promise<void>((res) => failing.on('failed', () => res()));
    await failed;
    await failing.close();
    expect(await (await q.getJob(visitEventJobId(id!)))?.getState()).toBe('failed');

    await age([id!], 120);
    const sweeper = startSweeper({ db: t.db, producer, log: rootLogger, redeliverySeconds: 60, intervalMs: 60_000 });
    try {
      expect(await sweeper.sweepOnce()).toBe(1);
      const job = await q.getJob(visitEventJobId(id!));
      expect(await job?.getState()).toBe('waiting');
      expect(job?.attemptsMade).toBe(0);
    } finally {
      await sweeper.stop();
    }
  });
});
