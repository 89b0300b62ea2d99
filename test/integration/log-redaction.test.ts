// Logs never carry keys or secrets: the API at trace level, requests with keys (good, unknown, malformed), a route
// that logs its request's headers, and log calls with secrets in fields, URLs and errors.
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../jobs/producer.ts';
import { buildApp } from '../../services/api/app.ts';
import { loadConfig } from '../../shared/config.ts';
import { createRootLogger } from '../../shared/log.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ redis: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

function capture(): { sink: Writable; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { sink, text: () => chunks.join('') };
}

describe('log redaction', () => {
  it('writes no API key into the API log at trace level, even from a route that logs its request headers', async () => {
    const { sink, text } = capture();
    const redis = new Redis(services.queue.url, { maxRetriesPerRequest: 1 });
    const producer = createProducer({ connection: redis, prefix: services.queue.prefix });
    const app = await buildApp({
      db: services.db,
      config: loadConfig(services.env),
      producer,
      log: createRootLogger(sink, 'trace'),
    });
    // A careless route: what reaches the log when code logs the whole headers.
    app.get('/v1/log-headers', async (request) => {
      request.log.info({ headers: request.headers }, 'headers');
      request.log.info({ req: { headers: request.headers } }, 'request');
      return { ok: true };
    });
    try {
      const calls = [
        { url: '/v1/log-headers', headers: { authorization: `Bearer ${ref.apiKey}` } },
        { url: '/v1/log-headers', headers: { authorization: 'Bearer lk_unknown_secret_guess' } },
        { url: '/v1/log-headers', headers: { authorization: 'Basic bGVkZ2VyOnBhc3N3b3Jk' } },
        {
          url: '/v1/visit-events',
          method: 'POST' as const,
          headers: { authorization: `Bearer ${ref.apiKey}`, cookie: 'session=cookie-secret' },
          payload: visitEvent(ref),
        },
      ];
      for (const c of calls)
        await app.inject({ method: c.method ?? 'GET', url: c.url, headers: c.headers, payload: c.payload });
    } finally {
      await app.close();
      await producer.close();
      redis.disconnect();
    }
    const log = text();
    expect(log).toContain('"msg":"headers"'); // the careless route did log
    expect(log).toContain('"authorization":"[redacted]"');
    for (const secret of [ref.apiKey, 'lk_unknown_secret_guess', 'bGVkZ2VyOnBhc3N3b3Jk', 'cookie-secret'])
      expect(log).not.toContain(secret);
  });

  it('redacts key, secret, password and token fields and masks URL passwords in fields, messages and errors', () => {
    const { sink, text } = capture();
    const log = createRootLogger(sink, 'info');
    log.info(
      {
        key: 'lk_top',
        client: { apiKey: 'lk_nested', name: 'kept' },
        recipient: { secret: 'hook-secret' },
        password: 'pw-top',
        token: 'tok-top',
      },
      'fields',
    );
    log.info(
      {
        config: { SMTP_URL: 'smtp://mailer:smtp-pass@mail.example.org' },
        url: 'postgres://ledger:db-pass@db:5432/ledger',
      },
      'connecting to redis://:redis-pass@cache:6379',
    );
    log.error({ err: new Error('cannot reach postgres://ledger:err-pass@db/ledger') }, 'failed');
    const out = text();
    for (const secret of [
      'lk_top',
      'lk_nested',
      'hook-secret',
      'pw-top',
      'tok-top',
      'smtp-pass',
      'db-pass',
      'redis-pass',
      'err-pass',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('"name":"kept"');
    expect(out).toContain('postgres://ledger:***@db:5432/ledger');
    expect(out).toContain('connecting to redis://:***@cache:6379');
    expect(out).toContain('cannot reach postgres://ledger:***@db/ledger');
  });
  it('writes one completion line per request with method, route, path, status, duration, caller and address', async () => {
    const { sink, text } = capture();
    const redis = new Redis(services.queue.url, { maxRetriesPerRequest: 1 });
    const producer = createProducer({ connection: redis, prefix: services.queue.prefix });
    const app = await buildApp({
      db: services.db,
      config: loadConfig(services.env),
      producer,
      log: createRootLogger(sink, 'info'),
    });
    try {
      const event = visitEvent(ref);
      await app.inject({
        method: 'POST',
        url: '/v1/visit-events?token=query-secret',
        headers: { authorization: `Bearer ${ref.apiKey}` },
        payload: event,
        remoteAddress: '10.9.8.7',
      });
      await app.inject({ method: 'GET', url: '/v1/visit-events/nope', remoteAddress: '10.9.8.6' });
    } finally {
      await app.close();
      await producer.close();
      redis.disconnect();
    }
    const lines = text()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(2);
    expect(done[0]).toMatchObject({
      request: { method: 'POST', route: '/v1/visit-events', path: '/v1/visit-events', remoteAddress: '10.9.8.7' },
      response: { statusCode: 202 },
      caller: { kind: 'key', clientId: ref.clientId },
    });
    expect(typeof done[0]!.responseTime).toBe('number');
    expect(typeof done[0]!.reqId).toBe('string');
    expect(done[1]).toMatchObject({
      request: { method: 'GET', path: '/v1/visit-events/nope', remoteAddress: '10.9.8.6' },
      response: { statusCode: 401 },
      caller: null,
    });
    expect(lines.some((l) => JSON.stringify(l.req) === '{}' || JSON.stringify(l.res) === '{}')).toBe(false);
    expect(text()).not.toContain('query-secret');
    expect(text()).not.toContain(ref.apiKey);
  });
});
