// 典型 (issue 15, point 9): the employers that took on most graduates and offered most positions in the notice's
// scope, and the universities whose completion rose most since the last snapshot of the same kind (or, in the
// campaign summary, since the previous campaign). Pure; a block of its own, laid out by each renderer after the
// numbered sections like the outreach block.
import type { UniversityRankRow } from '../ranking.types.ts';
import { int, pct } from './format.ts';
import type { NoticeModel } from './notice-content.ts';
import type { NoticeBlock } from './outreach-block.ts';
import { employersByHired, employersByPositions, largestGainFirst, ordered } from './list-order.ts';

/** Entries in each list. */
export const TOP_MODEL_CASES = 5;

export interface ModelEmployer {
  employerId: number;
  employerName: string;
  hired: number;
  positions: number;
  newPositions: number;
  /** Distinct universities in scope that visited it. */
  universities: number;
}

export interface ImprovedUniversity {
  universityCode: string;
  universityName: string;
  provinceCode: string;
  completion: number;
  previousCompletion: number;
  /** completion − previousCompletion, > 0. */
  gain: number;
}

export interface ModelCases {
  /** What the gains are measured against, in words ('2022年第13周（截至2022年4月3日）'); null: nothing earlier. */
  since: string | null;
  /** Most graduates hired first (ties: positions); only employers with someone hired. */
  byHired: ModelEmployer[];
  /** Most positions first (ties: hired); only employers with positions. */
  byPositions: ModelEmployer[];
  improved: ImprovedUniversity[];
}

/**
 * The universities whose completion rose most against `previous` (by university code), largest gain first, then
 * current rank; a university absent there, or not higher now, is not listed.
 */
export function improvedUniversities(
  current: readonly UniversityRankRow[],
  previous: ReadonlyMap<string, number> | undefined,
  top = TOP_MODEL_CASES,
): ImprovedUniversity[] {
  if (!previous) return [];
  const out: Array<ImprovedUniversity & { rank: number }> = [];
  for (const r of current) {
    const before = previous.get(r.universityCode);
    if (before === undefined || !(r.completion > before)) continue;
    out.push({
      universityCode: r.universityCode,
      universityName: r.universityName,
      provinceCode: r.provinceCode,
      completion: r.completion,
      previousCompletion: before,
      gain: r.completion - before,
      rank: r.rank,
    });
  }
  return out
    .sort(largestGainFirst)
    .slice(0, top)
    .map(({ rank: _rank, ...u }) => u);
}

/** Keeps the employers that qualify for each list, each in its order (the caller reads the top ones in that order). */
export function modelEmployers(
  byHired: readonly ModelEmployer[],
  byPositions: readonly ModelEmployer[],
  top = TOP_MODEL_CASES,
): Pick<ModelCases, 'byHired' | 'byPositions'> {
  return {
    byHired: ordered(
      byHired.filter((e) => e.hired > 0),
      employersByHired,
    ).slice(0, top),
    byPositions: ordered(
      byPositions.filter((e) => e.positions > 0),
      employersByPositions,
    ).slice(0, top),
  };
}

const employerLine = (e: ModelEmployer) =>
  `${e.employerName}（录用毕业生${int(e.hired)}人，提供岗位${int(e.positions)}个，${int(e.universities)}所高校走访）`;

/** The block, or null for a notice without model cases (stored before them, or nothing to name). */
export function modelCasesBlock(m: NoticeModel): NoticeBlock | null {
  const c = m.modelCases;
  if (!c) return null;
  const lines: string[] = [];
  if (c.byHired.length) lines.push(`吸纳毕业生较多的用人单位：${c.byHired.map(employerLine).join('；')}。`);
  if (c.byPositions.length) lines.push(`提供岗位较多的用人单位：${c.byPositions.map(employerLine).join('；')}。`);
  if (c.improved.length && c.since)
    lines.push(
      `与${c.since}相比完成度提升较快的高校：` +
        c.improved
          .map((u) => `${u.universityName}（由${pct(u.previousCompletion)}升至${pct(u.completion)}）`)
          .join('；') +
        '。',
    );
  if (lines.length === 0) return null;
  return { title: '典型：用人单位与高校', lines };
}
