// When an event cannot be stored: a value PostgreSQL refuses is that event's 400/422 and never its batch's; 503 is for
// a database that cannot be used, says whether anything may have been stored, and comes within seconds when
// PostgreSQL hangs (a lock held, or a black-holed connection through a TCP proxy) with a bounded store queue.
import net from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type ApiResponse, type TestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { createRedis } from '../../shared/redis.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const services = useTestServices({ api: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

function expectProblem(res: ApiResponse, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

async function storedIds(ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await services.db.selectFrom('inbox_events').select('event_id').where('event_id', 'in', ids).execute();
  return rows.map((x) => x.event_id).sort();
}

const post = (a: TestApi, body: unknown, key = ref.apiKey) => a.request('POST', '/v1/visit-events', { key, body });
const postBatch = (a: TestApi, events: unknown[], key = ref.apiKey) =>
  a.request('POST', '/v1/visit-events/batch', { key, body: { events } });

describe('a value PostgreSQL cannot store', () => {
  it('answers 400 to an occurredAt in year 0000 or with offset +23:00, and a batch holding them still stores the others', async () => {
    const year0 = visitEvent(ref, { occurredAt: '0000-01-01T00:00:00Z' });
    const offset23 = visitEvent(ref, { occurredAt: '2022-04-02T10:00:00+23:00' });
    for (const bad of [year0, offset23]) {
      const res = await post(services.api, bad);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ path: '/occurredAt', message: expect.any(String) }]);
    }
    const good = [visitEvent(ref), visitEvent(ref)];
    const batch = await postBatch(services.api, [
      good[0],
      { ...year0, eventId: `${year0.eventId}-b` },
      { ...offset23, eventId: `${offset23.eventId}-b` },
      good[1],
    ]);
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((x: { status: string }) => x.status)).toEqual([
      'accepted',
      'invalid',
      'invalid',
      'accepted',
    ]);
    expect(batch.body.results[1].errors).toEqual([
      { path: '/events/1/occurredAt', message: expect.stringMatching(/2000/) },
    ]);
    expect(await storedIds([...good.map((g) => g.eventId), `${year0.eventId}-b`, `${offset23.eventId}-b`])).toEqual(
      good.map((g) => g.eventId).sort(),
    );
  });

  it('answers 422 to an occurredAt more than a day after receipt, so that no event can pin a visit for ever', async () => {
    const ahead = visitEvent(ref, { occurredAt: new Date(Date.now() + 25 * 3600_000).toISOString() });
    const res = await post(services.api, ahead);
    expectProblem(res, 422);
    expect(res.body.errors).toEqual([
      { path: '/occurredAt', message: expect.stringMatching(/more than a day after the event was received/) },
    ]);
    const soon = visitEvent(ref, { occurredAt: new Date(Date.now() + 3600_000).toISOString() });
    const batch = await postBatch(services.api, [{ ...ahead, eventId: `${ahead.eventId}-b` }, soon]);
    expect(batch.body.results.map((x: { status: string }) => x.status)).toEqual(['unprocessable', 'accepted']);
  });

  it('makes a value PostgreSQL refuses despite validation that event’s own 400 or 422, in a batch and among concurrent posts', async () => {
    // A value the database refuses although it passed every check (as a column type or constraint added later would).
    await sql`CREATE FUNCTION refuse_values() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.event_id LIKE 'bad-data-%' THEN RAISE EXCEPTION 'value out of range for the test' USING ERRCODE = '22003'; END IF;
        IF NEW.event_id LIKE 'bad-check-%' THEN RAISE EXCEPTION 'check violated for the test' USING ERRCODE = '23514'; END IF;
        RETURN NEW; END $$`.execute(services.db);
    await sql`CREATE TRIGGER refuse_values BEFORE INSERT ON inbox_events FOR EACH ROW EXECUTE FUNCTION refuse_values()`.execute(
      services.db,
    );
    try {
      const stamp = Date.now();
      const good = Array.from({ length: 6 }, () => visitEvent(ref));
      const badData = visitEvent(ref, { eventId: `bad-data-${stamp}` });
      const badCheck = visitEvent(ref, { eventId: `bad-check-${stamp}` });
      const batch = await postBatch(services.api, [good[0], badData, good[1], good[2], badCheck, good[3]]);
      expect(batch.status).toBe(200);
      expect(batch.body.results.map((x: { status: string }) => x.status)).toEqual([
        'accepted',
        'invalid',
        'accepted',
        'accepted',
        'unprocessable',
        'accepted',
      ]);
      expect(batch.body.results[1].errors).toEqual([
        {
          path: '/events/1',
          message: expect.stringMatching(
            /PostgreSQL cannot store a value of this event \(value out of range for the test\)/,
          ),
        },
      ]);

      const single = await post(services.api, visitEvent(ref, { eventId: `bad-data-single-${stamp}` }));
      expectProblem(single, 400);
      const singles = await Promise.all(
        [good[4], visitEvent(ref, { eventId: `bad-check-single-${stamp}` }), good[5]].map((b) => post(services.api, b)),
      );
      expect(singles.map((s) => s.status)).toEqual([202, 422, 202]);
      expect(await storedIds([...good.map((g) => g.eventId), badData.eventId, badCheck.eventId])).toEqual(
        good.map((g) => g.eventId).sort(),
      );
    } finally {
      await sql`DROP TRIGGER refuse_values ON inbox_events`.execute(services.db);
    }
  });
});

describe('a PostgreSQL that hangs', () => {
  it('answers 503 within the statement timeout while the inbox is locked, saying nothing was stored, and stores nothing', async () => {
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { API_DB_STATEMENT_TIMEOUT_MS: '1000', API_KEY_CACHE_SECONDS: '60' },
    });
    services.closeAtEnd(() => own.close());
    expect((await post(own, visitEvent(ref))).status).toBe(202); // key and reference data cached
    const locker = new pg.Client({ connectionString: services.database.url });
    await locker.connect();
    const single = visitEvent(ref);
    const batch = [visitEvent(ref), visitEvent(ref)];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE inbox_events IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const [a, b] = await Promise.all([post(own, single), postBatch(own, batch)]);
      // Bounds are generous (a busy machine): what they prove is an answer within seconds instead of a hang.
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const res of [a, b]) {
        expectProblem(res, 503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(res.body.detail).toMatch(/did not finish in time.*nothing was stored/);
      }
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    expect(await storedIds([single.eventId, ...batch.map((e) => e.eventId)])).toEqual([]);
    expect((await post(own, single)).status).toBe(202);
  });

  it('answers 503s within seconds through a black-holed connection, holds at most STORE_QUEUE_MAX_EVENTS, and stores again once PostgreSQL answers', async () => {
    const url = new URL(services.database.url);
    const proxy: TcpProxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    services.closeAtEnd(() => proxy.close());
    // Timeouts long enough for all 200 posts to arrive while the first ones still wait, however busy the machine.
    const env = {
      API_DB_STATEMENT_TIMEOUT_MS: '3000',
      DB_CONNECT_TIMEOUT_MS: '3000',
      STORE_QUEUE_MAX_EVENTS: '20',
      API_KEY_CACHE_SECONDS: '60',
    };
    const own = await startTestApi({
      databaseUrl: viaProxy(services.database.url, proxy),
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env,
    });
    services.closeAtEnd(() => own.close());
    expect((await post(own, visitEvent(ref))).status).toBe(202); // key and reference data cached

    proxy.setBlackHole(true);
    const events = Array.from({ length: 200 }, () => visitEvent(ref));
    const started = Date.now();
    const answers = await Promise.all(
      events.map(async (body) => ({ res: await post(own, body), ms: Date.now() - started })),
    );
    proxy.setBlackHole(false);

    for (const { res } of answers) {
      expectProblem(res, 503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    }
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(15_000);
    // Beyond the 20 waiting and the 2 statements in flight, requests are refused at once instead of queueing.
    const full = answers.filter((a) => /too many events are waiting/.test(a.res.body.detail));
    expect(full.length).toBeGreaterThanOrEqual(200 - 20 - 2);
    expect(Math.max(...full.map((a) => a.ms))).toBeLessThan(5000);
    // Those sent into the silence cannot be known stored or not: the answer says so and that re-sending is safe.
    const unknown = answers.filter((a) => /cannot be confirmed as stored/.test(a.res.body.detail));
    expect(unknown.length).toBeGreaterThan(0);
    for (const a of unknown) expect(a.res.body.detail).toMatch(/re-send with the same eventId, which is safe/);
    for (const a of answers.filter((x) => !unknown.includes(x)))
      expect(a.res.body.detail).toMatch(/nothing was stored/);

    // Once PostgreSQL answers again (connections that went silent were dropped, not reused), re-sending stores each once.
    // (Ten at a time: two hundred at once would only find the 20-event queue full.)
    const again: ApiResponse[] = [];
    for (let i = 0; i < events.length; i += 10)
      again.push(...(await Promise.all(events.slice(i, i + 10).map((body) => post(own, body)))));
    expect(again.map((a) => a.status).filter((s) => s !== 202 && s !== 200)).toEqual([]);
    expect(await storedIds(events.map((e) => e.eventId))).toHaveLength(200);
  });
});

describe('a store that fails after its insert committed', () => {
  it('does not claim nothing was stored: it says the fate is unknown and that re-sending is safe', async () => {
    // A role that may insert events but not read their body hashes back: the insert commits, the read after it fails.
    const role = `ledger_partial_${Date.now()}`;
    await sql.raw(`CREATE ROLE ${role} LOGIN`).execute(services.db);
    await sql
      .raw(
        `GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON api_clients, universities, campaigns TO ${role};
      GRANT INSERT, SELECT (id, client_id, event_id) ON inbox_events TO ${role}; GRANT USAGE ON SEQUENCE inbox_events_id_seq TO ${role}`,
      )
      .execute(services.db);
    try {
      const url = new URL(services.database.url);
      url.username = role;
      const own = await startTestApi({
        databaseUrl: url.toString(),
        redisUrl: services.queue.url,
        prefix: services.queue.prefix,
      });
      services.closeAtEnd(() => own.close());
      const first = visitEvent(ref);
      expect((await post(own, first)).status).toBe(202);
      const fresh = visitEvent(ref);
      const res = await postBatch(own, [fresh, first]); // `first` is there already: its body hash must be read back
      expectProblem(res, 503);
      expect(res.body.detail).toMatch(/cannot be confirmed as stored.*re-send with the same eventIds, which is safe/);
      expect(res.body.detail).not.toMatch(/nothing was stored/);
      expect(await storedIds([fresh.eventId])).toEqual([fresh.eventId]);
      await own.close();
    } finally {
      await sql.raw(`DROP OWNED BY ${role}; DROP ROLE ${role}`).execute(services.db);
    }
  });
});

describe('a Redis that hangs', () => {
  it('still answers 202 at once, and leaves one unanswered enqueue with Redis instead of one per group', async () => {
    const redisUrl = new URL(services.queue.url);
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: viaProxy(services.queue.url, proxy),
      prefix: services.queue.prefix,
    });
    try {
      expect((await post(own, visitEvent(ref))).status).toBe(202);
      // Its enqueue done (the job is in Redis) before Redis goes silent: else the next post would wait on it.
      const direct = createRedis(services.queue.url, 'cli');
      try {
        await waitFor(() => direct.keys(`${services.queue.prefix}:visit-events:ev*`), {
          what: 'the first event enqueued',
          until: (keys) => keys.length > 0,
          timeoutMs: 30_000,
        });
      } finally {
        direct.disconnect();
      }
      proxy.setBlackHole(true);
      expect((await post(own, visitEvent(ref))).status).toBe(202);
      await waitFor(() => proxy.swallowedBytes() > 0, {
        what: 'the first enqueue to reach the black hole',
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      const afterFirst = proxy.swallowedBytes();
      // Four rounds, each after the previous enqueue has timed out (1 s): each would send its own addBulk.
      for (let round = 0; round < 4; round++) {
        // Not a wait for a condition: time passing between rounds is the scenario (each round its own addBulk).
        await new Promise((resolve) => setTimeout(resolve, 600));
        const started = Date.now();
        const answers = await Promise.all(Array.from({ length: 5 }, () => post(own, visitEvent(ref))));
        expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
        expect(Date.now() - started).toBeLessThan(1000);
      }
      expect(proxy.swallowedBytes()).toBe(afterFirst);
    } finally {
      await proxy.close(); // the silent connection closes: ioredis fails what it still holds, and the API can close
      await own.close();
    }
  });
});

describe('HTTP timeouts', () => {
  it('closes a connection that sends half a request and then nothing, after HTTP_CONNECTION_TIMEOUT_MS', async () => {
    const own = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { HTTP_CONNECTION_TIMEOUT_MS: '500' },
    });
    services.closeAtEnd(() => own.close());
    const target = new URL(own.url);
    const socket = net.connect(Number(target.port), target.hostname);
    socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write(
      `POST /v1/visit-events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ref.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"eventId":`,
    );
    const at = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 15_000))]);
    socket.destroy();
    expect(at).toBeGreaterThan(0);
    expect(at - started).toBeLessThan(8000);
  });
});
