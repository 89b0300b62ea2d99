// Pure side of issue 11, figures 2 and 3: completion kept exact (ties stay ties), every threshold from the campaign
// with the province's overrides, and late plan filings in the notice model.
import { describe, expect, it } from 'vitest';
import {
  compareFractions,
  computeMeasures,
  DEFAULT_RULES,
  fraction,
  meanFraction,
  NO_FIGURES,
  rulesFor,
  type MeasureContext,
  type UniversityInfo,
} from '../../shared/domain/measures.ts';
import { rankProvinces, rankUniversities } from '../../shared/domain/ranking.ts';
import {
  buildNationalNotice,
  buildProvinceNotice,
  planStatusZh,
  shareZh,
} from '../../shared/domain/notices/notice-content.ts';
import { CAMPAIGN, plans, sampleRankings, totals, universityRow } from '../helpers/notices-factories.ts';

const campaign = { id: '2022', startDate: '2022-03-01', endDate: '2022-03-10', ...DEFAULT_RULES };

function uni(overrides: Partial<UniversityInfo> = {}): UniversityInfo {
  return {
    code: '4144000001',
    name: '甲大学',
    provinceCode: '440000',
    level: '本科',
    newUndergrad: false,
    vocational: false,
    placementRate: null,
    ...overrides,
  };
}

function ctx(overrides: Partial<MeasureContext> = {}): MeasureContext {
  return { campaign, overrides: new Map(), explicitAverages: new Map(), meanRates: new Map(), ...overrides };
}

describe('exact completion', () => {
  it('keeps fractions in lowest terms and compares them exactly', () => {
    expect(fraction(2, 6)).toEqual({ num: 1, den: 3 });
    expect(meanFraction([fraction(1, 6), fraction(1, 2)])).toEqual({ num: 1, den: 3 });
    expect(compareFractions(fraction(1, 3), meanFraction([fraction(1, 6), fraction(1, 2)]))).toBe(0);
    // differences far below any decimal rounding still order
    expect(compareFractions(fraction(333_333, 1_000_000), fraction(1, 3))).toBe(-1);
  });

  it('stays exact past 2^53, where plain numbers would round (huge targets)', () => {
    // Each of these products or denominators exceeds Number.MAX_SAFE_INTEGER: the BigInt side must decide.
    const big = 2 ** 52 + 1; // odd, so nothing cancels
    expect(fraction(-4, -6)).toEqual({ num: 2, den: 3 });
    expect(fraction(0, -5)).toEqual({ num: 0, den: 1 });
    expect(compareFractions({ num: big, den: big + 2 }, { num: big - 2, den: big })).toBe(1);
    expect(compareFractions({ num: big - 2, den: big }, { num: big, den: big + 2 })).toBe(-1);
    expect(compareFractions({ num: big, den: big + 2 }, { num: big, den: big + 2 })).toBe(0);
    // 1/3 + 1/(2^52+1): the common denominator passes 2^53, so the mean is worked out in BigInts and then rounded
    // to 15 digits like any fraction beyond 2^53.
    const mean = meanFraction([fraction(1, 3), fraction(1, big)]);
    expect(mean.num / mean.den).toBeCloseTo((1 / 3 + 1 / big) / 2, 14);
    expect(mean).toEqual(fraction(Math.round(((1 / 3 + 1 / big) / 2) * 1e15), 1e15));
    // Many small ratios (a province's mean completion) stay in numbers and exact.
    expect(meanFraction(Array.from({ length: 90 }, (_, i) => fraction(i % 7, 100)))).toEqual(
      fraction(
        Array.from({ length: 90 }, (_, i) => i % 7).reduce((a, b) => a + b, 0),
        9000,
      ),
    );
  });

  it('ranks 1/6 and 1/2 against 1/3 as a tie, listed by code', () => {
    const c = ctx({
      overrides: new Map([
        ['440000', { principalTarget: 6, newTarget: 2 }],
        ['110000', { principalTarget: 3 }],
      ]),
      explicitAverages: new Map([['440000', 0.8]]),
    });
    const a = computeMeasures(
      uni({ code: 'a', vocational: true, placementRate: 0.5 }),
      { ...NO_FIGURES, principalEmployers: 1, newEmployers: 1, employersVisited: 1 },
      c,
      '2022-03-05',
    );
    const b = computeMeasures(
      uni({ code: 'b', vocational: true, provinceCode: '110000' }),
      { ...NO_FIGURES, principalEmployers: 1, employersVisited: 1 },
      c,
      '2022-03-05',
    );
    expect(a.ratios).toEqual({ principal: 0.166667, new: 0.5 });
    expect([a.completion, b.completion]).toEqual([0.333333, 0.333333]);
    expect(rankUniversities([b, a]).map((r) => [r.universityCode, r.rank])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    const provinces = rankProvinces(
      [
        { code: '110000', name: '北京市' },
        { code: '440000', name: '广东省' },
      ],
      [a, b],
    );
    expect(provinces.map((p) => [p.provinceCode, p.rank, p.meanCompletion])).toEqual([
      ['110000', 1, 0.333333],
      ['440000', 1, 0.333333],
    ]);
  });

  it('counts a university as meeting its targets only at exactly 1', () => {
    const c = ctx({ overrides: new Map([['440000', { principalTarget: 3 }]]) });
    const met = computeMeasures(uni({ vocational: true }), { ...NO_FIGURES, principalEmployers: 3 }, c, '2022-03-05');
    const short = computeMeasures(
      uni({ code: 'b', vocational: true }),
      { ...NO_FIGURES, principalEmployers: 2 },
      c,
      '2022-03-05',
    );
    expect(rankProvinces([{ code: '440000', name: '广东省' }], [met, short])[0]).toMatchObject({
      meetingTargets: 1,
      shareMeeting: 0.5,
      meanCompletion: 0.833333,
    });
  });
});

describe('thresholds per campaign and province', () => {
  it("takes each rule from the province's override, else the campaign", () => {
    expect(rulesFor(campaign, { onsiteShareFlag: 0.3, baseWithoutTargets: null })).toEqual({
      ...DEFAULT_RULES,
      onsiteShareFlag: 0.3,
    });
    expect(rulesFor({ ...DEFAULT_RULES, baseWithoutTargets: 50 }, undefined).baseWithoutTargets).toBe(50);
  });

  it('uses the base without targets and the on-site share flag of the province', () => {
    const c = ctx({
      campaign: { ...campaign, baseWithoutTargets: 50, onsiteShareFlag: 0.6 },
      overrides: new Map([['110000', { baseWithoutTargets: 20, onsiteShareFlag: 0.3 }]]),
    });
    const f = { ...NO_FIGURES, employersVisited: 10, visits: 4, onsiteVisits: 2 };
    expect(computeMeasures(uni(), f, c, '2022-03-05').completion).toBe(0.2);
    expect(computeMeasures(uni({ provinceCode: '110000' }), f, c, '2022-03-05').completion).toBe(0.5);
    expect(computeMeasures(uni({ newUndergrad: true }), f, c, '2022-03-05').onsiteFlag).toBe(true);
    expect(computeMeasures(uni({ newUndergrad: true, provinceCode: '110000' }), f, c, '2022-03-05').onsiteFlag).toBe(
      false,
    );
  });

  it('flags a share below the threshold even when it shows rounded up to it', () => {
    const m = computeMeasures(
      uni({ newUndergrad: true }),
      { ...NO_FIGURES, visits: 2_000_001, onsiteVisits: 1_000_000 },
      ctx(),
      '2022-03-05',
    );
    expect(m.onsiteShare).toBe(0.5);
    expect(m.onsiteFlag).toBe(true);
  });
});

describe('plan deadline in the notices', () => {
  const rules = { behindFactor: 0.8, onsiteShareFlag: 0.5, planDeadline: '2022-03-18' };

  it('lists late filings beside missing ones; a filing after the cut-off is missing, not late', () => {
    const s = sampleRankings('2022-04-10');
    const m = buildNationalNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      national: s.national,
      provinces: s.provinces,
      totals: totals(),
      rules,
      plans: plans({ '440000': '2022-03-20', '110000': '2022-03-18', '120000': '2022-05-01' }),
    });
    expect(m.planDeadline).toBe('2022-03-18');
    expect(m.plansLate).toEqual([{ provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-20' }]);
    expect(m.plansMissing.map((p) => p.provinceCode)).toEqual(['120000']);
  });

  it('says in a province notice whether its plan was late, or is overdue', () => {
    const s = sampleRankings('2022-04-10');
    const base = {
      campaign: CAMPAIGN,
      period: '2022-W14',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking: s.guangdong,
      totals: totals(),
      rules,
    };
    const late = buildProvinceNotice({ ...base, planFiledOn: '2022-03-20' });
    expect(late.planLate).toBe(true);
    expect(planStatusZh(late)).toBe('实施方案已于2022年3月20日报送，晚于2022年3月18日的报送期限');
    expect(planStatusZh(buildProvinceNotice({ ...base, planFiledOn: '2022-03-18' }))).toBe(
      '实施方案已于2022年3月18日报送',
    );
    expect(planStatusZh(buildProvinceNotice({ ...base, planFiledOn: null }))).toBe(
      '实施方案尚未报送（报送期限为2022年3月18日）',
    );
    expect(
      buildProvinceNotice({ ...base, planFiledOn: '2022-03-20', rules: { ...rules, planDeadline: null } }).planLate,
    ).toBe(false);
  });

  it("flags on-site shares by the rankings' own flag, and judges old snapshots without one by the province threshold", () => {
    const rows = [
      universityRow({ universityCode: 'a', onsiteShare: 0.4, onsiteFlag: false }),
      universityRow({ universityCode: 'b', onsiteShare: 0.4 }),
      universityRow({ universityCode: 'c', onsiteShare: 0.2 }),
    ];
    const m = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking: { campaignId: '2022', asOf: '2022-04-10', scope: 'province:440000', rows },
      totals: totals(),
      planFiledOn: null,
      rules: { ...rules, onsiteShareFlag: 0.3 },
    });
    expect(m.onsiteFlagged.map((r) => r.universityCode)).toEqual(['c']);
    expect(shareZh(m.onsiteShareFlag)).toBe('30%');
    expect(shareZh(1 / 3)).toBe('33.3%');
  });
});
