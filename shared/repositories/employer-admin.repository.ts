// SQL of the administration of employers: the review queue, merges, splits, the audit trail, employer details.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Executor } from '../db/database.ts';
import type { EmployerAuditAction, ReviewStatus } from '../db/tables/employers.table.ts';
import type { EmployerStatus } from '../db/tables/foundation.table.ts';

export interface AdminEmployerRow {
  id: number;
  canonicalName: string;
  creditCode: string | null;
  status: EmployerStatus;
  candidateId: number | null;
  mergedInto: number | null;
  createdAt: Date;
}

const COLUMNS = [
  'id',
  'canonical_name as canonicalName',
  'credit_code as creditCode',
  'status',
  'candidate_id as candidateId',
  'merged_into as mergedInto',
  'created_at as createdAt',
] as const;

/** Locks the employers (in id order, so two administrators never deadlock) and returns them. */
export async function lockEmployers(db: Transaction<Database>, ids: number[]): Promise<Map<number, AdminEmployerRow>> {
  const rows = await db
    .selectFrom('employers')
    .select(COLUMNS)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function getEmployer(db: Executor, id: number): Promise<AdminEmployerRow | undefined> {
  return db.selectFrom('employers').select(COLUMNS).where('id', '=', id).executeTakeFirst();
}

export interface ReviewRow {
  id: number;
  /** The provisional employer. */
  employerId: number;
  employerName: string;
  /** The employer it may be the same as. */
  candidateId: number;
  candidateName: string;
  score: number;
  spelling: string;
  status: ReviewStatus;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
  /** Visits counted on the provisional employer. */
  visits: number;
}

export async function listReviews(
  db: Executor,
  status: ReviewStatus,
  limit: number,
  afterId = 0,
): Promise<ReviewRow[]> {
  const res = await sql<ReviewRow>`
    SELECT r.id, r.employer_id AS "employerId", e.canonical_name AS "employerName", r.candidate_id AS "candidateId",
           c.canonical_name AS "candidateName", r.score, r.spelling, r.status, r.created_at AS "createdAt",
           r.decided_at AS "decidedAt", r.decided_by AS "decidedBy", r.reason,
           (SELECT count(*)::int FROM visits v WHERE v.employer_id = r.employer_id) AS visits
    FROM employer_reviews r JOIN employers e ON e.id = r.employer_id JOIN employers c ON c.id = r.candidate_id
    WHERE r.status = ${status} AND r.id > ${afterId}
    ORDER BY r.id
    LIMIT ${limit}`.execute(db);
  return res.rows;
}

export async function lockReview(
  db: Transaction<Database>,
  id: number,
): Promise<{ id: number; employerId: number; candidateId: number; status: ReviewStatus } | undefined> {
  return db
    .selectFrom('employer_reviews')
    .select(['id', 'employer_id as employerId', 'candidate_id as candidateId', 'status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function decideReviews(
  db: Executor,
  where: { id?: number; employerId?: number },
  status: ReviewStatus,
  actor: string,
  reason: string,
): Promise<void> {
  let q = db
    .updateTable('employer_reviews')
    .set({ status, decided_at: sql`now()`, decided_by: actor, reason })
    .where('status', '=', 'pending');
  if (where.id !== undefined) q = q.where('id', '=', where.id);
  if (where.employerId !== undefined) q = q.where('employer_id', '=', where.employerId);
  await q.execute();
}

export async function setEmployerActive(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('employers')
    .set({ status: 'active', candidate_id: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Moves the credit code of `fromId` to `intoId` (which has none). */
export async function moveCreditCode(db: Executor, fromId: number, intoId: number, code: string): Promise<void> {
  await db.updateTable('employers').set({ credit_code: null }).where('id', '=', fromId).execute();
  await db
    .updateTable('employers')
    .set({ credit_code: code, updated_at: sql`now()` })
    .where('id', '=', intoId)
    .execute();
}

/** Every spelling of `fromId` now names `intoId` (those `intoId` already has are dropped). */
export async function moveAllSpellings(db: Executor, fromId: number, intoId: number): Promise<number> {
  await sql`
    DELETE FROM employer_spellings f USING employer_spellings t
    WHERE f.employer_id = ${fromId} AND t.employer_id = ${intoId}
      AND t.spelling = f.spelling AND coalesce(t.credit_code, '') = coalesce(f.credit_code, '')`.execute(db);
  const res = await db
    .updateTable('employer_spellings')
    .set({ employer_id: intoId })
    .where('employer_id', '=', fromId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function markMerged(db: Executor, fromId: number, intoId: number): Promise<void> {
  await db
    .updateTable('employers')
    .set({ status: 'merged', merged_into: intoId, candidate_id: null, updated_at: sql`now()` })
    .where('id', '=', fromId)
    .execute();
  // Keep merge chains one step long, and point reviews and provisional employers at the survivor.
  await db.updateTable('employers').set({ merged_into: intoId }).where('merged_into', '=', fromId).execute();
  await db
    .updateTable('employers')
    .set({ candidate_id: intoId })
    .where('candidate_id', '=', fromId)
    .where('id', '!=', intoId)
    .execute();
  await db
    .updateTable('employer_reviews')
    .set({ candidate_id: intoId })
    .where('candidate_id', '=', fromId)
    .where('status', '=', 'pending')
    .execute();
}

export async function repointPriorEmployers(
  db: Executor,
  fromId: number,
  toId: number,
  employerNames?: string[],
): Promise<number> {
  if (employerNames && employerNames.length === 0) return 0;
  let q = db.updateTable('prior_employers').set({ employer_id: toId }).where('employer_id', '=', fromId);
  if (employerNames) q = q.where('employer_name', 'in', employerNames);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface SpellingRow {
  id: number;
  employerId: number;
  spelling: string;
  normalizedName: string;
  creditCode: string | null;
  firstSeenAt: Date;
}

const SPELLING_COLUMNS = [
  'id',
  'employer_id as employerId',
  'spelling',
  'normalized_name as normalizedName',
  'credit_code as creditCode',
  'first_seen_at as firstSeenAt',
] as const;

export async function getSpelling(db: Executor, id: number): Promise<SpellingRow | undefined> {
  return db.selectFrom('employer_spellings').select(SPELLING_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function spellingsOf(db: Executor, employerId: number): Promise<SpellingRow[]> {
  return db
    .selectFrom('employer_spellings')
    .select(SPELLING_COLUMNS)
    .where('employer_id', '=', employerId)
    .orderBy('id')
    .execute();
}

export async function moveSpellings(db: Executor, ids: number[], toId: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('employer_spellings').set({ employer_id: toId }).where('id', 'in', ids).execute();
}

export async function insertAudit(
  db: Executor,
  a: {
    action: EmployerAuditAction;
    actor: string;
    reason: string;
    employerId: number;
    details: Record<string, unknown>;
  },
): Promise<number> {
  const row = await db
    .insertInto('employer_audit')
    .values({
      action: a.action,
      actor: a.actor,
      reason: a.reason,
      employer_id: a.employerId,
      details: JSON.stringify(a.details),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface AuditRow {
  id: number;
  action: EmployerAuditAction;
  actor: string;
  reason: string;
  employerId: number | null;
  details: Record<string, unknown>;
  at: Date;
}

/** Audit entries that name the employer, newest first. */
export async function auditOf(db: Executor, employerId: number, limit = 100): Promise<AuditRow[]> {
  const res = await sql<AuditRow>`
    SELECT id, action, actor, reason, employer_id AS "employerId", details, at FROM employer_audit
    WHERE employer_id = ${employerId} OR details->>'from' = ${String(employerId)} OR details->>'to' = ${String(employerId)}
    ORDER BY id DESC LIMIT ${limit}`.execute(db);
  return res.rows;
}

export async function countVisitsAndPrior(
  db: Executor,
  employerId: number,
): Promise<{ visits: number; priorEmployers: number }> {
  const res = await sql<{ visits: number; prior: number }>`
    SELECT (SELECT count(*)::int FROM visits WHERE employer_id = ${employerId} AND state = 'active') AS visits,
           (SELECT count(*)::int FROM prior_employers WHERE employer_id = ${employerId}) AS prior`.execute(db);
  return { visits: res.rows[0]!.visits, priorEmployers: res.rows[0]!.prior };
}
