import { describe, expect, it } from 'vitest';
import { fraction, NO_FIGURES, type UniversityMeasures } from '../../shared/domain/measures.ts';
import { noOutreach } from '../../shared/domain/outreach.ts';
import { rankProvinces, rankUniversities, withRankChanges } from '../../shared/domain/ranking.ts';

function m(
  code: string,
  completion: number,
  employersVisited: number,
  positions: number,
  provinceCode = '440000',
): UniversityMeasures {
  return {
    universityCode: code,
    universityName: code,
    provinceCode,
    ...NO_FIGURES,
    employersVisited,
    positions,
    meanSatisfaction: null,
    onsiteShare: null,
    onsiteFlag: false,
    targets: { principal: null, new: null },
    ratios: { principal: null, new: null },
    completion,
    exactCompletion: fraction(Math.round(completion * 1e6), 1e6),
    expected: 0,
    behind: false,
    outreach: noOutreach(),
  };
}

describe('university ranking', () => {
  it('orders by completion, then employers visited, then positions', () => {
    const rows = rankUniversities([m('a', 0.5, 10, 5), m('b', 0.6, 1, 1), m('c', 0.5, 20, 0), m('d', 0.5, 10, 9)]);
    expect(rows.map((r) => [r.universityCode, r.rank])).toEqual([
      ['b', 1],
      ['c', 2],
      ['d', 3],
      ['a', 4],
    ]);
  });

  it('gives equal rows equal ranks and skips the following ones (1, 2, 2, 4), listing ties by code', () => {
    const rows = rankUniversities([m('z', 0.5, 10, 5), m('a', 0.9, 1, 1), m('k', 0.5, 10, 5), m('b', 0.1, 0, 0)]);
    expect(rows.map((r) => [r.universityCode, r.rank])).toEqual([
      ['a', 1],
      ['k', 2],
      ['z', 2],
      ['b', 4],
    ]);
  });

  it('ranks universities without visits too, all tied at the bottom', () => {
    const rows = rankUniversities([m('c', 0, 0, 0), m('a', 0.2, 20, 0), m('b', 0, 0, 0)]);
    expect(rows.map((r) => [r.universityCode, r.rank])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 2],
    ]);
  });
});

describe('province ranking', () => {
  const provinces = [
    { code: '110000', name: '北京市' },
    { code: '120000', name: '天津市' },
    { code: '130000', name: '河北省' },
    { code: '140000', name: '山西省' },
  ];

  it('orders by share meeting targets, then mean completion, then positions; every university counts', () => {
    const rows = rankProvinces(provinces, [
      // 北京: 1 of 2 meets (0.5), mean 0.75
      m('b1', 1, 100, 10, '110000'),
      m('b2', 0.5, 50, 10, '110000'),
      // 天津: 1 of 2 meets (0.5), mean 0.6 (an unvisited university at 0 pulls it down)
      m('t1', 1, 100, 500, '120000'),
      m('t2', 0.2, 20, 0, '120000'),
      // 河北: 0 of 1
      m('h1', 0.9, 90, 1000, '130000'),
    ]);
    expect(
      rows.map((r) => [
        r.provinceCode,
        r.rank,
        r.universities,
        r.meetingTargets,
        r.shareMeeting,
        r.meanCompletion,
        r.positions,
      ]),
    ).toEqual([
      ['110000', 1, 2, 1, 0.5, 0.75, 20],
      ['120000', 2, 2, 1, 0.5, 0.6, 500],
      ['130000', 3, 1, 0, 0, 0.9, 1000],
      ['140000', 4, 0, 0, 0, 0, 0], // no universities: listed last
    ]);
    expect(rows[0]!.provinceName).toBe('北京市');
  });

  it('ties provinces equal on all three keys (1, 1, 3)', () => {
    const rows = rankProvinces(provinces.slice(0, 3), [
      m('b', 0.5, 1, 7, '110000'),
      m('t', 0.5, 9, 7, '120000'),
      m('h', 0.4, 1, 7, '130000'),
    ]);
    expect(rows.map((r) => [r.provinceCode, r.rank])).toEqual([
      ['110000', 1],
      ['120000', 1],
      ['130000', 3],
    ]);
  });
});

describe('rank changes', () => {
  it('is previous rank minus rank (up is positive), null when new', () => {
    type Row = { rank: number; k: string; rankChange?: number | null };
    const prev: Row[] = [
      { rank: 1, k: 'a' },
      { rank: 2, k: 'b' },
    ];
    const now: Row[] = [
      { rank: 1, k: 'b' },
      { rank: 2, k: 'a' },
      { rank: 3, k: 'c' },
    ];
    expect(withRankChanges(now, prev, (r) => r.k).map((r) => [r.k, r.rankChange])).toEqual([
      ['b', 1],
      ['a', -1],
      ['c', null],
    ]);
    expect(withRankChanges(now, undefined, (r) => r.k).every((r) => r.rankChange === null)).toBe(true);
  });
});
