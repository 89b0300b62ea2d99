// The shapes of rankings shared by the rankings endpoint, snapshots and notices (CONTRACT.md).
import type { OutreachFigures } from './outreach.ts';

/**
 * `national`, `province:440000` (a reporting unit: 兵团 is `province:660000`, alias `bingtuan`), `provinces` (the 32
 * reporting units) or `central` (the 部属 and 部省合建 universities).
 */
export type RankingScope = 'national' | 'provinces' | 'central' | `province:${string}`;

export interface UniversityRankRow {
  rank: number;
  universityCode: string;
  universityName: string;
  provinceCode: string;
  completion: number;
  employersVisited: number;
  principalEmployers: number;
  newEmployers: number;
  positions: number;
  onsiteShare: number | null;
  /**
   * Under the principal-leader target with an on-site share below the province's threshold (RULES target 4). Always
   * set by the rankings; absent only in snapshots stored before thresholds became per campaign (migration 0007).
   */
  onsiteFlag?: boolean;
  behind: boolean;
  targets: { principal: number | null; new: number | null };
  /** In snapshots: previous snapshot's rank minus this rank (positive = moved up); null when new. */
  rankChange?: number | null;
  /** Counted visits, staff-only ones included (issue 15); absent in snapshots stored before migration 0014. */
  visits?: number;
  /** Staff, places and incremental outcomes (issue 15, the detail); absent in older snapshots. */
  outreach?: OutreachFigures;
}

export interface ProvinceRankRow {
  rank: number;
  provinceCode: string;
  provinceName: string;
  universities: number;
  meetingTargets: number;
  shareMeeting: number;
  meanCompletion: number;
  positions: number;
  /** Date the province filed its implementation plan (实施方案) for the campaign; null when it has not. */
  planFiledOn?: string | null;
  rankChange?: number | null;
}

export interface UniversityRanking {
  campaignId: string;
  asOf: string;
  scope: 'national' | 'central' | `province:${string}`;
  rows: UniversityRankRow[];
}

export interface ProvinceRanking {
  campaignId: string;
  asOf: string;
  scope: 'provinces';
  rows: ProvinceRankRow[];
}

export type Ranking = UniversityRanking | ProvinceRanking;

/** A stored ranking for a period (`2022-W14` or `2022-04`). */
export type Snapshot = Ranking & { period: string; computedAt: string };

/** Campaign-wide (or one province's) totals as of a date: the head of a notice. */
export interface CampaignTotals {
  visits: number;
  /** Distinct (university, employer) pairs would overcount: this is distinct employers over all universities. */
  employers: number;
  newEmployers: number;
  positions: number;
  internshipBases: number;
  graduatesTracked: number;
  universitiesWithVisits: number;
  /**
   * Staff, places and incremental outcomes over the scope (issue 15); employer counts distinct over all its
   * universities. Absent in notices stored before migration 0014.
   */
  outreach?: OutreachFigures;
}
