// The figures follow the rules exactly (issue 11, figures 2-4), read at the rankings endpoint against real services:
// completion compared from exact ratios (ties stay ties), every threshold per campaign and per province with the plan
// deadline and late filings in the notices, and only visits inside the campaign's window counted, however they got in.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { universityFigures, universityFiguresFromVisits } from '../../shared/repositories/measures.repository.ts';
import { getNotice } from '../../shared/repositories/notice.repository.ts';
import { createApiKey } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import {
  insertCampaign,
  insertEmployers,
  insertUniversities,
  insertVisits,
  setPlacementRates,
  setProvinceOverride,
  type VisitSpec,
} from '../helpers/rankings-factories.ts';
import { useTestServices, type TestServices } from '../helpers/setup.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

interface World {
  services: TestServices;
  key: string;
}

/** A world per describe: its own database and API, and a national key. */
function useWorld(): World {
  const world = { services: useTestServices({ api: true }), key: '' };
  beforeAll(async () => {
    world.key = await createApiKey(world.services.db, 'national');
  });
  return world;
}

type Row = Record<string, unknown> & { universityCode?: string; provinceCode?: string };

async function rows(w: World, scope: string, asOf: string): Promise<Row[]> {
  const res = await w.services.api.request('GET', `/v1/campaigns/2022/rankings?scope=${scope}&asOf=${asOf}`, {
    key: w.key,
  });
  expect(res.status, res.text).toBe(200);
  return res.body.rows as Row[];
}

describe('completion is rounded once (figures 2)', () => {
  const w = useWorld();
  const A = '4144000001';
  const B = '4111000001';

  beforeAll(async () => {
    const db = w.services.db;
    await insertCampaign(db);
    await insertUniversities(db, [
      { code: A, provinceCode: '440000', vocational: true },
      { code: B, provinceCode: '110000', vocational: true },
    ]);
    // A: principal 1/6 and new 1/2 (placement below 广东's explicit average) → (1/6 + 1/2) / 2 = 1/3 exactly.
    await setProvinceOverride(db, '2022', '440000', { principalTarget: 6, newTarget: 2 });
    await setPlacementRates(db, '2022', { [A]: 0.5 });
    await db
      .insertInto('province_placement_averages')
      .values({ campaign_id: '2022', province_code: '440000', rate: 0.8 })
      .execute();
    // B: principal 1/3 only (no placement rate, so no new-employer target).
    await setProvinceOverride(db, '2022', '110000', { principalTarget: 3 });
    const [ea, eb] = await insertEmployers(db, ['甲公司', '乙公司']);
    await insertVisits(db, [
      { universityCode: A, employerId: ea!, visitedOn: '2022-04-01', roles: ['secretary'], positions: 10 },
      { universityCode: B, employerId: eb!, visitedOn: '2022-04-01', roles: ['president'], positions: 10 },
    ]);
  });

  it('ties two universities at exactly 1/3, one from 1/6 and 1/2, the other from 1/3', async () => {
    const national = await rows(w, 'national', '2022-04-10');
    expect(national.slice(0, 2).map((r) => [r.rank, r.universityCode, r.completion])).toEqual([
      [1, B, 0.333333],
      [1, A, 0.333333],
    ]);
  });

  it('ties their provinces too: the mean completion is exact before it is rounded for display', async () => {
    const provinces = await rows(w, 'provinces', '2022-04-10');
    expect(provinces.slice(0, 2).map((r) => [r.rank, r.provinceCode, r.meanCompletion])).toEqual([
      [1, '110000', 0.333333],
      [1, '440000', 0.333333],
    ]);
  });
});

describe('every threshold per campaign and per province, and the plan deadline (figures 3)', () => {
  const w = useWorld();
  const env = () => ({ DATABASE_URL: w.services.database.url });
  const G = '4144000001'; // 广东, principal target
  const G0 = '4144000002'; // 广东, no target
  const B = '4111000001'; // 北京, principal target
  const B0 = '4111000002'; // 北京, no target

  beforeAll(async () => {
    await insertUniversities(w.services.db, [
      { code: G, provinceCode: '440000', newUndergrad: true },
      { code: G0, provinceCode: '440000' },
      { code: B, provinceCode: '110000', newUndergrad: true },
      { code: B0, provinceCode: '110000' },
    ]);
  });

  it('ledger campaign create stores the on-site share flag, the base without targets and the plan deadline', async () => {
    const res = await runLedger(
      [
        'campaign',
        'create',
        '--id',
        '2022',
        '--start',
        '2022-03-01',
        '--end',
        '2022-08-31',
        '--onsite-share-flag',
        '0.6',
        '--base-without-targets',
        '50',
        '--plan-deadline',
        '2022-03-18',
        '--json',
      ],
      env(),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(jsonOut<{ campaign: unknown }>(res).campaign).toEqual({
      id: '2022',
      name: '2022 全国高校书记校长访企拓岗促就业专项行动',
      start: '2022-03-01',
      end: '2022-08-31',
      principalTarget: 100,
      newTarget: 100,
      behindFactor: 0.8,
      onsiteShareFlag: 0.6,
      baseWithoutTargets: 50,
      planDeadline: '2022-03-18',
    });
    const again = await runLedger(
      [
        'campaign',
        'create',
        '--id',
        '2022',
        '--start',
        '2022-03-01',
        '--end',
        '2022-08-31',
        '--base-without-targets',
        '40',
      ],
      env(),
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--base-without-targets 50 \(you gave 40\)/);
  });

  it('ledger campaign set-target overrides them for one province', async () => {
    const res = await runLedger(
      [
        'campaign',
        'set-target',
        '--id',
        '2022',
        '--province',
        '110000',
        '--onsite-share-flag',
        '0.3',
        '--base-without-targets',
        '20',
        '--behind-factor',
        '0.4',
        '--json',
      ],
      env(),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(jsonOut(res)).toEqual({
      campaignId: '2022',
      provinceCode: '110000',
      principalTarget: null,
      newTarget: null,
      behindFactor: 0.4,
      onsiteShareFlag: 0.3,
      baseWithoutTargets: 20,
    });
  });

  it('applies them in the rankings: completion without targets, the on-site flag, behind', async () => {
    const employers = await insertEmployers(
      w.services.db,
      Array.from({ length: 10 }, (_, i) => `单位${i}`),
    );
    const visits: VisitSpec[] = [];
    for (const code of [G0, B0])
      employers.forEach((e) => visits.push({ universityCode: code, employerId: e, visitedOn: '2022-04-01' }));
    // half of the principal-target universities' visits on site: flagged under 0.6 (广东), not under 0.3 (北京)
    for (const code of [G, B]) {
      employers.slice(0, 4).forEach((e, i) =>
        visits.push({
          universityCode: code,
          employerId: e,
          visitedOn: '2022-04-02',
          roles: ['secretary'],
          mode: i % 2 ? 'online' : 'onsite',
        }),
      );
    }
    await insertVisits(w.services.db, visits);
    const national = new Map((await rows(w, 'national', '2022-08-31')).map((r) => [r.universityCode, r]));
    expect(national.get(G0)).toMatchObject({ completion: 0.2, behind: true }); // 10 / 50; 0.2 < 0.8 × 1
    expect(national.get(B0)).toMatchObject({ completion: 0.5, behind: false }); // 10 / 20; 0.5 ≥ 0.4 × 1
    expect(national.get(G)).toMatchObject({ onsiteShare: 0.5, onsiteFlag: true });
    expect(national.get(B)).toMatchObject({ onsiteShare: 0.5, onsiteFlag: false });
  });

  it('ledger plans list says which filing was late', async () => {
    for (const [province, date] of [
      ['440000', '2022-03-20'],
      ['110000', '2022-03-18'],
    ]) {
      const res = await runLedger(
        ['plans', 'file', '--campaign', '2022', '--province', province!, '--date', date!],
        env(),
      );
      expect(res.code, res.stderr).toBe(0);
    }
    const res = await runLedger(['plans', 'list', '--campaign', '2022', '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    const listed =
      jsonOut<Array<{ provinceCode: string; filedOn: string | null; deadline: string | null; late: boolean }>>(res);
    expect(listed.find((p) => p.provinceCode === '440000')).toMatchObject({
      filedOn: '2022-03-20',
      deadline: '2022-03-18',
      late: true,
    });
    expect(listed.find((p) => p.provinceCode === '110000')).toMatchObject({
      filedOn: '2022-03-18',
      deadline: '2022-03-18',
      late: false,
    });
    expect(listed.find((p) => p.provinceCode === '120000')).toMatchObject({ filedOn: null, late: false });
    const human = await runLedger(['plans', 'list', '--campaign', '2022'], env());
    expect(human.stdout).toMatch(/440000\t广东省\t2022-03-20 \(late: due 2022-03-18\)/);
  });

  it('notices list late filings beside missing ones, and flag on-site shares against the province threshold', async () => {
    const result = await generateNotices(w.services.db, { campaignId: '2022', period: '2022-08' });
    const national = await getNotice(w.services.db, result.notices.find((n) => n.scope === 'national')!.id);
    expect(national!.model).toMatchObject({
      planDeadline: '2022-03-18',
      plansLate: [{ provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-20' }],
    });
    expect((national!.model as { plansMissing: unknown[] }).plansMissing).toHaveLength(30); // 32 reporting units, 2 filed
    expect(national!.text).toContain('逾期报送实施方案的省份（1个）：广东省（2022年3月20日报送）');
    expect(national!.markdown).toContain('逾期报送实施方案的省份（1个）：广东省（2022年3月20日报送）');
    expect(national!.html).toContain('广东省（2022年3月20日报送）');

    const gd = await getNotice(w.services.db, result.notices.find((n) => n.scope === 'province:440000')!.id);
    expect(gd!.model).toMatchObject({
      planFiledOn: '2022-03-20',
      planDeadline: '2022-03-18',
      planLate: true,
      onsiteShareFlag: 0.6,
    });
    expect((gd!.model as unknown as { onsiteFlagged: Row[] }).onsiteFlagged.map((r) => r.universityCode)).toEqual([G]);
    expect(gd!.text).toContain('实施方案已于2022年3月20日报送，晚于2022年3月18日的报送期限。');
    expect(gd!.text).toContain('实地走访占比低于60%的高校');
    const bj = await getNotice(w.services.db, result.notices.find((n) => n.scope === 'province:110000')!.id);
    expect(bj!.model).toMatchObject({ planLate: false, onsiteShareFlag: 0.3, onsiteFlagged: [] });
    expect(bj!.text).toContain('实施方案已于2022年3月18日报送。');
  });
});

describe('only visits inside the campaign window count (figures 4)', () => {
  const w = useWorld();
  const U = '4144000001';
  const C = { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' };

  beforeAll(async () => {
    const db = w.services.db;
    await insertCampaign(db);
    await insertUniversities(db, [{ code: U, provinceCode: '440000' }]);
    const [e1, e2, e3, e4, e5] = await insertEmployers(db, ['一公司', '二公司', '三公司', '四公司', '五公司']);
    // Straight into the table, as a path that skips the API's date check would (or a visit stored before the dates moved).
    await insertVisits(db, [
      { universityCode: U, employerId: e1!, visitedOn: '2022-02-20', positions: 1 }, // before the start: e1 is known
      { universityCode: U, employerId: e1!, visitedOn: '2022-04-01', positions: 2 },
      { universityCode: U, employerId: e2!, visitedOn: '2022-05-01', positions: 4 },
      { universityCode: U, employerId: e5!, visitedOn: '2022-04-01', positions: 8 },
      { universityCode: U, employerId: e5!, visitedOn: '2022-05-10', positions: 16 },
      { universityCode: U, employerId: e4!, visitedOn: '2022-08-31', positions: 32 }, // the last day counts
      { universityCode: U, employerId: e3!, visitedOn: '2022-09-10', positions: 64 }, // after the end: never
    ]);
  });

  async function figures(asOf: string) {
    const campaign = await w.services.db
      .selectFrom('campaigns')
      .select(['start_date', 'end_date'])
      .where('id', '=', '2022')
      .executeTakeFirstOrThrow();
    const c = { ...C, startDate: campaign.start_date, endDate: campaign.end_date };
    const derived = (await universityFigures(w.services.db, c, asOf, { universityCode: U })).get(U);
    // the trigger-kept tables agree with a plain aggregate over the visits in the window
    expect(derived).toEqual(
      (await universityFiguresFromVisits(w.services.db, C.id, asOf, { universityCode: U })).get(U),
    );
    const row = (await rows(w, 'province:440000', asOf)).find((r) => r.universityCode === U)!;
    return {
      employers: row.employersVisited,
      new: row.newEmployers,
      positions: row.positions,
      visits: derived?.visits ?? 0,
    };
  }

  it('does not count a visit dated after the end, at the end or after it', async () => {
    const atEnd = await figures('2022-08-31');
    expect(atEnd).toEqual({ employers: 4, new: 3, positions: 62, visits: 5 });
    expect(await figures('2022-12-31')).toEqual(atEnd);
  });

  it('follows the campaign when its end moves earlier, and back', async () => {
    await sql`UPDATE campaigns SET end_date = '2022-06-30' WHERE id = '2022'`.execute(w.services.db);
    expect(await figures('2022-12-31')).toEqual({ employers: 3, new: 2, positions: 30, visits: 4 });
    await sql`UPDATE campaigns SET end_date = '2022-08-31' WHERE id = '2022'`.execute(w.services.db);
    expect(await figures('2022-12-31')).toEqual({ employers: 4, new: 3, positions: 62, visits: 5 });
  });

  it('follows the campaign when its start moves later: visits before it neither count nor make employers new', async () => {
    await sql`UPDATE campaigns SET start_date = '2022-04-15' WHERE id = '2022'`.execute(w.services.db);
    // e1 only before the new start; e5 first visited before it (known), again after it (counted, not new)
    expect(await figures('2022-08-31')).toEqual({ employers: 3, new: 2, positions: 52, visits: 3 });
    await sql`UPDATE campaigns SET start_date = '2022-03-01' WHERE id = '2022'`.execute(w.services.db);
    expect(await figures('2022-08-31')).toEqual({ employers: 4, new: 3, positions: 62, visits: 5 });
  });
});
