// Ranking order (RULES.md "Rankings"): standard competition ranking (1, 2, 2, 4), code order within a tie. Pure.
import {
  compareFractions,
  fraction,
  fractionValue,
  meanFraction,
  round6,
  type Fraction,
  type UniversityMeasures,
} from './measures.ts';
import type { ProvinceRankRow, UniversityRankRow } from './ranking.types.ts';

/** Ranks rows already sorted by `compare`: equal on every key (compare = 0 apart from the tie-break) = equal rank. */
function competitionRanks<T>(sorted: T[], sameKeys: (a: T, b: T) => boolean): number[] {
  const ranks: number[] = [];
  sorted.forEach((row, i) => {
    ranks.push(i > 0 && sameKeys(sorted[i - 1]!, row) ? ranks[i - 1]! : i + 1);
  });
  return ranks;
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type UniversityKeys = Pick<UniversityMeasures, 'universityCode' | 'exactCompletion' | 'employersVisited' | 'positions'>;

/** Keys compared exactly: completion as a fraction, so two completions of 1/3 tie however each is made up. */
export function compareUniversities(a: UniversityKeys, b: UniversityKeys): number {
  return (
    compareFractions(b.exactCompletion, a.exactCompletion) ||
    b.employersVisited - a.employersVisited ||
    b.positions - a.positions ||
    byCode(a.universityCode, b.universityCode)
  );
}

const sameUniversityKeys = (a: UniversityKeys, b: UniversityKeys) =>
  compareFractions(a.exactCompletion, b.exactCompletion) === 0 &&
  a.employersVisited === b.employersVisited &&
  a.positions === b.positions;

/** University rows in rank order: completion desc, employers visited desc, positions desc. */
export function rankUniversities(measures: readonly UniversityMeasures[]): UniversityRankRow[] {
  const sorted = [...measures].sort(compareUniversities);
  const ranks = competitionRanks(sorted, sameUniversityKeys);
  return sorted.map((m, i) => ({
    rank: ranks[i]!,
    universityCode: m.universityCode,
    universityName: m.universityName,
    provinceCode: m.provinceCode,
    completion: m.completion,
    employersVisited: m.employersVisited,
    principalEmployers: m.principalEmployers,
    newEmployers: m.newEmployers,
    positions: m.positions,
    onsiteShare: m.onsiteShare,
    onsiteFlag: m.onsiteFlag,
    behind: m.behind,
    targets: { principal: m.targets.principal, new: m.targets.new },
    visits: m.visits,
    outreach: m.outreach,
  }));
}

export interface ProvinceInfo {
  code: string;
  name: string;
}

/** A province's row with its keys kept exact for ordering; the row shows them rounded. */
interface ProvinceEntry {
  row: ProvinceRankRow;
  share: Fraction;
  mean: Fraction;
}

const sameProvinceKeys = (a: ProvinceEntry, b: ProvinceEntry) =>
  compareFractions(a.share, b.share) === 0 &&
  compareFractions(a.mean, b.mean) === 0 &&
  a.row.positions === b.row.positions;

function compareProvinceEntries(a: ProvinceEntry, b: ProvinceEntry): number {
  return (
    compareFractions(b.share, a.share) ||
    compareFractions(b.mean, a.mean) ||
    b.row.positions - a.row.positions ||
    byCode(a.row.provinceCode, b.row.provinceCode)
  );
}

/**
 * Provinces by share of universities at completion 1, then mean completion, then total positions. Every university of
 * the province counts, visited or not; a province without universities has share and mean 0. Share and mean are
 * compared exactly and rounded only in the rows.
 */
export function rankProvinces(
  provinces: readonly ProvinceInfo[],
  measures: readonly UniversityMeasures[],
): ProvinceRankRow[] {
  const acc = new Map(provinces.map((p) => [p.code, { meeting: 0, completions: [] as Fraction[], positions: 0 }]));
  for (const m of measures) {
    const a = acc.get(m.provinceCode);
    if (!a) continue;
    if (m.exactCompletion.num >= m.exactCompletion.den) a.meeting += 1;
    a.completions.push(m.exactCompletion);
    a.positions += m.positions;
  }
  const entries: ProvinceEntry[] = provinces.map((p) => {
    const a = acc.get(p.code)!;
    const n = a.completions.length;
    const share = n ? fraction(a.meeting, n) : fraction(0, 1);
    const mean = meanFraction(a.completions);
    return {
      share,
      mean,
      row: {
        rank: 0,
        provinceCode: p.code,
        provinceName: p.name,
        universities: n,
        meetingTargets: a.meeting,
        shareMeeting: round6(fractionValue(share)),
        meanCompletion: round6(fractionValue(mean)),
        positions: a.positions,
      },
    };
  });
  entries.sort(compareProvinceEntries);
  const ranks = competitionRanks(entries, sameProvinceKeys);
  return entries.map((e, i) => ({ ...e.row, rank: ranks[i]! }));
}

/** Adds `rankChange` = previous rank − rank (positive = moved up), null for rows absent from the previous ranking. */
export function withRankChanges<T extends { rank: number; rankChange?: number | null }>(
  rows: readonly T[],
  previous: readonly T[] | undefined,
  key: (row: T) => string,
): T[] {
  const before = new Map((previous ?? []).map((r) => [key(r), r.rank]));
  return rows.map((r) => ({ ...r, rankChange: changeFrom(before.get(key(r)), r.rank) }));
}

const changeFrom = (previous: number | undefined, rank: number): number | null =>
  previous === undefined ? null : previous - rank;

/** The key naming a ranking row across snapshots: its university's code, or its province's. */
export const rankKey = (r: UniversityRankRow | ProvinceRankRow): string =>
  'universityCode' in r ? r.universityCode : r.provinceCode;

/** Each row's rank change (as withRankChanges) against earlier ranks held by key only: a stored snapshot's ranks. */
export function rankChangesAgainst(
  rows: ReadonlyArray<UniversityRankRow | ProvinceRankRow>,
  before: ReadonlyMap<string, number> | undefined,
): Array<number | null> {
  return rows.map((r) => changeFrom(before?.get(rankKey(r)), r.rank));
}
