// What a body may hold beyond the contract's fields: unknown fields are kept (the inbox stores the event as received),
// but bounded in depth and size (400 beyond, never a 500); __proto__ and constructor.prototype keys are refused as
// fastify's own parser refuses them; and every event id POST accepts (up to 128 characters) can be read back by GET.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, MAX_JSON_VALUES } from '../../services/api/app.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

async function stored(eventId: string): Promise<string | undefined> {
  const { rows } = await sql<{
    raw_body: string;
  }>`SELECT raw_body FROM inbox_events WHERE event_id = ${eventId}`.execute(services.db);
  return rows[0]?.raw_body;
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

/** The event's JSON with `extra` spliced in as the text of an unknown field. */
const withRawField = (event: object, name: string, extra: string) =>
  JSON.stringify(event).replace(/\}$/, `,${JSON.stringify(name)}:${extra}}`);

describe('unknown fields are bounded', () => {
  it('answers 400 problem+json to a 200,000-deep array inside an unknown field, alone or in a batch, and stores nothing', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const single = visitEvent(ref);
    const res = await services.api.request('POST', '/v1/visit-events', {
      key: ref.apiKey,
      raw: withRawField(single, 'extra', deep),
    });
    expectProblem(res, 400);
    expect(res.body.errors[0].path).toMatch(/^\/extra(\/0)+$/);
    expect(res.body.errors[0].message).toMatch(`deeper than ${MAX_JSON_DEPTH} levels`);
    const batched = visitEvent(ref);
    const batch = await services.api.request('POST', '/v1/visit-events/batch', {
      key: ref.apiKey,
      raw: `{"events":[${withRawField(batched, 'extra', deep)}]}`,
    });
    expectProblem(batch, 400);
    expect(await stored(single.eventId)).toBeUndefined();
    expect(await stored(batched.eventId)).toBeUndefined();
  });

  it('answers 400 to deep objects as to deep arrays, and to a body of more than MAX_JSON_VALUES values', async () => {
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expectProblem(
      await services.api.request('POST', '/v1/visit-events', {
        key: ref.apiKey,
        raw: withRawField(visitEvent(ref), 'extra', deepObject),
      }),
      400,
    );
    const many = `[${'0,'.repeat(MAX_JSON_VALUES)}0]`;
    const res = await services.api.request('POST', '/v1/visit-events', {
      key: ref.apiKey,
      raw: withRawField(visitEvent(ref), 'extra', many),
    });
    expectProblem(res, 400);
    expect(res.body.errors[0].message).toMatch(`more than ${MAX_JSON_VALUES} values`);
  });

  it('accepts and keeps unknown fields within the bounds, as received', async () => {
    const ev = visitEvent(ref);
    const nested = '['.repeat(MAX_JSON_DEPTH - 2) + '"kept"' + ']'.repeat(MAX_JSON_DEPTH - 2);
    const raw = withRawField(ev, 'x-upstream', nested);
    expect((await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, raw })).status).toBe(202);
    expect(await stored(ev.eventId)).toBe(raw);
  });
});

describe('a byte order mark', () => {
  it('is accepted and left out of the stored body, which the workers read with JSON.parse', async () => {
    const ev = visitEvent(ref);
    expect(
      (await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, raw: `\uFEFF${JSON.stringify(ev)}` }))
        .status,
    ).toBe(202);
    expect(JSON.parse((await stored(ev.eventId))!)).toEqual(ev);
  });
});

describe('prototype poisoning', () => {
  const poisons: Array<[string, (event: object) => string]> = [
    ['__proto__ at the top', (ev) => withRawField(ev, '__proto__', '{"isAdmin":true}')],
    [
      '__proto__ inside the visit',
      (ev) => JSON.stringify(ev).replace('"visit":{', '"visit":{"__proto__":{"polluted":1},'),
    ],
    ['__proto__ spelled with escapes', (ev) => withRawField(ev, 'x', '{"\\u005f_proto__":{"polluted":1}}')],
    ['constructor.prototype', (ev) => withRawField(ev, 'constructor', '{"prototype":{"polluted":1}}')],
  ];

  for (const [name, poison] of poisons) {
    it(`answers 400 to ${name} and stores nothing`, async () => {
      const ev = visitEvent(ref);
      const res = await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, raw: poison(ev) });
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/__proto__ or constructor\.prototype/);
      const batch = await services.api.request('POST', '/v1/visit-events/batch', {
        key: ref.apiKey,
        raw: `{"events":[${poison(ev)}]}`,
      });
      expectProblem(batch, 400);
      expect(await stored(ev.eventId)).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('still accepts a plain field named constructor', async () => {
    const ev = visitEvent(ref);
    expect(
      (
        await services.api.request('POST', '/v1/visit-events', {
          key: ref.apiKey,
          raw: withRawField(ev, 'constructor', '"a string"'),
        })
      ).status,
    ).toBe(202);
  });
});

describe('event ids up to 128 characters', () => {
  it('reads back with GET every id length POST accepts (101 to 128 characters used to answer 414)', async () => {
    for (const length of [100, 101, 127, 128]) {
      const eventId = `id:${'x.-_'.repeat(40)}`.slice(0, length);
      expect(eventId).toHaveLength(length);
      expect(
        (
          await services.api.request('POST', '/v1/visit-events', {
            key: ref.apiKey,
            body: visitEvent(ref, { eventId }),
          })
        ).status,
      ).toBe(202);
      const res = await services.api.request('GET', `/v1/visit-events/${eventId}`, { key: ref.apiKey });
      expect(res.status, `GET of a ${length}-character id`).toBe(200);
      expect(res.body.eventId).toBe(eventId);
      const encoded = await services.api.request(
        'GET',
        `/v1/visit-events/${encodeURIComponent(eventId).replace(/[.:_-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
        { key: ref.apiKey },
      );
      expect(encoded.status, `GET of a ${length}-character id, every punctuation percent-encoded`).toBe(200);
    }
  });

  it('answers 414 problem+json, not a bare 414, to a path parameter far beyond any id', async () => {
    const res = await services.api.request('GET', `/v1/visit-events/${'a'.repeat(1000)}`, { key: ref.apiKey });
    expectProblem(res, 414);
  });
});
