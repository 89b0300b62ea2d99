// Ranking order (RULES.md "Rankings"): standard competition ranking (1, 2, 2, 4), code order within a tie. Pure.
import type { UniversityMeasures } from './measures.ts';
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

type UniversityKeys = Pick<UniversityMeasures, 'universityCode' | 'completion' | 'employersVisited' | 'positions'>;

export function compareUniversities(a: UniversityKeys, b: UniversityKeys): number {
  return b.completion - a.completion || b.employersVisited - a.employersVisited || b.positions - a.positions || byCode(a.universityCode, b.universityCode);
}

const sameUniversityKeys = (a: UniversityKeys, b: UniversityKeys) =>
  a.completion === b.completion && a.employersVisited === b.employersVisited && a.positions === b.positions;

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
    behind: m.behind,
    targets: { principal: m.targets.principal, new: m.targets.new },
  }));
}

export interface ProvinceInfo {
  code: string;
  name: string;
}

type ProvinceKeys = Pick<ProvinceRankRow, 'provinceCode' | 'shareMeeting' | 'meanCompletion' | 'positions'>;

export function compareProvinces(a: ProvinceKeys, b: ProvinceKeys): number {
  return b.shareMeeting - a.shareMeeting || b.meanCompletion - a.meanCompletion || b.positions - a.positions || byCode(a.provinceCode, b.provinceCode);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Provinces by share of universities at completion 1, then mean completion, then total positions. Every university of
 * the province counts, visited or not; a province without universities has share and mean 0.
 */
export function rankProvinces(provinces: readonly ProvinceInfo[], measures: readonly UniversityMeasures[]): ProvinceRankRow[] {
  const acc = new Map(provinces.map((p) => [p.code, { n: 0, meeting: 0, completion: 0, positions: 0 }]));
  for (const m of measures) {
    const a = acc.get(m.provinceCode);
    if (!a) continue;
    a.n += 1;
    if (m.completion >= 1) a.meeting += 1;
    a.completion += m.completion;
    a.positions += m.positions;
  }
  const rows = provinces.map((p) => {
    const a = acc.get(p.code)!;
    return {
      rank: 0,
      provinceCode: p.code,
      provinceName: p.name,
      universities: a.n,
      meetingTargets: a.meeting,
      shareMeeting: a.n ? round6(a.meeting / a.n) : 0,
      meanCompletion: a.n ? round6(a.completion / a.n) : 0,
      positions: a.positions,
    };
  });
  rows.sort(compareProvinces);
  const ranks = competitionRanks(rows, (a, b) => a.shareMeeting === b.shareMeeting && a.meanCompletion === b.meanCompletion && a.positions === b.positions);
  rows.forEach((r, i) => (r.rank = ranks[i]!));
  return rows;
}

/** Adds `rankChange` = previous rank − rank (positive = moved up), null for rows absent from the previous ranking. */
export function withRankChanges<T extends { rank: number; rankChange?: number | null }>(
  rows: readonly T[],
  previous: readonly T[] | undefined,
  key: (row: T) => string,
): T[] {
  const before = new Map((previous ?? []).map((r) => [key(r), r.rank]));
  return rows.map((r) => {
    const prev = before.get(key(r));
    return { ...r, rankChange: prev === undefined ? null : prev - r.rank };
  });
}
