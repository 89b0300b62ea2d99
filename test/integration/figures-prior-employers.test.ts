// Prior-employer lists count in the figures without a manual step (issue 11, figures 1): whichever order the
// `ledger import prior-employers` and the visits come in, a visit to a listed employer is not 新开拓, read where users
// read it (GET /v1/campaigns/{id}/rankings), with nothing run in between (no `ledger employers link-prior`).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { universityFigures, universityFiguresFromVisits } from '../../shared/repositories/measures.repository.ts';
import { createApiKey } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { useTestServices, type TestServices } from '../helpers/setup.ts';
import { waitForProcessed } from '../helpers/workload.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const CAMPAIGN = { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' };
const PRIOR_CSV =
  'university_code,employer_name,credit_code\n{U},華為技術有限公司,\n{U},平安银行股份有限公司,91440300192185379H\n';

/** One world per order: its own database, API and workers, so that neither order sees the other's employers. */
interface World {
  services: TestServices;
  ref: ReferenceData;
  nationalKey: string;
  dir: string;
  posted: number;
}

function useWorld(): World {
  const services = useTestServices({
    api: true,
    workers: { env: { WORKER_CONCURRENCY: '4', DB_POOL_SIZE: '3' }, overrides: { sweepIntervalMs: 0 } },
  });
  const world = { services, posted: 0 } as World; // the rest is set once the services are up
  beforeAll(async () => {
    world.ref = await createReferenceData(services.db);
    world.nationalKey = await createApiKey(services.db, 'national');
    world.dir = await mkdtemp(join(tmpdir(), 'ledger-prior-'));
  });
  afterAll(() => rm(world.dir, { recursive: true, force: true }));
  return world;
}

async function importPriorList(w: World): Promise<{ inserted: number; linked: number }> {
  const file = join(w.dir, 'prior.csv');
  await writeFile(file, PRIOR_CSV.replaceAll('{U}', w.ref.universityCode));
  const res = await runLedger(['import', 'prior-employers', '--file', file, '--json'], {
    DATABASE_URL: w.services.database.url,
  });
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
  const res = await w.services.api.request('POST', '/v1/visit-events/batch', { key: w.ref.apiKey, body: { events } });
  expect(res.status).toBe(200);
  expect(res.body.results.map((x: { status: string }) => x.status)).toEqual(['accepted', 'accepted', 'accepted']);
  w.posted += events.length;
  await waitForProcessed(w.services.db, w.ref.universityCode, w.posted);
}

async function rankingRow(w: World): Promise<Record<string, unknown>> {
  const res = await w.services.api.request(
    'GET',
    `/v1/campaigns/2022/rankings?scope=province:${w.ref.provinceCode}&asOf=2022-08-31`,
    { key: w.nationalKey },
  );
  expect(res.status).toBe(200);
  return res.body.rows.find((x: { universityCode: string }) => x.universityCode === w.ref.universityCode);
}

async function expectDerivedMatchesVisits(w: World): Promise<void> {
  const code = w.ref.universityCode;
  const derived = await universityFigures(w.services.db, CAMPAIGN, '2022-08-31', { universityCode: code });
  const direct = await universityFiguresFromVisits(w.services.db, CAMPAIGN.id, '2022-08-31', { universityCode: code });
  expect(derived.get(code)).toEqual(direct.get(code));
}

describe('prior list imported before the visits (the normal order)', () => {
  const w = useWorld();

  it('links every imported row to an employer at import time, creating the employers it does not know', async () => {
    const report = await importPriorList(w);
    expect(report).toMatchObject({ inserted: 2, linked: 2 });
    const rows = await w.services.db
      .selectFrom('prior_employers')
      .select(['employer_name', 'employer_id'])
      .orderBy('id')
      .execute();
    expect(rows.every((r) => r.employer_id !== null)).toBe(true);
  });

  it('does not count a later visit to a listed employer as newly developed, however its name is typed', async () => {
    await postVisits(w);
    const row = await rankingRow(w);
    // three employers visited; 华为 and 平安银行 are in the prior list, only 腾讯 is new
    expect(row).toMatchObject({ employersVisited: 3, principalEmployers: 3, newEmployers: 1 });
    await expectDerivedMatchesVisits(w);
  });
});

describe('prior list imported after the visits', () => {
  const w = useWorld();

  it('takes listed employers out of the new employers as soon as the list is imported', async () => {
    await postVisits(w);
    expect(await rankingRow(w)).toMatchObject({ employersVisited: 3, newEmployers: 3 });
    const report = await importPriorList(w);
    expect(report).toMatchObject({ inserted: 2, linked: 2 });
    expect(await rankingRow(w)).toMatchObject({ employersVisited: 3, newEmployers: 1 });
    await expectDerivedMatchesVisits(w);
  });

  it('changes nothing when the same list is imported again', async () => {
    const report = await importPriorList(w);
    expect(report).toMatchObject({ inserted: 0, linked: 0 });
    expect(await rankingRow(w)).toMatchObject({ employersVisited: 3, newEmployers: 1 });
  });
});
