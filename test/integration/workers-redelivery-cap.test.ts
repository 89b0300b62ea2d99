// The inbox sweeper's attempt cap (issue 11, point 16): an event whose job never finishes, because it crashes or
// stalls its worker every time, ends in the dead-letter table after INBOX_MAX_REDELIVERIES instead of circling for
// ever; and rows that a job still holds (a batch waiting in the queue) are neither re-added nor counted.
import { UnrecoverableError, Worker } from 'bullmq';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { visitEventJobId } from '../../jobs/producer.ts';
import { startSweeper } from '../../services/workers/sweeper.ts';
import { rootLogger } from '../../shared/log.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { startCrashingWorkerChild } from '../helpers/crashing-worker-child.ts';
import { createReferenceData, insertInboxEvents, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import type { Child } from '../helpers/processes.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ poolSize: 3, producer: true });
let ref: ReferenceData;
const children: Child[] = [];

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill('SIGTERM');
      await c.exited;
    }
  }
});

const age = (ids: number[], seconds: number) =>
  sql`UPDATE inbox_events SET received_at = now() - make_interval(secs => ${seconds}) WHERE id = ANY(${ids}::bigint[])`.execute(
    services.db,
  );

async function inboxRow(id: number) {
  return services.db
    .selectFrom('inbox_events')
    .select(['status', 'redeliveries', 'error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('inbox sweeper: attempt cap and live jobs', { timeout: 120_000 }, () => {
  it('leaves rows of a batch job still waiting in the queue alone, and does not count them', async () => {
    const ids = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref), visitEvent(ref), visitEvent(ref)]);
    await services.producer.enqueueVisitEvents(ids); // one batch job `evb-<first>-<last>`, no worker running
    await age(ids, 120);
    const sweeper = startSweeper({
      db: services.db,
      producer: services.producer,
      log: rootLogger,
      redeliverySeconds: 60,
      intervalMs: 60_000,
    });
    try {
      expect(await sweeper.sweepOnce()).toBe(0);
      const q = services.producer.queue('visit-events');
      for (const id of ids) expect(await q.getJob(visitEventJobId(id))).toBeUndefined();
      expect(await q.getWaitingCount()).toBe(1);
      for (const id of ids) expect((await inboxRow(id)).redeliveries).toBe(0);
      // Once the batch job is gone (lost), they are redelivered, one job each, and counted.
      await q.obliterate({ force: true });
      expect(await sweeper.sweepOnce()).toBe(3);
      for (const id of ids) expect((await inboxRow(id)).redeliveries).toBe(1);
      await q.obliterate({ force: true });
      await sql`UPDATE inbox_events SET status = 'processed' WHERE id = ANY(${ids}::bigint[])`.execute(services.db);
    } finally {
      await sweeper.stop();
    }
  });

  it('dead-letters an event whose job fails every time without its handler finishing, after the cap; dlq replay gives it a fresh budget', async () => {
    const [id] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    await age([id!], 120);
    // What a worker that dies on this event leaves behind, as fast as possible: the job ends failed at once (as BullMQ
    // fails a job that stalled more than it allows), the row untouched.
    const q = services.producer.queue('visit-events');
    const crashing = new Worker(
      'visit-events',
      () => Promise.reject(new UnrecoverableError('job stalled more than allowable limit')),
      {
        connection: services.redis.duplicate({ maxRetriesPerRequest: null }), // a worker's connection waits for ever
        prefix: services.queue.prefix,
      },
    );
    const sweeper = startSweeper({
      db: services.db,
      producer: services.producer,
      log: rootLogger,
      redeliverySeconds: 60,
      maxRedeliveries: 2,
      intervalMs: 60_000,
    });
    try {
      for (let round = 1; round <= 2; round++) {
        expect(await sweeper.sweepOnce()).toBe(1);
        expect((await inboxRow(id!)).redeliveries).toBe(round);
        await waitFor(async () => (await q.getJob(visitEventJobId(id!)))?.getState(), {
          what: 'the job to fail',
          until: (s) => s === 'failed',
        });
      }
      // The third time the sweeper would put it back, it gives up instead.
      expect(await sweeper.sweepOnce()).toBe(0);
      const row = await inboxRow(id!);
      expect(row.status).toBe('rejected');
      expect(row.error).toContain('gave up after 2 redeliveries');
      const letters = await services.db.selectFrom('dead_letters').selectAll().where('inbox_id', '=', id!).execute();
      expect(letters).toHaveLength(1);
      expect(letters[0]!.attempts).toBe(3);
      expect(await sweeper.sweepOnce()).toBe(0);
      expect(await (await q.getJob(visitEventJobId(id!)))?.getState()).toBe('failed'); // not re-added

      await crashing.close();
      const env = services.env;
      const list = jsonOut<Array<{ inboxId: number; reason: string }>>(await runLedger(['dlq', 'list', '--json'], env));
      expect(list.find((l) => l.inboxId === id)?.reason).toContain('crashed or stalled');
      const replay = await runLedger(['dlq', 'replay', '--json'], env);
      expect(replay.code, replay.stderr).toBe(0);
      expect(await inboxRow(id!)).toMatchObject({ status: 'accepted', redeliveries: 0 });
      await q.obliterate({ force: true });
      await sql`UPDATE inbox_events SET status = 'processed' WHERE id = ${id!}`.execute(services.db);
    } finally {
      await sweeper.stop();
      await crashing.close();
    }
  });

  it('an event that kills its worker process every time ends in the dead-letter table, and later events are processed', async () => {
    const [poison] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    await services.producer.enqueueVisitEvents([poison!]); // as the API does after its commit
    const env = {
      ...services.env,
      DB_POOL_SIZE: '3',
      WORKER_CONCURRENCY: '4',
      INBOX_REDELIVERY_SECONDS: '1',
      INBOX_MAX_REDELIVERIES: '1',
      POISON_INBOX_ID: String(poison),
    };
    // Short locks, so that a dead worker's job is found stalled within seconds (BullMQ fails it on its second stall).
    const overrides = { lockDurationMs: 2000, stalledIntervalMs: 500, sweepIntervalMs: 500 };
    let crashes = 0;
    const end = Date.now() + 100_000;
    // Each worker process takes the poison event and dies; the next one is started, as a supervisor would.
    while ((await inboxRow(poison!)).status === 'accepted') {
      if (Date.now() > end)
        throw new Error(`still accepted after ${crashes} crashes: ${JSON.stringify(await inboxRow(poison!))}`);
      const child = await startCrashingWorkerChild(env, overrides);
      children.push(child);
      await Promise.race([
        child.exited,
        waitFor(() => inboxRow(poison!), {
          what: 'a crash or the dead letter',
          until: (row) => row.status !== 'accepted',
          timeoutMs: 20_000,
        }).catch(() => {}),
      ]);
      if (child.process.signalCode === 'SIGKILL') crashes++;
    }
    const row = await inboxRow(poison!);
    expect(row.status).toBe('rejected');
    expect(row.error).toContain('gave up after 1 redeliveries');
    expect(crashes).toBeGreaterThanOrEqual(2);
    expect(
      await services.db.selectFrom('dead_letters').select('id').where('inbox_id', '=', poison!).execute(),
    ).toHaveLength(1);

    // The poison is out of the way: a worker stays up and processes what comes next.
    const [healthy] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    await services.producer.enqueueVisitEvents([healthy!]);
    const survivor =
      children.at(-1)!.process.exitCode === null && children.at(-1)!.process.signalCode === null
        ? children.at(-1)!
        : await startCrashingWorkerChild(env, overrides);
    if (!children.includes(survivor)) children.push(survivor);
    await waitFor(() => inboxRow(healthy!), {
      what: 'the next event to be processed',
      until: (x) => x.status === 'processed',
    });
    expect(survivor.process.signalCode).toBeNull();
  });
});
