// Prior-employer lists count in the figures without a manual step (issue 11, figures 1): whichever order the
// `ledger import prior-employers` and the visits come in, a visit to a listed employer is not 新开拓, read where users
// read it (GET /v1/campaigns/{id}/rankings), with nothing run in between (no `ledger employers link-prior`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { universityFigures, universityFiguresFromVisits } from '../../shared/repositories/measures.repository.ts';
import { createApiKey, startTestApi, type TestApi } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';
import { waitForProcessed } from '../helpers/workload.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const CAMPAIGN = { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' };
const PRIOR_CSV =
  'university_code,employer_name,credit_code\n{U},華為技術有限公司,\n{U},平安银行股份有限公司,91440300192185379H\n';

/** One world per order: its own database, API and workers, so that neither order sees the other's employers. */
interface World {
  t: TestDatabase;
  r: TestRedis;
  api: TestApi;
  workers: Workers;
  ref: ReferenceData;
  nationalKey: string;
  dir: string;
  posted: number;
}

async function startWorld(): Promise<World> {
  const t = await createTestDatabase();
  const r = createTestRedis();
  const ref = await createReferenceData(t.db);
  const api = await startTestApi({ databaseUrl: t.url, redisUrl: r.url, prefix: r.prefix });
  const config = loadConfig({
    DATABASE_URL: t.url,
    REDIS_URL: r.url,
    QUEUE_PREFIX: r.prefix,
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '4',
    DB_POOL_SIZE: '3',
  });
  const workers = await startWorkers(config, { sweepIntervalMs: 0 });
  const nationalKey = await createApiKey(t.db, 'national');
  const dir = await mkdtemp(join(tmpdir(), 'ledger-prior-'));
  return { t, r, api, workers, ref, nationalKey, dir, posted: 0 };
}

async function stopWorld(w: World | undefined): Promise<void> {
  if (!w) return;
  await w.workers.close();
  await w.api.close();
  await w.r.cleanup();
  await w.t.drop();
  await rm(w.dir, { recursive: true, force: true });
}

async function importPriorList(w: World): Promise<{ inserted: number; linked: number }> {
  const file = join(w.dir, 'prior.csv');
  await writeFile(file, PRIOR_CSV.replaceAll('{U}', w.ref.universityCode));
  const res = await runLedger(['import', 'prior-employers', '--file', file, '--json'], { DATABASE_URL: w.t.url });
  expect(res.code, res.stderr).toBe(0);
  return jsonOut(res);
}

/** Visits by the university to the listed employers as typed elsewhere (simplified characters; no code), and one more. */
async function postVisits(w: World): Promise<void> {
  const names = ['华为技术有限公司', '平安银行', '腾讯科技（深圳）有限公司'];
  const events = names.map((name, i) =>
    visitEvent(w.ref, {
      visit: { visitedOn: `2022-04-0${i + 1}`, employer: { name }, leaders: [{ role: 'secretary', name: '张三' }] },
    }),
  );
  const res = await w.api.request('POST', '/v1/visit-events/batch', { key: w.ref.apiKey, body: { events } });
  expect(res.status).toBe(200);
  expect(res.body.results.map((x: { status: string }) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
  w.posted += events.length;
  await waitForProcessed(w.t.db, w.ref.universityCode, w.posted);
}

async function rankingRow(w: World): Promise<Record<string, unknown>> {
  const res = await w.api.request(
    'GET',
    `/v1/campaigns/2022/rankings?scope=province:${w.ref.provinceCode}&asOf=2022-08-31`,
    { key: w.nationalKey },
  );
  expect(res.status).toBe(200);
  return res.body.rows.find((x: { universityCode: string }) => x.universityCode === w.ref.universityCode);
}

async function expectDerivedMatchesVisits(w: World): Promise<void> {
  const code = w.ref.universityCode;
  const derived = await universityFigures(w.t.db, CAMPAIGN, '2022-08-31', { universityCode: code });
  const direct = await universityFiguresFromVisits(w.t.db, CAMPAIGN.id, '2022-08-31', { universityCode: code });
  expect(derived.get(code)).toEqual(direct.get(code));
}

describe('prior list imported before the visits (the normal order)', () => {
  let w: World | undefined;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => stopWorld(w));

  it('links every imported row to an employer at import time, creating the employers it does not know', async () => {
    const report = await importPriorList(w!);
    expect(report).toMatchObject({ inserted: 2, linked: 2 });
    const rows = await w!.t.db
      .selectFrom('prior_employers')
      .select(['employer_name', 'employer_id'])
      .orderBy('id')
      .execute();
    expect(rows.every((r) => r.employer_id !== null)).toBe(true);
  });

  it('does not count a later visit to a listed employer as newly developed, however its name is typed', async () => {
    await postVisits(w!);
    const row = await rankingRow(w!);
    // three employers visited; 华为 and 平安银行 are in the prior list, only 腾讯 is new
    expect(row).toMatchObject({ employersVisited: 3, principalEmployers: 3, newEmployers: 1 });
    await expectDerivedMatchesVisits(w!);
  });
});

describe('prior list imported after the visits', () => {
  let w: World | undefined;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(() => stopWorld(w));

  it('takes listed employers out of the new employers as soon as the list is imported', async () => {
    await postVisits(w!);
    expect(await rankingRow(w!)).toMatchObject({ employersVisited: 3, newEmployers: 3 });
    const report = await importPriorList(w!);
    expect(report).toMatchObject({ inserted: 2, linked: 2 });
    expect(await rankingRow(w!)).toMatchObject({ employersVisited: 3, newEmployers: 1 });
    await expectDerivedMatchesVisits(w!);
  });

  it('changes nothing when the same list is imported again', async () => {
    const report = await importPriorList(w!);
    expect(report).toMatchObject({ inserted: 0, linked: 0 });
    expect(await rankingRow(w!)).toMatchObject({ employersVisited: 3, newEmployers: 1 });
  });
});
