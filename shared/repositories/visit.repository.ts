// Current visit state: latest (occurred_at, event_id) wins, enforced in SQL by the upsert's guard.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { LeaderRole, PlaceKind, StaffRole, VisitMode } from '../db/tables/ingestion.table.ts';

export interface VisitKeyEvent {
  universityCode: string;
  ref: string;
  campaignId: string | null;
  occurredAt: string | Date;
  eventId: string;
  inboxId: number;
}

export interface VisitState extends VisitKeyEvent {
  visitedOn: string | null;
  mode: VisitMode | null;
  leaders: Array<{ role: LeaderRole; name: string }>;
  hasPrincipal: boolean;
  employerId: number | null;
  employerName: string | null;
  creditCode: string | null;
  regionCode: string | null;
  positions: number;
  internshipBase: boolean;
  recruitmentInvite: boolean;
  demandSurvey: boolean;
  graduatesTracked: number;
  satisfaction: number | null;
  /** A staff-only visit has none: it counts in coverage, never in the leader measures. */
  hasLeader: boolean;
  staff: Array<{ role: StaffRole; name?: string }>;
  placeKind: PlaceKind | null;
  newPositions: number;
  hired: number;
  majors: string[];
  notes: string | null;
}

// The guard compares (occurred_at, event_id) as a row: an older or equal event changes nothing, so retries,
// replays and out-of-order arrival converge on one state. event_id compares byte-wise (COLLATE "C") so the
// winner does not depend on the database's locale.
const NEWER = sql`(visits.occurred_at, visits.event_id COLLATE "C") < (EXCLUDED.occurred_at, EXCLUDED.event_id COLLATE "C")`;

// Rows travel as one jsonb array (one parameter, one statement for a whole batch).
const toJson = (rows: object[]) => JSON.stringify(rows);

/**
 * Applies recorded/amended events, one statement for all of them; (universityCode, ref) must be unique within
 * one call (PostgreSQL cannot update a row twice in one statement). Returns how many became the current state.
 */
export async function upsertActiveVisits(db: Executor, visits: VisitState[]): Promise<number> {
  if (visits.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`/* prepared */
    WITH applied AS (
      INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode,
        leaders, has_principal, employer_id, employer_name, credit_code, region_code, positions, internship_base,
        recruitment_invite, demand_survey, graduates_tracked, satisfaction, has_leader, staff, place_kind, new_positions,
        hired, majors, notes, updated_at)
      SELECT x."universityCode", x.ref, x."campaignId", 'active', x."occurredAt", x."eventId", x."inboxId", x."visitedOn",
        x.mode, x.leaders, x."hasPrincipal", x."employerId", x."employerName", x."creditCode", x."regionCode", x.positions,
        x."internshipBase", x."recruitmentInvite", x."demandSurvey", x."graduatesTracked", x.satisfaction, x."hasLeader", x.staff, x."placeKind",
        x."newPositions", x.hired, x.majors, x.notes, now()
      FROM jsonb_to_recordset(${toJson(visits)}::jsonb) AS x("universityCode" text, ref text, "campaignId" text,
        "occurredAt" timestamptz, "eventId" text, "inboxId" bigint, "visitedOn" date, mode text, leaders jsonb,
        "hasPrincipal" boolean, "employerId" bigint, "employerName" text, "creditCode" text, "regionCode" text,
        positions integer, "internshipBase" boolean, "recruitmentInvite" boolean, "demandSurvey" boolean,
        "graduatesTracked" integer, satisfaction smallint, "hasLeader" boolean, staff jsonb, "placeKind" text,
        "newPositions" integer, hired integer, majors jsonb, notes text)
      ON CONFLICT (university_code, ref) DO UPDATE SET
        campaign_id = EXCLUDED.campaign_id, state = 'active', occurred_at = EXCLUDED.occurred_at,
        event_id = EXCLUDED.event_id, inbox_id = EXCLUDED.inbox_id, visited_on = EXCLUDED.visited_on,
        mode = EXCLUDED.mode, leaders = EXCLUDED.leaders, has_principal = EXCLUDED.has_principal,
        employer_id = EXCLUDED.employer_id, employer_name = EXCLUDED.employer_name,
        credit_code = EXCLUDED.credit_code, region_code = EXCLUDED.region_code, positions = EXCLUDED.positions,
        internship_base = EXCLUDED.internship_base, recruitment_invite = EXCLUDED.recruitment_invite,
        demand_survey = EXCLUDED.demand_survey, graduates_tracked = EXCLUDED.graduates_tracked,
        satisfaction = EXCLUDED.satisfaction, has_leader = EXCLUDED.has_leader, staff = EXCLUDED.staff,
        place_kind = EXCLUDED.place_kind, new_positions = EXCLUDED.new_positions, hired = EXCLUDED.hired,
        majors = EXCLUDED.majors, notes = EXCLUDED.notes, updated_at = now()
      WHERE ${NEWER}
      RETURNING 1)
    SELECT count(*)::int AS n FROM applied`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Applies retractions: the visit becomes a tombstone (kept with its last data, counted nowhere). A visit not known
 * yet gets the tombstone inserted, so a late original with an earlier occurredAt cannot revive it. Keys unique per call.
 */
export async function upsertRetractedVisits(db: Executor, visits: VisitKeyEvent[]): Promise<number> {
  if (visits.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`/* prepared */
    WITH applied AS (
      INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, updated_at)
      SELECT x."universityCode", x.ref, x."campaignId", 'retracted', x."occurredAt", x."eventId", x."inboxId", now()
      FROM jsonb_to_recordset(${toJson(visits)}::jsonb) AS x("universityCode" text, ref text, "campaignId" text,
        "occurredAt" timestamptz, "eventId" text, "inboxId" bigint)
      ON CONFLICT (university_code, ref) DO UPDATE SET
        state = 'retracted', occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id,
        inbox_id = EXCLUDED.inbox_id, updated_at = now()
      WHERE ${NEWER}
      RETURNING 1)
    SELECT count(*)::int AS n FROM applied`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Splits events into rounds in which each (universityCode, ref) occurs at most once; order inside a key is irrelevant. */
export function roundsByVisitKey<T extends { universityCode: string; ref: string }>(items: T[]): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = `${item.universityCode}\u0000${item.ref}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}

export async function getVisit(db: Executor, universityCode: string, ref: string) {
  return db
    .selectFrom('visits')
    .selectAll()
    .where('university_code', '=', universityCode)
    .where('ref', '=', ref)
    .executeTakeFirst();
}

/**
 * Points every visit of the `from` employers at `to` (an administrator's merge). Measures read visits.employer_id,
 * so a merge is reflected at once; any table derived from it must be updated here too, in the caller's transaction.
 */
export async function reassignEmployer(db: Executor, fromEmployerIds: number[], toEmployerId: number): Promise<number> {
  if (fromEmployerIds.length === 0) return 0;
  const res = await db
    .updateTable('visits')
    .set({ employer_id: toEmployerId })
    .where('employer_id', 'in', fromEmployerIds)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Points the visits of `fromEmployerId` submitted under one of `employerNames` at `toEmployerId` (splitting a spelling off). */
export async function reassignVisitsByEmployerName(
  db: Executor,
  fromEmployerId: number,
  employerNames: string[],
  toEmployerId: number,
): Promise<number> {
  if (employerNames.length === 0) return 0;
  const res = await db
    .updateTable('visits')
    .set({ employer_id: toEmployerId })
    .where('employer_id', '=', fromEmployerId)
    .where('employer_name', 'in', employerNames)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
