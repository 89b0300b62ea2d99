// The password rules at the doors that set a password: `ledger users create --password-stdin` and
// `users reset-password --password-stdin` refuse a password that breaks a rule, exit 1 and name the rule on stderr;
// nothing is created or changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';

let t: TestDatabase;
const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: t.url, ...extra });

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

let n = 0;
const create = (password: string, name = `pw-user-${++n}`, extra: Record<string, string> = {}) =>
  runLedger(
    ['users', 'create', '--name', name, '--scope', 'national', '--password-stdin'],
    env(extra),
    `${password}\n`,
  );

const userCount = async (name: string) =>
  Number(
    (
      await t.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('name', '=', name)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('users create --password-stdin refuses a password that breaks a rule, naming it', () => {
  const cases: Array<[rule: string, password: string, name?: string]> = [
    ['too-short', 'Ab3!xyzuvw'],
    ['character-classes', 'lanternrivermoss'],
    ['contains-name', 'Li-Lei-Teacher-2024!', 'li-lei'],
    ['common-password', 'P@ssw0rd2024!'],
    ['keyboard-pattern', '1qaz@WSX3edc#'],
    ['keyboard-pattern', 'Qwertyuiop12!'],
    ['keyboard-pattern', 'Abc123456789!'],
  ];
  for (const [rule, password, name] of cases)
    it(`${rule}: ${password}`, async () => {
      const who = name ?? `pw-rule-${++n}`;
      const res = await create(password, who);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(rule);
      expect(res.stderr).toMatch(/[\u4e00-\u9fff]/);
      expect(res.stdout).toBe('');
      expect(await userCount(who)).toBe(0);
    });

  it('names every rule broken at once', async () => {
    const res = await create('qwerty');
    expect(res.code).toBe(1);
    for (const rule of ['too-short', 'character-classes', 'common-password', 'keyboard-pattern'])
      expect(res.stderr).toContain(rule);
  });

  it('takes PASSWORD_MIN_LENGTH from the settings', async () => {
    const res = await create('Lantern-river-4-moss', undefined, { PASSWORD_MIN_LENGTH: '24' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/too-short.*24/);
    expect((await create('Lantern-river-4-moss')).code).toBe(0);
  });
});

describe('users reset-password --password-stdin keeps the same rules', () => {
  it('refuses a rule-breaking password and keeps the old one; takes a good one', async () => {
    const made = await runLedger(['users', 'create', '--name', 'reset-me', '--scope', 'national', '--json'], env());
    expect(made.code, made.stderr).toBe(0);
    const before = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('name', '=', 'reset-me')
      .executeTakeFirstOrThrow();
    const bad = await runLedger(
      ['users', 'reset-password', '--name', 'reset-me', '--password-stdin'],
      env(),
      'Reset-Me-2024!x\n',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('contains-name');
    const after = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('name', '=', 'reset-me')
      .executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(before.password_hash);
    const good = await runLedger(
      ['users', 'reset-password', '--name', 'reset-me', '--password-stdin', '--json'],
      env(),
      'Lantern-river-4-moss\n',
    );
    expect(good.code, good.stderr).toBe(0);
    expect(jsonOut<{ password: string | null }>(good).password).toBeNull();
  });

  it('records creating and resetting in the audit trail, never the password', async () => {
    const rows = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target', 'detail', 'after'])
      .where('action', 'in', ['user.create', 'user.reset-password'])
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user.create', 'user.reset-password']));
    expect(JSON.stringify(rows)).not.toContain('Lantern-river-4-moss');
  });
});
