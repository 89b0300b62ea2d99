// 用人单位需求台账 / 重点单位数据库 (issue 15, point 8): per employer, what the campaign's visits learned of its demand.
// Pure: the rows' shape, the merge of the majors and skills asked for, and the scope a demand ledger covers.

/** One university's visits to the employer. */
export interface DemandVisitor {
  universityCode: string;
  universityName: string;
  provinceCode: string;
  visits: number;
  firstVisitedOn: string;
  lastVisitedOn: string;
  /** The university recorded an internship base (实习实践基地) with the employer in one of these visits. */
  internshipBase: boolean;
}

export interface EmployerDemandRow {
  employerId: number;
  employerName: string;
  creditCode: string | null;
  /** Active visits of the campaign (leader-led or staff-only) in scope. */
  visits: number;
  /** Distinct universities that visited it. */
  universities: number;
  positions: number;
  newPositions: number;
  hired: number;
  /** Universities that established an internship base with it. */
  internshipBases: number;
  /** Majors or skills asked for, merged over its visits (distinct after width and space normalisation). */
  majors: string[];
  firstVisitedOn: string;
  lastVisitedOn: string;
  /** Who visited it and when, first visit first. */
  visitedBy: DemandVisitor[];
}

/** How the rows are ordered: most positions first, or most graduates hired first (典型). Ties: the other, then id. */
export type DemandOrder = 'positions' | 'hired';
export const DEMAND_ORDERS: readonly DemandOrder[] = ['positions', 'hired'];

const key = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').toLowerCase();

/**
 * Merges the majors of several visits into one distinct list: two spellings that differ only in width, spaces or case
 * count once (the first spelling met is kept); empty entries are dropped; the result is in Chinese collation order.
 */
export function mergeMajors(lists: ReadonlyArray<readonly string[] | null | undefined>): string[] {
  const seen = new Map<string, string>();
  for (const list of lists)
    for (const raw of list ?? []) {
      const text = raw.normalize('NFKC').trim();
      if (text && !seen.has(key(text))) seen.set(key(text), text);
    }
  return [...seen.values()].sort((a, b) => a.localeCompare(b, 'zh-Hans-CN'));
}
