// Snapshots per (campaign, period, scope): every scope stored, rank changes against the previous snapshot of the same
// kind, a re-run replacing the period, plans shown; `ledger plans` files and lists them.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProvinceRankRow, UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { takeSnapshots } from '../../shared/use-cases/take-snapshots.ts';
import { filePlan, listPlans } from '../../shared/repositories/plan.repository.ts';
import { getSnapshot, listSnapshots } from '../../shared/repositories/snapshot.repository.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { buildRankingWorld, insertVisits, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
let employers: number[];

beforeAll(async () => {
  ({ employers } = await buildRankingWorld(services.db));
});

const rowsOf = (s: { rows: unknown[] } | undefined) => (s?.rows ?? []) as UniversityRankRow[];

describe('snapshots', () => {
  it('stores national, provinces and every province for the period, as of its last day by default', async () => {
    const snaps = await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W14' });
    expect(snaps).toHaveLength(2 + 32 + 1); // national, provinces, the 32 reporting units, central
    expect(snaps.at(-1)?.scope).toBe('central');
    expect(snaps.map((s) => s.scope).slice(0, 3)).toEqual(['national', 'provinces', 'province:110000']);
    expect(snaps.every((s) => s.asOf === '2022-04-10' && s.period === '2022-W14')).toBe(true);
    const national = await getSnapshot(services.db, '2022', '2022-W14', 'national');
    expect(rowsOf(national).map((r) => [r.universityCode, r.rank, r.rankChange])).toEqual([
      [W.G1, 1, null],
      [W.B2, 2, null],
      [W.G2, 3, null],
      [W.B1, 4, null],
      [W.G3, 5, null],
      [W.G5, 5, null],
      [W.G4, 7, null],
    ]);
    const gd = await getSnapshot(services.db, '2022', '2022-W14', 'province:440000');
    expect(rowsOf(gd).map((r) => [r.universityCode, r.rank])).toEqual([
      [W.G1, 1],
      [W.G2, 2],
      [W.G3, 3],
      [W.G5, 3],
      [W.G4, 5],
    ]);
  });

  it('shows rank changes against the previous weekly snapshot', async () => {
    // W15: G4 visits 80 employers (→ 0.8), G5 one more (from 2022-04-11) → G5 ahead of G3
    await insertVisits(
      services.db,
      employers.map((e) => ({ universityCode: W.G4, employerId: e, visitedOn: '2022-04-12' })),
    );
    await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W15' });
    const national = rowsOf(await getSnapshot(services.db, '2022', '2022-W15', 'national'));
    expect(national.map((r) => [r.universityCode, r.rank, r.rankChange])).toEqual([
      [W.G1, 1, 0],
      [W.G4, 2, 5],
      [W.B2, 3, -1],
      [W.G2, 4, -1],
      [W.B1, 5, -1],
      [W.G5, 6, -1],
      [W.G3, 7, -2],
    ]);
  });

  it('compares a monthly snapshot only with monthly ones', async () => {
    await takeSnapshots(services.db, { campaignId: '2022', period: '2022-04' });
    const april = await getSnapshot(services.db, '2022', '2022-04', 'national');
    expect(april?.asOf).toBe('2022-04-30');
    expect(rowsOf(april).every((r) => r.rankChange === null)).toBe(true);
    await takeSnapshots(services.db, { campaignId: '2022', period: '2022-05' });
    expect(rowsOf(await getSnapshot(services.db, '2022', '2022-05', 'national')).every((r) => r.rankChange === 0)).toBe(
      true,
    );
  });

  it('replaces a period when it is run again, and shows filed plans in the provinces ranking', async () => {
    const before = await getSnapshot(services.db, '2022', '2022-W14', 'provinces');
    expect((before!.rows as ProvinceRankRow[]).every((r) => r.planFiledOn === null)).toBe(true);
    await filePlan(services.db, '2022', '440000', '2022-03-15');
    await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W14', asOf: '2022-04-09' });
    const all = await listSnapshots(services.db, '2022', '2022-W14');
    expect(all).toHaveLength(35);
    const after = all.find((s) => s.scope === 'provinces')!;
    expect(after.asOf).toBe('2022-04-09');
    expect(after.computedAt > before!.computedAt).toBe(true);
    expect((after.rows as ProvinceRankRow[]).find((r) => r.provinceCode === '440000')?.planFiledOn).toBe('2022-03-15');
  });

  it('caps the default cut-off at the campaign end', async () => {
    const snaps = await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W35' });
    expect(snaps[0]!.asOf).toBe('2022-08-31');
  });
});

describe('province plans', () => {
  it('lists all 32 reporting units with the date filed or null', async () => {
    const plans = await listPlans(services.db, '2022');
    expect(plans).toHaveLength(32);
    expect(plans.find((p) => p.provinceCode === '440000')).toEqual({
      provinceCode: '440000',
      provinceName: '广东省',
      filedOn: '2022-03-15',
      deadline: null,
      late: false,
    });
    expect(plans.filter((p) => p.filedOn === null)).toHaveLength(31);
  });

  it('ledger plans file records (and corrects) a date by code or name; plans list prints them', async () => {
    const env = { DATABASE_URL: services.database.url };
    const filed = await runLedger(
      ['plans', 'file', '--campaign', '2022', '--province', '北京市', '--date', '2022-03-18', '--json'],
      env,
    );
    expect(filed.code, filed.stderr).toBe(0);
    expect(jsonOut(filed)).toEqual({
      campaignId: '2022',
      provinceCode: '110000',
      provinceName: '北京市',
      filedOn: '2022-03-18',
      deadline: null,
      late: false,
    });
    await runLedger(['plans', 'file', '--campaign', '2022', '--province', '440000', '--date', '2022-03-16'], env);
    const listed = jsonOut<Array<{ provinceCode: string; filedOn: string | null }>>(
      await runLedger(['plans', 'list', '--campaign', '2022', '--json'], env),
    );
    expect(listed.filter((p) => p.filedOn !== null)).toEqual([
      { provinceCode: '110000', provinceName: '北京市', filedOn: '2022-03-18', deadline: null, late: false },
      { provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-16', deadline: null, late: false },
    ]);
    const bad = await runLedger(
      ['plans', 'file', '--campaign', '2022', '--province', '990000', '--date', '2022-03-18'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('province 990000 does not exist');
  });
});
