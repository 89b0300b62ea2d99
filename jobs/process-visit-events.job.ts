// Applies accepted inbox rows: resolve the employer, upsert the visit state (latest occurredAt wins), mark processed.
// Idempotent: a row is claimed under a row lock only while 'accepted', so a job that runs twice, or two workers
// holding the same id, change nothing the second time.
import type { Transaction } from 'kysely';
import { QUEUES } from './catalogue.ts';
import { defineJob, type JobContext } from './job.ts';
import type { Database } from '../shared/db/schema.ts';
import type { LeaderRole, VisitMode } from '../shared/db/tables/ingestion.table.ts';
import { createEmployerResolver, type EmployerResolver, type Resolution } from '../shared/employers/employer-resolver.ts';
import {
  claimAcceptedInboxRows, markInboxProcessed, markInboxRejected, type ClaimedInboxRow,
} from '../shared/repositories/inbox-processing.repository.ts';
import { upsertDeadLetter } from '../shared/repositories/dead-letter.repository.ts';
import { upsertActiveVisit, upsertRetractedVisit, type VisitState } from '../shared/repositories/visit.repository.ts';
import { observeProcessingLatency } from './processing-metrics.ts';

/** A failure that retrying cannot fix (bad stored body, a reference that does not exist): dead-letter at once. */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

interface StoredEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  campaignId?: string;
  visit: {
    ref: string;
    universityCode: string;
    visitedOn?: string;
    mode?: VisitMode;
    leaders?: Array<{ role: LeaderRole; name: string }>;
    employer?: { name: string; creditCode?: string | null; regionCode?: string | null };
    outcomes?: {
      positions?: number; internshipBase?: boolean; recruitmentInvite?: boolean; demandSurvey?: boolean;
      graduatesTracked?: number; satisfaction?: number;
    };
    notes?: string;
  };
}

const PRINCIPAL_ROLES: ReadonlySet<string> = new Set(['secretary', 'president']);

/** The stored body was validated at acceptance; this re-checks only what processing relies on. */
function storedEvent(row: ClaimedInboxRow): StoredEvent {
  const body = row.body as Partial<StoredEvent> | null;
  const visit = body?.visit;
  if (!body || typeof body !== 'object' || !visit || typeof visit !== 'object') {
    throw new PermanentEventError('stored body has no visit object: resubmit the event with a valid body');
  }
  if (row.eventType !== 'visit.retracted') {
    if (!visit.employer || typeof visit.employer.name !== 'string' || visit.employer.name.trim() === '') {
      throw new PermanentEventError('visit.employer.name is missing: resubmit the event with the employer');
    }
    if (!Array.isArray(visit.leaders) || visit.leaders.length === 0) {
      throw new PermanentEventError('visit.leaders is empty: resubmit the event with at least one leader');
    }
    if (typeof visit.visitedOn !== 'string') throw new PermanentEventError('visit.visitedOn is missing: resubmit the event with it');
  }
  return body as StoredEvent;
}

function visitState(row: ClaimedInboxRow, ev: StoredEvent, resolution: Resolution): VisitState {
  const v = ev.visit;
  const o = v.outcomes ?? {};
  const leaders = v.leaders ?? [];
  return {
    universityCode: row.universityCode.trim(),
    ref: row.visitRef,
    campaignId: ev.campaignId ?? null,
    occurredAt: row.occurredAt,
    eventId: row.eventId,
    inboxId: row.id,
    visitedOn: v.visitedOn ?? null,
    mode: v.mode ?? null,
    leaders,
    hasPrincipal: leaders.some((l) => PRINCIPAL_ROLES.has(l.role)),
    employerId: resolution.employerId,
    employerName: v.employer?.name ?? null,
    creditCode: v.employer?.creditCode ?? null,
    regionCode: v.employer?.regionCode ?? null,
    positions: o.positions ?? 0,
    internshipBase: o.internshipBase ?? false,
    recruitmentInvite: o.recruitmentInvite ?? false,
    demandSurvey: o.demandSurvey ?? false,
    graduatesTracked: o.graduatesTracked ?? 0,
    satisfaction: o.satisfaction ?? null,
    notes: v.notes ?? null,
  };
}

let resolver: EmployerResolver | undefined;
const employerResolver = (): EmployerResolver => (resolver ??= createEmployerResolver());

interface Applied {
  processed: Array<{ id: number; latencySeconds: number }>;
  rejected: number[];
}

/** One transaction over the given rows. Rows whose body is unusable are dead-lettered inside it; a database error aborts it. */
async function applyRows(trx: Transaction<Database>, ids: number[], attempt: number): Promise<Applied> {
  const rows = await claimAcceptedInboxRows(trx, ids);
  const done: Array<{ id: number; employerId: number | null }> = [];
  const rejected: number[] = [];
  // Same employer spelled the same way in one transaction resolves to the same row: ask once.
  const memo = new Map<string, Resolution>();
  for (const row of rows) {
    let ev: StoredEvent;
    try {
      ev = storedEvent(row);
    } catch (err) {
      if (!(err instanceof PermanentEventError)) throw err;
      await deadLetterIn(trx, row.id, err.message, attempt);
      rejected.push(row.id);
      continue;
    }
    if (row.eventType === 'visit.retracted') {
      await upsertRetractedVisit(trx, {
        universityCode: row.universityCode.trim(), ref: row.visitRef, campaignId: ev.campaignId ?? null,
        occurredAt: row.occurredAt, eventId: row.eventId, inboxId: row.id,
      });
      done.push({ id: row.id, employerId: null });
      continue;
    }
    const employer = ev.visit.employer!;
    const input = { name: employer.name, creditCode: employer.creditCode ?? null, regionCode: employer.regionCode ?? null };
    const key = JSON.stringify(input);
    let resolution = memo.get(key);
    if (!resolution) {
      resolution = await employerResolver().resolve(trx, input);
      memo.set(key, resolution);
    }
    await upsertActiveVisit(trx, visitState(row, ev, resolution));
    done.push({ id: row.id, employerId: resolution.employerId });
  }
  const processed = await markInboxProcessed(trx, done);
  return { processed, rejected };
}

async function deadLetterIn(trx: Transaction<Database>, inboxId: number, reason: string, attempts: number): Promise<void> {
  if (await markInboxRejected(trx, inboxId, reason)) await upsertDeadLetter(trx, { inboxId, reason, attempts });
}

/** SQLSTATE classes that no retry can fix: data exceptions, integrity violations, undefined objects. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentEventError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

function reasonOf(err: unknown): string {
  const e = err as { message?: string; detail?: string; code?: string };
  const base = [e.message ?? String(err), e.detail].filter(Boolean).join(': ');
  if (err instanceof PermanentEventError) return base;
  if (e.code?.startsWith('23')) return `${base} (fix the referenced data, e.g. create the campaign or university, then run \`ledger dlq replay\`)`;
  return base;
}

export interface ProcessOptions {
  /** 1-based attempt of the job; on the last one a transient failure is dead-lettered instead of thrown. */
  attempt?: number;
  maxAttempts?: number;
}

export interface ProcessResult {
  processed: number;
  rejected: number;
  /** Rows of a batch that failed transiently and were re-enqueued as their own jobs. */
  redelivered: number;
}

/**
 * Processes inbox rows. Fast path: all rows in one transaction. If that fails, each row gets its own transaction,
 * so one bad event never holds back the others: permanent failures are dead-lettered, transient ones retried.
 */
export async function processVisitEvents(ctx: JobContext, ids: number[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const attempt = options.attempt ?? 1;
  const last = attempt >= (options.maxAttempts ?? 1);
  try {
    const r = await ctx.db.transaction().execute((trx) => applyRows(trx, ids, attempt));
    observe(r);
    return { processed: r.processed.length, rejected: r.rejected.length, redelivered: 0 };
  } catch (err) {
    if (ids.length === 1) return processOneAfterFailure(ctx, ids[0]!, err, attempt, last);
    ctx.log.warn({ err: reasonOf(err), ids: ids.length }, 'batch transaction failed; processing its events one by one');
  }
  const result: ProcessResult = { processed: 0, rejected: 0, redelivered: 0 };
  const transient: number[] = [];
  for (const id of ids) {
    try {
      const r = await ctx.db.transaction().execute((trx) => applyRows(trx, [id], attempt));
      observe(r);
      result.processed += r.processed.length;
      result.rejected += r.rejected.length;
    } catch (err) {
      if (isPermanent(err)) {
        await deadLetter(ctx, id, reasonOf(err), attempt);
        result.rejected++;
      } else {
        ctx.log.warn({ err: reasonOf(err), inboxId: id }, 'event failed; re-enqueueing it as its own job');
        transient.push(id);
      }
    }
  }
  if (transient.length) {
    // Each gets its own job and attempts; if Redis is unreachable this throws and the whole batch is retried.
    await ctx.producer.redeliverVisitEvents(transient);
    result.redelivered = transient.length;
  }
  return result;
}

async function processOneAfterFailure(ctx: JobContext, id: number, err: unknown, attempt: number, last: boolean): Promise<ProcessResult> {
  if (isPermanent(err) || last) {
    const reason = isPermanent(err) ? reasonOf(err) : `gave up after ${attempt} attempts: ${reasonOf(err)}`;
    await deadLetter(ctx, id, reason, attempt); // throws when the database is unreachable: BullMQ keeps the job failed, the sweeper redelivers
    ctx.log.warn({ inboxId: id, reason }, 'event dead-lettered');
    return { processed: 0, rejected: 1, redelivered: 0 };
  }
  throw err; // transient: BullMQ retries with backoff
}

async function deadLetter(ctx: JobContext, inboxId: number, reason: string, attempts: number): Promise<void> {
  await ctx.db.transaction().execute((trx) => deadLetterIn(trx, inboxId, reason, attempts));
}

function observe(r: Applied): void {
  for (const p of r.processed) observeProcessingLatency(p.latencySeconds);
}

export const processVisitEventsJob = defineJob({
  queue: QUEUES.visitEvents,
  async handle(payload, ctx, job) {
    return processVisitEvents(ctx, payload.inboxIds, { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
  },
});
