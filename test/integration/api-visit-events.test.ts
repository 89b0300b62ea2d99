// Every answer of POST /v1/visit-events, POST /v1/visit-events/batch and GET /v1/visit-events/{eventId} (CONTRACT.md).
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../helpers/api.ts';
import { createReferenceData, retraction, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { API_KEY_CACHE_SECONDS: '1' } });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

const post = (body: unknown, key = ref.apiKey) => services.api.request('POST', '/v1/visit-events', { key, body });
const batch = (body: unknown, key = ref.apiKey) =>
  services.api.request('POST', '/v1/visit-events/batch', { key, body });

async function inboxRows(eventId: string): Promise<Array<{ body_hash: string; raw_body: string; status: string }>> {
  const { rows } = await sql<{
    body_hash: string;
    raw_body: string;
    status: string;
  }>`SELECT body_hash, raw_body, status FROM inbox_events WHERE event_id = ${eventId}`.execute(services.db);
  return rows;
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

describe('POST /v1/visit-events', () => {
  it('answers 202 accepted once the event is stored with client, eventId, body hash and raw body', async () => {
    const ev = visitEvent(ref);
    const res = await post(ev);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ eventId: ev.eventId, status: 'accepted' });
    const rows = await inboxRows(ev.eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.raw_body).toBe(JSON.stringify(ev));
    expect(rows[0]!.body_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 200 duplicate for the same eventId and body, whatever the key order, and stores it once', async () => {
    const ev = visitEvent(ref);
    expect((await post(ev)).status).toBe(202);
    const reordered = {
      visit: ev.visit,
      occurredAt: ev.occurredAt,
      campaignId: ev.campaignId,
      type: ev.type,
      eventId: ev.eventId,
    };
    const res = await post(reordered);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ eventId: ev.eventId, status: 'duplicate' });
    expect(await inboxRows(ev.eventId)).toHaveLength(1);
  });

  it('answers 409 for the same eventId with a different body and keeps the first', async () => {
    const ev = visitEvent(ref);
    expect((await post(ev)).status).toBe(202);
    const res = await post({ ...ev, visit: { ...ev.visit, notes: 'changed' } });
    expectProblem(res, 409);
    const rows = await inboxRows(ev.eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.raw_body).toBe(JSON.stringify(ev));
  });

  it('lets the unique constraint decide between two copies arriving at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const ev = visitEvent(ref);
      const answers = await Promise.all([post(ev), post(ev), post(ev)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 202]);
      const changed = { ...ev, eventId: `${ev.eventId}-x` };
      const conflicting = await Promise.all([
        post(changed),
        post({ ...changed, visit: { ...changed.visit, notes: 'other' } }),
      ]);
      expect(conflicting.map((a) => a.status).sort()).toEqual([202, 409]);
    }
  });

  it('answers 400 with a JSON-pointer path per invalid field and stores nothing', async () => {
    const ev = visitEvent(ref, {
      visit: { leaders: [{ role: 'dean' as never, name: '张三' }], mode: 'by-post' as never },
    });
    const res = await post({ ...ev, occurredAt: 'yesterday', eventId: 'has space' });
    expectProblem(res, 400);
    const paths = (res.body.errors as Array<{ path: string; message: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(['/eventId', '/occurredAt', '/visit/leaders/0/role', '/visit/mode']);
    expect(res.body.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
    expect(await inboxRows(ev.eventId)).toHaveLength(0);
  });

  it('answers 400 for a body that is not JSON, and for a missing field with its path', async () => {
    const bad = await services.api.request('POST', '/v1/visit-events', { key: ref.apiKey, raw: '{"eventId": ' });
    expectProblem(bad, 400);
    const { visit, ...ev } = visitEvent(ref);
    const { leaders: _leaders, ...visitWithoutLeaders } = visit;
    const missing = await post({ ...ev, visit: visitWithoutLeaders });
    expectProblem(missing, 400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['/visit/leaders']);
  });

  it('accepts a retraction that has only the visit ref and university', async () => {
    const res = await post(retraction(ref, 'some-visit'));
    expect(res.status).toBe(202);
  });

  it('answers 401 without a key, with an unknown key, and with a malformed header', async () => {
    const ev = visitEvent(ref);
    expectProblem(await services.api.request('POST', '/v1/visit-events', { body: ev }), 401);
    expectProblem(await post(ev, 'lk_unknown'), 401);
    expectProblem(
      await services.api.request('POST', '/v1/visit-events', {
        body: ev,
        headers: { authorization: `Basic ${ref.apiKey}` },
      }),
      401,
    );
    expect(await inboxRows(ev.eventId)).toHaveLength(0);
  });

  it('answers 401 with a revoked key within API_KEY_CACHE_SECONDS (1 s here)', async () => {
    const own = await createReferenceData(services.db);
    expect((await post(visitEvent(own), own.apiKey)).status).toBe(202);
    await services.db
      .updateTable('api_clients')
      .set({ revoked_at: new Date() })
      .where('id', '=', own.clientId)
      .execute();
    const revokedAt = Date.now();
    const status = await waitFor(async () => (await post(visitEvent(own), own.apiKey)).status, {
      what: 'the revoked key to be refused',
      until: (answer) => answer === 401,
      timeoutMs: 5000,
    });
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(2500);
  });

  it('answers 403 for a university outside the key scope (university and province keys)', async () => {
    const other = await createReferenceData(services.db, { provinceCode: '110000' });
    expectProblem(await post(visitEvent(other), ref.apiKey), 403);
    const guangdong = await createApiKey(services.db, 'province:440000');
    expectProblem(await post(visitEvent(other), guangdong), 403);
    expect((await post(visitEvent(ref), guangdong)).status).toBe(202);
    const national = await createApiKey(services.db, 'national');
    expect((await post(visitEvent(other), national)).status).toBe(202);
  });

  it('answers 413 for a single event over 1 MB', async () => {
    const ev = visitEvent(ref, { visit: { notes: 'x'.repeat(1024 * 1024 + 10) } });
    const res = await post(ev);
    expectProblem(res, 413);
    expect(await inboxRows(ev.eventId)).toHaveLength(0);
  });

  describe('422 for a valid shape that breaks a rule', () => {
    it('unknown university', async () => {
      const national = await createApiKey(services.db, 'national');
      const ev = visitEvent(ref, { visit: { universityCode: '9999999999' } });
      const res = await post(ev, national);
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([
        { path: '/visit/universityCode', message: expect.stringContaining('unknown university') },
      ]);
      expect(await inboxRows(ev.eventId)).toHaveLength(0);
    });

    it('unknown campaign', async () => {
      const res = await post(visitEvent(ref, { campaignId: '1999' }));
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([{ path: '/campaignId', message: expect.stringContaining('unknown campaign') }]);
    });

    it('visitedOn outside the campaign', async () => {
      const res = await post(visitEvent(ref, { visit: { visitedOn: '2022-09-01' } }));
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([
        { path: '/visit/visitedOn', message: expect.stringContaining('outside campaign') },
      ]);
      expect((await post(visitEvent(ref, { visit: { visitedOn: '2022-08-31' } }))).status).toBe(202);
    });

    it('credit code with a wrong check character', async () => {
      const res = await post(
        visitEvent(ref, { visit: { employer: { name: '华为技术有限公司', creditCode: '914403001922038217' } } }),
      );
      expectProblem(res, 422);
      expect(res.body.errors).toEqual([
        { path: '/visit/employer/creditCode', message: expect.stringContaining('GB 32100-2015') },
      ]);
      expect(
        (
          await post(
            visitEvent(ref, { visit: { employer: { name: '华为技术有限公司', creditCode: '914403001922038216' } } }),
          )
        ).status,
      ).toBe(202);
    });
  });
});

describe('POST /v1/visit-events/batch', () => {
  it('answers per event in order, each as if sent alone, storing only the accepted ones', async () => {
    const stored = visitEvent(ref);
    expect((await post(stored)).status).toBe(202);
    const other = await createReferenceData(services.db);
    const a = visitEvent(ref);
    const events = [
      a, // accepted
      { ...visitEvent(ref), type: 'visit.unknown' }, // invalid
      visitEvent(other), // forbidden
      visitEvent(ref, { campaignId: 'nope' }), // unprocessable
      a, // duplicate of event 0 in this batch
      { ...a, visit: { ...a.visit, notes: 'different' } }, // conflict with event 0
      stored, // duplicate of a stored event
      { ...stored, occurredAt: '2022-05-01T00:00:00Z' }, // conflict with a stored event
      retraction(ref, a.visit.ref), // accepted
    ];
    const res = await batch({ events });
    expect(res.status).toBe(200);
    const results = res.body.results as Array<{ eventId: string; status: string; errors?: Array<{ path: string }> }>;
    expect(results.map((x) => x.status)).toEqual([
      'accepted',
      'invalid',
      'forbidden',
      'unprocessable',
      'duplicate',
      'conflict',
      'duplicate',
      'conflict',
      'accepted',
    ]);
    expect(results.map((x) => x.eventId)).toEqual(events.map((e) => e.eventId));
    expect(results[1]!.errors!.map((e) => e.path)).toEqual(['/events/1/type']);
    expect(results[3]!.errors!.map((e) => e.path)).toEqual(['/events/3/campaignId']);
    for (const i of [0, 4, 6, 8]) expect(results[i]!.errors).toBeUndefined();
    for (const i of [2, 5, 7]) expect(results[i]!.errors!.length).toBeGreaterThan(0);
    expect(await inboxRows(a.eventId)).toHaveLength(1);
    expect((await inboxRows(a.eventId))[0]!.raw_body).toBe(JSON.stringify(a));
    expect(await inboxRows(events[1]!.eventId)).toHaveLength(0);
    expect(await inboxRows(events[3]!.eventId)).toHaveLength(0);
  });

  it('judges a batch event like the single endpoint: a batched event repeated alone is a duplicate', async () => {
    const ev = visitEvent(ref);
    expect((await batch({ events: [ev] })).body.results[0].status).toBe('accepted');
    expect((await post(ev)).status).toBe(200);
  });

  it('stores 1,000 events of about 2.3 MB in one request', async () => {
    const events = Array.from({ length: 1000 }, () => visitEvent(ref, { visit: { notes: '备'.repeat(700) } }));
    const res = await batch({ events });
    expect(res.status).toBe(200);
    expect(new Set(res.body.results.map((x: { status: string }) => x.status))).toEqual(new Set(['accepted']));
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM inbox_events WHERE event_id = ANY(${events.map((e) => e.eventId)})`.execute(
      services.db,
    );
    expect(rows[0]!.n).toBe(1000);
  });

  it('answers 400 for the whole batch when the body is not {"events": [1..1000 events]}', async () => {
    for (const body of [
      {},
      [],
      { events: [] },
      { events: {} },
      { events: Array.from({ length: 1001 }, () => visitEvent(ref)) },
    ]) {
      const res = await batch(body);
      expectProblem(res, 400);
      expect(res.body.errors[0].path).toBe('/events');
    }
  });

  it('answers 413 beyond 10 MB', async () => {
    const events = Array.from({ length: 6 }, () => visitEvent(ref, { visit: { notes: 'x'.repeat(1900 * 1024) } }));
    expectProblem(await batch({ events }), 413);
  });
});

describe('GET /v1/visit-events/{eventId}', () => {
  it("shows the calling client's event and 404 for another client's or an unknown one", async () => {
    const ev = visitEvent(ref);
    await post(ev);
    const res = await services.api.request('GET', `/v1/visit-events/${ev.eventId}`, { key: ref.apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      eventId: ev.eventId,
      status: 'accepted',
      visit: { universityCode: ref.universityCode, ref: ev.visit.ref },
    });
    const national = await createApiKey(services.db, 'national');
    expectProblem(await services.api.request('GET', `/v1/visit-events/${ev.eventId}`, { key: national }), 404);
    expectProblem(await services.api.request('GET', '/v1/visit-events/never-sent', { key: ref.apiKey }), 404);
    expectProblem(await services.api.request('GET', `/v1/visit-events/${ev.eventId}`), 401);
  });
});
