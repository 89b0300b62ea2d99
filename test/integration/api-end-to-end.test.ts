// Through HTTP to processed visits: the API and the workers together, idempotence under concurrent repeats, and a
// queue lost between commit and processing (Redis flushed, Redis down) with the sweeper delivering anyway.
import http from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { createApiKey, startTestApi } from '../helpers/api.ts';
import { createReferenceData, retraction, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { startPrivateRedis } from '../helpers/processes.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
let workers: Workers | undefined;
let ref: ReferenceData;

const workerConfig = (redisUrl: string, prefix: string) =>
  loadConfig({
    DATABASE_URL: services.database.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '8',
    DB_POOL_SIZE: '4',
    INBOX_REDELIVERY_SECONDS: '1',
  });

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

afterAll(async () => {
  await workers?.close();
});

/** Waits for what the workers do; a timeout also says what the rejected rows say (why the workers refused events). */
async function waitForWorkers<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  try {
    return await waitFor(probe, { what, until: done, timeoutMs: 30_000 });
  } catch (err) {
    const { rows } = await sql<{
      error: string;
    }>`SELECT DISTINCT error FROM inbox_events WHERE status = 'rejected' LIMIT 3`.execute(services.db);
    throw new Error(`${(err as Error).message}; rejected rows say: ${JSON.stringify(rows.map((x) => x.error))}`);
  }
}

const statusOf = async (eventIds: string[]) => {
  const { rows } = await sql<{
    status: string;
    n: number;
  }>`SELECT status, count(*)::int AS n FROM inbox_events WHERE event_id = ANY(${eventIds}) GROUP BY status`.execute(
    services.db,
  );
  return Object.fromEntries(rows.map((x) => [x.status, x.n])) as Record<string, number>;
};

/** POST over a node:http agent limited to `connections` sockets (keep-alive): real concurrent connections. */
function postWith(agent: http.Agent, path: string, key: string, body: unknown): Promise<number> {
  const url = new URL(path, services.api.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('API and workers together', () => {
  it('processes events posted singly and in a batch into visits; GET shows accepted, then processed with the employer', async () => {
    const singles = Array.from({ length: 20 }, () => visitEvent(ref));
    const batched = Array.from({ length: 200 }, () => visitEvent(ref));
    for (const ev of singles)
      expect((await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev })).status).toBe(202);
    const before = await services.api.request('GET', `/v1/visit-events/${singles[0]!.eventId}`, { key: ref.apiKey });
    expect(before.body.status).toBe('accepted');
    const res = await services.api.request('POST', '/v1/visit-events/batch', {
      key: ref.apiKey,
      body: { events: batched },
    });
    expect(res.body.results.every((x: { status: string }) => x.status === 'accepted')).toBe(true);

    workers = await startWorkers(workerConfig(services.queue.url, services.queue.prefix), { sweepIntervalMs: 0 }); // only the queue delivers here
    const ids = [...singles, ...batched].map((e) => e.eventId);
    await waitForWorkers(
      'processed',
      () => statusOf(ids),
      (s) => s.processed === 220,
    );
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM visits WHERE event_id = ANY(${ids}) AND state = 'active'`.execute(services.db);
    expect(rows[0]!.n).toBe(220);
    const after = await services.api.request('GET', `/v1/visit-events/${singles[0]!.eventId}`, { key: ref.apiKey });
    expect(after.body).toEqual({
      eventId: singles[0]!.eventId,
      status: 'processed',
      visit: { universityCode: ref.universityCode, ref: singles[0]!.visit.ref },
      employerId: expect.any(Number),
    });

    // Workers in this process observe the processing-latency histogram that /metrics serves.
    const metrics = await services.api.request('GET', '/metrics');
    expect(Number(/^ledger_event_processing_seconds_count (\S+)$/m.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(
      220,
    );

    // A retraction through HTTP turns the visit into a tombstone.
    const retract = retraction(ref, singles[1]!.visit.ref);
    expect((await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: retract })).status).toBe(
      202,
    );
    await waitForWorkers(
      'retracted',
      async () =>
        (
          await services.db
            .selectFrom('visits')
            .select('state')
            .where('ref', '=', singles[1]!.visit.ref)
            .executeTakeFirst()
        )?.state,
      (s) => s === 'retracted',
    );
  });

  it('keeps the event as sent in the inbox, and fields the contract does not know never reach the visit', async () => {
    workers ??= await startWorkers(workerConfig(services.queue.url, services.queue.prefix), { sweepIntervalMs: 0 });
    const base = visitEvent(ref);
    const sent = {
      ...base,
      extra: 'ignored',
      visit: {
        ...base.visit,
        leaders: [{ role: 'secretary', name: '李四', phone: '13800000000' }],
        employer: { ...base.visit.employer, foo: 1 },
      },
    };
    expect((await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: sent })).status).toBe(202);
    await waitForWorkers(
      'processed',
      () => statusOf([sent.eventId]),
      (s) => s.processed === 1,
    );
    const inbox = await services.db
      .selectFrom('inbox_events')
      .select('raw_body')
      .where('event_id', '=', sent.eventId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(inbox.raw_body)).toEqual(sent);
    const visit = await services.db
      .selectFrom('visits')
      .select(['leaders', 'has_principal', 'employer_name'])
      .where('ref', '=', sent.visit.ref)
      .executeTakeFirstOrThrow();
    expect(visit).toEqual({
      leaders: [{ role: 'secretary', name: '李四' }],
      has_principal: true,
      employer_name: base.visit.employer!.name,
    });
  });

  it('GET shows rejected with the error when processing fails for good (university deleted after acceptance)', async () => {
    const doomed = await createReferenceData(services.db);
    const national = await createApiKey(services.db, 'national');
    await workers?.close();
    workers = undefined;
    const ev = visitEvent(doomed);
    expect((await services.api.request('POST', '/v1/visit-events', { key: national, body: ev })).status).toBe(202);
    await services.db.deleteFrom('universities').where('code', '=', doomed.universityCode).execute();
    workers = await startWorkers(workerConfig(services.queue.url, services.queue.prefix), { sweepIntervalMs: 0 });
    const got = await waitForWorkers(
      'rejected',
      () => services.api.request('GET', `/v1/visit-events/${ev.eventId}`, { key: national }),
      (x) => x.body.status !== 'accepted',
    );
    expect(got.body).toMatchObject({
      eventId: ev.eventId,
      status: 'rejected',
      visit: { universityCode: doomed.universityCode, ref: ev.visit.ref },
    });
    expect(got.body.error).toMatch(/\S/);
  });

  it('the same event 20 times from 10 concurrent connections gives one inbox row and one visit', async () => {
    const ev = visitEvent(ref);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    services.closeAtEnd(() => agent.destroy());
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => postWith(agent, '/v1/visit-events', ref.apiKey, ev)),
    );
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    await waitForWorkers(
      'processed',
      () => statusOf([ev.eventId]),
      (s) => s.processed === 1,
    );
    const { rows } = await sql<{ inbox: number; visits: number }>`
      SELECT (SELECT count(*)::int FROM inbox_events WHERE event_id = ${ev.eventId}) AS inbox,
             (SELECT count(*)::int FROM visits WHERE university_code = ${ref.universityCode} AND ref = ${ev.visit.ref}) AS visits`.execute(
      services.db,
    );
    expect(rows[0]).toEqual({ inbox: 1, visits: 1 });
  });
});

describe('queue lost between commit and processing', () => {
  it('delivers events whose jobs were flushed from Redis before any worker ran (sweeper)', async () => {
    const redis = await startPrivateRedis();
    services.closeAtEnd(() => redis.stop());
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: redis.url,
      prefix: 'ledger_e2e_flush',
    });
    services.closeAtEnd(() => own.close());
    const events = Array.from({ length: 30 }, () => visitEvent(ref));
    expect(
      (await own.request('POST', '/v1/visit-events/batch', { key: ref.apiKey, body: { events: events.slice(0, 20) } }))
        .status,
    ).toBe(200);
    for (const ev of events.slice(20))
      expect((await own.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev })).status).toBe(202);
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    expect(await admin.dbsize()).toBeGreaterThan(0);
    expect(await admin.flushall()).toBe('OK');
    admin.disconnect();
    const w = await startWorkers(workerConfig(redis.url, 'ledger_e2e_flush'), { sweepIntervalMs: 300 });
    services.closeAtEnd(() => w.close());
    await waitForWorkers(
      'processed after flush',
      () => statusOf(events.map((e) => e.eventId)),
      (s) => s.processed === 30,
    );
  });

  it('answers 202 while Redis is down (the event is committed) and the sweeper delivers it later', async () => {
    const redis = await startPrivateRedis();
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: redis.url,
      prefix: 'ledger_e2e_down',
    });
    services.closeAtEnd(() => own.close());
    await redis.stop();
    const ev = visitEvent(ref);
    const started = Date.now();
    expect((await own.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev })).status).toBe(202);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await statusOf([ev.eventId])).toEqual({ accepted: 1 });
    const fresh = await startPrivateRedis();
    services.closeAtEnd(() => fresh.stop());
    const w = await startWorkers(workerConfig(fresh.url, 'ledger_e2e_down'), { sweepIntervalMs: 300 });
    services.closeAtEnd(() => w.close());
    await waitForWorkers(
      'processed after Redis came back',
      () => statusOf([ev.eventId]),
      (s) => s.processed === 1,
    );
  });
});
