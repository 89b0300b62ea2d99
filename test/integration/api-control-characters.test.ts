// NUL, other control characters, lone surrogates and bytes that are not UTF-8 are refused at the edge with 400
// problem+json wherever a request carries them (path, query, headers, JSON keys and strings, multipart names), before
// any route runs, so nothing reaches PostgreSQL and nothing is stored; a batch answers such an event `invalid` alone.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { rawRequest, type RawResponse } from '../helpers/raw-http.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

const inboxCount = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbox_events`.execute(services.db)).rows[0]!.n;

function expect400(res: RawResponse, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(400);
  expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
  expect(res.body, what).toMatchObject({ status: 400, title: 'Bad Request', detail: expect.any(String) });
}

const send = (
  method: string,
  target: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
) =>
  rawRequest(services.api.url, method, target, {
    ...opts,
    headers: { authorization: `Bearer ${ref.apiKey}`, ...opts.headers },
  });

describe('characters no request may carry', () => {
  it('refuses them in the path and the query of every route the API documents', async () => {
    const doc = (await (await fetch(`${services.api.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const bad = ['%00', '%07', '%7F', '%C2%85', '%ED%A0%80', '%FF', '%EF%BF%BF'];
    let tried = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))) {
        for (const b of bad) {
          const withParams = path.replace(/\{[a-z]+\}/gi, `a${b}b`);
          const target = withParams === path ? `${path}?q=a${b}b` : withParams;
          const body = method === 'get' || method === 'delete' ? undefined : '{}';
          const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
          expect400(await send(method.toUpperCase(), target, { headers, body }), `${method} ${target}`);
          tried++;
        }
        expect400(await send(method.toUpperCase(), `${path.replace(/\{[a-z]+\}/gi, 'x')}?a%00=1`), `${path} key`);
      }
    }
    expect(tried).toBeGreaterThan(100);
  });

  it('refuses them in a header value', async () => {
    for (const value of ['a\x01b', 'a\x7fb', Buffer.from([0x61, 0xff, 0x62]).toString('latin1'), 'a\u0085b']) {
      expect400(await send('GET', '/v1/campaigns', { headers: { 'x-upstream': value } }), JSON.stringify(value));
    }
    // UTF-8 text in a header is fine.
    const ok = await send('GET', '/healthz', {
      headers: { 'x-upstream': Buffer.from('北京大学', 'utf8').toString('latin1') },
    });
    expect(ok.status).toBe(200);
  });

  it('refuses them in JSON keys and strings of one event, and stores nothing', async () => {
    const before = await inboxCount();
    const ev = visitEvent(ref);
    const cases: Array<[string, string | Buffer]> = [
      ['NUL in a name', JSON.stringify({ ...ev, visit: { ...ev.visit, employer: { name: 'A\u0000B有限公司' } } })],
      ['a lone surrogate', JSON.stringify(ev).replace(/"ref":"/, '"ref":"\\ud800')],
      ['a control in a key', JSON.stringify({ ...ev, 'x\u0001': 1 })],
      [
        'bytes that are not UTF-8',
        Buffer.concat([Buffer.from(JSON.stringify(ev).slice(0, -1)), Buffer.from(',"x":"\xff"}', 'latin1')]),
      ],
    ];
    for (const [what, body] of cases) {
      const res = await send('POST', '/v1/visit-events', { headers: { 'content-type': 'application/json' }, body });
      expect400(res, what);
    }
    expect(await inboxCount()).toBe(before);
  });

  it('answers such an event of a batch invalid and keeps the others', async () => {
    const good = visitEvent(ref);
    const bad = visitEvent(ref);
    const body = JSON.stringify({
      events: [good, { ...bad, visit: { ...bad.visit, notes: 'line one\nline two \u0000' } }],
    });
    const res = await send('POST', '/v1/visit-events/batch', { headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'invalid']);
    expect(res.body.results[1].errors[0]).toMatchObject({
      path: '/events/1/visit/notes',
      message: expect.stringMatching(/NUL/),
    });
    const stored = await sql<{
      event_id: string;
    }>`SELECT event_id FROM inbox_events WHERE event_id IN (${good.eventId}, ${bad.eventId})`.execute(services.db);
    expect(stored.rows.map((r) => r.event_id)).toEqual([good.eventId]);
    // Tab, CR and LF stay allowed in text.
    const multiline = visitEvent(ref);
    const ok = await send('POST', '/v1/visit-events', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...multiline, visit: { ...multiline.visit, notes: 'a\tb\r\nc' } }),
    });
    expect(ok.status).toBe(202);
  });

  it('refuses them in a multipart field name, file name or field value, and stores nothing', async () => {
    const before = await inboxCount();
    for (const [field, fileName, value] of [
      ['file', 'led\u0000ger.csv', ''],
      ['mo\u0001de', 'ledger.csv', 'whole'],
      ['mode', 'ledger.csv', 'wh\u0000ole'],
    ] as const) {
      const form = new FormData();
      form.append('file', new Blob(['学校代码,走访编号\n']), fileName);
      if (field !== 'file') form.append(field, value);
      const res = await fetch(`${services.api.url}/v1/visit-ledgers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ref.apiKey}` },
        body: form,
      });
      expect(res.status, `${field} ${JSON.stringify(fileName)}`).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(await inboxCount()).toBe(before);
  });
});
