// The order of every list a notice prints (定期通报 and 总结, national, province, 兵团 and central), in one place, so
// that the HTML, text, Markdown, robot and official-document forms all list alike. The model builders sort with these;
// the renderers keep the model's order and only cut. Pure.
//
// | list | order |
// |---|---|
// | provinces ranking (national), universities ranking (province, central), the chart's bars | rank order: the ranking's own (ranking.ts), equal ranks by code |
// | 典型: provinces and universities at the top, each province's first university | rank order (the leaders in their provinces' rank order) |
// | 进度落后 universities (national, province, central) | worst first: lowest completion first; ties: lower in the ranking first (fewer employers visited, then fewer positions), then university code |
// | 落后 per province (national) | most behind first, then province code |
// | 已达标 universities | rank order |
// | on-site share below the flag | lowest share first, then rank order |
// | provinces' plans missing or late (national) | province code (the administrative order of GB/T 2260) |
// | people: universities' plans late or missing | university code |
// | people: teams below the coverage flag | lowest coverage first, then university code |
// | people: per province (national) | province code |
// | 典型 employers by graduates hired / by positions | most hired (ties: more positions) / most positions (ties: more hired), then employer id |
// | 典型 universities whose completion rose | largest gain first, then rank order |
// | universities with most new positions (outreach block) | most new positions first, then rank order |
// | summary: weeks | the campaign's weeks in order |
//
// A notice lists at most NOTICE_LIST_ROWS of a long list and says how many of how many (format.ts cutList); the whole
// list is in the attached ledger.

interface Ranked {
  rank: number;
}
interface University extends Ranked {
  universityCode: string;
}
interface Province extends Ranked {
  provinceCode: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Universities in rank order; equal ranks (equal keys) by code, as the ranking lists them. */
export const universitiesByRank = (a: University, b: University): number =>
  a.rank - b.rank || byText(a.universityCode, b.universityCode);

/** Provinces in rank order; equal ranks by code. */
export const provincesByRank = (a: Province, b: Province): number =>
  a.rank - b.rank || byText(a.provinceCode, b.provinceCode);

/**
 * Universities behind, worst first: lowest completion first, then lower in the ranking (its keys after completion:
 * fewer employers visited, then fewer positions), then university code.
 */
export const behindWorstFirst = (a: University & { completion: number }, b: University & { completion: number }) =>
  a.completion - b.completion || b.rank - a.rank || byText(a.universityCode, b.universityCode);

/** The behind order in words, for the sentence of a cut list. */
export const BEHIND_ORDER_ZH = '按完成度由低到高';

/** Provinces by their number of universities behind, most first, then province code. */
export const provincesMostBehindFirst = (
  a: { provinceCode: string; behind: number },
  b: { provinceCode: string; behind: number },
): number => b.behind - a.behind || byText(a.provinceCode, b.provinceCode);

/** Lowest on-site share first (none counts as 0), then rank order. */
export const lowestOnsiteShareFirst = (
  a: University & { onsiteShare: number | null },
  b: University & { onsiteShare: number | null },
): number => (a.onsiteShare ?? 0) - (b.onsiteShare ?? 0) || universitiesByRank(a, b);

/** Administrative order: by province code. */
export const byProvinceCode = (a: { provinceCode: string }, b: { provinceCode: string }): number =>
  byText(a.provinceCode, b.provinceCode);

/** By university code. */
export const byUniversityCode = (a: { universityCode: string }, b: { universityCode: string }): number =>
  byText(a.universityCode, b.universityCode);

/** Teams by the share of their leaders with a visit, lowest first, then university code. */
export const lowestCoverageFirst = (
  a: { universityCode: string; coverage: number },
  b: { universityCode: string; coverage: number },
): number => a.coverage - b.coverage || byUniversityCode(a, b);

interface EmployerFigures {
  employerId: number;
  hired: number;
  positions: number;
}

/** Most graduates hired first, then more positions, then employer id. */
export const employersByHired = (a: EmployerFigures, b: EmployerFigures): number =>
  b.hired - a.hired || b.positions - a.positions || a.employerId - b.employerId;

/** Most positions first, then more hired, then employer id. */
export const employersByPositions = (a: EmployerFigures, b: EmployerFigures): number =>
  b.positions - a.positions || b.hired - a.hired || a.employerId - b.employerId;

/** Largest gain in completion first, then rank order. */
export const largestGainFirst = (a: University & { gain: number }, b: University & { gain: number }): number =>
  b.gain - a.gain || universitiesByRank(a, b);

type WithNewPositions = University & { outreach?: { newPositions: number } };

/** Most new positions first, then rank order. */
export const mostNewPositionsFirst = (a: WithNewPositions, b: WithNewPositions): number =>
  (b.outreach?.newPositions ?? 0) - (a.outreach?.newPositions ?? 0) || universitiesByRank(a, b);

/** A copy of `rows` in `order`. */
export const ordered = <T>(rows: readonly T[], order: (a: T, b: T) => number): T[] => [...rows].sort(order);
