import { describe, expect, it } from 'vitest';
import {
  applicableTargets,
  computeMeasures,
  NO_FIGURES,
  provinceMeans,
  type MeasureContext,
  type RawFigures,
  type UniversityInfo,
} from '../../shared/domain/measures.ts';

const campaign = {
  id: '2022',
  startDate: '2022-03-01',
  endDate: '2022-03-10',
  principalTarget: 100,
  newTarget: 100,
  behindFactor: 0.8,
  onsiteShareFlag: 0.5,
  baseWithoutTargets: 100,
};

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

function ctx(overrides: Partial<MeasureContext> = {}, universities: UniversityInfo[] = []): MeasureContext {
  return {
    campaign,
    overrides: new Map(),
    explicitAverages: new Map(),
    meanRates: provinceMeans(universities),
    ...overrides,
  };
}

const figures = (f: Partial<RawFigures>): RawFigures => ({ ...NO_FIGURES, ...f });

describe('targets', () => {
  it('gives the principal target to 新建本科 and vocational colleges (flag or 专科 level), not to other universities', () => {
    const c = ctx();
    expect(applicableTargets(uni({ newUndergrad: true }), c)).toEqual({ principal: 100, new: null });
    expect(applicableTargets(uni({ vocational: true }), c)).toEqual({ principal: 100, new: null });
    expect(applicableTargets(uni({ level: '专科' }), c)).toEqual({ principal: 100, new: null });
    expect(applicableTargets(uni(), c)).toEqual({ principal: null, new: null });
  });

  it('gives the new-employer target below the province mean, not exactly at it, not above', () => {
    // mean of 0.8, 0.9 and 0.85 is 0.85 (the float mean is 0.8500000000000001: exactly-at must still not be "below")
    const us = [
      uni({ code: 'a', placementRate: 0.8 }),
      uni({ code: 'b', placementRate: 0.9 }),
      uni({ code: 'c', placementRate: 0.85 }),
    ];
    const c = ctx({}, us);
    expect(applicableTargets(us[0]!, c).new).toBe(100);
    expect(applicableTargets(us[1]!, c).new).toBeNull();
    expect(applicableTargets(us[2]!, c).new).toBeNull();
    expect(applicableTargets(uni({ placementRate: null }), c).new).toBeNull(); // no rate: no target
  });

  it('uses an imported provincial average instead of the mean', () => {
    const us = [uni({ code: 'a', placementRate: 0.8 }), uni({ code: 'b', placementRate: 0.9 })];
    const c = ctx({ explicitAverages: new Map([['440000', 0.95]]) }, us);
    expect(applicableTargets(us[1]!, c).new).toBe(100); // 0.9 < 0.95 although above the mean 0.85
  });

  it('applies per-province overrides of both targets and of the behind factor', () => {
    const us = [uni({ code: 'a', placementRate: 0.5, newUndergrad: true }), uni({ code: 'b', placementRate: 0.9 })];
    const c = ctx({ overrides: new Map([['440000', { principalTarget: 50, newTarget: 20, behindFactor: 0.5 }]]) }, us);
    expect(applicableTargets(us[0]!, c)).toEqual({ principal: 50, new: 20 });
    // other provinces keep the campaign's
    expect(applicableTargets(uni({ provinceCode: '110000', newUndergrad: true }), c)).toEqual({
      principal: 100,
      new: null,
    });
    // behind factor 0.5: expected 1 (after the end), completion 0.5 is not behind; 0.49 is
    const m = computeMeasures(us[0]!, figures({ principalEmployers: 25, newEmployers: 10 }), c, '2022-03-10');
    expect(m.completion).toBe(0.5);
    expect(m.behind).toBe(false);
    expect(computeMeasures(us[0]!, figures({ principalEmployers: 24, newEmployers: 10 }), c, '2022-03-10').behind).toBe(
      true,
    );
  });
});

describe('completion and behind', () => {
  it('averages the applicable ratios, each capped at 1', () => {
    const us = [uni({ code: 'a', placementRate: 0.5, vocational: true }), uni({ code: 'b', placementRate: 0.9 })];
    const m = computeMeasures(
      us[0]!,
      figures({ principalEmployers: 150, newEmployers: 30, employersVisited: 170 }),
      ctx({}, us),
      '2022-03-05',
    );
    expect(m.ratios).toEqual({ principal: 1, new: 0.3 });
    expect(m.completion).toBe(0.65);
  });

  it('uses min(1, employers / 100) for a university without targets', () => {
    expect(computeMeasures(uni(), figures({ employersVisited: 42 }), ctx(), '2022-03-05').completion).toBe(0.42);
    expect(computeMeasures(uni(), figures({ employersVisited: 130 }), ctx(), '2022-03-05').completion).toBe(1);
    expect(computeMeasures(uni(), NO_FIGURES, ctx(), '2022-03-05').completion).toBe(0);
  });

  it('is behind strictly below 0.8 × expected: at the boundary it is not', () => {
    // 10-day campaign, cut-off on day 5: expected 0.5, threshold 0.4
    const c = ctx();
    const at = computeMeasures(uni(), figures({ employersVisited: 40 }), c, '2022-03-05');
    expect(at.expected).toBe(0.5);
    expect(at.behind).toBe(false);
    expect(computeMeasures(uni(), figures({ employersVisited: 39 }), c, '2022-03-05').behind).toBe(true);
  });

  it('expects nothing before the first day and 1/n on the first day; everything on the last', () => {
    const c = ctx();
    const before = computeMeasures(uni(), NO_FIGURES, c, '2022-02-28');
    expect(before.expected).toBe(0);
    expect(before.behind).toBe(false);
    const first = computeMeasures(uni(), NO_FIGURES, c, '2022-03-01');
    expect(first.expected).toBe(0.1);
    expect(first.behind).toBe(true); // 0 < 0.08
    expect(computeMeasures(uni(), figures({ employersVisited: 8 }), c, '2022-03-01').behind).toBe(false);
    const last = computeMeasures(uni(), figures({ employersVisited: 80 }), c, '2022-03-10');
    expect(last.expected).toBe(1);
    expect(last.behind).toBe(false);
    expect(computeMeasures(uni(), figures({ employersVisited: 79 }), c, '2022-03-10').behind).toBe(true);
  });

  it('reports on-site share, mean satisfaction, and flags on-site below 50 % only for principal-target universities', () => {
    const f = figures({ visits: 4, onsiteVisits: 1, satisfactionSum: 9, satisfactionCount: 2, employersVisited: 4 });
    const target = computeMeasures(uni({ newUndergrad: true }), f, ctx(), '2022-03-05');
    expect(target.onsiteShare).toBe(0.25);
    expect(target.meanSatisfaction).toBe(4.5);
    expect(target.onsiteFlag).toBe(true);
    expect(computeMeasures(uni(), f, ctx(), '2022-03-05').onsiteFlag).toBe(false);
    expect(computeMeasures(uni(), NO_FIGURES, ctx(), '2022-03-05').onsiteShare).toBeNull();
  });

  it('treats a target of 0 as met', () => {
    const c = ctx({ overrides: new Map([['440000', { principalTarget: 0 }]]) });
    expect(computeMeasures(uni({ newUndergrad: true }), NO_FIGURES, c, '2022-03-05').completion).toBe(1);
  });
});
