// The routes anyone may call: /readyz of an API process stays ready without Redis (ingestion does not need it) and says
// it is degraded; /readyz, /metrics and /docs cannot be used to load the database (shared readings, a rate limit).
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { freePort } from '../helpers/processes.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ redis: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

async function api(
  env: Record<string, string> = {},
  redisUrl = services.queue.url,
  databaseUrl = services.database.url,
): Promise<TestApi> {
  const a = await startTestApi({ databaseUrl, redisUrl, prefix: services.queue.prefix, env });
  services.closeAtEnd(() => a.close());
  return a;
}

/** Connections this test's API processes hold to the test database. */
async function apiConnections(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = ${services.database.name} AND application_name = 'ledger-api'`.execute(
    services.db,
  );
  return rows[0]!.n;
}

describe('/readyz of an API process', () => {
  it('answers 200 "degraded" naming Redis when REDIS_URL points to a closed port, and events are still accepted', async () => {
    const noRedis = await api({}, `redis://127.0.0.1:${await freePort()}`);
    const res = await noRedis.request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'degraded',
      checks: { database: 'up', redis: 'down' },
      degraded: ['redis'],
    });
    expect(res.body.detail).toMatch(/Redis not reachable/);
    expect((await noRedis.request('POST', '/v1/visit-events', { key: ref.apiKey, body: visitEvent(ref) })).status).toBe(
      202,
    );
  });

  it('answers 503 problem+json with Retry-After when PostgreSQL does not answer', async () => {
    const noDatabase = await api({}, services.queue.url, `postgres://postgres@127.0.0.1:${await freePort()}/ledger`);
    const res = await noDatabase.request('GET', '/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.body).toMatchObject({ status: 503, checks: { database: 'down', redis: 'up' } });
  });

  it('answers 200 "ready" when both answer', async () => {
    const res = await (await api()).request('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
  });
});

describe('routes without a key cannot load the database', () => {
  it('answers a burst of 200 /readyz and /metrics requests with one shared reading each, on one connection', async () => {
    const own = await api({ DB_POOL_SIZE: '5' });
    const before = await apiConnections();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => own.request('GET', i % 2 ? '/readyz' : '/metrics')),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Two readings (readiness, gauges) may overlap: at most two connections, where a reading per request takes the pool.
    expect((await apiConnections()) - before).toBeLessThanOrEqual(2);
  });

  it('does not queue readings behind a database that hangs: a burst of /metrics waits on one statement at most', async () => {
    const own = await api();
    await own.request('GET', '/metrics'); // connected and warm
    // Time is the condition here, nothing to poll: once READING_TTL_MS (1 s) has passed, the next request reads again.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Holds inbox_events locked, so that the gauges' reading of the inbox lag waits.
    const locking = services.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE inbox_events IN ACCESS EXCLUSIVE MODE`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    try {
      const burst = Promise.all(Array.from({ length: 40 }, () => own.request('GET', '/metrics')));
      // Sampled for a second, not waited on: the most statements seen waiting at once is what is asserted.
      let most = 0;
      for (let i = 0; i < 10; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = ${services.database.name} AND application_name = 'ledger-api' AND wait_event_type = 'Lock'`.execute(
          services.db,
        );
        most = Math.max(most, rows[0]!.n);
      }
      release();
      const answers = await burst;
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(most).toBe(1);
    } finally {
      release();
      await locking;
    }
  });

  it('rate-limits /docs, /metrics and /readyz per source address (never /healthz)', async () => {
    const own = await api({ RATE_LIMIT_PER_MINUTE: '4' });
    for (const path of ['/docs/json', '/metrics', '/readyz', '/docs/json'])
      expect((await own.request('GET', path)).status).toBe(200);
    for (const path of ['/docs/json', '/metrics', '/readyz', '/docs']) {
      const res = await own.request('GET', path);
      expect(res.status, path).toBe(429);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    for (let i = 0; i < 10; i++) expect((await own.request('GET', '/healthz')).status).toBe(200);
  });
});
