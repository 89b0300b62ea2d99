import type { ColumnType, Generated } from 'kysely';
import type { DateString } from './foundation.table.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type VisitEventType = 'visit.recorded' | 'visit.amended' | 'visit.retracted';
export type VisitMode = 'onsite' | 'invited' | 'online';
export type LeaderRole = 'secretary' | 'president' | 'leader';
/** 专任教师, 辅导员, 行政管理人员 (migration 0014). */
export type StaffRole = 'teacher' | 'counsellor' | 'administrator';
/** 企业, 园区, 行业协会, 事业单位, 其他 (走进园区、走进行业、走进企业; migration 0014). */
export type PlaceKind = 'enterprise' | 'park' | 'association' | 'institution' | 'other';

export interface InboxEventTable {
  id: Generated<number>;
  client_id: number;
  event_id: string;
  body_hash: string;
  raw_body: string;
  event_type: VisitEventType;
  university_code: string;
  visit_ref: string;
  occurred_at: Timestamp;
  status: ColumnType<'accepted' | 'processed' | 'rejected', 'accepted' | 'processed' | 'rejected' | undefined>;
  employer_id: number | null;
  error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  /** Times the sweeper put the row back on the queue (migration 0008); capped by INBOX_MAX_REDELIVERIES. */
  redeliveries: ColumnType<number, number | undefined, number>;
  received_at: Timestamp;
  processed_at: Date | null;
}

export interface VisitTable {
  university_code: string;
  ref: string;
  campaign_id: string | null;
  state: 'active' | 'retracted';
  occurred_at: Timestamp;
  event_id: string;
  inbox_id: number;
  visited_on: DateString | null;
  mode: VisitMode | null;
  leaders: Json<Array<{ role: LeaderRole; name: string }>>;
  has_principal: boolean;
  employer_id: number | null;
  employer_name: string | null;
  credit_code: string | null;
  region_code: string | null;
  positions: number;
  internship_base: boolean;
  recruitment_invite: boolean;
  demand_survey: boolean;
  graduates_tracked: number;
  satisfaction: number | null;
  notes: string | null;
  updated_at: Timestamp;
  /** Migration 0014: false for a visit made by staff without any leader (counted in coverage, not in leader measures). */
  has_leader: ColumnType<boolean, boolean | undefined, boolean>;
  staff: ColumnType<Array<{ role: StaffRole; name?: string }>, string | undefined, string>;
  place_kind: PlaceKind | null;
  new_positions: ColumnType<number, number | undefined, number>;
  hired: ColumnType<number, number | undefined, number>;
  /** Majors or skills the employer asked for (用人单位需求台账). */
  majors: ColumnType<string[], string | undefined, string>;
}

export interface DeadLetterTable {
  id: Generated<number>;
  inbox_id: number;
  reason: string;
  attempts: number;
  created_at: Timestamp;
  replayed_at: Date | null;
}

export interface IngestionTables {
  inbox_events: InboxEventTable;
  visits: VisitTable;
  dead_letters: DeadLetterTable;
}
