// What the audit trail records when people, keys and operators change things: through the API (a console session,
// an admin key) and the command line, each entry's actor, action, target, before/after (secrets masked) and result.
import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit, verifyAuditTrail, type AuditEntry } from '../../shared/use-cases/audit.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { signedIn, type ConsoleSession } from '../helpers/console-session.ts';
import { createReferenceData, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false', API_KEY_CACHE_SECONDS: '0' },
  producer: true,
});
let admin: ConsoleSession & { name: string };
let security: ConsoleSession & { name: string };
let adminKey: ReferenceData;

const last = async (action: string): Promise<AuditEntry> => {
  const [e] = await listAudit(services.db, { action, limit: 1, order: 'desc' });
  if (!e) throw new Error(`no ${action} entry`);
  return e;
};

beforeAll(async () => {
  await createReferenceData(services.db);
  adminKey = await createReferenceData(services.db, { scope: 'admin' });
  admin = await signedIn(services.api, services.db, 'admin');
  security = await signedIn(services.api, services.db, 'security');
});

describe('the audit trail records', { timeout: 120_000 }, () => {
  it('API keys made and revoked in the console: the person, the request address, never the key', async () => {
    const made = await security.request('POST', '/v1/admin/clients', {
      body: { name: 'gd-system', scope: 'province:440000' },
    });
    expect(made.status).toBe(201);
    const created = await last('clients.create');
    expect(created).toMatchObject({
      actor: { kind: 'user', name: security.name, address: '127.0.0.1' },
      action: 'clients.create',
      target: `client:${made.body.id}`,
      after: { name: 'gd-system', scope: 'province:440000' },
      result: 'ok',
    });
    expect(typeof created.actor.clientId).toBe('number');
    expect(JSON.stringify(created)).not.toContain(made.body.key);

    expect((await security.request('POST', `/v1/admin/clients/${made.body.id}/revoke`, { body: {} })).status).toBe(200);
    expect(await last('clients.revoke')).toMatchObject({ target: `client:${made.body.id}`, actor: { kind: 'user' } });
  });

  it('recipients added, changed and removed, with webhook tokens and secrets masked', async () => {
    const hook = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const added = await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'province:440000', webhook: hook, format: 'wecom' },
    });
    const id = added.body.recipient.id as number;
    expect(await last('recipients.add')).toMatchObject({
      target: `recipient:${id}`,
      after: { scope: 'province:440000', kind: 'webhook', format: 'wecom', hasSecret: false },
    });
    await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'province:440000', webhook: hook, format: 'dingtalk' },
    });
    const changed = await last('recipients.change');
    expect(changed).toMatchObject({ before: { format: 'wecom' }, after: { format: 'dingtalk' } });
    expect((await admin.request('DELETE', `/v1/admin/recipients/${id}`)).status).toBe(200);
    expect(await last('recipients.remove')).toMatchObject({ target: `recipient:${id}`, before: { kind: 'webhook' } });

    await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'national', webhook: 'https://example.org/hook', secret: 's3cret-value' },
    });
    const all = JSON.stringify(await listAudit(services.db, { action: 'recipients', limit: 100, order: 'asc' }));
    expect(all).not.toMatch(/s3cret-value|0ec2sifa5aaa/);
  });

  it('an employer merge by an admin key, beside the employer’s own record', async () => {
    const [a, b] = (
      await services.db
        .insertInto('employers')
        .values([
          { canonical_name: '甲公司', normalized_name: 'jia' },
          { canonical_name: '甲有限公司', normalized_name: 'jia2' },
        ])
        .returning('id')
        .execute()
    ).map((r) => r.id) as [number, number];
    const res = await services.api.request('POST', '/v1/admin/employers/merge', {
      key: adminKey.apiKey,
      body: { from: b, into: a, reason: '同一家' },
    });
    expect(res.status).toBe(200);
    expect(await last('employers.merge')).toMatchObject({
      actor: { kind: 'key', clientId: adminKey.clientId, address: '127.0.0.1' },
      target: `employer:${a}`,
      after: { from: b, into: a, fromName: '甲有限公司', intoName: '甲公司' },
      detail: { reason: '同一家' },
      result: 'ok',
    });
  });

  it('keys made and revoked at the command line, as the system', async () => {
    const made = jsonOut<{ id: number }>(
      await runLedger(['clients', 'create', '--name', 'cli-key', '--scope', 'national', '--json'], services.env),
    );
    expect(await last('clients.create')).toMatchObject({
      actor: { kind: 'system', clientId: null, address: null },
      target: `client:${made.id}`,
    });
    expect((await runLedger(['clients', 'revoke', '--id', String(made.id)], services.env)).code).toBe(0);
    expect(await last('clients.revoke')).toMatchObject({ actor: { kind: 'system' }, target: `client:${made.id}` });
    expect((await last('clients.revoke')).actor.name).toMatch(/^system/);
    expect(await verifyAuditTrail(services.db)).toMatchObject({ ok: true });
  });
});

describe('campaigns and targets at the command line', { timeout: 120_000 }, () => {
  it('records the campaign created and a province’s targets set', async () => {
    const env = services.env;
    const made = await runLedger(
      ['campaign', 'create', '--id', '2031', '--start', '2031-03-01', '--end', '2031-08-31', '--json'],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(await last('campaigns.create')).toMatchObject({
      actor: { kind: 'system' },
      target: 'campaign:2031',
      after: { id: '2031', start: '2031-03-01' },
    });
    const set = await runLedger(
      ['campaign', 'set-target', '--id', '2031', '--province', '440000', '--new-target', '60'],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(await last('targets.set')).toMatchObject({
      target: 'campaign:2031/province:440000',
      after: { newTarget: 60 },
    });
  });
});

describe('GET /v1/audit', { timeout: 120_000 }, () => {
  it('is read by an auditor, paged and filtered, and exported as CSV; the admin and others are refused', async () => {
    const auditor = await signedIn(services.api, services.db, 'auditor');
    const page = await auditor.request('GET', '/v1/audit?limit=2');
    expect(page.status).toBe(200);
    expect(page.body.entries).toHaveLength(2);
    expect(page.body.entries[0].seq).toBeGreaterThan(page.body.entries[1].seq);
    const next = await auditor.request('GET', `/v1/audit?limit=2&before=${page.body.nextBefore}`);
    expect(next.body.entries[0].seq).toBeLessThan(page.body.entries[1].seq);
    const byAction = await auditor.request('GET', '/v1/audit?action=recipients.remove');
    expect(byAction.body.entries.map((e: { action: string }) => e.action)).toEqual(['recipients.remove']);
    const byActor = await auditor.request('GET', `/v1/audit?actor=${encodeURIComponent(security.name)}&action=clients`);
    expect(byActor.body.entries.length).toBeGreaterThanOrEqual(2);
    expect(byActor.body.entries.every((e: { actor: { name: string } }) => e.actor.name === security.name)).toBe(true);
    expect((await auditor.request('GET', '/v1/audit?since=2999-01-01')).body.entries).toEqual([]);
    const bad = await auditor.request('GET', '/v1/audit?since=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/ISO 8601/);

    const csv = await auditor.request('GET', '/v1/audit.csv?action=clients');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^seq,at,actor_kind/);
    expect(lines.slice(1).every((l) => l.includes(',clients.'))).toBe(true);

    const refused = await admin.request('GET', '/v1/audit');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/auditor/);
    expect((await services.api.request('GET', '/v1/audit', { key: adminKey.apiKey })).status).toBe(403);
    expect((await admin.request('GET', '/v1/audit.csv')).status).toBe(403);
  });
});
