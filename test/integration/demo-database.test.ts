// The demo never drops a database it did not create: it refuses production names, refuses a database with tables and
// without its marker (unless --force), and marks the database it creates. Through the real command line where it
// refuses, and through the functions the demo uses where it drops.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../services/demo/campaign-setup.ts';
import {
  createDemoDatabase,
  DEMO_DATABASE_MARKER,
  DemoDatabaseRefusedError,
  dropDemoDatabase,
} from '../../services/demo/demo-database.ts';
import { runLedger } from '../helpers/cli.ts';
import { ADMIN_DATABASE_URL, databaseUrl, TEST_REDIS_URL } from '../helpers/services.ts';
import { createTestDatabase, dropDatabase, uniqueName, type TestDatabase } from '../helpers/test-db.ts';

const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const exists = (name: string) =>
  admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
const comment = (name: string) =>
  admin(
    async (c) =>
      (
        await c.query<{ d: string | null }>(
          `SELECT shobj_description(oid, 'pg_database') AS d FROM pg_database WHERE datname = $1`,
          [name],
        )
      ).rows[0]?.d,
  );

/** A database looking like someone's ledger: migrated, with data, no demo marker. */
async function someonesLedger(): Promise<TestDatabase> {
  const t = await createTestDatabase(1);
  cleanups.push(() => t.drop());
  await t.db
    .insertInto('campaigns')
    .values({
      id: 'keep',
      name: 'someone else’s campaign',
      start_date: '2022-03-01',
      end_date: '2022-08-31',
      principal_target: 1,
      new_target: 1,
      behind_factor: 0.8,
    })
    .execute();
  return t;
}

describe('ledger demo and the databases it may drop', { timeout: 120_000 }, () => {
  it('refuses a --database that holds tables it did not create, and leaves it and the output folder as they were', async () => {
    const t = await someonesLedger();
    const out = mkdtempSync(join(tmpdir(), 'demo-refused-'));
    cleanups.push(async () => rmSync(out, { recursive: true, force: true }));
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const res = await runLedger(['demo', '--visits', '10', '--database', t.name, '--out', out], {
      DATABASE_URL: databaseUrl('ledger'),
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: uniqueName('ledger_test'),
    });
    expect(res.code, res.stderr).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(`database ${t.name} holds \\d+ tables and was not created by ledger demo: .*--force`),
    );
    expect(await t.db.selectFrom('campaigns').select('name').where('id', '=', 'keep').executeTakeFirst()).toBeDefined();
    expect(existsSync(join(out, 'keep.txt'))).toBe(true);
  });

  it('refuses the production names, ledger and the database DATABASE_URL names, even with --force', async () => {
    const prod = await runLedger(['demo', '--database', 'ledger', '--force'], {
      DATABASE_URL: databaseUrl('ledger'),
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(prod.code).toBe(1);
    expect(prod.stderr).toMatch(/--database ledger is a production database name/);
    const t = await someonesLedger();
    const own = await runLedger(['demo', '--database', t.name, '--force'], {
      DATABASE_URL: t.url,
      REDIS_URL: TEST_REDIS_URL,
    });
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/is a production database name/);
    expect(await exists(t.name)).toBe(true);
  });

  it('says in its help that it is a demo that drops its database', async () => {
    const help = await runLedger(['demo', '--help'], { DATABASE_URL: databaseUrl('ledger') });
    expect(help.stdout).toMatch(/DEMO ONLY, not for production data/);
    expect(help.stdout).toMatch(/--force/);
    const all = await runLedger(['--help'], { DATABASE_URL: databaseUrl('ledger') });
    expect(all.stdout).toMatch(/demo\s+(?:\S.*)?DEMO ONLY/);
  });

  it('marks the database it creates, and drops a marked one, an empty one, or with --force another', async () => {
    const url = databaseUrl('ledger');
    const marked = uniqueName('ledger_test_f');
    cleanups.push(() => dropDatabase(marked));
    const prefix = uniqueName('ledger_test');
    await freshDatabase(url, marked, TEST_REDIS_URL, prefix);
    expect(await comment(marked)).toBe(DEMO_DATABASE_MARKER);
    await freshDatabase(url, marked, TEST_REDIS_URL, prefix); // its own, migrated and full of tables: dropped and made again
    expect(await comment(marked)).toBe(DEMO_DATABASE_MARKER);

    const empty = uniqueName('ledger_test_f');
    cleanups.push(() => dropDatabase(empty));
    await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(empty)}`));
    await dropDemoDatabase(url, empty);
    expect(await exists(empty)).toBe(false);

    const t = await someonesLedger();
    await expect(dropDemoDatabase(url, t.name)).rejects.toBeInstanceOf(DemoDatabaseRefusedError);
    await t.db.destroy();
    await dropDemoDatabase(url, t.name, { force: true });
    expect(await exists(t.name)).toBe(false);

    const created = uniqueName('ledger_test_f');
    cleanups.push(() => dropDatabase(created));
    await createDemoDatabase(url, created);
    expect(await comment(created)).toBe(DEMO_DATABASE_MARKER);
  });
});
