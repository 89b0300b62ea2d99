// Figures the console shows beside the rankings (docs/console-api.md), derived from the same measures and snapshots
// as the rankings and notices: a scope's head figures, a week of the trend, a university's kinds. Pure.
import { fractionValue, meanFraction, round6, type UniversityMeasures } from './measures.ts';
import type { ProvinceRankRow } from './ranking.types.ts';

export interface ScopeSummary {
  total: number;
  /** Completion 1 (exactly): as `meetingTargets` in the provinces ranking. */
  meetingTargets: number;
  behind: number;
  shareMeeting: number;
  /** Mean of every university's completion, visited or not, computed exactly and rounded once. */
  meanCompletion: number;
}

/** The head figures of a set of universities, by the rules rankProvinces applies to each province. */
export function summarizeMeasures(measures: readonly UniversityMeasures[]): ScopeSummary {
  let meeting = 0;
  let behind = 0;
  for (const m of measures) {
    if (m.exactCompletion.num >= m.exactCompletion.den) meeting += 1;
    if (m.behind) behind += 1;
  }
  const total = measures.length;
  return {
    total,
    meetingTargets: meeting,
    behind,
    shareMeeting: total ? round6(meeting / total) : 0,
    meanCompletion: round6(fractionValue(meanFraction(measures.map((m) => m.exactCompletion)))),
  };
}

export interface TrendPoint {
  period: string;
  asOf: string;
  universities: number;
  meetingTargets: number;
  shareMeeting: number;
  meanCompletion: number;
  /** The province's rank among provinces that week; absent for the national trend. */
  rank?: number;
}

/**
 * One week of the trend from that week's stored `provinces` snapshot: a province's own row, or for the whole country
 * the sums over the provinces (share exact from the counts; the mean weighted by universities from the provinces'
 * rounded means, so within 1e-6 of the exact national mean). Null when the province is not in the snapshot.
 */
export function trendPoint(
  snapshot: { period: string; asOf: string; rows: readonly ProvinceRankRow[] },
  provinceCode: string | null,
): TrendPoint | null {
  const { period, asOf, rows } = snapshot;
  if (provinceCode !== null) {
    const row = rows.find((r) => r.provinceCode === provinceCode);
    if (!row) return null;
    const { universities, meetingTargets, shareMeeting, meanCompletion, rank } = row;
    return { period, asOf, universities, meetingTargets, shareMeeting, meanCompletion, rank };
  }
  let universities = 0;
  let meeting = 0;
  let completions = 0;
  for (const r of rows) {
    universities += r.universities;
    meeting += r.meetingTargets;
    completions += r.meanCompletion * r.universities;
  }
  return {
    period,
    asOf,
    universities,
    meetingTargets: meeting,
    shareMeeting: universities ? round6(meeting / universities) : 0,
    meanCompletion: universities ? round6(completions / universities) : 0,
  };
}

export interface UniversityFlags {
  /** 新建本科 */
  newUndergrad: boolean;
  /** 高职: flagged vocational, or of the 专科 level (as the principal target counts it). */
  vocational: boolean;
  /** Placement rate below the province's average: the university carries a 新增 (new employers) target. */
  belowAveragePlacement: boolean;
  /** 部属 ('ministry') or 部省合建 ('joint'): present only for those universities (issue 15). */
  central?: 'ministry' | 'joint';
}

export function universityFlags(
  u: { newUndergrad: boolean; vocational: boolean; level: string; central?: 'ministry' | 'joint' | null },
  targets: { new: number | null },
): UniversityFlags {
  return {
    newUndergrad: u.newUndergrad,
    vocational: u.vocational || u.level === '专科',
    belowAveragePlacement: targets.new !== null,
    ...(u.central ? { central: u.central } : {}),
  };
}
