// Table types of migration 0004_rankings: derived figures (kept by triggers), snapshots, province plans.
import type { ColumnType } from 'kysely';
import type { DateString } from './foundation.table.ts';

type Count = ColumnType<number, number | undefined, number>;
type Json<T> = ColumnType<T, string, string>;

/** One (campaign, university, employer) pair: its first visit dated from the campaign's start. */
export interface RankingPairTable {
  campaign_id: string;
  university_code: string;
  employer_id: number;
  /** First visit with a leader; null when only staff visited (migration 0014). */
  first_on: DateString | null;
  first_principal_on: DateString | null;
  /** First visit by anyone, leader or staff (migration 0014). */
  first_reached_on: DateString;
  first_enterprise_on: DateString | null;
  first_park_on: DateString | null;
  first_association_on: DateString | null;
  first_institution_on: DateString | null;
  first_other_on: DateString | null;
  /** In the prior list or visited before the campaign's start: not newly developed. */
  known_before: boolean;
}

/**
 * One (campaign, employer) with at least one pair (migration 0019, kept by a trigger on ranking_pairs): the campaign's
 * distinct employers as of a date are the rows with first_on up to it.
 */
export interface CampaignEmployerTable {
  campaign_id: string;
  employer_id: number;
  /** The earliest first_reached_on of the employer's pairs in the campaign (a visit by anyone). */
  first_reached_on: DateString;
  /** The earliest first_on of its pairs (a visit with a leader); null when only staff visited it. */
  first_on: DateString | null;
  /** The same over its pairs not known before (newly developed); null when every pair was known before. */
  first_new_on: DateString | null;
  /** Per kind of place, the earliest first_<kind>_on of its pairs. */
  first_enterprise_on: DateString | null;
  first_park_on: DateString | null;
  first_association_on: DateString | null;
  first_institution_on: DateString | null;
  first_other_on: DateString | null;
}

interface Figures {
  visits: Count;
  onsite_visits: Count;
  positions: Count;
  internship_bases: Count;
  recruitment_invites: Count;
  demand_surveys: Count;
  graduates_tracked: Count;
  satisfaction_sum: Count;
  satisfaction_count: Count;
  /** Pairs whose first visit falls on this day (so distinct employers up to a date are a sum). */
  employers_first: Count;
  principal_first: Count;
  new_first: Count;
  // Migration 0014: outcomes, staff and place kinds.
  new_positions: Count;
  hired: Count;
  staff_visits: Count;
  staff_only_visits: Count;
  staff_participants: Count;
  place_enterprise_visits: Count;
  place_park_visits: Count;
  place_association_visits: Count;
  place_institution_visits: Count;
  place_other_visits: Count;
  reached_first: Count;
  place_enterprise_first: Count;
  place_park_first: Count;
  place_association_first: Count;
  place_institution_first: Count;
  place_other_first: Count;
}

export interface RankingDailyTable extends Figures {
  campaign_id: string;
  university_code: string;
  day: DateString;
}

export interface RankingTotalsTable extends Figures {
  campaign_id: string;
  university_code: string;
}

export interface RankingSnapshotTable {
  campaign_id: string;
  period: string;
  scope: string;
  kind: 'week' | 'month';
  as_of: DateString;
  computed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  rows: Json<unknown[]>;
}

export interface ProvincePlanTable {
  campaign_id: string;
  province_code: string;
  filed_on: DateString;
  recorded_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RankingTables {
  ranking_pairs: RankingPairTable;
  campaign_employers: CampaignEmployerTable;
  ranking_daily: RankingDailyTable;
  ranking_totals: RankingTotalsTable;
  ranking_snapshots: RankingSnapshotTable;
  province_plans: ProvincePlanTable;
}
