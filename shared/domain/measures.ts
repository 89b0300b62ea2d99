// A university's measures against its targets as of a cut-off date (RULES.md "Targets" and "Measures"). Pure.
import { expectedShare } from './periods.ts';

/** What the store counts per university (only active visits of the campaign dated from its start to the cut-off). */
export interface RawFigures {
  employersVisited: number;
  principalEmployers: number;
  newEmployers: number;
  visits: number;
  onsiteVisits: number;
  positions: number;
  internshipBases: number;
  recruitmentInvites: number;
  demandSurveys: number;
  graduatesTracked: number;
  satisfactionSum: number;
  satisfactionCount: number;
}

export const NO_FIGURES: Readonly<RawFigures> = Object.freeze({
  employersVisited: 0, principalEmployers: 0, newEmployers: 0, visits: 0, onsiteVisits: 0, positions: 0,
  internshipBases: 0, recruitmentInvites: 0, demandSurveys: 0, graduatesTracked: 0, satisfactionSum: 0, satisfactionCount: 0,
});

export interface UniversityInfo {
  code: string;
  name: string;
  provinceCode: string;
  level: '本科' | '专科';
  newUndergrad: boolean;
  vocational: boolean;
  /** This campaign's imported placement rate (0..1), null when none was imported. */
  placementRate: number | null;
}

export interface CampaignRules {
  id: string;
  startDate: string;
  endDate: string;
  principalTarget: number;
  newTarget: number;
  behindFactor: number;
}

/** A province's overrides for one campaign; null/absent = the campaign's value. */
export interface ProvinceOverride {
  principalTarget?: number | null;
  newTarget?: number | null;
  behindFactor?: number | null;
}

export interface MeasureContext {
  campaign: CampaignRules;
  overrides: ReadonlyMap<string, ProvinceOverride>;
  /** Explicitly imported provincial placement averages; other provinces use the mean of their universities' rates. */
  explicitAverages: ReadonlyMap<string, number>;
  /** Mean placement rate per province over its universities with a rate (see provinceMeans). */
  meanRates: ReadonlyMap<string, number>;
}

export interface Targets {
  principal: number | null;
  new: number | null;
}

export interface UniversityMeasures {
  universityCode: string;
  universityName: string;
  provinceCode: string;
  employersVisited: number;
  principalEmployers: number;
  newEmployers: number;
  visits: number;
  positions: number;
  internshipBases: number;
  recruitmentInvites: number;
  demandSurveys: number;
  graduatesTracked: number;
  /** Mean satisfaction (1..5) over visits that gave one; null when none did. */
  meanSatisfaction: number | null;
  /** Share of visits made on site; null without visits. */
  onsiteShare: number | null;
  /** Principal-target universities only (RULES 4): on-site share below 50 %. */
  onsiteFlag: boolean;
  targets: Targets;
  ratios: { principal: number | null; new: number | null };
  completion: number;
  expected: number;
  behind: boolean;
}

/** Employers visited that give a university without targets full completion (RULES.md "Measures"). */
export const NO_TARGET_EMPLOYERS = 100;
const ONSITE_MIN_SHARE = 0.5;
// Averages are means of decimals: compare with a tolerance so that a rate exactly at the average is not "below".
const EPSILON = 1e-9;

/** Ratios and completions are rounded to 6 decimals, so equal fractions (0.3+0.6)/2 and 0.45 rank as ties. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Mean placement rate per province, over the universities that have one. */
export function provinceMeans(universities: Iterable<Pick<UniversityInfo, 'provinceCode' | 'placementRate'>>): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const u of universities) {
    if (u.placementRate === null) continue;
    const s = sums.get(u.provinceCode) ?? { sum: 0, n: 0 };
    s.sum += u.placementRate;
    s.n += 1;
    sums.set(u.provinceCode, s);
  }
  return new Map([...sums].map(([p, s]) => [p, s.sum / s.n]));
}

/** The province's average placement rate: the imported one, else the mean of its universities' rates. */
export function provinceAverage(ctx: MeasureContext, provinceCode: string): number | null {
  return ctx.explicitAverages.get(provinceCode) ?? ctx.meanRates.get(provinceCode) ?? null;
}

/** Principal target for 新建本科 and vocational colleges (a 专科 level counts as vocational). */
export function hasPrincipalTarget(u: UniversityInfo): boolean {
  return u.newUndergrad || u.vocational || u.level === '专科';
}

/** The targets that apply to a university, with the province's overrides. */
export function applicableTargets(u: UniversityInfo, ctx: MeasureContext): Targets {
  const o = ctx.overrides.get(u.provinceCode);
  const average = provinceAverage(ctx, u.provinceCode);
  const below = u.placementRate !== null && average !== null && u.placementRate < average - EPSILON;
  return {
    principal: hasPrincipalTarget(u) ? (o?.principalTarget ?? ctx.campaign.principalTarget) : null,
    new: below ? (o?.newTarget ?? ctx.campaign.newTarget) : null,
  };
}

/** min(1, measure / target); a target of 0 is met by anything. */
export function ratio(measure: number, target: number): number {
  return target <= 0 ? 1 : round6(Math.min(1, measure / target));
}

export function computeMeasures(u: UniversityInfo, raw: RawFigures, ctx: MeasureContext, asOf: string): UniversityMeasures {
  const targets = applicableTargets(u, ctx);
  const ratios = {
    principal: targets.principal === null ? null : ratio(raw.principalEmployers, targets.principal),
    new: targets.new === null ? null : ratio(raw.newEmployers, targets.new),
  };
  const applicable = [ratios.principal, ratios.new].filter((r): r is number => r !== null);
  const completion = applicable.length
    ? round6(applicable.reduce((a, b) => a + b, 0) / applicable.length)
    : ratio(raw.employersVisited, NO_TARGET_EMPLOYERS);
  const expected = expectedShare({ start: ctx.campaign.startDate, end: ctx.campaign.endDate }, asOf);
  const factor = ctx.overrides.get(u.provinceCode)?.behindFactor ?? ctx.campaign.behindFactor;
  const onsiteShare = raw.visits > 0 ? round6(raw.onsiteVisits / raw.visits) : null;
  return {
    universityCode: u.code,
    universityName: u.name,
    provinceCode: u.provinceCode,
    employersVisited: raw.employersVisited,
    principalEmployers: raw.principalEmployers,
    newEmployers: raw.newEmployers,
    visits: raw.visits,
    positions: raw.positions,
    internshipBases: raw.internshipBases,
    recruitmentInvites: raw.recruitmentInvites,
    demandSurveys: raw.demandSurveys,
    graduatesTracked: raw.graduatesTracked,
    meanSatisfaction: raw.satisfactionCount > 0 ? round6(raw.satisfactionSum / raw.satisfactionCount) : null,
    onsiteShare,
    onsiteFlag: targets.principal !== null && onsiteShare !== null && onsiteShare < ONSITE_MIN_SHARE,
    targets,
    ratios,
    completion,
    expected: round6(expected),
    // Compared exactly (not rounded): behind at the boundary means strictly below factor × expected.
    behind: completion < factor * expected - EPSILON,
  };
}

/** Measures of every given university; those without figures count as zero (every university is listed). */
export function measureAll(
  universities: readonly UniversityInfo[],
  figures: ReadonlyMap<string, RawFigures>,
  ctx: MeasureContext,
  asOf: string,
): UniversityMeasures[] {
  return universities.map((u) => computeMeasures(u, figures.get(u.code) ?? NO_FIGURES, ctx, asOf));
}
