// Current visit state: one upsert per event, latest (occurred_at, event_id) wins, enforced in SQL.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { LeaderRole, VisitMode } from '../db/tables/ingestion.table.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export interface VisitState {
  universityCode: string;
  ref: string;
  campaignId: string | null;
  occurredAt: string | Date;
  eventId: string;
  inboxId: number;
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
  notes: string | null;
}

export interface VisitKeyEvent {
  universityCode: string;
  ref: string;
  campaignId: string | null;
  occurredAt: string | Date;
  eventId: string;
  inboxId: number;
}

// The guard compares (occurred_at, event_id) as a row: an older or equal event changes nothing, so retries,
// replays and out-of-order arrival converge on one state. event_id compares byte-wise (COLLATE "C") so the
// winner does not depend on the database's locale.
const NEWER = sql`(visits.occurred_at, visits.event_id COLLATE "C") < (EXCLUDED.occurred_at, EXCLUDED.event_id COLLATE "C")`;

/** Applies a recorded/amended event; returns true when it became the visit's current state. */
export async function upsertActiveVisit(db: Executor, v: VisitState): Promise<boolean> {
  const { rows } = await sql<{ applied: boolean }>`
    INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode,
      leaders, has_principal, employer_id, employer_name, credit_code, region_code, positions, internship_base,
      recruitment_invite, demand_survey, graduates_tracked, satisfaction, notes, updated_at)
    VALUES (${v.universityCode}, ${v.ref}, ${v.campaignId}, 'active', ${v.occurredAt}, ${v.eventId}, ${v.inboxId},
      ${v.visitedOn}, ${v.mode}, ${JSON.stringify(v.leaders)}::jsonb, ${v.hasPrincipal}, ${v.employerId},
      ${v.employerName}, ${v.creditCode}, ${v.regionCode}, ${v.positions}, ${v.internshipBase}, ${v.recruitmentInvite},
      ${v.demandSurvey}, ${v.graduatesTracked}, ${v.satisfaction}, ${v.notes}, now())
    ON CONFLICT (university_code, ref) DO UPDATE SET
      campaign_id = EXCLUDED.campaign_id, state = 'active', occurred_at = EXCLUDED.occurred_at,
      event_id = EXCLUDED.event_id, inbox_id = EXCLUDED.inbox_id, visited_on = EXCLUDED.visited_on,
      mode = EXCLUDED.mode, leaders = EXCLUDED.leaders, has_principal = EXCLUDED.has_principal,
      employer_id = EXCLUDED.employer_id, employer_name = EXCLUDED.employer_name,
      credit_code = EXCLUDED.credit_code, region_code = EXCLUDED.region_code, positions = EXCLUDED.positions,
      internship_base = EXCLUDED.internship_base, recruitment_invite = EXCLUDED.recruitment_invite,
      demand_survey = EXCLUDED.demand_survey, graduates_tracked = EXCLUDED.graduates_tracked,
      satisfaction = EXCLUDED.satisfaction, notes = EXCLUDED.notes, updated_at = now()
    WHERE ${NEWER}
    RETURNING true AS applied`.execute(db);
  return rows.length > 0;
}

/**
 * Applies a retraction: the visit becomes a tombstone (kept, with its last data, counted nowhere). When the
 * visit is not known yet the tombstone is inserted, so a late original with an earlier occurredAt cannot revive it.
 */
export async function upsertRetractedVisit(db: Executor, v: VisitKeyEvent): Promise<boolean> {
  const { rows } = await sql<{ applied: boolean }>`
    INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, updated_at)
    VALUES (${v.universityCode}, ${v.ref}, ${v.campaignId}, 'retracted', ${v.occurredAt}, ${v.eventId}, ${v.inboxId}, now())
    ON CONFLICT (university_code, ref) DO UPDATE SET
      state = 'retracted', occurred_at = EXCLUDED.occurred_at, event_id = EXCLUDED.event_id,
      inbox_id = EXCLUDED.inbox_id, updated_at = now()
    WHERE ${NEWER}
    RETURNING true AS applied`.execute(db);
  return rows.length > 0;
}

export async function getVisit(db: Executor, universityCode: string, ref: string) {
  return db.selectFrom('visits').selectAll().where('university_code', '=', universityCode).where('ref', '=', ref).executeTakeFirst();
}
