// 代录: a province or national person writes a university's visits only under a grant; machine keys need none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { signedIn } from '../helpers/console-session.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

let t: TestDatabase;
let r: TestRedis;
let api: TestApi;
let ref: ReferenceData;
const env = () => ({ DATABASE_URL: t.url });

beforeAll(async () => {
  t = await createTestDatabase();
  r = createTestRedis();
  ref = await createReferenceData(t.db);
  api = await startTestApi({
    databaseUrl: t.url,
    redisUrl: r.url,
    prefix: r.prefix,
    env: { SESSION_COOKIE_SECURE: 'false' },
  });
});
afterAll(async () => {
  await api?.close();
  await r?.cleanup();
  await t?.drop();
});

describe('代录 grants', () => {
  it('403 without a grant, 2xx with one (province or university), 403 again once revoked; keys unchanged', async () => {
    const s = await signedIn(api, t.db, `province:${ref.provinceCode}`);
    const one = await s.request('POST', '/v1/visit-events', { body: visitEvent(ref) });
    expect(one.status).toBe(403);
    expect(one.headers.get('content-type')).toMatch(/problem\+json/);
    expect(one.body.detail).toMatch(/代录/);
    const batch = await s.request('POST', '/v1/visit-events/batch', { body: { events: [visitEvent(ref)] } });
    expect(batch.status).toBe(403);
    expect(batch.headers.get('content-type')).toMatch(/problem\+json/);

    const granted = await runLedger(
      ['users', 'grant-proxy', '--name', s.name, '--province', ref.provinceCode, '--json'],
      env(),
    );
    expect(granted.code, granted.stderr).toBe(0);
    expect(jsonOut<{ changed: boolean }>(granted).changed).toBe(true);
    const list = jsonOut<Array<{ name: string; proxy: string[] }>>(await runLedger(['users', 'list', '--json'], env()));
    expect(list.find((u) => u.name === s.name)!.proxy).toEqual([`province:${ref.provinceCode}`]);
    expect((await s.request('POST', '/v1/visit-events', { body: visitEvent(ref) })).status).toBe(202);
    const ok = await s.request('POST', '/v1/visit-events/batch', { body: { events: [visitEvent(ref)] } });
    expect(ok.status).toBe(200);
    expect(ok.body.results[0].status).toBe('accepted');

    const revoked = await runLedger(['users', 'revoke-proxy', '--name', s.name, '--province', ref.provinceCode], env());
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await s.request('POST', '/v1/visit-events', { body: visitEvent(ref) })).status).toBe(403);

    const byUniversity = await runLedger(
      ['users', 'grant-proxy', '--name', s.name, '--university', ref.universityCode],
      env(),
    );
    expect(byUniversity.code, byUniversity.stderr).toBe(0);
    expect((await s.request('POST', '/v1/visit-events', { body: visitEvent(ref) })).status).toBe(202);

    // A machine key of the same scope posts as before.
    expect((await api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: visitEvent(ref) })).status).toBe(
      202,
    );

    const audit = await t.db.selectFrom('audit_log').select('action').where('action', 'like', 'user.%-proxy').execute();
    expect(audit.map((a) => a.action)).toEqual(['user.grant-proxy', 'user.revoke-proxy', 'user.grant-proxy']);
  });

  it("a national person needs a grant too; the university's own account does not", async () => {
    const nat = await signedIn(api, t.db, 'national');
    expect((await nat.request('POST', '/v1/visit-events', { body: visitEvent(ref) })).status).toBe(403);
    const own = await signedIn(api, t.db, `university:${ref.universityCode}`);
    expect((await own.request('POST', '/v1/visit-events', { body: visitEvent(ref) })).status).toBe(202);
  });
});
