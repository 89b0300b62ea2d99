// Hostile input, seeded so that a failure replays: 1,200 requests over plain sockets (bytes exactly as written) —
// mutated valid events and batches, raw garbage bodies, hostile headers and request lines, encoded and absolute-form
// paths, deep nesting, huge numbers, wrong content types — against the real API with the workers running.
// Never a 5xx; every 4xx is application/problem+json; the inbox holds exactly the events answered "accepted"; and
// every accepted event is processed.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData, retraction, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { rawRequest, sendRaw, type RawResponse } from '../helpers/raw-http.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const REQUESTS = 1200;
const SEED = 20220401;

// Limits high: this test is about what the parsers and routes make of hostile input (api-auth tests the limits).
const services = useTestServices({
  api: { RATE_LIMIT_PER_MINUTE: '10000000', AUTH_FAILURES_PER_MINUTE: '1000000', API_KEY_CACHE_SECONDS: '600' },
  workers: { env: { WORKER_CONCURRENCY: '16', DB_POOL_SIZE: '4', INBOX_REDELIVERY_SECONDS: '2' } },
});
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

// ── a seeded generator of hostile requests ─────────────────────────────────────────────────────────────────────
/** mulberry32: small, fast, and the same sequence for the same seed. */
function rng(seed: number) {
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What is sent: either a request built from parts, or raw bytes for what no client library would send. */
type Hostile =
  | { kind: string; method: string; target: string; headers: Record<string, string>; body?: string | Buffer }
  | { kind: string; bytes: Buffer };

const ODD_STRINGS = [
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\u202E',
  '\u200B',
  '\uFEFF',
  '😀',
  'e\u0301',
  '\u3000',
  '\\',
  '"',
  '\n',
  '𠀀',
  '\u0085',
  '%00',
  '../',
  '<script>',
  "' OR 1=1 --",
  '${jndi:x}',
];
const HUGE_NUMBERS = [
  '1e400',
  '-1e400',
  '1E+99999',
  '123456789012345678901234567890123456789',
  '0.' + '0'.repeat(400) + '1',
  '-0',
  '9007199254740993',
  '1' + '0'.repeat(1000),
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/jsonx',
  'application/problem+json',
  'application/octet-stream',
  '*/*',
  '',
];
const ROUTES: Array<[string, string]> = [
  ['POST', '/v1/visit-events'],
  ['POST', '/v1/visit-events/batch'],
  ['GET', '/v1/visit-events/x'],
  ['GET', '/v1/campaigns/2022/rankings'],
  ['GET', '/v1/notices/1'],
  ['GET', '/admin/queues/api/queues'],
  ['PUT', '/admin/queues/api/queues/visit-events/empty'],
  ['GET', '/readyz'],
  ['GET', '/docs/json'],
];

function weird(g: Rng): Json {
  return g.pick<() => Json>([
    () => null,
    () => g.chance(0.5),
    () => g.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MIN_VALUE]),
    () => 'x'.repeat(g.pick([0, 129, 2001, 70_000])),
    () => Array.from({ length: 1 + g.int(5) }, () => g.pick(ODD_STRINGS)).join(''),
    () => [],
    () => ({}),
    () => [[[[[]]]]],
    () => ({ nested: { deeper: { deepest: g.pick(ODD_STRINGS) } } }),
  ])();
}

function mutate(g: Rng, value: Json, depth = 0): Json {
  if (value === null || typeof value !== 'object' || depth > 4 || g.chance(0.25)) return weird(g);
  if (Array.isArray(value)) {
    const copy = value.slice();
    if (copy.length && g.chance(0.5)) copy[g.int(copy.length)] = mutate(g, copy[g.int(copy.length)]!, depth + 1);
    else copy.push(weird(g));
    return copy;
  }
  const copy: Record<string, Json> = { ...value };
  const key = g.pick(Object.keys(copy));
  const action = g.next();
  if (action < 0.3) delete copy[key];
  else if (action < 0.8) copy[key] = mutate(g, copy[key]!, depth + 1);
  else if (action < 0.9) copy[g.pick(ODD_STRINGS) + key] = copy[key]!;
  else return [copy];
  return copy;
}

const nested = (depth: number, open: string, close: string, inner = '0') =>
  open.repeat(depth) + inner + close.repeat(depth);
/** The event's JSON with `text` spliced in verbatim as an unknown field (for what JSON.stringify cannot write). */
const splice = (event: object, name: string, text: string) =>
  JSON.stringify(event).replace(/\}$/, `,${JSON.stringify(name)}:${text}}`);

function generate(g: Rng, n: number): Hostile[] {
  const key = () => ({ authorization: `Bearer ${ref.apiKey}` });
  const json = (headers: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...key(), ...headers });
  const post = (
    kind: string,
    target: string,
    body: string | Buffer,
    headers: Record<string, string> = json(),
  ): Hostile => ({ kind, method: 'POST', target, headers, body });
  const event = () =>
    (g.chance(0.1)
      ? retraction(ref, `v-hostile-${g.int(50)}`)
      : visitEvent(ref, { visit: { ref: `v-hostile-${g.int(200)}` } })) as unknown as Json;

  const makers: Array<[weight: number, make: () => Hostile]> = [
    [12, () => post('valid event', '/v1/visit-events', JSON.stringify(event()))],
    [
      4,
      () =>
        post(
          'valid batch',
          '/v1/visit-events/batch',
          JSON.stringify({ events: Array.from({ length: 1 + g.int(20) }, event) }),
        ),
    ],
    [20, () => post('mutated event', '/v1/visit-events', JSON.stringify(mutate(g, event())))],
    [
      8,
      () =>
        post(
          'mutated batch',
          '/v1/visit-events/batch',
          JSON.stringify({
            events: Array.from({ length: 1 + g.int(5) }, () => (g.chance(0.6) ? mutate(g, event()) : event())),
          }),
        ),
    ],
    [4, () => post('mutated batch shape', '/v1/visit-events/batch', JSON.stringify(mutate(g, { events: [event()] })))],
    [
      6,
      () => {
        const text = JSON.stringify(event());
        const cut = g.int(text.length);
        const broken = g.pick([
          text.slice(0, cut),
          `${text}}`,
          text.replace(':', ''),
          `\u0000${text}`,
          text.replace(/"/, "'"),
          `\uFEFF${text}`,
          `${text}\n${text}`,
          '',
          ' ',
          'null',
          '[]',
          '"x"',
          '1',
        ]);
        return post('broken JSON', g.pick(['/v1/visit-events', '/v1/visit-events/batch']), broken);
      },
    ],
    [
      5,
      () =>
        post(
          'random bytes',
          g.pick(['/v1/visit-events', '/v1/visit-events/batch']),
          Buffer.from(Array.from({ length: g.int(3000) }, () => g.int(256))),
        ),
    ],
    [
      6,
      () => {
        const depth = g.pick([33, 100, 5000, 100_000, 300_000]);
        const shape = g.pick([
          ['[', ']'],
          ['{"a":', '}'],
        ] as const);
        const deep = nested(depth, shape[0], shape[1]);
        return g.chance(0.5)
          ? post(
              'deep nesting',
              '/v1/visit-events',
              splice(event() as object, g.pick(['extra', 'x-meta', '__meta']), deep),
            )
          : post('deep nesting', '/v1/visit-events/batch', `{"events":[${splice(event() as object, 'extra', deep)}]}`);
      },
    ],
    [2, () => post('deep nesting', '/v1/visit-events', nested(g.pick([1000, 200_000]), '[', ']'))],
    [
      6,
      () => {
        const text = JSON.stringify(event()).replace(/"positions":\d+/, `"positions":${g.pick(HUGE_NUMBERS)}`);
        return post(
          'huge numbers',
          '/v1/visit-events',
          g.chance(0.5) ? text : splice(event() as object, 'n', g.pick(HUGE_NUMBERS)),
        );
      },
    ],
    [
      2,
      () => post('many values', '/v1/visit-events', splice(event() as object, 'extra', `[${'0,'.repeat(450_000)}0]`)),
    ],
    [
      4,
      () => {
        const poison = g.pick([
          '{"__proto__":{"admin":true}}',
          '{"constructor":{"prototype":{"admin":true}}}',
          '{"\\u005f_proto__":{"x":1}}',
        ]);
        return post(
          'prototype poisoning',
          g.pick(['/v1/visit-events', '/v1/visit-events/batch']),
          splice(event() as object, 'extra', poison),
        );
      },
    ],
    [
      6,
      () =>
        post('wrong content type', '/v1/visit-events', JSON.stringify(event()), {
          ...key(),
          'content-type': g.pick(CONTENT_TYPES),
        }),
    ],
    [
      6,
      () => {
        const auth = g.pick([
          '',
          'Bearer',
          'Bearer ',
          `Bearer ${ref.apiKey} extra`,
          `bearer ${ref.apiKey}`,
          `Basic ${Buffer.from('a:b').toString('base64')}`,
          `Bearer ${'k'.repeat(8000)}`,
          'Bearer lk_guess',
          `Bearer ${ref.apiKey.toUpperCase()}`,
          'Bearer \u00ff\u00fe',
        ]);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth) headers.authorization = auth;
        return post('hostile authorization', '/v1/visit-events', JSON.stringify(event()), headers);
      },
    ],
    [
      6,
      () =>
        post('hostile headers', '/v1/visit-events', JSON.stringify(event()), {
          ...json(),
          ...g.pick<Record<string, string>>([
            { 'x-request-id': 'r'.repeat(4000) },
            { 'x-request-id': '\u00e9\u00ff' },
            { 'x-forwarded-for': '1.2.3.4, ::1, <script>' },
            { 'x-forwarded-host': 'evil.example' },
            { accept: 'application/xml;q=2, */*;q=-1' },
            { 'accept-encoding': 'gzip;q=1, br, zstd, identity;q=0' },
            { 'content-encoding': 'gzip' },
            { expect: '100-continue' },
            { 'x-http-method-override': 'DELETE' },
            Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`x-h${i}`, String(i)])),
          ]),
        }),
    ],
    [
      8,
      () => {
        const [method, path] = g.pick(ROUTES);
        const hex = (c: string) => `%${c.charCodeAt(0).toString(16)}`;
        const target = g.pick([
          path.replace(/^\/(.)/, (_m, c: string) => `/${hex(c)}`),
          `http://x${path}`,
          `//${path.slice(1)}`,
          `/x/..${path}`,
          `/x/%2e%2e${path}`,
          path.toUpperCase(),
          `${path}.`,
          `${path}%00`,
          `${path}/%zz`,
          `${path}?${'a=1&'.repeat(500)}`,
          `${path}/${'a'.repeat(g.pick([130, 600, 5000]))}`,
          path.replace(/\//g, '\\'),
          `${path}#frag`,
          `${path};jsessionid=1`,
        ]);
        const headers: Record<string, string> = g.chance(0.5) ? key() : {};
        const body = method === 'POST' ? JSON.stringify(event()) : undefined;
        if (body) headers['content-type'] = 'application/json';
        return { kind: 'encoded path', method, target, headers, body };
      },
    ],
    [
      4,
      () => {
        const method = g.pick([
          'PUT',
          'DELETE',
          'PATCH',
          'OPTIONS',
          'HEAD',
          'TRACE',
          'CONNECT',
          'FOO',
          'get',
          'M-SEARCH',
        ]);
        const target =
          method === 'CONNECT'
            ? '127.0.0.1:1'
            : g.pick(['/v1/visit-events', '/v1/visit-events/batch', '/admin/queues', '/healthz', '*']);
        return {
          kind: 'odd method',
          method,
          target,
          headers: key(),
          body: method === 'HEAD' || method === 'get' ? undefined : '{}',
        };
      },
    ],
    [
      5,
      () => {
        // What Node's HTTP parser itself refuses: the answer comes from the server's client-error handler.
        const body = JSON.stringify(event());
        const head = (extra: string) =>
          `POST /v1/visit-events HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${ref.apiKey}\r\ncontent-type: application/json\r\n${extra}\r\n`;
        const bytes = g.pick([
          `${head(`content-length: ${body.length}\r\ncontent-length: ${body.length + 1}\r\n`)}${body}`,
          `${head(`content-length: ${body.length}\r\ntransfer-encoding: chunked\r\n`)}${body}`,
          `${head('transfer-encoding: chunked\r\n')}zz\r\n${body}\r\n0\r\n\r\n`,
          `${head(`content-length: ${body.length}\r\nx-bad: a\u0001b\r\n`)}${body}`,
          `${head(`content-length: ${body.length}\r\nx-big: ${'b'.repeat(20_000)}\r\n`)}${body}`,
          `${head(`content-length: -1\r\n`)}${body}`,
          `${head(`content-length: ${body.length}\r\nbad header without colon\r\n`)}${body}`,
          `GET /healthz HTTP/9.9\r\nhost: x\r\nconnection: close\r\n\r\n`,
          `GET /v1/visit-events/x\r\n\r\n`,
          `GET /healthz HTTP/1.1\r\nconnection: close\r\n\r\n`,
          `GET /v1/vis it-events HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
          `\u0000\u0001\u0002 garbage\r\n\r\n`,
        ]);
        return { kind: 'malformed HTTP', bytes: Buffer.from(bytes, 'latin1') };
      },
    ],
    [
      1,
      () =>
        post(
          'over the body limit',
          '/v1/visit-events',
          splice(event() as object, 'pad', JSON.stringify('x'.repeat(1024 * 1024 + 10))),
        ),
    ],
  ];
  const total = makers.reduce((a, [w]) => a + w, 0);
  return Array.from({ length: n }, () => {
    let x = g.next() * total;
    for (const [w, make] of makers) {
      if ((x -= w) < 0) return make();
    }
    return makers[0]![1]();
  });
}

async function send(h: Hostile): Promise<RawResponse> {
  if ('bytes' in h) return sendRaw(services.api.url, h.bytes);
  return rawRequest(services.api.url, h.method, h.target, { headers: h.headers, body: h.body });
}

async function inParallel<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const show = (h: Hostile) =>
  'bytes' in h
    ? `${h.kind}: ${JSON.stringify(h.bytes.toString('latin1').slice(0, 200))}`
    : `${h.kind}: ${h.method} ${h.target.slice(0, 120)} ${JSON.stringify(h.headers).slice(0, 200)} ${String(h.body ?? '').slice(0, 200)}`;

describe('hostile input', { timeout: 120_000 }, () => {
  it(`answers ${REQUESTS} seeded malformed requests without a 5xx, every 4xx as problem+json, stores exactly the accepted events and processes them all`, async () => {
    const requests = generate(rng(SEED), REQUESTS);
    const accepted = new Set<string>();
    const byKind = new Map<string, Map<number, number>>();
    const failures: string[] = [];
    await inParallel(requests, 8, async (h) => {
      let res: RawResponse;
      try {
        res = await send(h);
      } catch (err) {
        failures.push(`no answer (${(err as Error).message}) to ${show(h)}`);
        return;
      }
      const counts = byKind.get(h.kind) ?? new Map<number, number>();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      byKind.set(h.kind, counts);
      if (res.status < 100 || res.status >= 500) failures.push(`${res.status} ${res.text.slice(0, 200)} to ${show(h)}`);
      else if (res.status >= 400 && !/^application\/problem\+json/.test(res.headers['content-type'] ?? ''))
        failures.push(`${res.status} as ${res.headers['content-type']} to ${show(h)}`);
      if (res.status === 202 && res.body?.status === 'accepted') accepted.add(res.body.eventId as string);
      if (res.status === 200 && Array.isArray(res.body?.results)) {
        for (const x of res.body.results as Array<{ eventId: string; status: string }>)
          if (x.status === 'accepted') accepted.add(x.eventId);
      }
    });
    const summary = Object.fromEntries([...byKind].map(([k, m]) => [k, Object.fromEntries(m)]));
    expect(failures, `${failures.length} bad answers; by kind: ${JSON.stringify(summary)}`).toEqual([]);
    // The generator reached what it was meant to: acceptances, refusals of every layer.
    expect(accepted.size).toBeGreaterThan(100);
    const statuses = new Set([...byKind.values()].flatMap((m) => [...m.keys()]));
    for (const s of [200, 202, 400, 401, 404, 413, 414, 415]) expect(statuses, JSON.stringify(summary)).toContain(s);

    const { rows } = await sql<{
      event_id: string;
    }>`SELECT event_id FROM inbox_events WHERE client_id = ${ref.clientId}`.execute(services.db);
    expect(new Set(rows.map((x) => x.event_id))).toEqual(accepted);
    expect(rows).toHaveLength(accepted.size);

    // Every accepted event is processed by the workers (the queue, or the sweeper for a lost enqueue).
    const counts = await waitFor(
      async () => {
        const { rows: byStatus } = await sql<{
          status: string;
          n: number;
        }>`SELECT status, count(*)::int AS n FROM inbox_events GROUP BY status`.execute(services.db);
        return Object.fromEntries(byStatus.map((x) => [x.status, x.n])) as Record<string, number>;
      },
      {
        what: 'every accepted row to be processed or rejected',
        until: (c) => !c.accepted,
        timeoutMs: 45_000,
        intervalMs: 200,
      },
    );
    const { rows: rejected } = await sql<{
      error: string;
    }>`SELECT DISTINCT error FROM inbox_events WHERE status <> 'processed' LIMIT 5`.execute(services.db);
    expect(counts, JSON.stringify(rejected)).toEqual({ processed: accepted.size });
  });
});
