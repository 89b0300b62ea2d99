// The scopes of reporting units and central universities (RULES.md "Reporting units"): parsing, the unit of a
// university, who is 部属, and who may read what.
import { describe, expect, it } from 'vitest';
import {
  centralKindOf,
  formatScope,
  isCentralAuthority,
  mayReadScope,
  mayReadUniversity,
  maySubmitFor,
  parseNoticeScope,
  parseRankingScope,
  parseScope,
  provinceOfScope,
  reportingUnitOf,
} from '../../shared/domain/scope.ts';

const PROVINCES = [
  '河北省',
  '河北',
  '北京市',
  '北京',
  '上海市',
  '上海',
  '广西壮族自治区',
  '广西',
  '新疆维吾尔自治区',
  '新疆',
];

describe('scopes', () => {
  it('reads bingtuan as province:660000 everywhere and central as its own scope', () => {
    expect(parseScope('bingtuan')).toEqual({ kind: 'province', provinceCode: '660000' });
    expect(formatScope(parseScope('bingtuan')!)).toBe('province:660000');
    expect(parseScope('central')).toEqual({ kind: 'central' });
    expect(formatScope({ kind: 'central' })).toBe('central');
    expect(parseRankingScope('bingtuan')).toBe('province:660000');
    expect(parseRankingScope('central')).toBe('central');
    expect(parseRankingScope('province:650000')).toBe('province:650000');
    expect(parseRankingScope('Bingtuan')).toBeNull();
    expect(parseNoticeScope('bingtuan')).toBe('province:660000');
    expect(parseNoticeScope('central')).toBe('central');
    expect(parseNoticeScope('provinces')).toBeNull();
    expect(provinceOfScope('bingtuan')).toBe('660000');
    expect(provinceOfScope('central')).toBeNull();
  });

  it('puts a 兵团 university in unit 660000 and every other in its province', () => {
    expect(reportingUnitOf('新疆生产建设兵团', '650000')).toBe('660000');
    expect(reportingUnitOf('新疆维吾尔自治区', '650000')).toBe('650000');
    expect(reportingUnitOf('新疆维吾尔自治区教育厅', '650000')).toBe('650000');
  });

  it('tells 部属 authorities from local ones, and takes 部省合建 from the list', () => {
    for (const a of [
      '教育部',
      '工业和信息化部',
      '交通运输部（中国民用航空局）',
      '中国科学院',
      '中央统战部',
      '空军装备部',
    ])
      expect(isCentralAuthority(a, PROVINCES), a).toBe(true);
    for (const a of [
      '河北省',
      '河北省教育厅',
      '北京市教委',
      '广西壮族自治区教育厅',
      '上海市 中国科学院',
      '新疆生产建设兵团',
      '',
    ])
      expect(isCentralAuthority(a, PROVINCES), a).toBe(false);
    const joint = new Set(['4113010075']);
    expect(centralKindOf('4113010075', '河北省', joint, PROVINCES)).toBe('joint');
    expect(centralKindOf('4111010001', '教育部', joint, PROVINCES)).toBe('ministry');
    expect(centralKindOf('4113010076', '河北省', joint, PROVINCES)).toBeNull();
  });

  it('lets a bingtuan key read and submit for 兵团 only, and a central key read the central universities only', () => {
    const bt = parseScope('bingtuan')!;
    expect(mayReadScope(bt, 'province:660000')).toBe(true);
    expect(mayReadScope(bt, 'bingtuan')).toBe(true);
    expect(mayReadScope(bt, 'provinces')).toBe(true);
    expect(mayReadScope(bt, 'province:650000')).toBe(false);
    expect(mayReadScope(bt, 'central')).toBe(false);
    expect(maySubmitFor(bt, '4165010757', '660000')).toBe(true);
    expect(maySubmitFor(bt, '4165010755', '650000')).toBe(false);
    const central = parseScope('central')!;
    expect(mayReadScope(central, 'central')).toBe(true);
    for (const t of ['national', 'provinces', 'province:110000', 'bingtuan'])
      expect(mayReadScope(central, t)).toBe(false);
    expect(mayReadUniversity(central, { code: '4111010001', provinceCode: '110000', central: 'ministry' })).toBe(true);
    expect(mayReadUniversity(central, { code: '4111010001', provinceCode: '110000', central: null })).toBe(false);
    expect(maySubmitFor(central, '4111010001', '110000')).toBe(false);
    expect(mayReadScope(parseScope('province:650000')!, 'bingtuan')).toBe(false);
  });
});
