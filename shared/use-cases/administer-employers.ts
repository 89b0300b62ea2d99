// Administrative decisions on employers: confirm or reject a review, merge two employers, split a spelling off. Each runs
// in one transaction that also repoints the visits (measures read visits.employer_id) and the prior-employer links,
// and writes an audit entry (who, when, why, what), so every measure reflects it at once.
import type { Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { ReviewStatus } from '../db/tables/employers.table.ts';
import {
  auditOf,
  countVisitsAndPrior,
  decideReviews,
  getEmployer,
  getSpelling,
  insertAudit,
  listReviews,
  lockEmployers,
  lockReview,
  markMerged,
  moveAllSpellings,
  moveCreditCode,
  moveSpellings,
  repointPriorEmployers,
  setEmployerActive,
  spellingsOf,
  type AdminEmployerRow,
  type AuditRow,
  type ReviewRow,
  type SpellingRow,
} from '../repositories/employer-admin.repository.ts';
import { insertEmployer } from '../repositories/employer.repository.ts';
import { reassignEmployer, reassignVisitsByEmployerName } from '../repositories/visit.repository.ts';
import { employerToInsert } from './resolve-employer.ts';
import { employerFeatures } from '../domain/employers/normalize.ts';
import { recordAudit, type AuditActor } from './audit.ts';

/** A request the rules refuse: `status` is the HTTP status an API answers with (404, 409, 422). */
export class EmployerAdminError extends Error {
  override name = 'EmployerAdminError';
  constructor(
    readonly status: 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

export interface Actor {
  /** Who decided (an operator's name, or the API client's name). */
  by: string;
  reason: string;
  /** Who, for the audit trail (审计日志); the system named `by` when not given (the command line). */
  audit?: AuditActor;
}

/** The employer's own record (shown with the employer) and the audit trail's entry, in the same transaction. */
async function recordDecision(
  trx: Transaction<Database>,
  actor: Actor,
  a: Parameters<typeof insertAudit>[1],
): Promise<number> {
  const id = await insertAudit(trx, a);
  await recordAudit(trx, {
    actor: actor.audit ?? { kind: 'system', clientId: null, name: actor.by, address: null },
    action: `employers.${a.action}`,
    target: `employer:${a.employerId}`,
    after: a.details,
    result: 'ok',
    detail: { by: actor.by, reason: actor.reason, employerAuditId: id },
  });
  return id;
}

export interface MergeResult {
  from: number;
  into: number;
  visits: number;
  priorEmployers: number;
  spellings: number;
  auditId: number;
}

function need(actor: Actor): void {
  if (!actor.by.trim()) throw new EmployerAdminError(422, 'who decided is missing: pass --by NAME (or set USER)');
  if (!actor.reason.trim())
    throw new EmployerAdminError(
      422,
      'the reason is missing: say why, e.g. --reason "same credit code on the licence"',
    );
}

async function mergeIn(
  trx: Transaction<Database>,
  fromId: number,
  intoId: number,
): Promise<Omit<MergeResult, 'auditId'> & { fromRow: AdminEmployerRow; intoRow: AdminEmployerRow }> {
  if (fromId === intoId)
    throw new EmployerAdminError(422, `cannot merge employer ${fromId} into itself: give two different ids`);
  const rows = await lockEmployers(trx, [fromId, intoId]);
  const from = rows.get(fromId);
  const into = rows.get(intoId);
  if (!from)
    throw new EmployerAdminError(404, `employer ${fromId} does not exist: check the id with \`ledger employers show\``);
  if (!into)
    throw new EmployerAdminError(404, `employer ${intoId} does not exist: check the id with \`ledger employers show\``);
  for (const e of [from, into]) {
    if (e.status === 'merged')
      throw new EmployerAdminError(
        409,
        `employer ${e.id} was already merged into ${e.mergedInto}: use ${e.mergedInto} instead`,
      );
  }
  if (from.creditCode && into.creditCode && from.creditCode !== into.creditCode) {
    throw new EmployerAdminError(
      409,
      `employers ${fromId} and ${intoId} have different credit codes (${from.creditCode}, ${into.creditCode}): two valid codes are two employers`,
    );
  }
  if (from.creditCode && !into.creditCode) await moveCreditCode(trx, fromId, intoId, from.creditCode);
  const spellings = await moveAllSpellings(trx, fromId, intoId);
  const visits = await reassignEmployer(trx, [fromId], intoId);
  const priorEmployers = await repointPriorEmployers(trx, fromId, intoId);
  await markMerged(trx, fromId, intoId);
  return { from: fromId, into: intoId, visits, priorEmployers, spellings, fromRow: from, intoRow: into };
}

/** Merges `fromId` into `intoId`: one employer from now on, in every measure. */
export async function mergeEmployers(db: Db, fromId: number, intoId: number, actor: Actor): Promise<MergeResult> {
  need(actor);
  return db.transaction().execute(async (trx) => {
    const { fromRow, intoRow, ...r } = await mergeIn(trx, fromId, intoId);
    // A provisional employer merged by hand has had its review decided.
    await decideReviews(trx, { employerId: fromId }, 'confirmed', actor.by, actor.reason);
    const auditId = await recordDecision(trx, actor, {
      action: 'merge',
      actor: actor.by,
      reason: actor.reason,
      employerId: intoId,
      details: { ...r, fromName: fromRow.canonicalName, intoName: intoRow.canonicalName },
    });
    return { ...r, auditId };
  });
}

export async function reviewQueue(
  db: Db,
  status: ReviewStatus = 'pending',
  limit = 100,
  afterId = 0,
): Promise<ReviewListing[]> {
  return (await listReviews(db, status, limit, afterId)).map(reviewListing);
}

export interface ReviewDecision {
  reviewId: number;
  decision: 'confirmed' | 'rejected';
  employerId: number;
  candidateId: number;
  visits: number;
  auditId: number;
}

async function pendingReview(
  trx: Transaction<Database>,
  id: number,
): Promise<{ employerId: number; candidateId: number }> {
  const review = await lockReview(trx, id);
  if (!review)
    throw new EmployerAdminError(
      404,
      `review ${id} does not exist: list the queue with \`ledger employers review list\``,
    );
  if (review.status !== 'pending') throw new EmployerAdminError(409, `review ${id} was already ${review.status}`);
  return review;
}

/** Confirms a review: the provisional employer is its candidate after all (merged into it, visits repointed). */
export async function confirmReview(db: Db, reviewId: number, actor: Actor): Promise<ReviewDecision> {
  need(actor);
  return db.transaction().execute(async (trx) => {
    const review = await pendingReview(trx, reviewId);
    const r = await mergeIn(trx, review.employerId, review.candidateId);
    await decideReviews(trx, { id: reviewId }, 'confirmed', actor.by, actor.reason);
    const auditId = await recordDecision(trx, actor, {
      action: 'review.confirm',
      actor: actor.by,
      reason: actor.reason,
      employerId: review.candidateId,
      details: {
        review: reviewId,
        from: r.from,
        into: r.into,
        visits: r.visits,
        priorEmployers: r.priorEmployers,
        spellings: r.spellings,
      },
    });
    return {
      reviewId,
      decision: 'confirmed',
      employerId: review.employerId,
      candidateId: review.candidateId,
      visits: r.visits,
      auditId,
    };
  });
}

/** Rejects a review: the provisional employer is an employer of its own from now on. */
export async function rejectReview(db: Db, reviewId: number, actor: Actor): Promise<ReviewDecision> {
  need(actor);
  return db.transaction().execute(async (trx) => {
    const review = await pendingReview(trx, reviewId);
    await lockEmployers(trx, [review.employerId]);
    await setEmployerActive(trx, review.employerId);
    await decideReviews(trx, { id: reviewId }, 'rejected', actor.by, actor.reason);
    const { visits } = await countVisitsAndPrior(trx, review.employerId);
    const auditId = await recordDecision(trx, actor, {
      action: 'review.reject',
      actor: actor.by,
      reason: actor.reason,
      employerId: review.employerId,
      details: { review: reviewId, candidate: review.candidateId },
    });
    return {
      reviewId,
      decision: 'rejected',
      employerId: review.employerId,
      candidateId: review.candidateId,
      visits,
      auditId,
    };
  });
}

export interface SplitResult {
  from: number;
  to: number;
  spellings: string[];
  visits: number;
  priorEmployers: number;
  auditId: number;
}

/**
 * Splits a spelling off its employer into a new one: every spelling of that employer with the same normalised form
 * moves (they are one name), with the visits and prior-employer links made under those spellings.
 */
export async function splitSpelling(db: Db, spellingId: number, actor: Actor): Promise<SplitResult> {
  need(actor);
  return db.transaction().execute(async (trx) => {
    const spelling = await getSpelling(trx, spellingId);
    if (!spelling)
      throw new EmployerAdminError(
        404,
        `spelling ${spellingId} does not exist: see the spellings with \`ledger employers show --id ID\``,
      );
    const fromId = spelling.employerId;
    await lockEmployers(trx, [fromId]);
    const all = await spellingsOf(trx, fromId);
    const moving = all.filter((s) => s.normalizedName === spelling.normalizedName);
    if (moving.length === all.length) {
      throw new EmployerAdminError(
        409,
        `spelling ${spellingId} is the only name of employer ${fromId}: nothing would remain; merge instead if it belongs elsewhere`,
      );
    }
    const created = await insertEmployer(
      trx,
      employerToInsert(spelling.spelling, employerFeatures(spelling.spelling), null, {
        provisional: false,
        candidateId: null,
      }),
    );
    const toId = created!.id;
    await moveSpellings(
      trx,
      moving.map((s) => s.id),
      toId,
    );
    const names = [...new Set(moving.map((s) => s.spelling))];
    const visits = await reassignVisitsByEmployerName(trx, fromId, names, toId);
    const priorEmployers = await repointPriorEmployers(trx, fromId, toId, names);
    const auditId = await recordDecision(trx, actor, {
      action: 'split',
      actor: actor.by,
      reason: actor.reason,
      employerId: fromId,
      details: { from: fromId, to: toId, spellingId, spellings: names, visits, priorEmployers },
    });
    return { from: fromId, to: toId, spellings: names, visits, priorEmployers, auditId };
  });
}

export async function employerDetail(db: Db, id: number): Promise<EmployerDetail> {
  const e = await getEmployer(db, id);
  if (!e) throw new EmployerAdminError(404, `employer ${id} does not exist`);
  const [spellings, counts, audit] = await Promise.all([
    spellingsOf(db, id),
    countVisitsAndPrior(db, id),
    auditOf(db, id),
  ]);
  return employerDetailOf(e, spellings, counts, audit);
}

// ── The published answers ───────────────────────────────────────────────────────────────────────────────────
// GET /v1/admin/employers/review and GET /v1/admin/employers/{id} (and `ledger employers review list | show --json`)
// answer with the snake_case field names docs/api.md has documented since they were first served; the console and
// operators' scripts read them. The repositories hand out camelCase rows like every other; this is the one place that
// maps them to the published shape.

export interface ReviewListing {
  id: number;
  employer_id: number;
  employer_name: string;
  candidate_id: number;
  candidate_name: string;
  score: number;
  spelling: string;
  status: ReviewStatus;
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
  visits: number;
}

function reviewListing(r: ReviewRow): ReviewListing {
  return {
    id: r.id,
    employer_id: r.employerId,
    employer_name: r.employerName,
    candidate_id: r.candidateId,
    candidate_name: r.candidateName,
    score: r.score,
    spelling: r.spelling,
    status: r.status,
    created_at: r.createdAt,
    decided_at: r.decidedAt,
    decided_by: r.decidedBy,
    reason: r.reason,
    visits: r.visits,
  };
}

export interface EmployerDetail {
  id: number;
  canonical_name: string;
  credit_code: string | null;
  status: AdminEmployerRow['status'];
  candidate_id: number | null;
  merged_into: number | null;
  created_at: Date;
  spellings: Array<{
    id: number;
    employer_id: number;
    spelling: string;
    normalized_name: string;
    credit_code: string | null;
    first_seen_at: Date;
  }>;
  visits: number;
  priorEmployers: number;
  audit: Array<{
    id: number;
    action: AuditRow['action'];
    actor: string;
    reason: string;
    employer_id: number | null;
    details: Record<string, unknown>;
    at: Date;
  }>;
}

function employerDetailOf(
  e: AdminEmployerRow,
  spellings: SpellingRow[],
  counts: { visits: number; priorEmployers: number },
  audit: AuditRow[],
): EmployerDetail {
  return {
    id: e.id,
    canonical_name: e.canonicalName,
    credit_code: e.creditCode,
    status: e.status,
    candidate_id: e.candidateId,
    merged_into: e.mergedInto,
    created_at: e.createdAt,
    spellings: spellings.map((s) => ({
      id: s.id,
      employer_id: s.employerId,
      spelling: s.spelling,
      normalized_name: s.normalizedName,
      credit_code: s.creditCode,
      first_seen_at: s.firstSeenAt,
    })),
    ...counts,
    audit: audit.map((a) => ({
      id: a.id,
      action: a.action,
      actor: a.actor,
      reason: a.reason,
      employer_id: a.employerId,
      details: a.details,
      at: a.at,
    })),
  };
}
