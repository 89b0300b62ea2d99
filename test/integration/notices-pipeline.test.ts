// The notices after a scheduled run (rankings job → notices job → deliveries, all through the real workers), and
// the claim: many concurrent attempts at one delivery send it once.
import type { AddressInfo } from 'node:net';
import { UnrecoverableError } from 'bullmq';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { createDb, type Db } from '../../shared/db/database.ts';
import { deliver } from '../../shared/use-cases/deliver-notices.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { getDelivery, listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { buildRankingWorld } from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

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

const services = useTestServices({ producer: true });
let smtpUrl: string;
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

beforeAll(async () => {
  await buildRankingWorld(services.db);
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`;
}, 120_000);

afterAll(async () => {
  await new Promise((res) => smtp.close(() => res(undefined)));
});

describe('notices pipeline', () => {
  it('five concurrent attempts at one delivery, from separate connection pools, send it once', async () => {
    await addRecipient(services.db, { scope: 'province:110000', kind: 'email', address: 'race@edu.example' });
    const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W13' });
    const [deliveryId] = result.pendingDeliveryIds;
    expect(result.pendingDeliveryIds).toHaveLength(1);
    const pools: Db[] = Array.from({ length: 5 }, () => createDb(services.database.url, { poolSize: 2 }));
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
      expect(
        await deliver(services.db, deliveryId!, { smtpUrl, mailFrom: 'l@example.org' }, { finalAttempt: true }),
      ).toEqual({
        outcome: 'skipped',
        deliveryId,
        state: 'delivered',
      });
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
    }
    expect(received.filter((x) => x.includes('race@edu.example'))).toHaveLength(1);
    expect(await getDelivery(services.db, deliveryId!)).toMatchObject({ state: 'delivered', attempts: 1 });
  });

  it("a scheduled rankings run generates the period's notices and delivers them through the workers, once however often it is enqueued", async () => {
    await addRecipient(services.db, { scope: 'national', kind: 'email', address: 'moe@moe.example' });
    const config = loadConfig({
      ...services.env,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '5',
    });
    const workers: Workers = await startWorkers(config, { sweepIntervalMs: 0, db: services.db });
    const producer = services.producer;
    try {
      // What two schedulers firing the same tick do.
      await Promise.all([
        producer.enqueueRankings('2022', '2022-W14', '2022-04-10'),
        producer.enqueueRankings('2022', '2022-W14', '2022-04-10'),
      ]);
      await waitFor(
        async () => {
          const notices = await listNotices(services.db, { campaignId: '2022', period: '2022-W14' });
          const ds = notices.length ? await listDeliveries(services.db, { noticeIds: notices.map((n) => n.id) }) : [];
          return ds.map((d) => d.state);
        },
        {
          what: 'both notices of 2022-W14 delivered',
          until: (states) => states.length === 2 && states.every((state) => state === 'delivered'),
          timeoutMs: 40_000,
          intervalMs: 200,
        },
      );
      // The notices job ran again on purpose (an operator's re-run): nothing is sent twice.
      await producer.enqueueNotices('2022', '2022-W14', { rerun: true });
      await sleep(3000); // not a wait for a condition: the window in which a second send would arrive
      expect(received.filter((x) => x.includes('moe@moe.example'))).toHaveLength(1);
      expect(received.filter((x) => x.includes('race@edu.example'))).toHaveLength(2); // W13 once, W14 once
    } finally {
      await workers.close();
    }
  });

  it('a pending delivery whose job failed before it could claim (an outage) is queued again by the next run and sent once', async () => {
    await addRecipient(services.db, { scope: 'province:110000', kind: 'email', address: 'outage@edu.example' });
    const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W12' });
    const outage = (await listDeliveries(services.db, { ids: result.pendingDeliveryIds })).filter(
      (d) => d.state === 'pending',
    );
    expect(outage.length).toBeGreaterThan(0);
    const config = loadConfig({
      ...services.env,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '5',
    });
    const producer = services.producer;
    // The jobs run while the database is "down": a handler that fails every attempt without touching the rows.
    const broken: Workers = await startWorkers(config, {
      modules: [{ queue: 'deliveries', handle: () => Promise.reject(new UnrecoverableError('database unreachable')) }],
      sweepIntervalMs: 0,
      db: services.db,
    });
    try {
      await producer.enqueueDeliveries(outage.map((d) => d.id));
      const q = producer.queue('deliveries');
      await waitFor(() => q.getFailedCount(), {
        what: `the ${outage.length} delivery jobs to fail`,
        until: (failed) => failed >= outage.length,
        timeoutMs: 20_000,
      });
    } finally {
      await broken.close();
    }
    expect(
      (await listDeliveries(services.db, { ids: outage.map((d) => d.id) })).every((d) => d.state === 'pending'),
    ).toBe(true);
    const workers: Workers = await startWorkers(config, { sweepIntervalMs: 0, db: services.db });
    try {
      await producer.enqueueNotices('2022', '2022-W12', { rerun: true });
      await waitFor(
        async () => (await listDeliveries(services.db, { ids: outage.map((d) => d.id) })).map((d) => d.state),
        {
          what: 'the pending deliveries delivered after the re-run',
          until: (states) => states.every((state) => state === 'delivered'),
          intervalMs: 200,
        },
      );
      expect(received.filter((x) => x.includes('outage@edu.example'))).toHaveLength(1);
    } finally {
      await workers.close();
    }
  });
});
