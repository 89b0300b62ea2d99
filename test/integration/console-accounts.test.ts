// People's accounts and console sessions: `ledger users`, login and logout, the cookie's flags, idle and absolute
// timeouts, CSRF on writes, the limits on guessing a password, and a session acting exactly as a key of its scope.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, startTestApi, type TestApi } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { createAccount, logIn, signedIn } from '../helpers/console-session.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

let t: TestDatabase;
let r: TestRedis;
let api: TestApi;
let ref: ReferenceData;
const env = () => ({ DATABASE_URL: t.url, REDIS_URL: r.url, QUEUE_PREFIX: r.prefix });
const apis: TestApi[] = [];

async function startApi(extra: Record<string, string> = {}): Promise<TestApi> {
  const a = await startTestApi({
    databaseUrl: t.url,
    redisUrl: r.url,
    prefix: r.prefix,
    env: { SESSION_COOKIE_SECURE: 'false', ...extra },
  });
  apis.push(a);
  return a;
}

beforeAll(async () => {
  t = await createTestDatabase();
  r = createTestRedis();
  ref = await createReferenceData(t.db);
  api = await startApi({ SESSION_COOKIE_SECURE: 'true' });
});

afterAll(async () => {
  for (const a of apis) await a.close();
  await r?.cleanup();
  await t?.drop();
});

describe('ledger users', () => {
  it('creates an account with a generated password printed once, and it signs in with it', async () => {
    const made = await runLedger(
      ['users', 'create', '--name', 'gd-edu', '--scope', 'province:440000', '--email', 'gd@example.org', '--json'],
      env(),
    );
    expect(made.code, made.stderr).toBe(0);
    const out = jsonOut<{ id: number; name: string; scope: string; email: string; password: string }>(made);
    expect(out).toMatchObject({ name: 'gd-edu', scope: 'province:440000', email: 'gd@example.org' });
    expect(out.password).toMatch(/^[A-Z2-9]{20}$/i);
    const stored = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('name', '=', 'gd-edu')
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(stored.password_hash).not.toContain(out.password);
    const login = await api.request('POST', '/v1/session', { body: { name: 'gd-edu', password: out.password } });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({ name: 'gd-edu', scope: 'province:440000' });
  });

  it('reads the password from stdin with --password-stdin and prints none', async () => {
    const made = await runLedger(
      ['users', 'create', '--name', 'nat-a', '--scope', 'national', '--password-stdin'],
      env(),
      'A long chosen password\n',
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).not.toContain('A long chosen password');
    expect(made.stdout).not.toContain('password');
    expect(
      (await api.request('POST', '/v1/session', { body: { name: 'nat-a', password: 'A long chosen password' } }))
        .status,
    ).toBe(200);
  });

  it('refuses a bad scope, a short password and a taken name with a one-line reason', async () => {
    const bad = await runLedger(['users', 'create', '--name', 'x1', '--scope', 'province:44'], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /option '--scope <scope>' argument 'province:44' is invalid\. "province:44" is not a scope/,
    );
    const short = await runLedger(
      ['users', 'create', '--name', 'x2', '--scope', 'national', '--password-stdin'],
      env(),
      'short\n',
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const taken = await runLedger(['users', 'create', '--name', 'gd-edu', '--scope', 'national'], env());
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/exists already/);
  });

  it('lists accounts without passwords and keeps them out of `clients list`', async () => {
    const list = await runLedger(['users', 'list', '--json'], env());
    expect(list.code, list.stderr).toBe(0);
    const users = jsonOut<Array<Record<string, unknown>>>(list);
    expect(users.map((u) => u.name)).toEqual(expect.arrayContaining(['gd-edu', 'nat-a']));
    expect(JSON.stringify(users)).not.toMatch(/argon2|password_hash|passwordHash/);
    const clients = jsonOut<Array<{ name: string }>>(await runLedger(['clients', 'list', '--json'], env()));
    expect(clients.map((c) => c.name)).not.toContain('gd-edu');
  });

  it('disables an account: its live session ends at once and it cannot sign in again', async () => {
    const account = await createAccount(t.db, 'national');
    const s = await logIn(api, account.name, account.password);
    expect((await s.request('GET', '/v1/session')).status).toBe(200);
    const res = await runLedger(['users', 'disable', '--name', account.name, '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    expect(jsonOut<{ disabledAt: string | null }>(res).disabledAt).not.toBeNull();
    expect((await s.request('GET', '/v1/session')).status).toBe(401);
    expect((await api.request('POST', '/v1/session', { body: account })).status).toBe(401);
  });

  it('resets a password: the old one and the old sessions stop working, the new one signs in', async () => {
    const account = await createAccount(t.db, 'national');
    const s = await logIn(api, account.name, account.password);
    const res = await runLedger(['users', 'reset-password', '--name', account.name, '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    const { password } = jsonOut<{ password: string }>(res);
    expect((await s.request('GET', '/v1/session')).status).toBe(401);
    expect((await api.request('POST', '/v1/session', { body: account })).status).toBe(401);
    expect((await api.request('POST', '/v1/session', { body: { name: account.name, password } })).status).toBe(200);
    const unknown = await runLedger(['users', 'reset-password', '--name', 'nobody-here'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user named nobody-here/);
  });
});

describe('sessions', () => {
  it('sets an HttpOnly, SameSite=Strict, Secure cookie on Path=/ and answers who is signed in', async () => {
    const s = await signedIn(api, t.db, `university:${ref.universityCode}`);
    const attrs = s.setCookie.split(';').map((a) => a.trim());
    expect(attrs[0]).toMatch(/^ledger_session=[\w-]{43}$/);
    expect(attrs.slice(1)).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure']));
    expect(attrs.some((a) => /^(Max-Age|Expires|Domain)=/i.test(a))).toBe(false);
    const me = await s.request('GET', '/v1/session');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: { name: s.name, scope: `university:${ref.universityCode}` },
      csrfToken: s.csrfToken,
      passwordChange: null,
    });
    expect((await s.request('GET', '/v1/me')).body).toEqual(me.body);
  });

  it('stores only a hash of the session id', async () => {
    const s = await signedIn(api, t.db, 'national');
    const id = s.cookie.split('=')[1]!;
    const rows = await t.db.selectFrom('user_sessions').select('id_hash').execute();
    expect(rows.some((x) => x.id_hash.includes(id))).toBe(false);
    expect(rows.every((x) => /^[0-9a-f]{64}$/.test(x.id_hash))).toBe(true);
  });

  it('leaves Secure off only when SESSION_COOKIE_SECURE=false', async () => {
    const plain = await startApi();
    const account = await createAccount(t.db, 'national');
    const s = await logIn(plain, account.name, account.password);
    expect(s.setCookie).not.toMatch(/Secure/);
  });

  it('answers 401 without a session, for a wrong password and for an unknown name, with one message', async () => {
    const account = await createAccount(t.db, 'national');
    expect((await api.request('GET', '/v1/session')).status).toBe(401);
    const wrong = await api.request('POST', '/v1/session', {
      body: { name: account.name, password: 'not the password at all' },
    });
    const unknown = await api.request('POST', '/v1/session', {
      body: { name: 'no-such-user', password: 'whatever it may be' },
    });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const malformed = await api.request('POST', '/v1/session', { body: { name: account.name } });
    expect(malformed.status).toBe(400);
  });

  it('logs out: the cookie is cleared and a kept copy of it no longer works', async () => {
    const s = await signedIn(api, t.db, 'national');
    const out = await s.request('DELETE', '/v1/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^ledger_session=;.*Max-Age=0/);
    expect((await s.request('GET', '/v1/session')).status).toBe(401);
    expect((await s.request('GET', '/v1/campaigns/2022/rankings?scope=national')).status).toBe(401);
    expect((await api.request('DELETE', '/v1/session')).status).toBe(204);
  });

  it('ends a session left idle longer than SESSION_IDLE_SECONDS', async () => {
    const short = await startApi({ SESSION_IDLE_SECONDS: '1', SESSION_ABSOLUTE_SECONDS: '3600' });
    const account = await createAccount(t.db, 'national');
    const s = await logIn(short, account.name, account.password);
    expect((await s.request('GET', '/v1/session')).status).toBe(200);
    const lastUse = Date.now();
    // The session must see no request for a whole idle period: wait for the clock, not for the session.
    await waitFor(() => Date.now() - lastUse > 1_300, { what: 'an idle period to pass', intervalMs: 50 });
    expect((await s.request('GET', '/v1/session')).status).toBe(401);
  });

  it('keeps a session in use alive past the idle time and ends it at SESSION_ABSOLUTE_SECONDS', async () => {
    const short = await startApi({ SESSION_IDLE_SECONDS: '1', SESSION_ABSOLUTE_SECONDS: '3' });
    const account = await createAccount(t.db, 'national');
    const started = Date.now();
    const s = await logIn(short, account.name, account.password);
    const statuses: number[] = [];
    await waitFor(async () => (await s.request('GET', '/v1/session')).status, {
      what: 'the session to reach its absolute end',
      until: (status) => (statuses.push(status), status === 401),
      intervalMs: 200,
      timeoutMs: 10_000,
    });
    const lasted = Date.now() - started;
    expect(lasted).toBeGreaterThanOrEqual(2_900);
    expect(statuses.slice(0, -1).every((x) => x === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThan(5); // it was used throughout, well past the 1 s idle limit
  });

  it('refuses a write made with the cookie without the CSRF token, or with a wrong one (403)', async () => {
    const s = await signedIn(api, t.db, `university:${ref.universityCode}`);
    const event = visitEvent(ref);
    const none = await s.request('POST', '/v1/visit-events', { body: event, csrf: false });
    expect(none.status).toBe(403);
    expect(none.body.detail).toMatch(/x-csrf-token/);
    const wrong = await s.request('POST', '/v1/visit-events', { body: event, csrf: 'A'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect((await s.request('DELETE', '/v1/session', { csrf: false })).status).toBe(403);
    expect((await s.request('GET', '/v1/session')).status).toBe(200); // the refused logout ended nothing
    const ok = await s.request('POST', '/v1/visit-events', { body: event });
    expect(ok.status).toBe(202);
    const count = await t.db
      .selectFrom('inbox_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('event_id', '=', event.eventId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('lets a key decide when both a key and a cookie are sent (no CSRF asked of a key)', async () => {
    const s = await signedIn(api, t.db, 'national');
    const res = await api.request('POST', '/v1/visit-events', {
      key: ref.apiKey,
      body: visitEvent(ref),
      headers: { cookie: s.cookie },
    });
    expect(res.status).toBe(202);
  });

  it("files a user's events under the user's own client, never a key's", async () => {
    const s = await signedIn(api, t.db, `university:${ref.universityCode}`);
    const event = visitEvent(ref);
    expect((await s.request('POST', '/v1/visit-events', { body: event })).status).toBe(202);
    const row = await t.db
      .selectFrom('inbox_events as i')
      .innerJoin('api_clients as c', 'c.id', 'i.client_id')
      .innerJoin('users as u', 'u.client_id', 'c.id')
      .select(['c.kind', 'u.name'])
      .where('i.event_id', '=', event.eventId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ kind: 'user', name: s.name });
    // The same eventId from the key is another client's event.
    expect((await api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: event })).status).toBe(202);
  });
});

describe('passwords set by someone else, own changes and expiry', () => {
  it('makes a generated password temporary: the session can only change it, and then everything works', async () => {
    const made = await runLedger(['users', 'create', '--name', 'tmp-a', '--scope', 'national', '--json'], env());
    expect(made.code, made.stderr).toBe(0);
    const out = jsonOut<{ password: string; mustChangePassword: boolean; temporaryUntil: string }>(made);
    expect(out.mustChangePassword).toBe(true);
    const hours = (Date.parse(out.temporaryUntil) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(71);
    expect(hours).toBeLessThanOrEqual(72);
    const s = await logIn(api, 'tmp-a', out.password);
    const me = await s.request('GET', '/v1/me');
    expect(me.body).toMatchObject({ user: { name: 'tmp-a' }, passwordChange: 'temporary' });
    const refused = await s.request('GET', '/v1/campaigns');
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain('must be changed first');
    // A wrong current password, and a new one that breaks the rules, change nothing.
    const wrong = await s.request('POST', '/v1/session/password', {
      body: { currentPassword: 'not it', newPassword: 'Another-good-one-2026' },
    });
    expect(wrong.status).toBe(403);
    const weak = await s.request('POST', '/v1/session/password', {
      body: { currentPassword: out.password, newPassword: 'password' },
    });
    expect(weak.status).toBe(422);
    expect(weak.body.errors.map((e: { message: string }) => e.message.split(':')[0])).toContain('too-short');
    expect((await s.request('GET', '/v1/campaigns')).status).toBe(403);
    // Another session of the same person, opened before the change, ends with it; this one goes on.
    const other = await logIn(api, 'tmp-a', out.password);
    const done = await s.request('POST', '/v1/session/password', {
      body: { currentPassword: out.password, newPassword: 'Another-good-one-2026' },
    });
    expect(done.status, done.text).toBe(200);
    expect(done.body.passwordChange).toBeNull();
    expect((await s.request('GET', '/v1/campaigns')).status).toBe(200);
    expect((await other.request('GET', '/v1/me')).status).toBe(401);
    expect((await api.request('POST', '/v1/session', { body: { name: 'tmp-a', password: out.password } })).status).toBe(
      401,
    );
    expect(
      (await logIn(api, 'tmp-a', 'Another-good-one-2026').then((x) => x.request('GET', '/v1/me'))).body,
    ).toMatchObject({ passwordChange: null });
    const trail = await t.db
      .selectFrom('audit_log')
      .select(['action', 'result', 'actor_name as actor'])
      .where('action', '=', 'user.change-password')
      .where('actor_name', '=', 'tmp-a')
      .orderBy('seq')
      .execute();
    expect(trail).toEqual([
      { action: 'user.change-password', result: 'denied', actor: 'tmp-a' },
      { action: 'user.change-password', result: 'ok', actor: 'tmp-a' },
    ]);
  });

  it('refuses a temporary password past TEMPORARY_PASSWORD_HOURS, and a reset is temporary again', async () => {
    const made = await runLedger(['users', 'create', '--name', 'tmp-b', '--scope', 'national', '--json'], env());
    const { password } = jsonOut<{ password: string }>(made);
    await t.db
      .updateTable('users')
      .set({ temporary_password_expires_at: new Date(Date.now() - 1000) })
      .where('name', '=', 'tmp-b')
      .execute();
    expect((await api.request('POST', '/v1/session', { body: { name: 'tmp-b', password } })).status).toBe(401);
    const reset = await runLedger(['users', 'reset-password', '--name', 'tmp-b', '--json'], env());
    const again = jsonOut<{ password: string; mustChangePassword: boolean }>(reset);
    expect(again.mustChangePassword).toBe(true);
    const s = await logIn(api, 'tmp-b', again.password);
    expect((await s.request('GET', '/v1/me')).body.passwordChange).toBe('temporary');
  });

  it('asks for a change once a password is older than PASSWORD_MAX_AGE_DAYS', async () => {
    const aging = await startApi({ PASSWORD_MAX_AGE_DAYS: '30' });
    const account = await createAccount(t.db, 'national');
    const fresh = await logIn(aging, account.name, account.password);
    expect((await fresh.request('GET', '/v1/me')).body.passwordChange).toBeNull();
    await t.db
      .updateTable('users')
      .set({ password_changed_at: new Date(Date.now() - 31 * 86_400_000) })
      .where('name', '=', account.name)
      .execute();
    const old = await logIn(aging, account.name, account.password);
    expect((await old.request('GET', '/v1/me')).body.passwordChange).toBe('expired');
    expect((await old.request('GET', '/v1/campaigns')).status).toBe(403);
    const changed = await old.request('POST', '/v1/session/password', {
      body: { currentPassword: account.password, newPassword: 'Renewed-password-2026' },
    });
    expect(changed.status).toBe(200);
    expect((await old.request('GET', '/v1/campaigns')).status).toBe(200);
  });

  it('keeps a password chosen with --password-stdin as it is, unless --temporary', async () => {
    const chosen = await runLedger(
      ['users', 'create', '--name', 'stdin-a', '--scope', 'national', '--password-stdin', '--json'],
      env(),
      'Chosen-by-them-2026\n',
    );
    expect(jsonOut<{ mustChangePassword: boolean }>(chosen).mustChangePassword).toBe(false);
    const temporary = await runLedger(
      ['users', 'create', '--name', 'stdin-b', '--scope', 'national', '--password-stdin', '--temporary', '--json'],
      env(),
      'Chosen-for-them-2026\n',
    );
    expect(jsonOut<{ mustChangePassword: boolean }>(temporary).mustChangePassword).toBe(true);
  });
});

describe('limits on guessing a password', () => {
  // Behind a trusted proxy (TRUST_PROXY), X-Forwarded-For says where each try comes from.
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const tryLogin = (a: TestApi, name: string, password: string, address: string) =>
    a.request('POST', '/v1/session', { body: { name, password }, headers: from(address) });
  const auditOf = (name: string) =>
    t.db
      .selectFrom('audit_log')
      .select(['action', 'result', 'address', 'detail'])
      .where((eb) => eb.or([eb('actor_name', '=', name), eb(sql`detail->>'name'`, '=', name)]))
      .where('action', 'in', ['session.login', 'session.alarm'])
      .orderBy('seq')
      .execute();

  it('locks a name from the guessing address only: the real user elsewhere signs in, and every try is audited', async () => {
    const limited = await startApi({
      TRUST_PROXY: '127.0.0.1',
      LOGIN_DELAY_AFTER_FAILURES: '100',
      LOGIN_LOCK_AFTER_FAILURES: '3',
      LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE: '100',
    });
    const account = await createAccount(t.db, 'national');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await tryLogin(limited, account.name, `wrong password ${i}`, '203.0.113.9')).status);
    expect(statuses).toEqual([401, 401, 401]);
    // From the guessing address the name is locked, even with the right password…
    const locked = await tryLogin(limited, account.name, account.password, '203.0.113.9');
    expect(locked.status).toBe(429);
    expect(locked.body.detail).toContain('locked from this address');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(1700);
    // …and the owner, from another address, is not refused.
    expect((await tryLogin(limited, account.name, account.password, '198.51.100.20')).status).toBe(200);
    const trail = await auditOf(account.name);
    expect(trail.map((e) => [e.action, e.result, e.address])).toEqual([
      ['session.login', 'failed', '203.0.113.9'],
      ['session.login', 'failed', '203.0.113.9'],
      ['session.login', 'failed', '203.0.113.9'],
      ['session.login', 'denied', '203.0.113.9'],
      ['session.login', 'ok', '198.51.100.20'],
    ]);
    expect(trail[2]!.detail).toEqual({ failuresFromAddress: 3, locked: true });

    // The security administrator lifts the lock: `ledger users unlock`.
    const unlocked = await runLedger(['users', 'unlock', '--name', account.name, '--json'], env());
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(jsonOut<{ name: string; addresses: string[] }>(unlocked)).toEqual({
      name: account.name,
      addresses: ['203.0.113.9'],
    });
    expect((await tryLogin(limited, account.name, account.password, '203.0.113.9')).status).toBe(200);
  });

  it('slows each further try from that address, 1 s and then doubling, without checking the password', async () => {
    const slowed = await startApi({
      TRUST_PROXY: '127.0.0.1',
      LOGIN_DELAY_AFTER_FAILURES: '2',
      LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE: '100',
    });
    const account = await createAccount(t.db, 'national');
    expect((await tryLogin(slowed, account.name, 'wrong 1', '203.0.113.10')).status).toBe(401);
    expect((await tryLogin(slowed, account.name, 'wrong 2', '203.0.113.10')).status).toBe(401);
    const early = await tryLogin(slowed, account.name, account.password, '203.0.113.10');
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('1');
    await new Promise((r) => setTimeout(r, 1100));
    expect((await tryLogin(slowed, account.name, 'wrong 3', '203.0.113.10')).status).toBe(401);
    const next = await tryLogin(slowed, account.name, account.password, '203.0.113.10');
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBe(2);
    // Elsewhere, no wait.
    expect((await tryLogin(slowed, account.name, account.password, '203.0.113.11')).status).toBe(200);
  });

  it('raises the alarm once when a name fails from many addresses, refusing nobody', async () => {
    const watched = await startApi({ TRUST_PROXY: '127.0.0.1', LOGIN_ALARM_FAILURES_PER_HOUR: '4' });
    const account = await createAccount(t.db, 'national');
    for (let i = 1; i <= 6; i++)
      expect((await tryLogin(watched, account.name, 'a guess', `192.0.2.${i}`)).status).toBe(401);
    const alarms = (await auditOf(account.name)).filter((e) => e.action === 'session.alarm');
    expect(alarms).toEqual([
      {
        action: 'session.alarm',
        result: 'denied',
        address: null,
        detail: { name: account.name, failuresThisHour: 4, threshold: 4 },
      },
    ]);
    expect((await tryLogin(watched, account.name, account.password, '192.0.2.7')).status).toBe(200);
  });

  it('answers 429 past the failed logins allowed per address, whatever the names tried', async () => {
    const limited = await startApi({ LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await limited.request('POST', '/v1/session', {
            body: { name: `guess-${i}`, password: 'some guessed password' },
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const account = await createAccount(t.db, 'national');
    expect((await limited.request('POST', '/v1/session', { body: account })).status).toBe(429);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const direct = await startApi({ LOGIN_LOCK_AFTER_FAILURES: '2', LOGIN_DELAY_AFTER_FAILURES: '100' });
    const account = await createAccount(t.db, 'national');
    await tryLogin(direct, account.name, 'wrong', '203.0.113.50');
    await tryLogin(direct, account.name, 'wrong', '203.0.113.51');
    // Both tries came from the socket's address: locked there, whatever the header claimed.
    expect((await tryLogin(direct, account.name, account.password, '203.0.113.52')).status).toBe(429);
    const trail = await auditOf(account.name);
    expect(new Set(trail.map((e) => e.address))).toEqual(new Set(['127.0.0.1']));
  });
});

describe('a session acts as a key of its scope', () => {
  it('reads what its scope covers and gets 403 elsewhere, like a key', async () => {
    const province = await signedIn(api, t.db, 'province:440000');
    expect(
      (await province.request('GET', '/v1/campaigns/2022/rankings?scope=province:440000&asOf=2022-04-10')).status,
    ).toBe(200);
    expect(
      (await province.request('GET', '/v1/campaigns/2022/rankings?scope=province:110000&asOf=2022-04-10')).status,
    ).toBe(403);
    const university = await signedIn(api, t.db, `university:${ref.universityCode}`);
    expect(
      (
        await university.request(
          'GET',
          `/v1/campaigns/2022/universities/${ref.universityCode}/progress?asOf=2022-04-10`,
        )
      ).status,
    ).toBe(200);
    expect((await university.request('GET', '/v1/campaigns/2022/rankings?scope=national')).status).toBe(403);
    expect((await university.request('GET', '/v1/admin/employers/review')).status).toBe(403);
  });

  it('opens bull-board to an admin account and refuses it to others', async () => {
    const admin = await signedIn(api, t.db, 'admin');
    expect((await admin.request('GET', '/admin/queues')).status).toBe(200);
    const national = await signedIn(api, t.db, 'national');
    expect((await national.request('GET', '/admin/queues')).status).toBe(403);
    const key = await createApiKey(t.db, 'national');
    expect((await api.request('GET', '/v1/session', { key })).body).toMatchObject({
      csrfToken: null,
      user: { scope: 'national' },
    });
  });
});
