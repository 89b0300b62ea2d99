import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/job.ts';
import type { QueueName } from '../../jobs/catalogue.ts';
import { Coalescer, processVisitEvents, processVisitEventsJob } from '../../jobs/process-visit-events.job.ts';
import { loadConfig } from '../../shared/config.ts';
import { createDb } from '../../shared/db/database.ts';
import { rootLogger } from '../../shared/log.ts';
import { getVisit } from '../../shared/repositories/visit.repository.ts';
import { checkHandlers, startWorkers } from '../../services/workers/index.ts';
import {
  createReferenceData,
  insertInboxEvents,
  retraction,
  visitEvent,
  type ReferenceData,
} from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
let ctx: JobContext;
let ref: ReferenceData;

beforeAll(async () => {
  const config = loadConfig(services.env);
  ctx = { db: services.db, producer: services.producer, config, log: rootLogger.child({ test: 'workers-processing' }) };
  ref = await createReferenceData(services.db);
});

const inbox = (id: number) =>
  services.db.selectFrom('inbox_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('processing visit events', () => {
  it('creates one visit with the resolved employer and marks the inbox row processed', async () => {
    const ev = visitEvent(ref, {
      visit: {
        ref: 'p-1',
        leaders: [
          { role: 'leader', name: '李四' },
          { role: 'president', name: '王五' },
        ],
      },
    });
    const [id] = await insertInboxEvents(services.db, ref.clientId, [ev]);
    const result = await processVisitEvents(ctx, [id!]);
    expect(result).toEqual({ processed: 1, rejected: 0, redelivered: 0 });
    const row = await inbox(id!);
    expect(row.status).toBe('processed');
    expect(row.employer_id).toBeTypeOf('number');
    expect(row.processed_at).toBeInstanceOf(Date);
    const visit = await getVisit(services.db, ref.universityCode, 'p-1');
    expect(visit).toMatchObject({
      state: 'active',
      event_id: ev.eventId,
      employer_id: row.employer_id,
      has_principal: true,
      positions: 10,
      mode: 'onsite',
      inbox_id: id,
    });
  });

  it('changes nothing when the same inbox row is processed again, or by two workers at once', async () => {
    const [id] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref, { visit: { ref: 'p-2' } })]);
    const both = await Promise.all([processVisitEvents(ctx, [id!]), processVisitEvents(ctx, [id!])]);
    expect(both.map((b) => b.processed).sort()).toEqual([0, 1]);
    const before = await getVisit(services.db, ref.universityCode, 'p-2');
    const again = await processVisitEvents(ctx, [id!]);
    expect(again.processed).toBe(0);
    expect(await getVisit(services.db, ref.universityCode, 'p-2')).toEqual(before);
    expect((await inbox(id!)).attempts).toBe(1);
  });

  it('keeps an amendment processed before its original (latest occurredAt wins)', async () => {
    const original = visitEvent(ref, {
      occurredAt: '2022-04-02T10:00:00+08:00',
      visit: { ref: 'p-3', outcomes: { positions: 1 } },
    });
    const amend = visitEvent(ref, {
      type: 'visit.amended',
      occurredAt: '2022-04-05T10:00:00+08:00',
      visit: { ref: 'p-3', outcomes: { positions: 99 } },
    });
    const [oId, aId] = await insertInboxEvents(services.db, ref.clientId, [original, amend]);
    await processVisitEvents(ctx, [aId!]);
    await processVisitEvents(ctx, [oId!]);
    expect(await getVisit(services.db, ref.universityCode, 'p-3')).toMatchObject({
      state: 'active',
      positions: 99,
      event_id: amend.eventId,
    });
    expect((await inbox(oId!)).status).toBe('processed');
  });

  it('keeps a retracted visit retracted when the original arrives late', async () => {
    const original = visitEvent(ref, { occurredAt: '2022-04-02T10:00:00+08:00', visit: { ref: 'p-4' } });
    const retract = retraction(ref, 'p-4', { occurredAt: '2022-04-03T10:00:00+08:00' });
    const [oId, rId] = await insertInboxEvents(services.db, ref.clientId, [original, retract]);
    await processVisitEvents(ctx, [rId!]);
    expect(await getVisit(services.db, ref.universityCode, 'p-4')).toMatchObject({
      state: 'retracted',
      event_id: retract.eventId,
    });
    await processVisitEvents(ctx, [oId!]);
    expect(await getVisit(services.db, ref.universityCode, 'p-4')).toMatchObject({
      state: 'retracted',
      event_id: retract.eventId,
    });
    // A later amendment does revive it: the latest event wins, whatever its type.
    const revive = visitEvent(ref, {
      type: 'visit.amended',
      occurredAt: '2022-04-09T10:00:00+08:00',
      visit: { ref: 'p-4' },
    });
    const [vId] = await insertInboxEvents(services.db, ref.clientId, [revive]);
    await processVisitEvents(ctx, [vId!]);
    expect(await getVisit(services.db, ref.universityCode, 'p-4')).toMatchObject({
      state: 'active',
      event_id: revive.eventId,
    });
  });

  it('breaks a tie on occurredAt by the greater eventId, in either order', async () => {
    const at = '2022-04-02T10:00:00+08:00';
    for (const order of [
      [0, 1],
      [1, 0],
    ]) {
      const visitRef = `p-tie-${order.join('')}`;
      const events = [
        visitEvent(ref, {
          eventId: `tie-${visitRef}-a`,
          occurredAt: at,
          visit: { ref: visitRef, outcomes: { positions: 1 } },
        }),
        visitEvent(ref, {
          eventId: `tie-${visitRef}-b`,
          occurredAt: at,
          type: 'visit.amended',
          visit: { ref: visitRef, outcomes: { positions: 2 } },
        }),
      ];
      const ids = await insertInboxEvents(services.db, ref.clientId, events);
      for (const i of order) await processVisitEvents(ctx, [ids[i]!]);
      expect(await getVisit(services.db, ref.universityCode, visitRef)).toMatchObject({
        positions: 2,
        event_id: `tie-${visitRef}-b`,
      });
    }
  });

  it('applies a batch whose events touch the same visit in one job', async () => {
    const evs = [
      visitEvent(ref, {
        occurredAt: '2022-04-06T10:00:00+08:00',
        type: 'visit.amended',
        visit: { ref: 'p-5', outcomes: { positions: 6 } },
      }),
      visitEvent(ref, { occurredAt: '2022-04-02T10:00:00+08:00', visit: { ref: 'p-5', outcomes: { positions: 2 } } }),
      visitEvent(ref, { visit: { ref: 'p-6' } }),
    ];
    const ids = await insertInboxEvents(services.db, ref.clientId, evs);
    expect(await processVisitEvents(ctx, ids)).toEqual({ processed: 3, rejected: 0, redelivered: 0 });
    expect(await getVisit(services.db, ref.universityCode, 'p-5')).toMatchObject({ positions: 6 });
  });

  it('dead-letters an event that can never apply without holding back the rest of its batch', async () => {
    const bad = visitEvent(ref, { campaignId: 'no-such-campaign', visit: { ref: 'p-bad' } });
    const good = [visitEvent(ref, { visit: { ref: 'p-g1' } }), visitEvent(ref, { visit: { ref: 'p-g2' } })];
    const ids = await insertInboxEvents(services.db, ref.clientId, [good[0]!, bad, good[1]!]);
    expect(await processVisitEvents(ctx, ids)).toEqual({ processed: 2, rejected: 1, redelivered: 0 });
    const badRow = await inbox(ids[1]!);
    expect(badRow.status).toBe('rejected');
    expect(badRow.error).toMatch(/foreign key|campaign/);
    const dl = await services.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('inbox_id', '=', ids[1]!)
      .executeTakeFirstOrThrow();
    expect(dl.reason).toMatch(/replay/);
    expect(await getVisit(services.db, ref.universityCode, 'p-bad')).toBeUndefined();
    expect((await inbox(ids[0]!)).status).toBe('processed');
    expect((await inbox(ids[2]!)).status).toBe('processed');
  });

  it('dead-letters a stored body the API schema refuses, naming the field, and applies the rest', async () => {
    // Written around the API: no employer, and an unknown mode. The worker reads bodies with the API's schema.
    const bad = visitEvent(ref, { visit: { ref: 'p-schema', employer: undefined } });
    const strange = { ...visitEvent(ref, { visit: { ref: 'p-mode' } }) };
    (strange.visit as { mode: string }).mode = 'by-letter';
    const good = visitEvent(ref, { visit: { ref: 'p-schema-ok' } });
    const ids = await insertInboxEvents(services.db, ref.clientId, [bad, strange, good]);
    expect(await processVisitEvents(ctx, ids)).toEqual({ processed: 1, rejected: 2, redelivered: 0 });
    expect((await inbox(ids[0]!)).error).toMatch(/\/visit\/employer .*resubmit the event/);
    expect((await inbox(ids[1]!)).error).toMatch(/\/visit\/mode must be onsite, invited or online/);
    const reasons = await services.db
      .selectFrom('dead_letters')
      .select('reason')
      .where('inbox_id', 'in', ids)
      .execute();
    expect(reasons).toHaveLength(2);
    expect(await getVisit(services.db, ref.universityCode, 'p-schema')).toBeUndefined();
    expect(await getVisit(services.db, ref.universityCode, 'p-schema-ok')).toMatchObject({ ref: 'p-schema-ok' });
  });

  it('dead-letters a bad event that shared a transaction with other jobs, and applies the others', async () => {
    const coalescer = new Coalescer();
    const evs = Array.from({ length: 30 }, (_, i) => visitEvent(ref, { visit: { ref: `grp-${i}` } }));
    evs[13] = visitEvent(ref, { campaignId: 'missing', visit: { ref: 'grp-bad' } });
    const ids = await insertInboxEvents(services.db, ref.clientId, evs);
    // Submitted together, so that all but the first two go in shared transactions.
    const results = await Promise.all(ids.map((id) => coalescer.submit(ctx, [id], { attempt: 1, maxAttempts: 8 })));
    expect(results.reduce((a, r) => a + r.processed, 0)).toBe(29);
    expect(results[13]).toEqual({ processed: 0, rejected: 1, redelivered: 0 });
    expect((await inbox(ids[13]!)).status).toBe('rejected');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM visits WHERE ref LIKE 'grp-%'`.execute(
      services.db,
    );
    expect(rows[0]!.n).toBe(29);
  });

  it('throws a transient failure so BullMQ retries it, and dead-letters it on the last attempt', async () => {
    const [id] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref, { visit: { ref: 'p-locked' } })]);
    await processVisitEvents(ctx, [id!]);
    const [amend] = await insertInboxEvents(services.db, ref.clientId, [
      visitEvent(ref, { type: 'visit.amended', occurredAt: '2022-04-09T10:00:00+08:00', visit: { ref: 'p-locked' } }),
    ]);
    // Another session holds the visit row; with a short lock_timeout the worker's upsert fails with a retryable error.
    const impatient = createDb(`${services.database.url}?options=${encodeURIComponent('-c lock_timeout=200')}`, {
      poolSize: 2,
    });
    let release!: () => void;
    const released = new Promise<void>((res) => (release = res));
    let signalLocked!: () => void;
    const locked = new Promise<void>((res) => (signalLocked = res));
    const holding = services.db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM visits WHERE ref = 'p-locked' FOR UPDATE`.execute(trx);
      signalLocked();
      await released;
    });
    await locked;
    try {
      const c = { ...ctx, db: impatient };
      await expect(processVisitEvents(c, [amend!], { attempt: 1, maxAttempts: 3 })).rejects.toThrow(/lock timeout/);
      expect((await inbox(amend!)).status).toBe('accepted');
      expect(await processVisitEvents(c, [amend!], { attempt: 3, maxAttempts: 3 })).toEqual({
        processed: 0,
        rejected: 1,
        redelivered: 0,
      });
      const row = await inbox(amend!);
      expect(row.status).toBe('rejected');
      expect(row.error).toMatch(/^gave up after 3 attempts: .*lock timeout/);
    } finally {
      release();
      await holding;
      await impatient.destroy();
    }
  });

  it('runs the queue end to end: jobs from the producer are processed by startWorkers', async () => {
    const config = loadConfig({
      ...services.env,
      WORKER_CONCURRENCY: '4',
      DB_POOL_SIZE: '3',
    });
    const workers = await startWorkers(config, { sweepIntervalMs: 0 });
    try {
      const evs = Array.from({ length: 250 }, (_, i) => visitEvent(ref, { visit: { ref: `q-${i}` } }));
      const ids = await insertInboxEvents(services.db, ref.clientId, evs);
      await services.producer.enqueueVisitEvents(ids.slice(0, 200)); // batch jobs
      for (const id of ids.slice(200)) await services.producer.enqueueVisitEvents([id]); // single jobs
      await waitFor(
        async () => {
          const { rows } = await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM inbox_events WHERE id = ANY(${ids}::bigint[]) AND status = 'processed'`.execute(
            services.db,
          );
          return rows[0]!.n;
        },
        { what: `the ${ids.length} enqueued rows processed`, until: (processed) => processed === ids.length },
      );
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM visits WHERE ref LIKE 'q-%'`.execute(
        services.db,
      );
      expect(rows[0]!.n).toBe(250);
    } finally {
      await workers.close();
    }
  });
});

describe('worker start-up check', () => {
  it('refuses two job modules for one queue, and a queue with waiting jobs but no handler', async () => {
    const queueOf = (name: QueueName) => services.producer.queue(name);
    await expect(checkHandlers([processVisitEventsJob, processVisitEventsJob], queueOf)).rejects.toThrow(
      /visit-events have more than one job module/,
    );
    await services.producer
      .queue('notices')
      .add('notices', { campaignId: '2022', period: '2022-W14' }, { jobId: 'notices-2022-2022-W14' });
    await expect(checkHandlers([processVisitEventsJob], queueOf)).rejects.toThrow(
      /queue notices has 1 jobs but no handler/,
    );
    await services.producer.queue('notices').obliterate({ force: true });
    await expect(checkHandlers([processVisitEventsJob], queueOf)).resolves.toBeUndefined();
  });
});
