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
}, 900_000); // the whole campaign with its documents, beside the rest of the suite on two cores

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
    // One national notice, one per reporting unit (31 provinces and 兵团) and the central one, each to one mailbox.
    expect(summary.notices).toHaveLength(34);
    const scopes = (summary.notices as Array<{ scope: string }>).map((n) => n.scope);
    expect(scopes).toContain('province:660000');
    expect(scopes).toContain('central');
    expect(summary.deliveries).toEqual({ delivered: 34 });
    for (const n of summary.notices as Array<{ files: string[] }>)
      for (const f of n.files) expect(existsSync(f)).toBe(true);
    expect(existsSync(join(out, 'data', 'universities.csv'))).toBe(true);
    const deliveries = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM notice_deliveries WHERE state = 'delivered'`.execute(db);
    const reports = (summary.summary as { reports: number }).reports;
    expect(deliveries.rows[0]!.n).toBe(34 + reports);
    expect(summary.mailsReceived).toBe(34 + reports);
    expect(readdirSync(join(out, 'mail'))).toHaveLength(34 + reports);
  });

  it('ends with the campaign summary (总结), national, per reporting unit and central, delivered once each', async () => {
    const { reports, deliveries, files } = summary.summary as {
      reports: number;
      deliveries: Record<string, number>;
      files: string[];
    };
    const stored = await sql<{ scope: string; text: string }>`
      SELECT scope, text FROM notices WHERE period = 'summary' ORDER BY scope`.execute(db);
    expect(stored.rows).toHaveLength(reports);
    expect(stored.rows.map((r) => r.scope)).toEqual(expect.arrayContaining(['national', 'province:660000', 'central']));
    expect(reports).toBeGreaterThanOrEqual(34); // national, the 32 reporting units and central
    expect(deliveries).toEqual({ delivered: reports });
    for (const f of files) expect(existsSync(f)).toBe(true);
    const national = stored.rows.find((r) => r.scope === 'national')!;
    expect(national.text).toContain('总结');
  });

  it('takes its universities from the Ministry list: 兵团 and central ones among them', async () => {
    const units = await sql<{ bingtuan: number; central: number }>`
      SELECT count(*) FILTER (WHERE province_code = '660000')::int AS bingtuan,
             count(*) FILTER (WHERE central IS NOT NULL)::int AS central FROM universities`.execute(db);
    expect(units.rows[0]).toEqual({ bingtuan: 8, central: 132 });
  });

  it("imports every university's leadership roster, and visits name leaders from it, a few not on it", async () => {
    const roster = await sql<{ universities: number; leaders: number; secretaries: number; presidents: number }>`
      SELECT count(DISTINCT university_code)::int AS universities, count(*)::int AS leaders,
             count(*) FILTER (WHERE role = 'secretary')::int AS secretaries,
             count(*) FILTER (WHERE role = 'president')::int AS presidents
      FROM leader_rosters WHERE campaign_id = '2022'`.execute(db);
    expect(roster.rows[0]).toEqual({
      universities: summary.universities,
      leaders: summary.rosters.leaders,
      secretaries: summary.universities,
      presidents: summary.universities,
    });
    expect(summary.rosters).toEqual({ universities: summary.universities, leaders: expect.any(Number) });
    expect(summary.rosters.leaders).toBeGreaterThan(5 * summary.universities);
    const named = await sql<{ entries: number; off: number }>`
      SELECT count(*)::int AS entries,
             count(*) FILTER (WHERE NOT EXISTS (
               SELECT 1 FROM leader_rosters r WHERE r.campaign_id = '2022' AND r.university_code = v.university_code
                 AND r.name_key = leader_name_key(l->>'name')))::int AS off
      FROM visits v CROSS JOIN jsonb_array_elements(v.leaders) l WHERE v.state = 'active'`.execute(db);
    const { entries, off } = named.rows[0]!;
    expect(off).toBeGreaterThan(0);
    expect(off / entries).toBeLessThan(0.08);
  });

  it('stores staff, staff-only visits, kinds of place and the new outcomes', async () => {
    const v = await sql<{
      n: number;
      staff: number;
      staffOnly: number;
      kinds: string[];
      placed: number;
      newPositions: number;
      hired: number;
      majors: number;
    }>`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE jsonb_array_length(staff) > 0)::int AS staff,
             count(*) FILTER (WHERE NOT has_leader)::int AS "staffOnly",
             array_agg(DISTINCT place_kind ORDER BY place_kind) FILTER (WHERE place_kind IS NOT NULL) AS kinds,
             count(place_kind)::int AS placed,
             count(*) FILTER (WHERE new_positions > 0)::int AS "newPositions",
             count(*) FILTER (WHERE hired > 0)::int AS hired,
             count(*) FILTER (WHERE jsonb_array_length(majors) > 0)::int AS majors
      FROM visits WHERE state = 'active'`.execute(db);
    const r = v.rows[0]!;
    expect(r.staff / r.n).toBeGreaterThan(0.2);
    expect(r.staffOnly).toBeGreaterThan(0);
    expect(r.staffOnly / r.n).toBeLessThan(0.1);
    expect(r.kinds).toEqual(['association', 'enterprise', 'institution', 'other', 'park']);
    expect(r.placed / r.n).toBeGreaterThan(0.75);
    for (const k of ['newPositions', 'hired', 'majors'] as const) expect(r[k] / r.n).toBeGreaterThan(0.2);
    const o = summary.totals.outreach;
    expect(o.staffOnlyVisits).toBeGreaterThan(0);
    expect(o.placeKinds.park.visits).toBeGreaterThan(0);
  });

  it('sends a third to a half of the visits to partners on the prior lists', async () => {
    const share = await sql<{ n: number; prior: number }>`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM prior_employers p WHERE p.university_code = v.university_code
                 AND p.employer_id = v.employer_id))::int AS prior
      FROM visits v WHERE v.state = 'active'`.execute(db);
    const { n, prior } = share.rows[0]!;
    expect(prior / n).toBeGreaterThanOrEqual(0.3);
    expect(prior / n).toBeLessThanOrEqual(0.55);
  });

  it("files most universities' plans, a share late, some missing", async () => {
    const plans = await sql<{ filed: number; late: number }>`
      SELECT count(*)::int AS filed, count(*) FILTER (WHERE filed_on > '2022-03-18')::int AS late
      FROM university_plans WHERE campaign_id = '2022'`.execute(db);
    expect(plans.rows[0]).toEqual({ filed: summary.universityPlans.filed, late: summary.universityPlans.late });
    expect(summary.universityPlans.filed / summary.universities).toBeGreaterThan(0.7);
    expect(summary.universityPlans.late).toBeGreaterThan(0);
    expect(summary.universityPlans.missing).toBe(summary.universities - summary.universityPlans.filed);
    expect(summary.universityPlans.missing).toBeGreaterThan(0);
  });
});
