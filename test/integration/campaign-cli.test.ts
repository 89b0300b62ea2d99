// `ledger campaign create | set-target | list` run as an operator would, against this file's own database.
import { describe, expect, it, vi } from 'vitest';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';

// Each test runs the CLI several times (about a second each when idle, many more on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const services = useTestServices();
const ledger = (args: string[]) => runLedger(args, { DATABASE_URL: services.database.url });

interface Listed {
  id: string;
  name: string;
  start: string;
  end: string;
  principalTarget: number;
  newTarget: number;
  behindFactor: number;
  provinceTargets: Array<{
    provinceCode: string;
    principalTarget: number | null;
    newTarget: number | null;
    behindFactor: number | null;
  }>;
}

describe('ledger campaign create', () => {
  it('creates a campaign with the default targets (100, 100, 0.8)', async () => {
    const r = await ledger([
      'campaign',
      'create',
      '--id',
      '2022',
      '--start',
      '2022-03-01',
      '--end',
      '2022-08-31',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut(r)).toEqual({
      created: true,
      campaign: {
        id: '2022',
        name: '2022 全国高校书记校长访企拓岗促就业专项行动',
        start: '2022-03-01',
        end: '2022-08-31',
        principalTarget: 100,
        newTarget: 100,
        behindFactor: 0.8,
        onsiteShareFlag: 0.5,
        baseWithoutTargets: 100,
        planDeadline: null,
      },
    });
    const row = await services.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', '2022')
      .executeTakeFirstOrThrow();
    expect([row.start_date, row.end_date, row.principal_target, row.new_target]).toEqual([
      '2022-03-01',
      '2022-08-31',
      100,
      100,
    ]);
  });

  it('takes a name and its own targets', async () => {
    const r = await ledger([
      'campaign',
      'create',
      '--id',
      '2023',
      '--name',
      '2023年访企拓岗',
      '--start',
      '2023-03-01',
      '--end',
      '2023-08-31',
      '--principal-target',
      '120',
      '--new-target',
      '80',
      '--behind-factor',
      '0.75',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ campaign: Listed }>(r).campaign).toMatchObject({
      name: '2023年访企拓岗',
      principalTarget: 120,
      newTarget: 80,
      behindFactor: 0.75,
    });
  });

  it('is a no-op when run again with the same values', async () => {
    const r = await ledger([
      'campaign',
      'create',
      '--id',
      '2022',
      '--start',
      '2022-03-01',
      '--end',
      '2022-08-31',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<{ created: boolean }>(r).created).toBe(false);
  });

  it('compares only the options given: omitted targets are not differences', async () => {
    const same = await ledger([
      'campaign',
      'create',
      '--id',
      '2023',
      '--start',
      '2023-03-01',
      '--end',
      '2023-08-31',
      '--json',
    ]);
    expect(same.code, same.stderr).toBe(0);
    expect(jsonOut<{ created: boolean; campaign: Listed }>(same)).toMatchObject({
      created: false,
      campaign: { principalTarget: 120, newTarget: 80 },
    });
    const differs = await ledger([
      'campaign',
      'create',
      '--id',
      '2023',
      '--start',
      '2023-03-01',
      '--end',
      '2023-08-31',
      '--new-target',
      '100',
    ]);
    expect(differs.code).toBe(1);
    expect(differs.stderr).toMatch(/already exists with --new-target 80 \(you gave 100\);/);
  });

  it('refuses to change an existing campaign, naming each difference', async () => {
    const r = await ledger([
      'campaign',
      'create',
      '--id',
      '2022',
      '--start',
      '2022-03-02',
      '--end',
      '2022-08-31',
      '--new-target',
      '50',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /campaign "2022" already exists with --start 2022-03-01 \(you gave 2022-03-02\), --new-target 100 \(you gave 50\)/,
    );
    const row = await services.db
      .selectFrom('campaigns')
      .select(['start_date', 'new_target'])
      .where('id', '=', '2022')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ start_date: '2022-03-01', new_target: 100 });
  });

  it('refuses an end before the start, and impossible dates or numbers', async () => {
    const backwards = await ledger(['campaign', 'create', '--id', 'x', '--start', '2022-08-31', '--end', '2022-03-01']);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/--end 2022-03-01 is before --start 2022-08-31/);
    const badDate = await ledger(['campaign', 'create', '--id', 'x', '--start', '2022-02-30', '--end', '2022-08-31']);
    expect(badDate.code).not.toBe(0);
    expect(badDate.stderr).toMatch(/"2022-02-30" is not a date: write YYYY-MM-DD/);
    const badTarget = await ledger([
      'campaign',
      'create',
      '--id',
      'x',
      '--start',
      '2022-03-01',
      '--end',
      '2022-08-31',
      '--new-target',
      '-5',
    ]);
    expect(badTarget.code).not.toBe(0);
    const badFactor = await ledger([
      'campaign',
      'create',
      '--id',
      'x',
      '--start',
      '2022-03-01',
      '--end',
      '2022-08-31',
      '--behind-factor',
      '1.5',
    ]);
    expect(badFactor.code).not.toBe(0);
    expect(badFactor.stderr).toMatch(/"1.5" is not a number from 0 to 1/);
    expect(
      await services.db.selectFrom('campaigns').select('id').where('id', '=', 'x').executeTakeFirst(),
    ).toBeUndefined();
  });
});

describe('ledger campaign set-target', () => {
  it('overrides targets for one province; options not given keep their current override', async () => {
    const a = await ledger([
      'campaign',
      'set-target',
      '--id',
      '2022',
      '--province',
      '440000',
      '--new-target',
      '60',
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(jsonOut(a)).toEqual({
      campaignId: '2022',
      provinceCode: '440000',
      principalTarget: null,
      newTarget: 60,
      behindFactor: null,
      onsiteShareFlag: null,
      baseWithoutTargets: null,
    });
    const b = await ledger([
      'campaign',
      'set-target',
      '--id',
      '2022',
      '--province',
      '广东省',
      '--principal-target',
      '90',
      '--behind-factor',
      '0.7',
      '--json',
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(jsonOut(b)).toEqual({
      campaignId: '2022',
      provinceCode: '440000',
      principalTarget: 90,
      newTarget: 60,
      behindFactor: 0.7,
      onsiteShareFlag: null,
      baseWithoutTargets: null,
    });
    const rows = await services.db
      .selectFrom('campaign_province_targets')
      .selectAll()
      .where('campaign_id', '=', '2022')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses an unknown province or campaign, and nothing to set', async () => {
    const province = await ledger([
      'campaign',
      'set-target',
      '--id',
      '2022',
      '--province',
      '999999',
      '--new-target',
      '1',
    ]);
    expect(province.code).toBe(1);
    expect(province.stderr).toMatch(/unknown province "999999": use a 6-digit GB\/T 2260 code such as 440000/);
    const campaign = await ledger([
      'campaign',
      'set-target',
      '--id',
      'nope',
      '--province',
      '440000',
      '--new-target',
      '1',
    ]);
    expect(campaign.code).toBe(1);
    expect(campaign.stderr).toMatch(/unknown campaign "nope": create it first/);
    const nothing = await ledger(['campaign', 'set-target', '--id', '2022', '--province', '440000']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/nothing to set/);
  });

  it('--clear removes a province override', async () => {
    await ledger(['campaign', 'set-target', '--id', '2023', '--province', '110000', '--new-target', '10']);
    const r = await ledger(['campaign', 'set-target', '--id', '2023', '--province', '110000', '--clear', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut(r)).toEqual({ campaignId: '2023', provinceCode: '110000', cleared: true });
    expect(
      await services.db.selectFrom('campaign_province_targets').selectAll().where('campaign_id', '=', '2023').execute(),
    ).toEqual([]);
  });
});

describe('ledger campaign list', () => {
  it('lists campaigns by start date with their province overrides', async () => {
    const r = await ledger(['campaign', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = jsonOut<Listed[]>(r);
    expect(list.map((c) => c.id)).toEqual(['2022', '2023']);
    expect(list[0]?.provinceTargets).toEqual([
      {
        provinceCode: '440000',
        principalTarget: 90,
        newTarget: 60,
        behindFactor: 0.7,
        onsiteShareFlag: null,
        baseWithoutTargets: null,
      },
    ]);
    expect(list[1]?.provinceTargets).toEqual([]);
    const human = await ledger(['campaign', 'list']);
    expect(human.stdout).toMatch(
      /^2022 .*2022-03-01\.\.2022-08-31.*\n {2}440000: principal 90, new 60, behind factor 0\.7, on-site share flag -, base without targets -\n2023 /,
    );
  });
});
