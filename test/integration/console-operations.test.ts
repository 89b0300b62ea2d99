// The console's administration endpoints (issue 13, points 5-7) driven by an admin session: employer search and the
// review queue with both sides (confirming one moves the counts), API keys, accounts, notice recipients (tokens
// masked), dead letters with replay, queue depth and inbox lag, re-sending a notice.
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertDeadLetter } from '../../shared/repositories/dead-letter.repository.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { createAccount, logIn, signedIn, type ConsoleSession } from '../helpers/console-session.ts';
import { createReferenceData, insertInboxEvents, visitEvent } from '../helpers/factories.ts';
import { buildRankingWorld, insertVisits, WORLD as W } from '../helpers/rankings-factories.ts';
import { startTestApi } from '../helpers/api.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false', API_KEY_CACHE_SECONDS: '0' },
  producer: true,
});
let admin: ConsoleSession;
let security: ConsoleSession;

type Row = Record<string, any>;

beforeAll(async () => {
  await buildRankingWorld(services.db);
  admin = await signedIn(services.api, services.db, 'admin');
  security = await signedIn(services.api, services.db, 'security');
});

describe('employers', () => {
  let provisional: number;
  let candidate: number;

  beforeAll(async () => {
    const db = services.db;
    [candidate, provisional] = (
      await db
        .insertInto('employers')
        .values([
          { canonical_name: '华为技术有限公司', normalized_name: 'hw', credit_code: '914403001922038216' },
          { canonical_name: '華為技術有限公司', normalized_name: 'hw2', status: 'provisional' },
        ])
        .returning('id')
        .execute()
    ).map((r) => r.id) as [number, number];
    await db.updateTable('employers').set({ candidate_id: candidate }).where('id', '=', provisional).execute();
    await db
      .insertInto('employer_spellings')
      .values([
        { employer_id: candidate, spelling: '华为技术有限公司', normalized_name: 'hw' },
        { employer_id: candidate, spelling: '华为', normalized_name: 'hw' },
        { employer_id: provisional, spelling: '華為技術有限公司', normalized_name: 'hw2' },
      ])
      .execute();
    await db
      .insertInto('employer_reviews')
      .values({ employer_id: provisional, candidate_id: candidate, score: 0.8, spelling: '華為技術有限公司' })
      .execute();
    await insertVisits(db, [
      { universityCode: W.G3, employerId: candidate, visitedOn: '2022-04-06' },
      { universityCode: W.G3, employerId: candidate, visitedOn: '2022-04-07' },
      { universityCode: W.G4, employerId: provisional, visitedOn: '2022-04-06' },
    ]);
  });

  it('finds employers by any spelling, by canonical form and by credit code, with spelling and visit counts', async () => {
    const byName = await admin.request('GET', `/v1/admin/employers?q=${encodeURIComponent('华为')}`);
    expect(byName.status).toBe(200);
    expect(byName.body.rows).toEqual(
      expect.arrayContaining([
        {
          id: candidate,
          canonicalName: '华为技术有限公司',
          creditCode: '914403001922038216',
          status: 'active',
          spellings: 2,
          visits: 2,
        },
      ]),
    );
    const traditional = await admin.request('GET', `/v1/admin/employers?q=${encodeURIComponent('華為')}`);
    expect(traditional.body.rows.map((r: Row) => r.id).sort()).toEqual([candidate, provisional].sort());
    const byCode = await admin.request('GET', '/v1/admin/employers?q=9144-0300-1922-0382-16');
    expect(byCode.body.rows.map((r: Row) => r.id)).toEqual([candidate]);
    const page = await admin.request('GET', `/v1/admin/employers?q=${encodeURIComponent('单位')}&pageSize=10&page=2`);
    expect(page.body).toMatchObject({ total: 80, page: 2, pageSize: 10 });
    expect(page.body.rows).toHaveLength(10);
  });

  it('lists each review beside both employers, and confirming it moves the visits to the candidate', async () => {
    const res = await admin.request('GET', '/v1/admin/employers/review/sides');
    expect(res.status).toBe(200);
    const review = (res.body.reviews as Row[]).find((r) => r.employer_id === provisional)!;
    expect(review.employer).toEqual({
      id: provisional,
      canonicalName: '華為技術有限公司',
      creditCode: null,
      status: 'provisional',
      spellings: ['華為技術有限公司'],
      visits: 1,
    });
    expect(review.candidate).toEqual({
      id: candidate,
      canonicalName: '华为技术有限公司',
      creditCode: '914403001922038216',
      status: 'active',
      spellings: ['华为技术有限公司', '华为'],
      visits: 2,
    });
    const confirm = await admin.request('POST', `/v1/admin/employers/review/${review.id}/confirm`, {
      body: { reason: '同一单位' },
    });
    expect(confirm.status).toBe(200);
    const after = await admin.request('GET', '/v1/admin/employers?q=9144-0300-1922-0382-16');
    expect(after.body.rows[0]).toMatchObject({ id: candidate, visits: 3, spellings: 3 });
    expect((await admin.request('GET', '/v1/admin/employers/review/sides')).body.reviews).toEqual([]);
  });
});

describe('API keys', () => {
  it('makes a key shown once that works, lists keys without accounts, and revokes it', async () => {
    const made = await security.request('POST', '/v1/admin/clients', {
      body: { name: 'gd-system', scope: 'province:440000' },
    });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^lk_[\w-]{43}$/);
    expect((await services.api.request('GET', '/v1/campaigns', { key: made.body.key })).status).toBe(200);
    const list = await security.request('GET', '/v1/admin/clients');
    expect(list.body.clients.map((c: Row) => c.name)).toContain('gd-system');
    expect(JSON.stringify(list.body)).not.toContain(made.body.key);
    const accounts = (await security.request('GET', '/v1/admin/users')).body.users.map((u: Row) => u.name);
    expect(list.body.clients.some((c: Row) => accounts.includes(c.name))).toBe(false);
    const revoked = await security.request('POST', `/v1/admin/clients/${made.body.id}/revoke`, { body: {} });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await services.api.request('GET', '/v1/campaigns', { key: made.body.key })).status).toBe(401);
    expect((await security.request('POST', '/v1/admin/clients/999999/revoke', { body: {} })).status).toBe(404);
    const bad = await security.request('POST', '/v1/admin/clients', { body: { name: 'x', scope: 'province:999999' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/scope');
  });

  it("never revokes a person's own client through the keys route", async () => {
    const account = await createAccount(services.db, 'national');
    const user = (await security.request('GET', '/v1/admin/users')).body.users.find(
      (u: Row) => u.name === account.name,
    );
    const clientId = (
      await services.db.selectFrom('users').select('client_id').where('id', '=', user.id).executeTakeFirstOrThrow()
    ).client_id;
    expect((await security.request('POST', `/v1/admin/clients/${clientId}/revoke`, { body: {} })).status).toBe(404);
  });
});

describe('accounts', () => {
  it('creates an account with a one-time password, disables it and resets a password', async () => {
    const made = await security.request('POST', '/v1/admin/users', {
      body: { name: 'bj-edu', scope: 'province:110000', email: 'bj@example.org' },
    });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({
      name: 'bj-edu',
      scope: 'province:110000',
      email: 'bj@example.org',
      disabledAt: null,
    });
    // The password the administrator saw is temporary: the person must change it before anything else.
    expect(made.body.user).toMatchObject({ mustChangePassword: true, temporaryUntil: expect.any(String) });
    const s = await logIn(services.api, 'bj-edu', made.body.password);
    expect((await s.request('GET', '/v1/session')).body.passwordChange).toBe('temporary');
    const before = await s.request('GET', '/v1/campaigns/2022/overview');
    expect(before.status).toBe(403);
    expect(before.body.detail).toContain('POST /v1/session/password');
    const changed = await s.request('POST', '/v1/session/password', {
      body: { currentPassword: made.body.password, newPassword: 'Beijing-Jiuye-2026!' },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.passwordChange).toBeNull();
    expect((await s.request('GET', '/v1/campaigns/2022/overview')).body.scope).toBe('province:110000');
    expect(
      (await security.request('POST', '/v1/admin/users', { body: { name: 'bj-edu', scope: 'national' } })).status,
    ).toBe(409);
    const badScope = await security.request('POST', '/v1/admin/users', { body: { name: 'y', scope: 'everything' } });
    expect(badScope.status).toBe(400);
    expect(badScope.body.errors[0].path).toBe('/scope');

    const reset = await security.request('POST', `/v1/admin/users/${made.body.user.id}/reset-password`, { body: {} });
    expect(reset.status).toBe(200);
    expect(reset.body.password).not.toBe(made.body.password);
    expect((await s.request('GET', '/v1/session')).status).toBe(401);
    const s2 = await logIn(services.api, 'bj-edu', reset.body.password);
    const disabled = await security.request('POST', `/v1/admin/users/${made.body.user.id}/disable`, { body: {} });
    expect(disabled.status).toBe(200);
    expect(disabled.body.user.disabledAt).toEqual(expect.any(String));
    expect((await s2.request('GET', '/v1/session')).status).toBe(401);
    expect((await security.request('POST', '/v1/admin/users/999999/disable', { body: {} })).status).toBe(404);
  });
});

describe('notice recipients', () => {
  it('adds, lists with webhook tokens masked and secrets hidden, and removes', async () => {
    const hook = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
    const added = await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'province:440000', webhook: hook, format: 'wecom' },
    });
    expect(added.status).toBe(201);
    expect(added.body.recipient).toMatchObject({
      scope: 'province:440000',
      kind: 'webhook',
      format: 'wecom',
      hasSecret: false,
    });
    expect(added.body.recipient.address).toContain('key=****5aaa');
    const again = await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'province:440000', webhook: hook, format: 'wecom' },
    });
    expect(again.status).toBe(200);
    const signed = await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'national', webhook: 'https://example.org/hook', secret: 's3cret-value' },
    });
    expect(signed.body.recipient.hasSecret).toBe(true);
    const email = await admin.request('POST', '/v1/admin/recipients', {
      body: { scope: 'national', email: 'moe@example.org' },
    });
    expect(email.status).toBe(201);
    const list = await admin.request('GET', '/v1/admin/recipients');
    expect(list.body.recipients).toHaveLength(3);
    expect(JSON.stringify(list.body)).not.toMatch(/s3cret-value|0ec2sifa5aaa/);
    expect(
      (
        await admin.request('POST', '/v1/admin/recipients', {
          body: { scope: 'national', webhook: 'https://example.org/x' },
        })
      ).status,
    ).toBe(400);
    expect((await admin.request('DELETE', `/v1/admin/recipients/${email.body.recipient.id}`)).status).toBe(200);
    expect((await admin.request('DELETE', `/v1/admin/recipients/${email.body.recipient.id}`)).status).toBe(404);
    expect((await admin.request('GET', '/v1/admin/recipients')).body.recipients).toHaveLength(2);
    expect((await admin.request('GET', '/v1/admin/recipients?all=1')).body.recipients).toHaveLength(3);
  });

  it('resends a notice to the active recipients of its scope, queued for delivery', async () => {
    await generateNotices(services.db, { campaignId: '2022', period: '2022-W14' });
    const notice = await services.db
      .selectFrom('notices')
      .select('id')
      .where('scope', '=', 'national')
      .executeTakeFirstOrThrow();
    const res = await admin.request('POST', `/v1/notices/${notice.id}/resend`, { body: {} });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ noticeId: notice.id, queued: true });
    const deliveries = await services.db
      .selectFrom('notice_deliveries')
      .select(['id', 'state'])
      .where('notice_id', '=', notice.id)
      .execute();
    expect(res.body.deliveryIds.sort()).toEqual(deliveries.map((d) => d.id).sort());
    expect(deliveries.every((d) => d.state === 'pending')).toBe(true);
    const jobs = await services.producer.queue('deliveries').getJobCounts('waiting', 'delayed', 'active');
    expect(Object.values(jobs).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(deliveries.length);
    expect((await admin.request('POST', '/v1/notices/999999/resend', { body: {} })).status).toBe(404);
  });
});

describe('dead letters and queues', () => {
  it('lists a dead letter and replays it into the inbox once', async () => {
    const ref = await createReferenceData(services.db, { universityCode: W.G1 });
    const [inboxId] = await insertInboxEvents(services.db, ref.clientId, [visitEvent(ref)]);
    await services.db
      .updateTable('inbox_events')
      .set({ status: 'rejected', error: 'boom' })
      .where('id', '=', inboxId!)
      .execute();
    await upsertDeadLetter(services.db, { inboxId: inboxId!, reason: 'boom', attempts: 3 });
    const list = await admin.request('GET', '/v1/admin/dead-letters');
    expect(list.status).toBe(200);
    const letter = (list.body.deadLetters as Row[]).find((d) => d.inboxId === inboxId)!;
    expect(letter).toMatchObject({ reason: 'boom', attempts: 3, universityCode: W.G1, replayedAt: null });
    const replay = await admin.request('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { body: {} });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ replayed: [letter.id], inboxIds: [inboxId], enqueued: true });
    const row = await services.db
      .selectFrom('inbox_events')
      .select('status')
      .where('id', '=', inboxId!)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('accepted');
    expect((await admin.request('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { body: {} })).status).toBe(409);
    expect((await admin.request('GET', '/v1/admin/dead-letters')).body.deadLetters).toEqual([]);
    expect((await admin.request('GET', '/v1/admin/dead-letters?all=1')).body.deadLetters).toHaveLength(1);
  });

  it('gives the jobs per queue and the inbox lag', async () => {
    const res = await admin.request('GET', '/v1/admin/queues');
    expect(res.status).toBe(200);
    expect(res.body.redis).toBe('up');
    expect(res.body.queues.map((q: Row) => q.name).sort()).toEqual([
      'deliveries',
      'notices',
      'rankings',
      'visit-events',
    ]);
    const accepted = await services.db
      .selectFrom('inbox_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'accepted')
      .executeTakeFirstOrThrow();
    expect(res.body.inbox.accepted).toBe(Number(accepted.n));
    expect(res.body.inbox.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(res.body.boardUrl).toBe('/admin/queues');
  });
});

describe('webhook addresses', () => {
  it('refuses a webhook in the private network, on loopback or link-local unless the operator allow-listed its host', async () => {
    for (const webhook of [
      'http://127.0.0.1:9/hook',
      'http://localhost:8080/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.5/hook',
      'http://[::1]/hook',
      'http://[::ffff:192.168.1.1]/hook',
    ]) {
      const res = await admin.request('POST', '/v1/admin/recipients', {
        body: { scope: 'national', webhook, format: 'wecom' },
      });
      expect([webhook, res.status]).toEqual([webhook, 400]);
      expect(res.body.errors[0].path).toBe('/webhook');
      expect(res.body.detail).toMatch(/WEBHOOK_ALLOWED_HOSTS/);
    }
    const allowing = await startTestApi({
      databaseUrl: services.database.url,
      redisUrl: services.queue.url,
      prefix: services.queue.prefix,
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
    });
    try {
      const a = await signedIn(allowing, services.db, 'admin');
      const res = await a.request('POST', '/v1/admin/recipients', {
        body: { scope: 'national', webhook: 'http://127.0.0.1:9/hook', format: 'wecom' },
      });
      expect(res.status, res.text).toBe(201);
      expect(
        (
          await a.request('POST', '/v1/admin/recipients', {
            body: { scope: 'national', webhook: 'http://10.0.0.5/hook', format: 'wecom' },
          })
        ).status,
      ).toBe(400);
    } finally {
      await allowing.close();
    }
  });
});
