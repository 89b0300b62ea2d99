// Applies accepted inbox rows: resolve the employer, upsert the visit state (latest occurredAt wins), mark processed.
// Idempotent: a row is claimed under a row lock only while 'accepted', so a run that happens twice, or two workers
// holding the same id, change nothing the second time. The visit-events job (jobs/process-visit-events.job.ts) calls
// it, grouping jobs and retrying; rows that can never apply are dead-lettered here.
import type { Transaction } from 'kysely';
import type { Config } from '../config.ts';
import { retryOnConflict, type Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { parseVisitEvent, type RecordedVisitEvent, type VisitEvent } from '../domain/visit-event.schema.ts';
import { upsertDeadLetter } from '../repositories/dead-letter.repository.ts';
import {
  claimAcceptedInboxRows,
  markInboxProcessed,
  markInboxRejected,
  type ClaimedInboxRow,
} from '../repositories/inbox-processing.repository.ts';
import {
  roundsByVisitKey,
  upsertActiveVisits,
  upsertRetractedVisits,
  type VisitKeyEvent,
  type VisitState,
} from '../repositories/visit.repository.ts';
import { inSpan } from '../tracing.ts';
import {
  createEmployerResolver,
  type EmployerInput,
  type EmployerResolver,
  type Resolution,
} from './resolve-employer.ts';

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

export interface Applied {
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

async function deadLetterIn(
  trx: Transaction<Database> | Db,
  inboxId: number,
  reason: string,
  attempts: number,
): Promise<void> {
  if (await markInboxRejected(trx, inboxId, reason)) await upsertDeadLetter(trx, { inboxId, reason, attempts });
}

/**
 * The rows in one transaction of their own, run again whole should it lose a deadlock to another worker (which costs
 * less than splitting a group into one transaction per job or event).
 */
export function applyVisitEvents(db: Db, config: Config, ids: number[], attempt: number): Promise<Applied> {
  return retryOnConflict(() => db.transaction().execute((trx) => applyRows(trx, resolverFor(config), ids, attempt)));
}

/** Rejects the row and files its dead letter, in one transaction. */
export async function deadLetterVisitEvent(db: Db, inboxId: number, reason: string, attempts: number): Promise<void> {
  await db.transaction().execute((trx) => deadLetterIn(trx, inboxId, reason, attempts));
}

/** SQLSTATE classes that no retry can fix: data exceptions, integrity violations, undefined objects. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentEventError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|42)/.test(code);
}

export function reasonOf(err: unknown): string {
  const e = err as { message?: string; detail?: string; code?: string };
  const base = [e.message ?? String(err), e.detail].filter(Boolean).join(': ');
  if (err instanceof PermanentEventError) return base;
  if (e.code?.startsWith('23'))
    return `${base} (fix the referenced data, e.g. create the campaign or university, then run \`ledger dlq replay\`)`;
  return base;
}
