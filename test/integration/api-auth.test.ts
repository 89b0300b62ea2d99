// Keys cannot be gone around: authentication is decided on the route the router matched, whatever the spelling of the
// request target (percent-encoding, absolute-form, dot segments, double slashes, case, trailing dots …); failed
// authentications are rate-limited per source address; the key cache evicts the least recently used key.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES } from '../../jobs/catalogue.ts';
import { createAuthenticator } from '../../services/api/auth.ts';
import { createApiKey, startTestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { rawRequest, type RawResponse } from '../helpers/raw-http.ts';
import { useTestServices } from '../helpers/setup.ts';

// Spelled attacks fail authentication by the hundred here: the per-address limit is tested on its own instance.
const services = useTestServices({ api: { AUTH_FAILURES_PER_MINUTE: '100000' } });
let ref: ReferenceData;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
  redis = new Redis(services.queue.url, { maxRetriesPerRequest: 1 });
  queue = new Queue(QUEUES.visitEvents, { connection: redis, prefix: services.queue.prefix });
});

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
});

/** Ways of writing one path that a server, a proxy or a router may or may not read as that path. */
function spellings(path: string): { routed: string[]; others: string[] } {
  const segments = path.split('/').slice(1);
  const hex = (c: string) => c.charCodeAt(0).toString(16);
  const encodedFirst = segments.flatMap((seg, i) =>
    /^[a-z]/i.test(seg)
      ? [hex(seg[0]!), hex(seg[0]!).toUpperCase()].map(
          (h) => '/' + segments.map((s, j) => (j === i ? `%${h}${s.slice(1)}` : s)).join('/'),
        )
      : [],
  );
  const allEncoded = '/' + segments.map((s) => [...s].map((c) => `%${hex(c)}`).join('')).join('/');
  // Spellings fastify's router reads as the path itself: each must meet the route's key check.
  const routed = [
    ...encodedFirst,
    allEncoded,
    `http://x${path}`,
    `https://evil.example:8443${path}`,
    `http://127.0.0.1${path}`,
    `${path}#fragment`,
  ];
  const others = [
    `//${path.slice(1)}`,
    path.replace(/\/([^/]+)$/, '//$1'),
    `/x/..${path}`,
    `/x/%2e%2e${path}`,
    `/x/%2E%2E%2F..${path}`,
    `${path.replace(/\/([^/]+)$/, '/./$1')}`,
    path.replace(/^\/([^/]+)/, '/$1/../$1'),
    path.toUpperCase(),
    path.replace(/^\/(.)/, (_m, c: string) => `/${c.toUpperCase()}`),
    path.replace(/^\/([^/]+)/, '/$1.'),
    `${path}.`,
    `${path}/`,
    `${path};x=1`,
    `${path}%00`,
    `${path}%2f`,
    path.replace(/\//g, '\\'),
    path.replace(/^\/(.)/, (_m, c: string) => `/%25${hex(c)}`),
    `/${path.slice(1).replace(/\//g, '%2f')}`,
    `HTTP://X${path}`,
    `http://x${path.replace(/^\/(.)/, (_m, c: string) => `/%${hex(c)}`)}`,
  ];
  return { routed, others };
}

const PROTECTED: Array<[method: string, path: string]> = [
  ['GET', '/admin/queues'],
  ['GET', '/admin/queues/api/queues'],
  ['PUT', '/admin/queues/api/queues/visit-events/empty'],
  ['PUT', '/admin/queues/api/queues/pause'],
  ['POST', '/admin/queues/api/queues/visit-events/add'],
  ['PUT', '/admin/queues/api/queues/visit-events/obliterate'],
  ['GET', '/v1/visit-events/ev-1'],
  ['POST', '/v1/visit-events'],
  ['POST', '/v1/visit-events/batch'],
  ['GET', '/v1/campaigns/2022/rankings'],
  ['GET', '/v1/campaigns/2022/notices'],
  ['GET', '/v1/notices/1'],
  ['GET', '/v1/admin/employers/review'],
];

function send(method: string, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const body =
    method === 'GET'
      ? undefined
      : JSON.stringify(method === 'POST' ? { name: 'x', data: {}, events: [visitEvent(ref)] } : {});
  return rawRequest(services.api.url, method, target, {
    headers: body ? { 'content-type': 'application/json', ...headers } : headers,
    body,
  });
}

const describeAnswer = (method: string, target: string, res: RawResponse) =>
  `${method} ${target} → ${res.status} ${res.headers['content-type'] ?? ''} ${res.text.slice(0, 200)}`;

describe('authentication on the matched route', () => {
  it('answers 401 without a key to every protected route under percent-encoded and absolute-form spellings, and never lets another spelling through', async () => {
    let tried = 0;
    for (const [method, path] of PROTECTED) {
      const { routed, others } = spellings(path);
      for (const target of [path, ...routed]) {
        const res = await send(method, target);
        tried++;
        expect(res.status, describeAnswer(method, target, res)).toBe(401);
        expect(res.headers['content-type'], describeAnswer(method, target, res)).toMatch(/^application\/problem\+json/);
      }
      for (const target of others) {
        const res = await send(method, target);
        tried++;
        // Either the router reads it as the route (then the key is checked) or as no route at all.
        expect([400, 401, 404], describeAnswer(method, target, res)).toContain(res.status);
        expect(res.headers['content-type'], describeAnswer(method, target, res)).toMatch(/^application\/problem\+json/);
      }
    }
    expect(tried).toBeGreaterThan(300);
  });

  it('leaves the queues untouched: no spelling without an admin key empties, pauses, adds to or obliterates a queue', async () => {
    await queue.add('probe', { inboxIds: [0] }, { jobId: 'auth-probe' });
    const national = await createApiKey(services.db, 'national');
    for (const [method, path] of PROTECTED.filter(([, p]) => p.startsWith('/admin/queues/api/queues/'))) {
      const { routed, others } = spellings(path);
      for (const target of [path, ...routed, ...others]) {
        const tries: Array<Record<string, string>> = [
          {},
          { authorization: `Bearer ${national}` },
          { authorization: 'Bearer lk_guess' },
        ];
        for (const headers of tries) {
          const res = await send(method, target, headers);
          expect(res.status, describeAnswer(method, target, res)).toBeGreaterThanOrEqual(400);
          expect(res.status, describeAnswer(method, target, res)).toBeLessThan(500);
        }
      }
    }
    expect(await queue.getJob('auth-probe')).toBeDefined();
    expect(await queue.isPaused()).toBe(false);
    expect(await queue.getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 1, delayed: 0, active: 0 });
  });

  it('answers 403 to a non-admin key on bull-board however it is spelled, and serves an admin key', async () => {
    const national = await createApiKey(services.db, 'national');
    const admin = await createApiKey(services.db, 'admin');
    for (const target of spellings('/admin/queues/api/queues').routed) {
      const res = await send('GET', target, { authorization: `Bearer ${national}` });
      expect(res.status, describeAnswer('GET', target, res)).toBe(403);
    }
    const res = await send('GET', '/%61dmin/queues/api/queues', { authorization: `Bearer ${admin}` });
    expect(res.status).toBe(200);
    expect(res.text).toContain('visit-events');
  });

  it('serves a /v1 route reached by an encoded or absolute-form target with its key as it serves the plain path', async () => {
    const ev = visitEvent(ref);
    expect((await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev })).status).toBe(202);
    for (const target of [
      `/v1/visit-events/${ev.eventId}`,
      `/%761/visit-events/${ev.eventId}`,
      `http://x/v1/visit-events/${ev.eventId}`,
    ]) {
      const res = await send('GET', target, { authorization: `Bearer ${ref.apiKey}` });
      expect(res.status, describeAnswer('GET', target, res)).toBe(200);
      expect(res.body).toMatchObject({ eventId: ev.eventId, status: 'accepted' });
    }
  });

  it('leaves public routes public, whatever their spelling', async () => {
    for (const target of ['/healthz', '/%68ealthz', 'http://x/healthz', '/docs/json', '/%64ocs/json']) {
      const res = await send('GET', target);
      expect(res.status, describeAnswer('GET', target, res)).toBe(200);
    }
  });

  it('answers paths the router refuses (malformed percent-encoding, over-long parameters) with problem+json', async () => {
    for (const target of [
      '/v1/visit-events/%zz',
      '/admin/queues/%E0%A4%A',
      `/v1/visit-events/${'a'.repeat(600)}`,
      '/%',
      '/v1/%',
    ]) {
      const res = await send('GET', target);
      expect([400, 401, 404, 414], describeAnswer('GET', target, res)).toContain(res.status);
      expect(res.headers['content-type'], describeAnswer('GET', target, res)).toMatch(/^application\/problem\+json/);
    }
  });
});

describe('failed authentication is rate-limited per source address', () => {
  it('answers 429 with Retry-After past AUTH_FAILURES_PER_MINUTE, no longer looks guesses up, and keeps serving a key in use', async () => {
    const limited = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { AUTH_FAILURES_PER_MINUTE: '5', API_KEY_CACHE_SECONDS: '60' },
    });
    services.closeAtEnd(() => limited.close());
    const own = await createReferenceData(services.db);
    expect((await limited.request('POST', '/v1/visit-events', { key: own.apiKey, body: visitEvent(own) })).status).toBe(
      202,
    );
    const failures = [
      () => limited.request('GET', '/v1/visit-events/x'),
      () => limited.request('GET', '/v1/visit-events/x', { headers: { authorization: 'Basic abc' } }),
      () => limited.request('GET', '/v1/visit-events/x', { key: 'lk_guess_1' }),
      () => limited.request('GET', '/%61dmin/queues', { key: 'lk_guess_2' }),
      () => limited.request('GET', '/v1/visit-events/x', { key: 'lk_guess_3' }),
    ];
    for (const f of failures) expect((await f()).status).toBe(401);
    const over = await limited.request('GET', '/v1/visit-events/x', { key: 'lk_guess_4' });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.body.detail).toMatch(/failed authentications/);
    // A key that has become valid meanwhile is not even looked up from this address until the minute is over …
    const late = await createApiKey(services.db, 'national');
    expect((await limited.request('GET', '/v1/campaigns/2022/notices', { key: late })).status).toBe(429);
    // … while the key already in use goes on working.
    expect((await limited.request('POST', '/v1/visit-events', { key: own.apiKey, body: visitEvent(own) })).status).toBe(
      202,
    );
    expect((await limited.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('key cache', () => {
  it('evicts the least recently used key when full instead of forgetting every key', async () => {
    const auth = createAuthenticator(services.db, 60, { maxCachedKeys: 3 });
    const inUse = await createApiKey(services.db, 'national', 'lru-in-use');
    expect(await auth.lookup(inUse)).toMatchObject({ name: 'lru-in-use' });
    await auth.lookup('lk_unknown_1');
    await auth.lookup('lk_unknown_2');
    expect(await auth.lookup(inUse)).not.toBeNull(); // used again: now the most recent
    await auth.lookup('lk_unknown_3'); // full: the least recently used (lk_unknown_1) goes, not everything
    await services.db
      .updateTable('api_clients')
      .set({ revoked_at: new Date() })
      .where('name', '=', 'lru-in-use')
      .execute();
    expect(auth.cached(inUse)).toBeDefined();
    expect(await auth.lookup(inUse)).toMatchObject({ name: 'lru-in-use' }); // still the cached answer (60 s here)
    expect(auth.cached('lk_unknown_1')).toBeUndefined();
    expect(auth.cached('lk_unknown_3')).toBeDefined();
  });
});
