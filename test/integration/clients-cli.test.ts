// `ledger clients create|list|revoke` through the real command line, and the key it prints working against the API.
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/domain/api-key.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { API_KEY_CACHE_SECONDS: '1' } });
let ref: ReferenceData;
let env: { DATABASE_URL: string };

beforeAll(async () => {
  env = { DATABASE_URL: services.database.url };
  ref = await createReferenceData(services.db);
});

describe('ledger clients', { timeout: 180_000 }, () => {
  it('create prints the key once as {"name","scope","key"}, stores only its sha256, and the key works', async () => {
    const res = await runLedger(
      ['clients', 'create', '--name', 'gd-system', '--scope', `university:${ref.universityCode}`, '--json'],
      env,
    );
    expect(res.code).toBe(0);
    const out = jsonOut<{ name: string; scope: string; key: string }>(res);
    expect(out).toMatchObject({ name: 'gd-system', scope: `university:${ref.universityCode}` });
    expect(out.key).toMatch(/^lk_[\w-]{43}$/);
    const row = await services.db
      .selectFrom('api_clients')
      .selectAll()
      .where('name', '=', 'gd-system')
      .executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(hashApiKey(out.key));
    expect(JSON.stringify(row)).not.toContain(out.key);
    expect(
      (await services.api.request('POST', '/v1/visit-events', { key: out.key, body: visitEvent(ref) })).status,
    ).toBe(202);
  });

  it('create refuses a malformed scope and an unknown province, saying what is expected', async () => {
    const bad = await runLedger(['clients', 'create', '--name', 'x', '--scope', 'province:44'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/province:CODE/);
    const unknown = await runLedger(['clients', 'create', '--name', 'x', '--scope', 'province:990000'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/31 province codes/);
    const ok = await runLedger(['clients', 'create', '--name', 'gd-province', '--scope', 'province:440000'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/lk_/);
  });

  it('list shows clients without keys or hashes', async () => {
    const res = await runLedger(['clients', 'list', '--json'], env);
    expect(res.code).toBe(0);
    const rows = jsonOut<Array<Record<string, unknown>>>(res);
    expect(rows.map((x) => x.name)).toEqual(expect.arrayContaining(['gd-system', 'gd-province']));
    expect(rows.every((x) => !('key' in x) && !('keyHash' in x) && !('key_hash' in x))).toBe(true);
    expect(res.stdout).not.toMatch(/lk_/);
  });

  it('revoke --name stops the key within API_KEY_CACHE_SECONDS; revoking again fails with a hint', async () => {
    const created = jsonOut<{ key: string }>(
      await runLedger(['clients', 'create', '--name', 'to-revoke', '--scope', 'national', '--json'], env),
    );
    expect(
      (await services.api.request('POST', '/v1/visit-events', { key: created.key, body: visitEvent(ref) })).status,
    ).toBe(202);
    const res = await runLedger(['clients', 'revoke', '--name', 'to-revoke', '--json'], env);
    expect(res.code).toBe(0);
    expect(jsonOut<{ revoked: number[] }>(res).revoked).toHaveLength(1);
    const status = await waitFor(
      async () =>
        (await services.api.request('POST', '/v1/visit-events', { key: created.key, body: visitEvent(ref) })).status,
      { what: 'the revoked key to be refused', until: (answer) => answer === 401, timeoutMs: 1100 },
    );
    expect(status).toBe(401);
    const again = await runLedger(['clients', 'revoke', '--name', 'to-revoke'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/clients list/);
  });

  it('revoke --id revokes that client only; exactly one of --name or --id is required', async () => {
    const a = jsonOut<{ id: number }>(
      await runLedger(['clients', 'create', '--name', 'twin', '--scope', 'national', '--json'], env),
    );
    jsonOut(await runLedger(['clients', 'create', '--name', 'twin', '--scope', 'national', '--json'], env));
    expect((await runLedger(['clients', 'revoke', '--id', String(a.id)], env)).code).toBe(0);
    const rows = jsonOut<Array<{ name: string; revokedAt: string | null }>>(
      await runLedger(['clients', 'list', '--json'], env),
    ).filter((x) => x.name === 'twin');
    expect(rows.map((x) => x.revokedAt === null).sort()).toEqual([false, true]);
    expect((await runLedger(['clients', 'revoke'], env)).code).toBe(1);
    expect((await runLedger(['clients', 'revoke', '--id', 'abc'], env)).code).toBe(1);
  });
});
