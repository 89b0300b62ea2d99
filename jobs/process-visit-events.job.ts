// Applies accepted inbox rows: resolve the employer, upsert the visit state (latest occurredAt wins), mark processed.
// Idempotent: a row is claimed under a row lock only while 'accepted', so a job that runs twice, or two workers
// holding the same id, change nothing the second time.
import type { Transaction } from 'kysely';
import { QUEUES } from './catalogue.ts';
import { defineJob, type JobContext } from './job.ts';
import type { Config } from '../shared/config.ts';
import type { Database } from '../shared/db/schema.ts';
import { parseVisitEvent, type RecordedVisitEvent, type VisitEvent } from '../shared/domain/visit-event.schema.ts';
import {
  createEmployerResolver,
  type EmployerInput,
  type EmployerResolver,
  type Resolution,
} from '../shared/use-cases/resolve-employer.ts';
import {
  claimAcceptedInboxRows,
  markInboxProcessed,
  markInboxRejected,
  type ClaimedInboxRow,
} from '../shared/repositories/inbox-processing.repository.ts';
import { upsertDeadLetter } from '../shared/repositories/dead-letter.repository.ts';
import {
  roundsByVisitKey,
  upsertActiveVisits,
  upsertRetractedVisits,
  type VisitKeyEvent,
  type VisitState,
} from '../shared/repositories/visit.repository.ts';
import { observeProcessingLatency } from './processing-metrics.ts';
import { createGroupRunner } from '../shared/group-runner.ts';
import { retryOnConflict } from '../shared/db/database.ts';
import { activeContext, inSpan, linksOf, withContext, type Context } from '../shared/tracing.ts';

/** A failure that retrying cannot fix (bad stored body, a reference that does not exist): dead-letter at once. */
export class PermanentEventError extends Error {
  override name = 'PermanentEventError';
}

const PRINCIPAL_ROLES: ReadonlySet<string> = new Set(['secretary', 'president']);

/**
 * The stored body (raw_body, parsed) through the schema the API accepted it with (parseVisitEvent), so there is one
 * definition of a valid event. A body that fails it (not JSON, written around the API, or stored before a rule
 * existed) can never apply: dead-letter it with the schema's reasons.
 */
function storedEvent(row: ClaimedInboxRow): VisitEvent {
  const parsed = parseVisitEvent(row.body);
  if (parsed.ok) return parsed.event;
  const reasons = parsed.errors.map((e) => `${e.path} ${e.message}`).join('; ');
  throw new PermanentEventError(
    `stored body is not a valid visit event (${reasons}): resubmit the event with a valid body`,
  );
}

function visitState(row: ClaimedInboxRow, ev: RecordedVisitEvent, resolution: Resolution): VisitState {
  const v = ev.visit;
  const o = v.outcomes ?? {};
  // The parsed event holds only the fields the contract knows (unknown ones stay in the raw body).
  const leaders = (v.leaders ?? []).map((l) => ({ role: l.role, name: l.name }));
  const staff = (v.staff ?? []).map((m) => (m.name ? { role: m.role, name: m.name } : { role: m.role }));
  return {
    universityCode: row.universityCode.trim(),
    ref: row.visitRef,
    campaignId: ev.campaignId,
    occurredAt: row.occurredAt,
    eventId: row.eventId,
    inboxId: row.id,
    visitedOn: v.visitedOn,
    mode: v.mode,
    leaders,
    hasPrincipal: leaders.some((l) => PRINCIPAL_ROLES.has(l.role)),
    hasLeader: leaders.length > 0,
    staff,
    placeKind: v.placeKind ?? null,
    employerId: resolution.employerId,
    employerName: v.employer.name,
    creditCode: v.employer.creditCode ?? null,
    regionCode: v.employer.regionCode ?? null,
    positions: o.positions ?? 0,
    internshipBase: o.internshipBase ?? false,
    recruitmentInvite: o.recruitmentInvite ?? false,
    demandSurvey: o.demandSurvey ?? false,
    graduatesTracked: o.graduatesTracked ?? 0,
    satisfaction: o.satisfaction ?? null,
    newPositions: o.newPositions ?? 0,
    hired: o.hired ?? 0,
    majors: v.majors ?? [],
    notes: v.notes ?? null,
  };
}

// One resolver per configuration (thresholds come from it), built once per process.
const resolvers = new WeakMap<Config, EmployerResolver>();
function resolverFor(config: Config): EmployerResolver {
  let r = resolvers.get(config);
  if (!r) resolvers.set(config, (r = createEmployerResolver(config)));
  return r;
}

interface Applied {
  processed: Array<{ id: number; latencySeconds: number }>;
  rejected: number[];
}

/**
 * One transaction over the given rows: claim, resolve employers, upsert the visits (one statement per round of
 * distinct visits), mark processed. Rows whose body is unusable are dead-lettered inside it; a database error aborts it.
 */
async function applyRows(
  trx: Transaction<Database>,
  resolver: EmployerResolver,
  ids: number[],
  attempt: number,
): Promise<Applied> {
  const rows = await claimAcceptedInboxRows(trx, ids);
  const done: Array<{ id: number; employerId: number | null }> = [];
  const rejected: number[] = [];
  const parsed: Array<{ row: ClaimedInboxRow; ev: VisitEvent }> = [];
  for (const row of rows) {
    try {
      parsed.push({ row, ev: storedEvent(row) });
    } catch (err) {
      if (!(err instanceof PermanentEventError)) throw err;
      await deadLetterIn(trx, row.id, err.message, attempt);
      rejected.push(row.id);
    }
  }
  // Each distinct employer input is resolved once per transaction, all in one set-based call (which takes its locks
  // in key order, so concurrent transactions rarely deadlock).
  const inputs = new Map<string, EmployerInput>();
  for (const { ev } of parsed) {
    if (ev.type === 'visit.retracted') continue;
    const e = ev.visit.employer;
    const input = { name: e.name, creditCode: e.creditCode ?? null, regionCode: e.regionCode ?? null };
    inputs.set(JSON.stringify(input), input);
  }
  const keys = [...inputs.keys()];
  const out = keys.length
    ? await inSpan('employers resolve', { attributes: { 'ledger.employer_names': keys.length } }, async (span) => {
        const resolved = await resolver.resolveMany(trx, [...inputs.values()]);
        const decisions = { matched: 0, created: 0, review: 0 };
        for (const r of resolved) decisions[r.decision]++;
        span.setAttributes({
          'ledger.resolve.matched': decisions.matched,
          'ledger.resolve.created': decisions.created,
          'ledger.resolve.review': decisions.review,
        });
        return resolved;
      })
    : [];
  const resolutions = new Map(keys.map((key, i) => [key, out[i]!]));
  const states: Array<{ universityCode: string; ref: string; retracted?: VisitKeyEvent; active?: VisitState }> = [];
  for (const { row, ev } of parsed) {
    const key = { universityCode: row.universityCode.trim(), ref: row.visitRef };
    if (ev.type === 'visit.retracted') {
      states.push({
        ...key,
        retracted: {
          ...key,
          campaignId: ev.campaignId ?? null,
          occurredAt: row.occurredAt,
          eventId: row.eventId,
          inboxId: row.id,
        },
      });
      done.push({ id: row.id, employerId: null });
      continue;
    }
    const e = ev.visit.employer;
    const resolution = resolutions.get(
      JSON.stringify({ name: e.name, creditCode: e.creditCode ?? null, regionCode: e.regionCode ?? null }),
    )!;
    states.push({ ...key, active: visitState(row, ev, resolution) });
    done.push({ id: row.id, employerId: resolution.employerId });
  }
  for (const round of roundsByVisitKey(states)) {
    await upsertActiveVisits(
      trx,
      round.flatMap((s) => (s.active ? [s.active] : [])),
    );
    await upsertRetractedVisits(
      trx,
      round.flatMap((s) => (s.retracted ? [s.retracted] : [])),
    );
  }
  const processed = await markInboxProcessed(trx, done);
  return { processed, rejected };
}

/**
 * applyRows in its own transaction. One that lost a deadlock to another worker runs again whole, which costs less than
 * splitting its group into one transaction per job or event. Traced, a span under the active (job's) span, linked
 * to the other jobs of its group (`others`).
 */
function applyInTransaction(ctx: JobContext, ids: number[], attempt: number, others: Context[] = []): Promise<Applied> {
  return inSpan(
    'visit-events transaction',
    { attributes: { 'ledger.events': ids.length, 'ledger.jobs': others.length + 1 }, links: linksOf(others) },
    () =>
      retryOnConflict(() =>
        ctx.db.transaction().execute((trx) => applyRows(trx, resolverFor(ctx.config), ids, attempt)),
      ),
  );
}

async function deadLetterIn(
  trx: Transaction<Database>,
  inboxId: number,
  reason: string,
  attempts: number,
): Promise<void> {
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
  if (e.code?.startsWith('23'))
    return `${base} (fix the referenced data, e.g. create the campaign or university, then run \`ledger dlq replay\`)`;
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
export async function processVisitEvents(
  ctx: JobContext,
  ids: number[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  const attempt = options.attempt ?? 1;
  const last = attempt >= (options.maxAttempts ?? 1);
  try {
    const r = await applyInTransaction(ctx, ids, attempt);
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
      const r = await applyInTransaction(ctx, [id], attempt);
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

async function processOneAfterFailure(
  ctx: JobContext,
  id: number,
  err: unknown,
  attempt: number,
  last: boolean,
): Promise<ProcessResult> {
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

/**
 * Group commit: a worker process runs at most `MAX_IN_FLIGHT` processing transactions at once; jobs that arrive
 * meanwhile wait and then go together in one transaction (claim, visit upserts, status update and commit shared),
 * up to `MAX_GROUP` events. Few transactions suit PostgreSQL on few cores, and big groups amortise the fixed cost
 * per transaction. Should a shared transaction fail, each job runs again on its own (and a batch job then event by
 * event), so one bad event never holds back the others.
 */
const MAX_IN_FLIGHT = 2;
const MAX_GROUP = 200;

interface Submission {
  ctx: JobContext;
  ids: number[];
  options: ProcessOptions;
  /** The job's trace context: its group's transaction runs under the first job's and links the others. */
  trace: Context;
}

/** Jobs arriving while MAX_IN_FLIGHT transactions run go together in the next one (shared/group-runner.ts). */
export class Coalescer {
  private readonly runner = createGroupRunner<Submission, ProcessResult>({
    maxInFlight: MAX_IN_FLIGHT,
    maxSize: MAX_GROUP,
    sizeOf: (s) => s.ids.length,
    run: (group) => this.runShared(group),
    // A job alone, and each job of a group whose shared transaction failed: processVisitEvents splits further.
    runAlone: (s) => withContext(s.trace, () => processVisitEvents(s.ctx, s.ids, s.options)),
  });

  submit(ctx: JobContext, ids: number[], options: ProcessOptions): Promise<ProcessResult> {
    return this.runner.submit({ ctx, ids, options, trace: activeContext() });
  }

  private async runShared(group: Submission[]): Promise<ProcessResult[]> {
    const { ctx } = group[0]!;
    const attempt = Math.max(...group.map((s) => s.options.attempt ?? 1));
    try {
      const r = await withContext(group[0]!.trace, () =>
        applyInTransaction(
          ctx,
          group.flatMap((s) => s.ids),
          attempt,
          group.slice(1).map((s) => s.trace),
        ),
      );
      observe(r);
      const processed = new Set(r.processed.map((p) => p.id));
      const rejected = new Set(r.rejected);
      return group.map((s) => ({
        processed: s.ids.filter((id) => processed.has(id)).length,
        rejected: s.ids.filter((id) => rejected.has(id)).length,
        redelivered: 0,
      }));
    } catch (err) {
      ctx.log.warn(
        { err: reasonOf(err), jobs: group.length },
        'shared transaction failed; processing its jobs one by one',
      );
      throw err;
    }
  }
}

const coalescers = new WeakMap<object, Coalescer>();

export const processVisitEventsJob = defineJob({
  queue: QUEUES.visitEvents,
  async handle(payload, ctx, job) {
    let coalescer = coalescers.get(ctx.db);
    if (!coalescer) coalescers.set(ctx.db, (coalescer = new Coalescer()));
    return coalescer.submit(ctx, payload.inboxIds, {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
    });
  },
});
