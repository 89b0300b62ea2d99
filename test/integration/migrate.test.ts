import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { dropDatabase, uniqueName } from '../helpers/test-db.ts';
import { databaseUrl } from '../helpers/services.ts';

const created: string[] = [];
afterAll(async () => {
  for (const name of created) await dropDatabase(name);
});

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('ledger migrate', () => {
  it('creates a missing database with a UTF-8 locale and applies every migration', async () => {
    const name = uniqueName('ledger_test_f');
    created.push(name);
    const result = await migrateToLatest(databaseUrl(name));
    expect(result.created).toBe(true);
    expect(result.applied[0]).toBe('0001_foundation');
    const [db] = await query<{ ctype: string; enc: string }>(
      databaseUrl(name),
      `SELECT datctype AS ctype, pg_encoding_to_char(encoding) AS enc FROM pg_database WHERE datname = current_database()`,
    );
    expect(db?.enc).toBe('UTF8');
    expect(db?.ctype).toMatch(/utf-?8/i);
    const provinces = await query<{ n: number }>(databaseUrl(name), 'SELECT count(*)::int AS n FROM provinces');
    expect(provinces[0]?.n).toBe(32); // the 31 provinces and 新疆生产建设兵团 (migration 0013)
  });

  it('is safe to run again: nothing applied the second time', async () => {
    const name = uniqueName('ledger_test_f');
    created.push(name);
    await migrateToLatest(databaseUrl(name));
    const again = await migrateToLatest(databaseUrl(name));
    expect(again).toEqual({ created: false, applied: [] });
  });

  it('is safe when two run at once on a missing database', async () => {
    const name = uniqueName('ledger_test_f');
    created.push(name);
    const [a, b] = await Promise.all([migrateToLatest(databaseUrl(name)), migrateToLatest(databaseUrl(name))]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(a.applied.length + b.applied.length).toBeGreaterThan(0);
    expect(a.applied.filter((m) => b.applied.includes(m))).toEqual([]);
    const rows = await query<{ n: number }>(databaseUrl(name), 'SELECT count(*)::int AS n FROM kysely_migration');
    expect(rows[0]?.n).toBe(a.applied.length + b.applied.length);
  });
});
