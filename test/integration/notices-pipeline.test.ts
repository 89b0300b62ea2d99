// The notices after a scheduled run (rankings job → notices job → deliveries, all through the real workers), and
// the claim: many concurrent attempts at one delivery send it once.
import type { AddressInfo } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { createDb, type Db } from '../../shared/db/database.ts';
import { deliver } from '../../shared/use-cases/deliver-notices.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { getDelivery, listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { buildRankingWorld } from '../helpers/rankings-factories.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

const received: string[][] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      received.push(session.envelope.rcptTo.map((r) => r.address));
      callback();
    });
  },
});

let t: TestDatabase;
let r: TestRedis;
let smtpUrl: string;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

beforeAll(async () => {
  t = await createTestDatabase();
  r = createTestRedis();
  await buildRankingWorld(t.db);
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`;
}, 120_000);

afterAll(async () => {
  await new Promise((res) => smtp.close(() => res(undefined)));
  await r?.cleanup();
  await t?.drop();
});

describe('notices pipeline', () => {
  it('five concurrent attempts at one delivery, from separate connection pools, send it once', async () => {
    await addRecipient(t.db, { scope: 'province:110000', kind: 'email', address: 'race@edu.example' });
    const result = await generateNotices(t.db, { campaignId: '2022', period: '2022-W13' });
    const [deliveryId] = result.pendingDeliveryIds;
    expect(result.pendingDeliveryIds).toHaveLength(1);
    const pools: Db[] = Array.from({ length: 5 }, () => createDb(t.url, { poolSize: 2 }));
    try {
      const outcomes = await Promise.all(
        pools.map((db) =>
          deliver(db, deliveryId!, { smtpUrl, mailFrom: 'ledger <l@example.org>' }, { finalAttempt: false }),
        ),
      );
      expect(outcomes.filter((o) => o.outcome === 'delivered')).toHaveLength(1);
      expect(outcomes.every((o) => o.outcome === 'delivered' || o.outcome === 'busy' || o.outcome === 'skipped')).toBe(
        true,
      );
      // and a later attempt finds it delivered
      expect(await deliver(t.db, deliveryId!, { smtpUrl, mailFrom: 'l@example.org' }, { finalAttempt: true })).toEqual({
        outcome: 'skipped',
        deliveryId,
        state: 'delivered',
      });
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
    }
    expect(received.filter((x) => x.includes('race@edu.example'))).toHaveLength(1);
    expect(await getDelivery(t.db, deliveryId!)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it("a scheduled rankings run generates the period's notices and delivers them through the workers, once however often it is enqueued", async () => {
    await addRecipient(t.db, { scope: 'national', kind: 'email', address: 'moe@moe.example' });
    const config = loadConfig({
      DATABASE_URL: t.url,
      REDIS_URL: r.url,
      QUEUE_PREFIX: r.prefix,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '5',
    });
    const workers: Workers = await startWorkers(config, { sweepIntervalMs: 0, db: t.db });
    const redis = new Redis(r.url, { maxRetriesPerRequest: 3 });
    const producer: Producer = createProducer({ connection: redis, prefix: r.prefix });
    try {
      // What two schedulers firing the same tick do.
      await Promise.all([
        producer.enqueueRankings('2022', '2022-W14', '2022-04-10'),
        producer.enqueueRankings('2022', '2022-W14', '2022-04-10'),
      ]);
      const until = Date.now() + 40_000;
      for (;;) {
        const notices = await listNotices(t.db, { campaignId: '2022', period: '2022-W14' });
        const ds = notices.length ? await listDeliveries(t.db, { noticeIds: notices.map((n) => n.id) }) : [];
        if (ds.length === 2 && ds.every((d) => d.state === 'delivered')) break;
        if (Date.now() > until) throw new Error(`notices not delivered: ${JSON.stringify(ds.map((d) => d.state))}`);
        await sleep(200);
      }
      // The notices job ran again on purpose (an operator's re-run): nothing is sent twice.
      await producer.enqueueNotices('2022', '2022-W14', { rerun: true });
      await sleep(3000);
      expect(received.filter((x) => x.includes('moe@moe.example'))).toHaveLength(1);
      expect(received.filter((x) => x.includes('race@edu.example'))).toHaveLength(2); // W13 once, W14 once
    } finally {
      await producer.close();
      redis.disconnect();
      await workers.close();
    }
  });

  it('a pending delivery whose job failed before it could claim (an outage) is queued again by the next run and sent once', async () => {
    await addRecipient(t.db, { scope: 'province:110000', kind: 'email', address: 'outage@edu.example' });
    const result = await generateNotices(t.db, { campaignId: '2022', period: '2022-W12' });
    const outage = (await listDeliveries(t.db, { ids: result.pendingDeliveryIds })).filter(
      (d) => d.state === 'pending',
    );
    expect(outage.length).toBeGreaterThan(0);
    const config = loadConfig({
      DATABASE_URL: t.url,
      REDIS_URL: r.url,
      QUEUE_PREFIX: r.prefix,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '5',
    });
    const redis = new Redis(r.url, { maxRetriesPerRequest: 3 });
    const producer: Producer = createProducer({ connection: redis, prefix: r.prefix });
    // The jobs run while the database is "down": a handler that fails every attempt without touching the rows.
    const broken: Workers = await startWorkers(config, {
      modules: [{ queue: 'deliveries', handle: () => Promise.reject(new UnrecoverableError('database unreachable')) }],
      sweepIntervalMs: 0,
      db: t.db,
    });
    try {
      await producer.enqueueDeliveries(outage.map((d) => d.id));
      const q = producer.queue('deliveries');
      for (let i = 0; (await q.getFailedCount()) < outage.length; i++) {
        if (i > 200) throw new Error('jobs did not fail');
        await sleep(100);
      }
    } finally {
      await broken.close();
    }
    expect((await listDeliveries(t.db, { ids: outage.map((d) => d.id) })).every((d) => d.state === 'pending')).toBe(
      true,
    );
    const workers: Workers = await startWorkers(config, { sweepIntervalMs: 0, db: t.db });
    try {
      await producer.enqueueNotices('2022', '2022-W12', { rerun: true });
      const until = Date.now() + 30_000;
      while (!(await listDeliveries(t.db, { ids: outage.map((d) => d.id) })).every((d) => d.state === 'delivered')) {
        if (Date.now() > until) throw new Error('not delivered after the re-run');
        await sleep(200);
      }
      expect(received.filter((x) => x.includes('outage@edu.example'))).toHaveLength(1);
    } finally {
      await producer.close();
      redis.disconnect();
      await workers.close();
    }
  });
});
