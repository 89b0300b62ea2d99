// Migrates one template database per test run; every test file clones its own database from it.
// Names carry the run's start time so that leftovers of an interrupted run can be recognised and dropped.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { ADMIN_DATABASE_URL, databaseUrl } from './services.ts';

const STALE_AFTER_SECONDS = 3 * 3600;

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const now = Math.floor(Date.now() / 1000);
  const template = `ledger_test_tpl_${now}_${randomBytes(3).toString('hex')}`;
  await withAdmin(async (admin) => {
    const rows = await admin.query(`SELECT datname FROM pg_database WHERE datname ~ '^ledger_test_(tpl|f)_[0-9]+_'`);
    for (const { datname } of rows.rows as Array<{ datname: string }>) {
      const started = Number(datname.split('_')[3]);
      if (now - started > STALE_AFTER_SECONDS) {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
  });
  await migrateToLatest(databaseUrl(template));
  project.provide('templateDatabase', template);
  return async () => {
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(template)} WITH (FORCE)`));
  };
}
