// Operations around the endpoints: health, readiness, metrics, the OpenAPI document, bull-board, rate limit,
// request ids in log lines, and 503 when PostgreSQL or Redis is gone.
import http from 'node:http';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../jobs/producer.ts';
import { buildApp } from '../../services/api/app.ts';
import { loadConfig } from '../../shared/config.ts';
import { createApiKey, startTestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { freePort } from '../helpers/processes.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';
import { createTestDatabase } from '../helpers/test-db.ts';

const services = useTestServices({ api: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

describe('health', () => {
  it('/healthz answers 200 without a key', async () => {
    const res = await services.api.request('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when PostgreSQL and Redis answer', async () => {
    const res = await services.api.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  });

  it('/readyz answers 200 "degraded" naming Redis when Redis does not answer (ingestion does not need it)', async () => {
    const noRedis = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      prefix: services.queue.prefix,
    });
    services.closeAtEnd(() => noRedis.close());
    const res = await noRedis.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'degraded', checks: { database: 'up', redis: 'down' } });
  });
});

describe('graceful close', () => {
  it('finishes a request already in flight, then refuses new connections', async () => {
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
    });
    const events = Array.from({ length: 200 }, () => visitEvent(ref));
    const payload = Buffer.from(JSON.stringify({ events }));
    const url = new URL('/v1/visit-events/batch', own.url);
    // Headers and half the body first: the request is in flight when close() starts. The server's 100 Continue says it
    // has read the headers (until then the connection is idle, and close() would simply drop it).
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        authorization: `Bearer ${ref.apiKey}`,
        'content-type': 'application/json',
        'content-length': payload.length,
        expect: '100-continue',
      },
    });
    const headersRead = new Promise<void>((resolve) => req.once('continue', () => resolve()));
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.flushHeaders();
    await headersRead;
    req.write(payload.subarray(0, payload.length >> 1));
    const closing = own.close();
    await waitFor(
      () =>
        fetch(`${own.url}/healthz`).then(
          () => false,
          () => true,
        ),
      { what: 'the closing API to refuse new connections', timeoutMs: 5000, intervalMs: 20 },
    );
    req.end(payload.subarray(payload.length >> 1));
    const res = await answer;
    await closing;
    expect(res.status).toBe(200);
    expect(
      (JSON.parse(res.body) as { results: Array<{ status: string }> }).results.filter((x) => x.status === 'accepted'),
    ).toHaveLength(200);
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
  });
});

describe('PostgreSQL gone', () => {
  it('answers 503 to an event that cannot be stored, and /readyz says the database is down', async () => {
    const own = await createTestDatabase(2);
    const ownRef = await createReferenceData(own.db);
    const ownApi = await startTestApi({
      databaseUrl: own.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { API_KEY_CACHE_SECONDS: '60' },
    });
    services.closeAtEnd(() => ownApi.close());
    // Warm the key and reference caches, then take the database away.
    expect(
      (await ownApi.request('POST', '/v1/visit-events', { key: ownRef.apiKey, body: visitEvent(ownRef) })).status,
    ).toBe(202);
    await own.drop();
    const single = await ownApi.request('POST', '/v1/visit-events', { key: ownRef.apiKey, body: visitEvent(ownRef) });
    expectProblem(single, 503);
    expect(single.body.detail).toMatch(/cannot be stored/);
    const batch = await ownApi.request('POST', '/v1/visit-events/batch', {
      key: ownRef.apiKey,
      body: { events: [visitEvent(ownRef), visitEvent(ownRef)] },
    });
    expectProblem(batch, 503);
    // Refusing needs no database: a batch of only malformed events is still judged.
    const refused = await ownApi.request('POST', '/v1/visit-events/batch', {
      key: ownRef.apiKey,
      body: { events: [{ eventId: 'x' }] },
    });
    expect(refused.status).toBe(200);
    expect(refused.body.results[0].status).toBe('invalid');
    const ready = await ownApi.request('GET', '/readyz');
    expectProblem(ready, 503);
    expect(ready.body.checks.database).toBe('down');
    // An uncached key cannot be checked either: 503, not 401.
    expectProblem(
      await ownApi.request('POST', '/v1/visit-events', { key: 'lk_never_seen', body: visitEvent(ownRef) }),
      503,
    );
  });
});

describe('single posts stored together', () => {
  it('stores concurrent posts in shared statements, and one the database refuses fails alone', async () => {
    // A row the database refuses although it passed every check (as a full disk or a broken index would refuse it).
    await sql`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.event_id LIKE 'poison-%' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`.execute(
      services.db,
    );
    await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox_events FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(
      services.db,
    );
    // Slow statements, so that requests arriving meanwhile pile up into groups.
    await sql`CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$`.execute(
      services.db,
    );
    await sql`CREATE TRIGGER slow_insert BEFORE INSERT ON inbox_events FOR EACH STATEMENT EXECUTE FUNCTION slow_insert()`.execute(
      services.db,
    );
    try {
      const good = Array.from({ length: 40 }, () => visitEvent(ref));
      const poison = visitEvent(ref, { eventId: `poison-${Date.now()}` });
      const answers = await Promise.all(
        [...good.slice(0, 20), poison, ...good.slice(20)].map((body) =>
          services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body }),
        ),
      );
      expect(answers.filter((a) => a.status === 202)).toHaveLength(40);
      expectProblem(answers[20]!, 503);
      const stored = await services.db
        .selectFrom('inbox_events')
        .select('event_id')
        .where('event_id', 'in', [...good.map((g) => g.eventId), poison.eventId])
        .execute();
      expect(stored.map((x) => x.event_id).sort()).toEqual(good.map((g) => g.eventId).sort());
    } finally {
      await sql`DROP TRIGGER refuse_poison ON inbox_events`.execute(services.db);
      await sql`DROP TRIGGER slow_insert ON inbox_events`.execute(services.db);
    }
  });
});

describe('metrics', () => {
  it('/metrics counts accepted, duplicate and rejected-by-reason events and shows queue depth, inbox lag and the latency histogram', async () => {
    const ev = visitEvent(ref);
    await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev });
    await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev });
    await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: { ...ev, eventId: 'x y' } });
    await services.api.request('POST', '/v1/visit-events', {
      key: ref.apiKey,
      body: visitEvent(ref, { campaignId: 'none' }),
    });
    const res = await services.api.request('GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(res.text)?.[1]);
    expect(value('ledger_events_accepted_total')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_events_duplicate_total')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_events_rejected_total{reason="invalid"}')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_events_rejected_total{reason="unprocessable"}')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_queue_depth{queue="visit-events"}')).toBeGreaterThanOrEqual(1); // no workers here: the job waits
    expect(value('ledger_inbox_lag_seconds')).toBeGreaterThan(0);
    expect(res.text).toMatch(/^# TYPE ledger_event_processing_seconds histogram$/m);
  });
});

describe('OpenAPI document', () => {
  it('serves the UI at /docs and the document at /docs/json with the visit-event routes', async () => {
    const ui = await fetch(`${services.api.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
    const doc = await services.api.request('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/visit-events',
        '/v1/visit-events/batch',
        '/v1/visit-events/{eventId}',
        '/healthz',
        '/readyz',
      ]),
    );
    expect(Object.keys(doc.body.paths).some((p) => p.startsWith('/admin/queues'))).toBe(false);
    expect(JSON.stringify(doc.body.paths['/v1/visit-events'].post.requestBody)).toContain('leaders');
  });
});

describe('bull-board', () => {
  it('/admin/queues answers 401 without a key, 403 for a non-admin key and 200 for an admin key', async () => {
    expectProblem(await services.api.request('GET', '/admin/queues'), 401);
    expectProblem(
      await services.api.request('GET', '/admin/queues', { key: await createApiKey(services.db, 'national') }),
      403,
    );
    const admin = await createApiKey(services.db, 'admin');
    const page = await services.api.request('GET', '/admin/queues', { key: admin });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html/i);
    const queues = await services.api.request('GET', '/admin/queues/api/queues', { key: admin });
    expect(queues.status).toBe(200);
    expect(queues.text).toContain('visit-events');
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past RATE_LIMIT_PER_MINUTE for that key only', async () => {
    const limited = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { RATE_LIMIT_PER_MINUTE: '3' },
    });
    services.closeAtEnd(() => limited.close());
    const own = await createReferenceData(services.db);
    for (let i = 0; i < 3; i++)
      expect(
        (await limited.request('POST', '/v1/visit-events', { key: own.apiKey, body: visitEvent(own) })).status,
      ).toBe(202);
    const ev = visitEvent(own);
    const res = await limited.request('POST', '/v1/visit-events', { key: own.apiKey, body: ev });
    expectProblem(res, 429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.request('GET', `/v1/visit-events/${ev.eventId}`, { key: own.apiKey })).status).toBe(429);
    // Another key is not affected, nor are the health routes.
    expect((await limited.request('POST', '/v1/visit-events', { key: ref.apiKey, body: visitEvent(ref) })).status).toBe(
      202,
    );
    expect((await limited.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('request ids', () => {
  it('uses x-request-id when given, answers with it, and puts it in every log line of the request', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    const redis = new Redis(services.queue.url, { maxRetriesPerRequest: 1 });
    const producer = createProducer({ connection: redis, prefix: services.queue.prefix });
    const config = loadConfig(services.env);
    const app = await buildApp({ db: services.db, config, producer, log: pino({ level: 'info' }, sink) });
    try {
      const given = await app.inject({
        method: 'POST',
        url: '/v1/visit-events',
        headers: { 'x-request-id': 'req-abc-123', authorization: `Bearer ${ref.apiKey}` },
        payload: visitEvent(ref),
      });
      expect(given.statusCode).toBe(202);
      expect(given.headers['x-request-id']).toBe('req-abc-123');
      const generated = await app.inject({ method: 'GET', url: '/healthz' });
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const ofGiven = lines.filter((l) => l.reqId === 'req-abc-123');
      expect(ofGiven.length).toBeGreaterThanOrEqual(2); // incoming request, request completed
      const requestLines = lines.filter((l) => 'request' in l || 'response' in l);
      expect(requestLines.every((l) => typeof l.reqId === 'string')).toBe(true);
    } finally {
      await app.close();
      await producer.close();
      redis.disconnect();
    }
  });
});
