// Scoring two employer names (pure) and the three-way decision. The score is the core's similarity corrected by the
// other features: a branch never matches its parent or another branch, conflicting regions halve the score,
// differences in legal form or group marker cost a little. Thresholds come from configuration (measured: bench/RESULTS.md).
import type { EmployerFeatures, Regions } from './normalize.ts';

/** What a stored employer contributes to scoring (the features columns). */
export type MatchFeatures = Pick<EmployerFeatures, 'core' | 'legalKind' | 'group' | 'regions' | 'note' | 'branch'>;

/**
 * Edit distance with swapped neighbours (optimal string alignment). A swap costs `swapCost`: swapped characters are a
 * typing slip that keeps every character, whereas a changed character usually means another company (华夏 / 华西).
 */
export function editDistance(a: string, b: string, swapCost = 0.25): number {
  const x = [...a];
  const y = [...b];
  const n = x.length;
  const m = y.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, prev2[j - 2]! + swapCost);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

/**
 * Adjacent swaps that turn `a` into `b` (same characters in another order): the bubble-sort distance, so that a
 * character moved two places (特锐德 → 锐特德) costs two slips and not two substitutions.
 */
export function adjacentSwaps(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let swaps = 0;
  for (let i = 0; i < y.length; i++) {
    const j = x.indexOf(y[i]!, i);
    if (j < 0) return Infinity;
    for (let k = j; k > i; k--) [x[k], x[k - 1]] = [x[k - 1]!, x[k]!];
    swaps += j - i;
  }
  return swaps;
}

export const SWAP_COST = 0.15;

/** 1 for equal cores; a swap costs little, any other edit costs its share of the length and 10 % on top. */
export function coreSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const len = Math.max([...a].length, [...b].length);
  // Same characters in another order: slips. Anything else changed a character.
  if ([...a].sort().join('') === [...b].sort().join(''))
    return Math.max(0, 1 - (adjacentSwaps(a, b) * SWAP_COST) / len);
  return Math.max(0, 1 - editDistance(a, b, SWAP_COST) / len) * 0.9;
}

export type RegionRelation = 'same' | 'compatible' | 'one-sided' | 'conflict' | 'none';

export function regionRelation(a: Regions, b: Regions): RegionRelation {
  const has = (r: Regions) => r.province !== null || r.city !== null;
  if (!has(a) && !has(b)) return 'none';
  if (!has(a) || !has(b)) return 'one-sided';
  if (a.province && b.province && a.province !== b.province) return 'conflict';
  if (a.city && b.city && a.city !== b.city) return 'conflict';
  if (a.district && b.district && a.district !== b.district) return 'conflict';
  return a.province === b.province && a.city === b.city && a.district === b.district ? 'same' : 'compatible';
}

const CHINESE_DIGITS: Readonly<Record<string, string>> = {
  〇: '0',
  零: '0',
  一: '1',
  二: '2',
  两: '2',
  三: '3',
  四: '4',
  五: '5',
  六: '6',
  七: '7',
  八: '8',
  九: '9',
};

/** The numbers in a name in order, Chinese digits read as Arabic ones: 中建三局第一建设 → "31". */
export function numberSequence(core: string): string {
  let out = '';
  for (const ch of core) {
    if (ch >= '0' && ch <= '9') out += ch;
    else if (CHINESE_DIGITS[ch] !== undefined) out += CHINESE_DIGITS[ch];
    else if (ch === '十' || ch === '百' || ch === '千') out += ch;
  }
  return out;
}

/** Similarity in 0..1 of two names' features. */
export function similarity(a: MatchFeatures, b: MatchFeatures): number {
  // A branch is its own employer: never the parent, never another branch.
  if ((a.branch === null) !== (b.branch === null)) return 0;
  if (a.branch && b.branch && (a.branch.marker !== b.branch.marker || a.branch.name !== b.branch.name)) return 0;
  // Numbers name different employers (第一/第二建筑公司, 中建三局/八局, …12/…21): never merge on a near-miss of them.
  if (numberSequence(a.core) !== numberSequence(b.core)) return 0;
  let score = coreSimilarity(a.core, b.core);
  switch (regionRelation(a.regions, b.regions)) {
    case 'conflict':
      score *= 0.5; // 腾讯科技（深圳） and 腾讯科技（北京） are two companies
      break;
    case 'one-sided':
      // 深圳市腾讯计算机系统 may be typed without its city; a short core (银行, 化纤) without its region says little.
      score -= [...a.core].length <= 2 ? 0.15 : 0.05;
      break;
    case 'compatible':
      score *= 0.75; // 江苏银行 and 南京银行: a province and a city in it are not the same place
      break;
    case 'same':
    case 'none':
      break;
  }
  if (a.legalKind && b.legalKind && a.legalKind !== b.legalKind) score -= 0.03;
  else if (a.legalKind !== b.legalKind) score -= 0.01;
  if (a.group !== b.group) score -= 0.15; // 百联集团 and 百联股份 are a group and its listed company
  if (a.note !== b.note) score -= 0.05;
  return Math.max(0, Math.min(1, score));
}

export interface Thresholds {
  match: number;
  review: number;
}

export type Decision = 'matched' | 'review' | 'created';

/** Match at or above `match`, review at or above `review`, else a new employer. */
export function decide(score: number, t: Thresholds): Decision {
  if (score >= t.match) return 'matched';
  if (score >= t.review) return 'review';
  return 'created';
}

export interface ScoredCandidate<T> {
  candidate: T;
  score: number;
}

/**
 * The best candidate and the decision. Two different candidates both above the match threshold with the same score
 * are ambiguous: review rather than guess.
 */
export function chooseCandidate<T extends { id: number }>(
  scored: Array<ScoredCandidate<T>>,
  t: Thresholds,
): { best: ScoredCandidate<T> | null; decision: Decision } {
  const sorted = [...scored].sort((x, y) => y.score - x.score || x.candidate.id - y.candidate.id);
  const best = sorted[0] ?? null;
  if (!best) return { best: null, decision: 'created' };
  let decision = decide(best.score, t);
  const second = sorted[1];
  if (decision === 'matched' && second && second.score === best.score && second.candidate.id !== best.candidate.id)
    decision = 'review';
  return { best, decision };
}
