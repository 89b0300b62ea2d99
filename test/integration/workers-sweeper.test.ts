import { Worker } from 'bullmq';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { visitEventJobId } from '../../jobs/producer.ts';
import { rootLogger } from '../../shared/log.ts';
import { startSweeper } from '../../services/workers/sweeper.ts';
import { createReferenceData, insertInboxEvents, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ poolSize: 3, producer: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

const age = (ids: number[], seconds: number) =>
  sql`UPDATE inbox_events SET received_at = now() - make_interval(secs => ${seconds}) WHERE id = ANY(${ids}::bigint[])`.execute(
    services.db,
  );

describe('inbox sweeper', () => {
  it('re-enqueues rows still accepted after the redelivery delay, and leaves younger rows alone', async () => {
    const old = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref), visitEvent(ref), visitEvent(ref)]);
    const young = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    await age(old, 120);
    const sweeper = startSweeper({
      db: services.db,
      producer: services.producer,
      log: rootLogger,
      redeliverySeconds: 60,
      intervalMs: 60_000,
    });
    try {
      expect(await sweeper.sweepOnce()).toBe(3);
      const q = services.producer.queue('visit-events');
      for (const id of old) expect(await (await q.getJob(visitEventJobId(id)))?.getState()).toBe('waiting');
      expect(await q.getJob(visitEventJobId(young[0]!))).toBeUndefined();
      // Sweeping again while the jobs still wait adds nothing new.
      await sweeper.sweepOnce();
      expect(await q.getWaitingCount()).toBe(3);
      await q.drain();
      await sql`UPDATE inbox_events SET status = 'processed' WHERE id = ANY(${[...old, ...young]}::bigint[])`.execute(
        services.db,
      );
    } finally {
      await sweeper.stop();
    }
  });

  it('replaces a failed job of a row that is still accepted, so it runs again', async () => {
    const [id] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    const q = services.producer.queue('visit-events');
    await q.add('visit-events', { inboxIds: [id!] }, { jobId: visitEventJobId(id!), attempts: 1 });
    const failing = new Worker('visit-events', async () => Promise.reject(new Error('database unreachable')), {
      connection: services.redis.duplicate({ maxRetriesPerRequest: null }), // a worker's connection waits for ever
      prefix: services.queue.prefix,
    });
    const failed = new Promise<void>((res) => failing.on('failed', () => res()));
    await failed;
    await failing.close();
    expect(await (await q.getJob(visitEventJobId(id!)))?.getState()).toBe('failed');

    await age([id!], 120);
    const sweeper = startSweeper({
      db: services.db,
      producer: services.producer,
      log: rootLogger,
      redeliverySeconds: 60,
      intervalMs: 60_000,
    });
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
