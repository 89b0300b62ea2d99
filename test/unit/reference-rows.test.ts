import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lineList,
  parseCsv,
  universityCodesIn,
  validatePlacementRates,
  validatePriorEmployers,
  validateProvinceAverages,
  validateUniversities,
  type ProvinceRef,
} from '../../shared/domain/reference-rows.ts';

const PROVINCES: ProvinceRef[] = [
  { code: '110000', name: '北京市', shortName: '北京' },
  { code: '440000', name: '广东省', shortName: '广东' },
];
const fixture = (name: string) => parseCsv(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));
const csv = (lines: string[]) => parseCsv(lines.join('\n') + '\n');

describe('parseCsv', () => {
  it('strips a BOM, unquotes fields with commas, skips blank lines and numbers physical lines', () => {
    const parsed = parseCsv('\ufeffa,b\r\n1,"x, y"\r\n\r\n"multi\r\nline",2\r\n3,4');
    expect(parsed.header).toEqual(['a', 'b']);
    expect(parsed.records).toEqual([
      { line: 2, fields: ['1', 'x, y'] },
      { line: 4, fields: ['multi\r\nline', '2'] },
      { line: 6, fields: ['3', '4'] },
    ]);
  });

  it('reports an unclosed quote as not valid CSV', () => {
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(/not valid CSV/);
  });
});

describe('validateUniversities', () => {
  it('accepts full and short province names and codes, 1/0, 是/否 and true/false flags, and quoted names', () => {
    const v = validateUniversities(fixture('universities-good.csv'), PROVINCES);
    expect(v.errors).toEqual([]);
    expect(v.fatal).toBeUndefined();
    expect(v.rows.map((r) => [r.line, r.code, r.provinceCode, r.private, r.newUndergrad, r.vocational])).toEqual([
      [2, '9999000001', '440000', false, true, false],
      [3, '9999000002', '440000', false, null, null],
      [4, '9999000003', '110000', true, false, null],
      [6, '9999000004', '440000', true, false, true],
    ]);
    expect(v.rows[1]?.name).toBe('测试职业技术学院, 南校区');
  });

  it('names every bad line and why: province, code, level, column count, duplicate code, flag', () => {
    const v = validateUniversities(fixture('universities-bad.csv'), PROVINCES);
    expect(v.rows.map((r) => r.line)).toEqual([2, 9]);
    expect(v.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
    const reason = (line: number) => v.errors.find((e) => e.line === line)?.reason;
    expect(reason(3)).toMatch(/province "火星省" is unknown/);
    expect(reason(4)).toMatch(/code "999910003" is not 10 digits/);
    expect(reason(5)).toMatch(/level "研究生" is not 本科 or 专科/);
    expect(reason(6)).toMatch(/has 6 fields, the header has 7/);
    expect(reason(7)).toMatch(/code 9999100001 is already on line 2/);
    expect(reason(8)).toMatch(/private "maybe"/);
  });

  it('gives all reasons of one line together', () => {
    const v = validateUniversities(
      csv(['code,name,province,city,authority,level,private', '12,,火星,c,a,x,2']),
      PROVINCES,
    );
    expect(v.errors).toHaveLength(1);
    expect(v.errors[0]?.reason.split('; ')).toHaveLength(5);
  });

  it('refuses a header with a missing or unknown column as a whole-file problem', () => {
    const v = validateUniversities(
      csv(['code,name,province,city,authority,level,privat', '9999000001,a,北京,b,c,本科,0']),
      PROVINCES,
    );
    expect(v.fatal).toMatch(/line 1 \(header\): unknown column "privat"; missing column private/);
    expect(v.rows).toEqual([]);
    expect(validateUniversities(parseCsv(''), PROVINCES).fatal).toMatch(/empty/);
  });

  it('takes only real flag words as flags', () => {
    const v = validateUniversities(
      csv([
        'code,name,province,city,authority,level,private',
        '9999000009,甲,北京,b,c,本科,constructor',
        '9999000010,乙,北京,b,c,本科,是',
      ]),
      PROVINCES,
    );
    expect(v.errors.map((e) => e.line)).toEqual([2]);
    expect(v.rows[0]?.private).toBe(true);
  });

  it('accepts the columns in any order', () => {
    const v = validateUniversities(
      csv(['level,private,code,name,province,city,authority', '专科,0,9999000009,甲,北京,北京市,x']),
      PROVINCES,
    );
    expect(v.rows[0]).toMatchObject({ code: '9999000009', level: '专科', provinceCode: '110000' });
  });
});

describe('validatePlacementRates', () => {
  it('rejects rates outside 0..1, unknown universities, non-numbers and duplicates', () => {
    const known = new Set(['9999000001', '9999000002', '9999000003']);
    const v = validatePlacementRates(fixture('placement-rates-bad.csv'), (c) => known.has(c));
    expect(v.rows.map((r) => [r.line, r.rate])).toEqual([[2, 0.85]]);
    expect(v.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(v.errors[0]?.reason).toMatch(/"1.2" is not a number from 0 to 1/);
    expect(v.errors[1]?.reason).toMatch(/university 9999888888 is unknown/);
    expect(v.errors[2]?.reason).toMatch(/"85%"/);
    expect(v.errors[3]?.reason).toMatch(/already on line 2/);
  });

  it('lists the well-formed university codes the database must know', () => {
    expect(universityCodesIn(fixture('placement-rates-bad.csv')).sort()).toEqual([
      '9999000001',
      '9999000002',
      '9999000003',
      '9999888888',
    ]);
  });
});

describe('validateProvinceAverages', () => {
  it('takes a province code (or name) and a rate', () => {
    const v = validateProvinceAverages(
      csv(['province_code,placement_rate', '440000,0.9', '北京,0.8', '999999,0.5', '110000,2']),
      PROVINCES,
    );
    expect(v.rows.map((r) => [r.provinceCode, r.rate])).toEqual([
      ['440000', 0.9],
      ['110000', 0.8],
    ]);
    expect(v.errors.map((e) => e.line)).toEqual([4, 5]);
  });
});

describe('validatePriorEmployers', () => {
  it('keeps the name as given, an empty credit code as empty, and upper-cases a code', () => {
    const v = validatePriorEmployers(
      csv(['university_code,employer_name,credit_code', '9999000001, 某 公司 ,', '9999000001,华为,914403001922038216']),
      () => true,
    );
    expect(v.errors).toEqual([]);
    expect(v.rows.map((r) => [r.employerName, r.creditCode])).toEqual([
      ['某 公司', ''],
      ['华为', '914403001922038216'],
    ]);
  });

  it('rejects a wrong check character, an empty name and an unknown university', () => {
    const v = validatePriorEmployers(fixture('prior-employers-bad.csv'), (c) => c === '9999000001');
    expect(v.rows.map((r) => r.line)).toEqual([2]);
    expect(v.errors.map((e) => [e.line, e.reason.split(' ')[0]])).toEqual([
      [3, 'credit_code'],
      [4, 'employer_name'],
      [5, 'university'],
    ]);
  });
});

describe('lineList', () => {
  it('shortens long lists for the one-line summary', () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ line: i + 2, reason: 'x' }));
    expect(lineList(errors.slice(0, 3))).toBe('2, 3, 4');
    expect(lineList(errors)).toMatch(/^2, 3, .*, 21 and 5 more$/);
  });
});
