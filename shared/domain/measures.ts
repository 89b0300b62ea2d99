// A university's measures against its targets as of a cut-off date (RULES.md "Targets" and "Measures"). Pure.
import { noOutreach, type OutreachFigures } from './outreach.ts';
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
  /** Staff, places and incremental outcomes (issue 15); absent = none. */
  outreach?: OutreachFigures;
}

export const NO_FIGURES: Readonly<RawFigures> = Object.freeze({
  employersVisited: 0,
  principalEmployers: 0,
  newEmployers: 0,
  visits: 0,
  onsiteVisits: 0,
  positions: 0,
  internshipBases: 0,
  recruitmentInvites: 0,
  demandSurveys: 0,
  graduatesTracked: 0,
  satisfactionSum: 0,
  satisfactionCount: 0,
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
  /** 部属 ('ministry'), 部省合建 ('joint') or neither (null; absent where the caller did not read it). */
  central?: 'ministry' | 'joint' | null;
}

/** Every number and threshold of the rules (RULES.md "Targets"), set per campaign and overridable per province (§5). */
export interface Rules {
  principalTarget: number;
  newTarget: number;
  /** Behind when completion < behindFactor × expected. */
  behindFactor: number;
  /** A principal-target university with an on-site share below this is flagged (坚持实地走访为主). */
  onsiteShareFlag: number;
  /** Employers visited that give a university without targets full completion. */
  baseWithoutTargets: number;
}

/** The rules a campaign starts with unless its operator says otherwise (原则上不少于100家, 50 %, 0.8). */
export const DEFAULT_RULES: Readonly<Rules> = Object.freeze({
  principalTarget: 100,
  newTarget: 100,
  behindFactor: 0.8,
  onsiteShareFlag: 0.5,
  baseWithoutTargets: 100,
});

export interface CampaignRules extends Rules {
  id: string;
  startDate: string;
  endDate: string;
}

/** A province's overrides for one campaign; null/absent = the campaign's value. */
export type ProvinceOverride = { [K in keyof Rules]?: number | null };

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
  /** Principal-target universities only (RULES 4): on-site share below the province's onsiteShareFlag. */
  onsiteFlag: boolean;
  targets: Targets;
  /** Each applicable ratio, rounded for display. */
  ratios: { principal: number | null; new: number | null };
  /** Rounded for display; rankings compare `exactCompletion`. */
  completion: number;
  /** The mean of the exact ratios: what rankings compare, so that equal completions tie however they are made up. */
  exactCompletion: Fraction;
  expected: number;
  behind: boolean;
  /** Staff, places and incremental outcomes (issue 15): reported beside the measures, never in completion. */
  outreach: OutreachFigures;
}

// Averages are means of decimals: compare with a tolerance so that a rate exactly at the average is not "below".
const EPSILON = 1e-9;

/** What is shown is rounded to 6 decimals, once, from the exact value. */
export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * A ratio kept exact (num / den in lowest terms, den > 0). Completion is a mean of ratios such as 1/6 and 1/2: in
 * floating point, or rounded ratio by ratio, it can differ from an equal completion made up otherwise (1/3), and the
 * rankings would split a tie. Numbers, not bigints, so the measures stay JSON: they are exact while the denominator
 * (at most 2 × principal target × new target) stays below 2^53, i.e. targets up to 47 million.
 */
export interface Fraction {
  num: number;
  den: number;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

const MAX = Number.MAX_SAFE_INTEGER;

function gcdNumber(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return Math.abs(a);
}

/** num / den in lowest terms (den must not be 0). */
export function fraction(num: number | bigint, den: number | bigint): Fraction {
  // Safe integers (every real measure): plain numbers, exact and without a BigInt per step.
  if (typeof num === 'number' && typeof den === 'number' && Number.isSafeInteger(num) && Number.isSafeInteger(den)) {
    if (den === 0) throw new RangeError('a fraction needs a non-zero denominator');
    const g = gcdNumber(num, den) || 1;
    const sign = den < 0 ? -1 : 1;
    return { num: (sign * num) / g + 0, den: (sign * den) / g };
  }
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('a fraction needs a non-zero denominator');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  n /= g;
  d /= g;
  const max = BigInt(MAX);
  // Beyond 2^53 (absurd targets) keep 15 significant digits rather than lose the number.
  if (n > max || d > max) return fraction(Math.round((Number(n) / Number(d)) * 1e15), 1e15);
  return { num: Number(n), den: Number(d) };
}

/** Sign of a − b, exactly. */
export function compareFractions(a: Fraction, b: Fraction): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  // Products below 2^53 are exact in floating point (den ≤ 2 × targets²: always, unless targets are absurd).
  if (Math.abs(l) <= MAX && Math.abs(r) <= MAX) return l < r ? -1 : l > r ? 1 : 0;
  const lb = BigInt(a.num) * BigInt(b.den);
  const rb = BigInt(b.num) * BigInt(a.den);
  return lb < rb ? -1 : lb > rb ? 1 : 0;
}

export const fractionValue = (f: Fraction): number => f.num / f.den;

/** The exact mean of fractions (0 for none). */
export function meanFraction(fs: readonly Fraction[]): Fraction {
  if (fs.length === 0) return { num: 0, den: 1 };
  // In numbers while every step stays a safe integer (the usual case), else again in BigInts.
  let n = 0;
  let d = 1;
  for (const f of fs) {
    const a = n * f.den;
    const b = f.num * d;
    const den = d * f.den;
    if (!(Math.abs(a) <= MAX && Math.abs(b) <= MAX && Math.abs(a + b) <= MAX && den <= MAX)) return meanBig(fs);
    const g = gcdNumber(a + b, den) || 1;
    n = (a + b) / g;
    d = den / g;
  }
  return d * fs.length <= MAX ? fraction(n, d * fs.length) : fraction(BigInt(n), BigInt(d) * BigInt(fs.length));
}

function meanBig(fs: readonly Fraction[]): Fraction {
  let num = 0n;
  let den = 1n;
  for (const f of fs) {
    num = num * BigInt(f.den) + BigInt(f.num) * den;
    den *= BigInt(f.den);
    const g = gcd(num, den) || 1n;
    num /= g;
    den /= g;
  }
  return fraction(num, den * BigInt(fs.length));
}

/** The rules that apply in a province: the campaign's, each replaced by the province's override where it has one. */
export function rulesFor(campaign: Rules, override: ProvinceOverride | undefined): Rules {
  return {
    principalTarget: override?.principalTarget ?? campaign.principalTarget,
    newTarget: override?.newTarget ?? campaign.newTarget,
    behindFactor: override?.behindFactor ?? campaign.behindFactor,
    onsiteShareFlag: override?.onsiteShareFlag ?? campaign.onsiteShareFlag,
    baseWithoutTargets: override?.baseWithoutTargets ?? campaign.baseWithoutTargets,
  };
}

/** Mean placement rate per province, over the universities that have one. */
export function provinceMeans(
  universities: Iterable<Pick<UniversityInfo, 'provinceCode' | 'placementRate'>>,
): Map<string, number> {
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
  return targetsWith(
    u,
    rulesFor(ctx.campaign, ctx.overrides.get(u.provinceCode)),
    provinceAverage(ctx, u.provinceCode),
  );
}

function targetsWith(u: UniversityInfo, rules: Rules, average: number | null): Targets {
  const below = u.placementRate !== null && average !== null && u.placementRate < average - EPSILON;
  return {
    principal: hasPrincipalTarget(u) ? rules.principalTarget : null,
    new: below ? rules.newTarget : null,
  };
}

/** min(1, measure / target), exactly; a target of 0 is met by anything. */
export function ratio(measure: number, target: number): Fraction {
  return target <= 0 ? { num: 1, den: 1 } : fraction(Math.min(measure, target), target);
}

/** What every university of a province shares as of a date: its rules, its placement average, the expected share. */
interface ProvinceTerms {
  rules: Rules;
  average: number | null;
  expected: number;
}

function provinceTerms(ctx: MeasureContext, provinceCode: string, expected: number): ProvinceTerms {
  return {
    rules: rulesFor(ctx.campaign, ctx.overrides.get(provinceCode)),
    average: provinceAverage(ctx, provinceCode),
    expected,
  };
}

const expectedAt = (ctx: MeasureContext, asOf: string) =>
  expectedShare({ start: ctx.campaign.startDate, end: ctx.campaign.endDate }, asOf);

export function computeMeasures(
  u: UniversityInfo,
  raw: RawFigures,
  ctx: MeasureContext,
  asOf: string,
): UniversityMeasures {
  return measureWith(u, raw, provinceTerms(ctx, u.provinceCode, expectedAt(ctx, asOf)));
}

function measureWith(
  u: UniversityInfo,
  raw: RawFigures,
  { rules, average, expected }: ProvinceTerms,
): UniversityMeasures {
  const targets = targetsWith(u, rules, average);
  const exact = {
    principal: targets.principal === null ? null : ratio(raw.principalEmployers, targets.principal),
    new: targets.new === null ? null : ratio(raw.newEmployers, targets.new),
  };
  const exactCompletion =
    exact.principal && exact.new
      ? meanFraction([exact.principal, exact.new])
      : (exact.principal ?? exact.new ?? ratio(raw.employersVisited, rules.baseWithoutTargets));
  const completion = fractionValue(exactCompletion);
  const shown = (f: Fraction | null) => (f === null ? null : round6(fractionValue(f)));
  const share = raw.visits > 0 ? raw.onsiteVisits / raw.visits : null;
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
    onsiteShare: share === null ? null : round6(share),
    // Judged on the unrounded share: 0.4999996 is below 0.5 although it shows as 0.5.
    onsiteFlag: targets.principal !== null && share !== null && share < rules.onsiteShareFlag - EPSILON,
    targets,
    ratios: { principal: shown(exact.principal), new: shown(exact.new) },
    completion: round6(completion),
    exactCompletion,
    expected: round6(expected),
    // Compared unrounded: behind at the boundary means strictly below factor × expected.
    behind: completion < rules.behindFactor * expected - EPSILON,
    outreach: raw.outreach ?? noOutreach(),
  };
}

/**
 * Measures of every given university; those without figures count as zero (every university is listed). What a
 * province's universities share (rules, average, expected share) is worked out once per province, not per university.
 */
export function measureAll(
  universities: readonly UniversityInfo[],
  figures: ReadonlyMap<string, RawFigures>,
  ctx: MeasureContext,
  asOf: string,
): UniversityMeasures[] {
  const expected = expectedAt(ctx, asOf);
  const terms = new Map<string, ProvinceTerms>();
  return universities.map((u) => {
    let t = terms.get(u.provinceCode);
    if (!t) terms.set(u.provinceCode, (t = provinceTerms(ctx, u.provinceCode, expected)));
    return measureWith(u, figures.get(u.code) ?? NO_FIGURES, t);
  });
}
