// The main job at a small size, end to end through real processes: its summary must agree with the database.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../shared/db/database.ts';
import { jsonOut, runLedger, type CliResult } from '../helpers/cli.ts';
import { databaseUrl } from '../helpers/services.ts';
import { dropDatabase, uniqueName } from '../helpers/test-db.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

const name = uniqueName('ledger_test_f');
const prefix = uniqueName('ledger_test');
const out = mkdtempSync(join(tmpdir(), 'ledger-demo-'));
let result: CliResult;
let summary: Record<string, any>;
let db: Db;

beforeAll(async () => {
  result = await runLedger(
    ['demo', '--visits', '2000', '--employers', '600', '--database', name, '--out', out, '--json'],
    { DATABASE_URL: databaseUrl('ledger'), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix },
  );
  if (result.code !== 0) throw new Error(`demo failed (${result.code}): ${result.stderr.slice(-2000)}`);
  summary = jsonOut(result);
  db = createDb(databaseUrl(name), { poolSize: 2, applicationName: 'ledger-test' });
}, 300_000);

afterAll(async () => {
  await db?.destroy();
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const keys = await redis.keys(`${prefix}-demo:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
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

  it('prints the national top of the stored snapshot and the stored totals', async () => {
    const snap = await sql<{ rows: Array<{ rank: number; universityCode: string; completion: number }> }>`
      SELECT rows FROM ranking_snapshots WHERE campaign_id = '2022' AND period = ${summary.noticePeriod} AND scope = 'national'`.execute(
      db,
    );
    expect(snap.rows).toHaveLength(1);
    expect(summary.top.map((r: { universityCode: string }) => r.universityCode)).toEqual(
      snap.rows[0]!.rows.slice(0, 10).map((r) => r.universityCode),
    );
    const active = await sql<{ n: number; positions: number }>`
      SELECT count(*)::int AS n, coalesce(sum(positions), 0)::int AS positions FROM visits
      WHERE state = 'active' AND visited_on BETWEEN '2022-03-01' AND ${summary.asOf}`.execute(db);
    expect(summary.totals.visits).toBe(active.rows[0]!.n);
    expect(summary.totals.positions).toBe(active.rows[0]!.positions);
    expect(summary.snapshots.length).toBeGreaterThan(20);
  });

  it('delivers every notice once to its recipient and leaves its files in the output folder', async () => {
    // One national notice and one per province, each to one mailbox of the local sink.
    expect(summary.notices).toHaveLength(32);
    expect(summary.deliveries).toEqual({ delivered: 32 });
    expect(summary.mailsReceived).toBe(32);
    expect(readdirSync(join(out, 'mail'))).toHaveLength(32);
    for (const n of summary.notices as Array<{ files: string[] }>)
      for (const f of n.files) expect(existsSync(f)).toBe(true);
    expect(existsSync(join(out, 'data', 'universities.csv'))).toBe(true);
    const deliveries = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM notice_deliveries WHERE state = 'delivered'`.execute(db);
    expect(deliveries.rows[0]!.n).toBe(32);
  });
});
