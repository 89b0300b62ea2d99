// A database of this test file's own, cloned from the migrated template; dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../shared/db/database.ts';
import { ensureDatabase } from '../../shared/db/databases.ts';
import { inject } from 'vitest';
import { ADMIN_DATABASE_URL, databaseUrl } from './services.ts';

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** `prefix_<epoch seconds>_<random>`: unique, and old leftovers are recognisable by their time. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`;
}

export async function createTestDatabase(poolSize = 5): Promise<TestDatabase> {
  const name = uniqueName('ledger_test_f');
  const url = databaseUrl(name);
  // Cloning fails while another session holds the template open; that is brief, so retry. Not waitFor: this retries a
  // failed operation, with jitter so that files cloning at once do not retry in step.
  for (let attempt = 0; ; attempt++) {
    try {
      await ensureDatabase(url, inject('templateDatabase'));
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const db = createDb(url, { poolSize, applicationName: 'ledger-test' });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
