// `ledger import ...` run as an operator would, against this file's own database.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { useTestServices } from '../helpers/setup.ts';

const FIXTURES = 'test/fixtures';
const REAL_UNIVERSITIES = 'data/universities.csv';

interface Report {
  refused: boolean;
  lines: number;
  imported: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: number;
  errors: Array<{ line: number; reason: string }>;
  linked?: number;
  resolution?: Record<string, number>;
  database?: { total: number; provinces: number; byLevel: Record<string, number> };
  elapsedMs: number;
}

// Each test runs the CLI several times (about a second each when idle, many more on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const services = useTestServices();
let env: { DATABASE_URL: string };
const tmp = mkdtempSync(join(tmpdir(), 'ledger-import-'));

function tmpCsv(name: string, lines: string[]): string {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const ledger = (args: string[]) => runLedger(args, env);
const count = async (table: 'universities' | 'placement_rates' | 'province_placement_averages' | 'prior_employers') =>
  (
    await services.db
      .selectFrom(table)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n;

beforeAll(async () => {
  env = { DATABASE_URL: services.database.url };
});

describe('ledger import universities', () => {
  it('imports a good file (BOM, CRLF, quotes, optional flags) and reports what it inserted', async () => {
    const r = await ledger(['import', 'universities', '--file', `${FIXTURES}/universities-good.csv`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<Report>(r)).toMatchObject({
      refused: false,
      lines: 4,
      imported: 4,
      inserted: 4,
      updated: 0,
      unchanged: 0,
    });
    const rows = await services.db
      .selectFrom('universities')
      .selectAll()
      .where('code', 'like', '9999%')
      .orderBy('code')
      .execute();
    expect(rows.map((u) => [u.code, u.province_code, u.level, u.private, u.new_undergrad, u.vocational])).toEqual([
      ['9999000001', '440000', '本科', false, true, false],
      ['9999000002', '440000', '专科', false, false, true], // empty flags: new_undergrad false, vocational from 专科
      ['9999000003', '110000', '本科', true, false, false],
      ['9999000004', '440000', '本科', true, false, true],
    ]);
    expect(rows[1]?.name).toBe('测试职业技术学院, 南校区');
  });

  it('refuses a file with bad lines whole, naming every bad line and why, and stores nothing', async () => {
    const before = await count('universities');
    const r = await ledger(['import', 'universities', '--file', `${FIXTURES}/universities-bad.csv`]);
    expect(r.code).toBe(1);
    const [summary, ...details] = r.stderr.trim().split('\n');
    expect(summary).toMatch(
      /^ledger: refused .*universities-bad\.csv: 6 bad lines \(3, 4, 5, 6, 7, 8\); nothing imported/,
    );
    expect(details.map((d) => d.match(/^ {2}line (\d+): /)?.[1])).toEqual(['3', '4', '5', '6', '7', '8']);
    expect(details[0]).toMatch(/火星省/);
    expect(await count('universities')).toBe(before);
  });

  it('with --json prints the refusal report on stdout', async () => {
    const r = await ledger(['import', 'universities', '--file', `${FIXTURES}/universities-bad.csv`, '--json']);
    expect(r.code).toBe(1);
    const report = jsonOut<Report>(r);
    expect(report).toMatchObject({ refused: true, imported: 0, skipped: 6 });
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('with --skip-invalid imports the good lines and still reports the bad ones', async () => {
    const r = await ledger([
      'import',
      'universities',
      '--file',
      `${FIXTURES}/universities-bad.csv`,
      '--skip-invalid',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<Report>(r)).toMatchObject({ refused: false, imported: 2, inserted: 2, skipped: 6 });
    expect(r.stderr).toMatch(/skipped 6 bad lines .*\(3, 4, 5, 6, 7, 8\)/);
    const codes = await services.db
      .selectFrom('universities')
      .select('code')
      .where('code', 'like', '99991%')
      .orderBy('code')
      .execute();
    expect(codes.map((c) => c.code)).toEqual(['9999100001', '9999100008']);
    const first = await services.db
      .selectFrom('universities')
      .select('name')
      .where('code', '=', '9999100001')
      .executeTakeFirstOrThrow();
    expect(first.name).toBe('好学校一'); // the duplicate on line 7 did not overwrite line 2
  });

  it('updates only what changed, keeps flags the file leaves out, and reports unchanged rows', async () => {
    const header = 'code,name,province,city,authority,level,private';
    const file = tmpCsv('changed.csv', [
      header,
      '9999000001,测试大学（新名）,广东省,广州市,广东省,本科,0',
      '9999000003,测试民办学院,北京市,北京市,北京市教育委员会,本科,1',
    ]);
    const r = await ledger(['import', 'universities', '--file', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<Report>(r)).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    const u = await services.db
      .selectFrom('universities')
      .selectAll()
      .where('code', '=', '9999000001')
      .executeTakeFirstOrThrow();
    expect([u.name, u.new_undergrad]).toEqual(['测试大学（新名）', true]);
  });

  it('refuses a file with a wrong header whatever --skip-invalid says', async () => {
    const file = tmpCsv('header.csv', ['code,name,province', '9999000009,a,北京']);
    const r = await ledger(['import', 'universities', '--file', file, '--skip-invalid']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 1 \(header\): missing columns city, authority, level, private/);
  });

  it('says so when the file is missing or not UTF-8', async () => {
    const missing = await ledger(['import', 'universities', '--file', join(tmp, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.csv/);
    const gbk = join(tmp, 'gbk.csv');
    writeFileSync(gbk, Buffer.from([0x63, 0x6f, 0x64, 0x65, 0x0a, 0xb1, 0xb1, 0xbe, 0xa9, 0x0a]));
    const notUtf8 = await ledger(['import', 'universities', '--file', gbk]);
    expect(notUtf8.code).toBe(1);
    expect(notUtf8.stderr).toMatch(/is not UTF-8 text/);
  });

  it('imports the 2,756 real universities in seconds, and importing again changes nothing', async () => {
    const first = await ledger(['import', 'universities', '--file', REAL_UNIVERSITIES, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const a = jsonOut<Report>(first);
    expect(a).toMatchObject({ lines: 2756, imported: 2756, inserted: 2756, updated: 0, unchanged: 0 });
    expect(a.elapsedMs).toBeLessThan(3000);
    const real = await services.db
      .selectFrom('universities')
      .select(['level', sql<number>`count(*)::int`.as('n'), sql<number>`count(DISTINCT province_code)::int`.as('p')])
      .where('code', 'not like', '9999%')
      .groupBy('level')
      .orderBy('level')
      .execute();
    expect(Object.fromEntries(real.map((r) => [r.level, r.n]))).toEqual({ 本科: 1270, 专科: 1486 });
    const provinces = await services.db
      .selectFrom('universities')
      .select(sql<number>`count(DISTINCT province_code)::int`.as('p'))
      .where('code', 'not like', '9999%')
      .executeTakeFirstOrThrow();
    expect(provinces.p).toBe(32); // the 31 provinces and 新疆生产建设兵团 (660000), the reporting units
    const pku = await services.db
      .selectFrom('universities')
      .selectAll()
      .where('code', '=', '4111010001')
      .executeTakeFirstOrThrow();
    expect(pku).toMatchObject({
      name: '北京大学',
      province_code: '110000',
      level: '本科',
      vocational: false,
      new_undergrad: false,
    });

    const again = await ledger(['import', 'universities', '--file', REAL_UNIVERSITIES, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOut<Report>(again)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2756 });
    console.log(
      `real universities import: first ${a.elapsedMs} ms, again ${jsonOut<Report>(again).elapsedMs} ms (in-process, after start-up)`,
    );
  });
});

describe('ledger import placement-rates and province-averages', () => {
  beforeAll(async () => {
    const r = await ledger(['campaign', 'create', '--id', 'imp', '--start', '2022-03-01', '--end', '2022-08-31']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('imports rates for known universities, and re-importing changes nothing', async () => {
    const args = [
      'import',
      'placement-rates',
      '--campaign',
      'imp',
      '--file',
      `${FIXTURES}/placement-rates.csv`,
      '--json',
    ];
    const first = await ledger(args);
    expect(first.code, first.stderr).toBe(0);
    expect(jsonOut<Report>(first)).toMatchObject({ inserted: 4, updated: 0 });
    const again = await ledger(args);
    expect(jsonOut<Report>(again)).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    const rate = await services.db
      .selectFrom('placement_rates')
      .select('rate')
      .where('university_code', '=', '9999000001')
      .executeTakeFirstOrThrow();
    expect(rate.rate).toBe(0.85);
  });

  it('refuses bad rates and unknown universities, naming each line', async () => {
    const before = await count('placement_rates');
    const r = await ledger([
      'import',
      'placement-rates',
      '--campaign',
      'imp',
      '--file',
      `${FIXTURES}/placement-rates-bad.csv`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/4 bad lines \(3, 4, 5, 6\)/);
    expect(r.stderr).toMatch(/line 4: university 9999888888 is unknown/);
    expect(await count('placement_rates')).toBe(before);
  });

  it('refuses an unknown campaign with how to create it', async () => {
    const r = await ledger([
      'import',
      'placement-rates',
      '--campaign',
      'nope',
      '--file',
      `${FIXTURES}/placement-rates.csv`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown campaign "nope": create it first with ledger campaign create/);
  });

  it('imports explicit provincial averages', async () => {
    const r = await ledger([
      'import',
      'province-averages',
      '--campaign',
      'imp',
      '--file',
      `${FIXTURES}/province-averages.csv`,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<Report>(r)).toMatchObject({ inserted: 2 });
    const rows = await services.db
      .selectFrom('province_placement_averages')
      .select(['province_code', 'rate'])
      .where('campaign_id', '=', 'imp')
      .orderBy('province_code')
      .execute();
    expect(rows).toEqual([
      { province_code: '110000', rate: 0.91 },
      { province_code: '440000', rate: 0.88 },
    ]);
  });
});

describe('ledger import prior-employers', () => {
  it('stores the spellings as given and resolves each to an employer as the workers do, creating unknown ones', async () => {
    const huawei = await services.db
      .insertInto('employers')
      .values({
        canonical_name: '华为技术有限公司',
        normalized_name: 'x-not-this-name',
        credit_code: '914403001922038216',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const shenzhen = await createEmployerResolver({ matchThreshold: 0.88, reviewThreshold: 0.75 }).resolve(
      services.db,
      {
        name: '深圳某某物流有限公司',
      },
    );
    const args = ['import', 'prior-employers', '--file', `${FIXTURES}/prior-employers.csv`, '--json'];
    const r = await ledger(args);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOut<Report>(r)).toMatchObject({
      inserted: 4,
      updated: 0,
      linked: 4,
      resolution: { matched: 3, created: 1, review: 0 },
    });
    const rows = await services.db
      .selectFrom('prior_employers as p')
      .innerJoin('employers as e', 'e.id', 'p.employer_id')
      .select(['p.university_code', 'p.employer_name', 'p.credit_code', 'p.employer_id', 'e.canonical_name'])
      .orderBy('p.id')
      .execute();
    expect(
      rows.map((p) => [p.university_code, p.employer_name, p.credit_code, p.employer_id, p.canonical_name]),
    ).toEqual([
      ['9999000001', '华为技术有限公司', '914403001922038216', huawei.id, '华为技术有限公司'],
      ['9999000001', '广州某某科技有限公司', '', expect.any(Number), '广州某某科技有限公司'],
      ['9999000002', '深圳 某某 物流有限公司', '', shenzhen.employerId, '深圳某某物流有限公司'],
      ['9999000002', '华为技术有限公司', '914403001922038216', huawei.id, '华为技术有限公司'],
    ]);

    // Employer resolution may re-key a row later; importing the file again leaves such a row alone.
    await services.db
      .updateTable('prior_employers')
      .set({ normalized_name: 'resolved-key' })
      .where('employer_name', '=', '广州某某科技有限公司')
      .execute();
    const again = await ledger(args);
    expect(jsonOut<Report>(again)).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, linked: 0 });
    const kept = await services.db
      .selectFrom('prior_employers')
      .select('normalized_name')
      .where('employer_name', '=', '广州某某科技有限公司')
      .executeTakeFirstOrThrow();
    expect(kept.normalized_name).toBe('resolved-key');
  });

  it('refuses bad credit codes, empty names and unknown universities', async () => {
    const before = await count('prior_employers');
    const r = await ledger(['import', 'prior-employers', '--file', `${FIXTURES}/prior-employers-bad.csv`, '--json']);
    expect(r.code).toBe(1);
    expect(jsonOut<Report>(r).errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(await count('prior_employers')).toBe(before);
  });
});
