// The one road every visit event takes into the inbox, whoever sends it (an upstream system's batch, a spreadsheet
// uploaded over HTTP or imported from the command line): shape (400) → scope (403) → reference rules (422) → store
// (accepted / duplicate / conflict). Each event is judged as if sent alone. The caller supplies how reference facts
// are looked up and how rows are stored (the API: a short-lived cache and its group commit; the CLI: the repository
// directly), and enqueues what was accepted.
import {
  bodyHash,
  checkRules,
  eventIdOf,
  parseVisitEvent,
  type FieldError,
  type ReferenceFacts,
  type VisitEvent,
} from '../domain/visit-event.schema.ts';
import { grantCovers, noProxyGrantMessage, type ProxyGrants } from '../domain/proxy.ts';
import { maySubmitFor, type ClientScope } from '../domain/scope.ts';
import { classifyDbError, retryOnConflict, type Executor } from '../db/database.ts';
import {
  findCampaignPeriods,
  findUniversityProvinces,
  InboxPartlyStoredError,
  storeInboxEvents,
  type NewInboxEvent,
  type StoreOutcome,
} from '../repositories/inbox.repository.ts';

/** Who sends: the client whose inbox rows these become, and the scope its events are judged against. */
export interface IngestSource {
  clientId: number;
  scope: ClientScope;
  /** Set for a person writing for others (代录, shared/domain/proxy.ts): each university must be covered by a grant. */
  proxy?: ProxyGrants;
}

/** What storing one row came to: the inbox's answer, or PostgreSQL refusing a value of this event alone. */
export type RowOutcome = StoreOutcome | { status: 'invalid' | 'unprocessable'; message: string };

export interface IngestPorts {
  /** The reference facts of each event, in order. */
  referenceFacts(events: VisitEvent[]): Promise<ReferenceFacts[]>;
  /** Stores the rows (one request's, in order) and answers for each. */
  store(rows: NewInboxEvent[]): Promise<RowOutcome[]>;
}

export type Verdict =
  | { status: 'invalid'; errors: FieldError[] }
  | { status: 'forbidden'; errors: FieldError[] }
  | { status: 'unprocessable'; errors: FieldError[] }
  | { status: 'storable'; event: VisitEvent };

/** Scope and reference rules of a valid event (pure once the facts are known). */
export function judgeVisitEvent(
  event: VisitEvent,
  scope: ClientScope,
  facts: ReferenceFacts,
  receivedAt: Date,
  proxy?: ProxyGrants,
): Verdict {
  const code = event.visit.universityCode;
  const outside = {
    status: 'forbidden' as const,
    errors: [{ path: '/visit/universityCode', message: `university ${code} is outside this key's scope` }],
  };
  // A university key is judged without the university's province; others need it (unknown university → 422).
  if (scope.kind === 'university' && scope.universityCode !== code) return outside;
  if (facts.universityProvince !== undefined && !maySubmitFor(scope, code, facts.universityProvince)) return outside;
  if (proxy && facts.universityProvince !== undefined && !grantCovers(proxy, code, facts.universityProvince))
    return {
      status: 'forbidden',
      errors: [{ path: '/visit/universityCode', message: noProxyGrantMessage(code) }],
    };
  const errors = checkRules(event, facts, receivedAt);
  return errors.length ? { status: 'unprocessable', errors } : { status: 'storable', event };
}

export type IngestStatus = 'accepted' | 'duplicate' | 'conflict' | 'invalid' | 'unprocessable' | 'forbidden';

/** One event's answer. `errors` paths are relative to the event ('/' is the event itself). */
export interface IngestResult {
  eventId: string | null;
  status: IngestStatus;
  errors?: FieldError[];
  /** The inbox row of an accepted event (to enqueue). */
  inboxId?: number;
}

export interface JudgedEvent {
  eventId: string | null;
  status: 'storable' | 'invalid' | 'unprocessable' | 'forbidden';
  errors?: FieldError[];
  event?: VisitEvent;
}

/** Shape, scope and rules of each event, in order; nothing is stored (a preview, and the first half of ingest). */
export async function judgeVisitEvents(
  ports: Pick<IngestPorts, 'referenceFacts'>,
  source: IngestSource,
  bodies: unknown[],
  receivedAt: Date,
): Promise<JudgedEvent[]> {
  const judged: JudgedEvent[] = new Array(bodies.length);
  const valid: Array<{ index: number; event: VisitEvent }> = [];
  bodies.forEach((raw, index) => {
    const parsed = parseVisitEvent(raw);
    if (parsed.ok) valid.push({ index, event: parsed.event });
    else judged[index] = { eventId: eventIdOf(raw) ?? null, status: 'invalid', errors: parsed.errors };
  });
  const facts = valid.length ? await ports.referenceFacts(valid.map((v) => v.event)) : [];
  valid.forEach(({ index, event }, i) => {
    const verdict = judgeVisitEvent(event, source.scope, facts[i]!, receivedAt, source.proxy);
    judged[index] =
      verdict.status === 'storable'
        ? { eventId: event.eventId, status: 'storable', event }
        : { eventId: event.eventId, status: verdict.status, errors: verdict.errors };
  });
  return judged;
}

/**
 * Judges each event and stores those that pass, in one call to `ports.store` (one transaction for the API's batch).
 * `rawBodies[i]` is the text stored for event i (default: its JSON). Returns one result per event, in order.
 */
export async function ingestVisitEvents(
  ports: IngestPorts,
  source: IngestSource,
  bodies: unknown[],
  receivedAt: Date,
  rawBodies?: ReadonlyArray<string | undefined>,
): Promise<IngestResult[]> {
  const judged = await judgeVisitEvents(ports, source, bodies, receivedAt);
  const results: IngestResult[] = new Array(bodies.length);
  const storable: Array<{ index: number; row: NewInboxEvent }> = [];
  judged.forEach((j, index) => {
    if (j.status !== 'storable') {
      results[index] = { eventId: j.eventId, status: j.status, errors: j.errors ?? [] };
      return;
    }
    const event = j.event!;
    storable.push({
      index,
      row: {
        clientId: source.clientId,
        eventId: event.eventId,
        bodyHash: bodyHash(bodies[index]),
        rawBody: rawBodies?.[index] ?? JSON.stringify(bodies[index]),
        eventType: event.type,
        universityCode: event.visit.universityCode,
        visitRef: event.visit.ref,
        occurredAt: event.occurredAt,
      },
    });
  });
  // Nothing to store: no statement, and no 503 for a batch of only refused events.
  const outcomes = storable.length ? await ports.store(storable.map((s) => s.row)) : [];
  outcomes.forEach((o, i) => {
    const { index, row } = storable[i]!;
    results[index] =
      o.status === 'accepted'
        ? { eventId: row.eventId, status: 'accepted', inboxId: o.id }
        : o.status === 'conflict'
          ? {
              eventId: row.eventId,
              status: 'conflict',
              errors: [{ path: '/eventId', message: `event ${row.eventId} was already sent with a different body` }],
            }
          : o.status === 'invalid' || o.status === 'unprocessable'
            ? { eventId: row.eventId, status: o.status, errors: [{ path: '/', message: o.message }] }
            : { eventId: row.eventId, status: o.status };
  });
  return results;
}

// ── storing ────────────────────────────────────────────────────────────────────────────────────────────────
/** PostgreSQL refused a value of this one event (SQLSTATE class 22 or 23): the event's error, shown with the reason. */
export function refusedRow(failure: 'data' | 'integrity', err: unknown): RowOutcome {
  const reason = (err as Error).message;
  return failure === 'data'
    ? {
        status: 'invalid',
        message: `PostgreSQL cannot store a value of this event (${reason}): correct it and send the event again`,
      }
    : {
        status: 'unprocessable',
        message: `PostgreSQL refused this event (${reason}): correct it and send the event again`,
      };
}

/**
 * One request's rows through `store`. Should PostgreSQL refuse a value (class 22/23) that validation let through, the
 * rows are stored in halves until the refused ones stand alone: each of those gets its own 400/422, the others are
 * stored. Any other failure is thrown.
 */
export async function storeIsolatingRefused(
  store: (rows: NewInboxEvent[]) => Promise<RowOutcome[]>,
  rows: NewInboxEvent[],
): Promise<RowOutcome[]> {
  try {
    return await store(rows);
  } catch (err) {
    const failure = classifyDbError(err);
    if (err instanceof InboxPartlyStoredError || (failure !== 'data' && failure !== 'integrity')) throw err;
    if (rows.length === 1) return [refusedRow(failure, err)];
    const half = rows.length >> 1;
    return [
      ...(await storeIsolatingRefused(store, rows.slice(0, half))),
      ...(await storeIsolatingRefused(store, rows.slice(half))),
    ];
  }
}

/** Ports that go straight to the database (no cache, no group commit): the command line. */
export function directIngestPorts(db: Executor): IngestPorts {
  return {
    async referenceFacts(events) {
      const [universities, campaigns] = await Promise.all([
        findUniversityProvinces(db, [...new Set(events.map((e) => e.visit.universityCode))]),
        findCampaignPeriods(db, [
          ...new Set(events.flatMap((e) => (e.campaignId === undefined ? [] : [e.campaignId]))),
        ]),
      ]);
      return events.map((e) => ({
        universityProvince: universities.get(e.visit.universityCode),
        campaign: e.campaignId === undefined ? undefined : campaigns.get(e.campaignId),
      }));
    },
    store: (rows) => storeIsolatingRefused((r) => retryOnConflict(() => storeInboxEvents(db, r)), rows),
  };
}

// The API's group-committed store and its read-back of a client's event (services/api/routes/visit-events.routes.ts).
export {
  findClientInboxEvent,
  InboxPartlyStoredError,
  storeInboxEvents,
  type NewInboxEvent,
} from '../repositories/inbox.repository.ts';
