// The main job at a small size, end to end through real processes: its summary must agree with the database.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../shared/db/database.ts';
import { jsonOut, runLedger, type CliResult } from '../helpers/cli.ts';
import { databaseUrl } from '../helpers/services.ts';
import { dropDatabase, uniqueName } from '../helpers/test-db.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

const name = uniqueName('ledger_test_f');
const out = mkdtempSync(join(tmpdir(), 'ledger-demo-'));
let result: CliResult;
let summary: Record<string, any>;
let db: Db;

beforeAll(async () => {
  result = await runLedger(
    ['demo', '--visits', '2000', '--employers', '600', '--database', name, '--out', out, '--json'],
    { DATABASE_URL: databaseUrl('ledger'), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueName('ledger_test') },
  );
  if (result.code !== 0) throw new Error(`demo failed (${result.code}): ${result.stderr.slice(-2000)}`);
  summary = jsonOut(result);
  db = createDb(databaseUrl(name), { poolSize: 2, applicationName: 'ledger-test' });
}, 300_000);

afterAll(async () => {
  await db?.destroy();
  await dropDatabase(name);
  rmSync(out, { recursive: true, force: true });
});

describe('ledger demo --visits 2000', () => {
  it('processes every accepted event and reports the figures stored in the database', async () => {
    const inbox = await sql<{ processed: number; rejected: number; accepted: number }>`
      SELECT count(*) FILTER (WHERE status = 'processed')::int AS processed, count(*) FILTER (WHERE status = 'rejected')::int AS rejected,
             count(*) FILTER (WHERE status = 'accepted')::int AS accepted FROM inbox_events`.execute(db);
    expect(inbox.rows[0]).toEqual({ processed: summary.processed, rejected: summary.rejected, accepted: 0 });
    expect(summary.answers.accepted).toBe(summary.processed + summary.rejected);
    expect(summary.submitted).toBeGreaterThanOrEqual(2000);
    const visits = await sql<{ n: number }>`SELECT count(*)::int AS n FROM visits WHERE state = 'active'`.execute(db);
    expect(visits.rows[0]!.n).toBe(summary.visitsActive);
    expect(summary.visitsActive).toBeGreaterThan(1900);
    const universities = await sql<{ n: number }>`SELECT count(*)::int AS n FROM universities`.execute(db);
    expect(universities.rows[0]!.n).toBe(summary.universities);
  });

  it('leaves generated data and mail in the output folder', () => {
    expect(existsSync(join(out, 'data', 'universities.csv'))).toBe(true);
    expect(readdirSync(out).length).toBeGreaterThan(0);
  });
});
