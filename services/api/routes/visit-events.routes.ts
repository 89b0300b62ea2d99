// POST /v1/visit-events, POST /v1/visit-events/batch, GET /v1/visit-events/{eventId} (CONTRACT.md).
// Order of judgement for one event: shape (400) → scope (403) → reference rules (422) → store (202/200/409).
// An event is answered 202 only once its inbox row is committed; enqueueing follows, and a failed enqueue still
// answers 202 because the sweeper redelivers every row left unprocessed.
// A value PostgreSQL refuses is that event's 400/422, never its batch's; 503 means the database could not be used,
// and says whether anything may have been stored (see storeUnavailable).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bodyHash,
  MAX_BATCH_EVENTS,
  parseVisitEvent,
  visitEventJsonSchema,
  type ReferenceFacts,
  type VisitEvent,
} from '../../../shared/domain/visit-event.schema.ts';
import { eventsAccepted, eventsDuplicate, eventsRejected } from '../../../shared/metrics.ts';
import {
  ingestVisitEvents,
  judgeVisitEvent,
  judgeVisitEvents,
  storeIsolatingRefused,
  type IngestResult,
  type IngestSource,
  type JudgedEvent,
  type RowOutcome,
  findClientInboxEvent,
  InboxPartlyStoredError,
  storeInboxEvents,
  type NewInboxEvent,
} from '../../../shared/use-cases/ingest-visit-events.ts';
import { badRequest, conflict, forbidden, notFound, Problem, unavailable, unprocessable } from '../problem.ts';
import { createEnqueueBatcher } from '../enqueue-batcher.ts';
import { createGroupRunner, GroupRunnerBusyError } from '../../../shared/group-runner.ts';
import { classifyDbError, retryOnConflict, type DbFailure } from '../../../shared/db/database.ts';
import { ReferenceCache } from '../reference-cache.ts';
import { contextOf, currentTraceparent, inSpan, SpanKind, tracingEnabled } from '../../../shared/tracing.ts';
import { writesForOthers, type ProxyGrants } from '../../../shared/domain/proxy.ts';
import { proxyGrantsOfClient } from '../../../shared/use-cases/proxy-grants.ts';
import type { ApiDeps, RouteModule } from './route.ts';

/**
 * The 代录 grants a request writes under: set for a person (console session) whose scope is not one university's, so
 * each university written for must be covered; undefined for a university's own account and for machine keys.
 */
export async function proxyOf(deps: Pick<ApiDeps, 'db'>, request: FastifyRequest): Promise<ProxyGrants | undefined> {
  if (!request.consoleSession || !writesForOthers(request.client.scope)) return undefined;
  return proxyGrantsOfClient(deps.db, request.client.id);
}

export const SINGLE_BODY_LIMIT = 1024 * 1024;
export const BATCH_BODY_LIMIT = 10 * 1024 * 1024;
const ENQUEUE_TIMEOUT_MS = 1000;
// Store statements at once per API process: two keep PostgreSQL busy while the next group forms.
const STORE_IN_FLIGHT = 2;

/**
 * The ingestion road of this API process, for other route modules (a spreadsheet's rows): the same reference cache,
 * group commit, 503s, metrics and enqueueing as POST /v1/visit-events/batch.
 */
export interface VisitEventIngestion {
  /** Judges and stores the events (at most MAX_BATCH_EVENTS), counts them, and enqueues the accepted ones. */
  ingest(request: FastifyRequest, source: IngestSource, events: unknown[], receivedAt: Date): Promise<IngestResult[]>;
  /** Judges the events without storing anything (a preview). */
  judge(request: FastifyRequest, source: IngestSource, events: unknown[], receivedAt: Date): Promise<JudgedEvent[]>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the visit-events route module, which is registered before the modules that use it. */
    visitEventIngestion: VisitEventIngestion;
  }
}

/** Whether a failure of a shared statement may be one event's fault, so that storing each request alone can help. */
const mayBeAnEventsFault = (err: unknown) =>
  !(err instanceof InboxPartlyStoredError) && ['data', 'integrity', 'refused'].includes(classifyDbError(err));

const BECAUSE: Record<DbFailure, string> = {
  unreachable: 'database unreachable',
  interrupted: 'the database stopped answering',
  cancelled: 'the database did not finish in time',
  data: 'the database refused a value',
  integrity: 'the database refused a value',
  refused: 'the database refused the statement',
};

/**
 * The 503 of a store that failed, saying what is known of the events' fate. Nothing was stored when no connection
 * was had, when the server answered with an error or cancelled the statement, or when the events never left the
 * queue; when the connection broke or stopped answering after the insert was sent, or the insert committed and the
 * read after it failed, some may be stored: then the client is told that re-sending the same eventIds is safe.
 */
function storeUnavailable(err: unknown, what: 'the event' | 'the events', maxWaitMs: number): Problem {
  if (err instanceof GroupRunnerBusyError) {
    const why =
      err.reason === 'full'
        ? 'too many events are waiting to be stored by this API process'
        : `${what} waited over ${maxWaitMs} ms to be stored`;
    return new Problem(
      503,
      'Service Unavailable',
      `${what} cannot be stored right now (${why}): nothing was stored; retry in a few seconds`,
      undefined,
      {
        'retry-after': err.reason === 'full' ? '2' : '5',
      },
    );
  }
  const failure = classifyDbError(err);
  if (err instanceof InboxPartlyStoredError || failure === 'interrupted') {
    return unavailable(
      `${what} cannot be confirmed as stored (${err instanceof InboxPartlyStoredError ? 'reading back after the insert failed' : BECAUSE[failure]}): ` +
        `whether ${what === 'the event' ? 'it was' : 'each was'} stored is unknown; re-send with the same eventId${what === 'the event' ? '' : 's'}, ` +
        'which is safe: an event already stored answers duplicate',
    );
  }
  const code = failure === 'refused' ? `, SQLSTATE ${(err as { code?: string }).code}` : '';
  return unavailable(
    `${what} cannot be stored right now (${BECAUSE[failure]}${code}): nothing was stored; retry later`,
  );
}

/**
 * The request's server span (tracing on): continues the caller's trace when it sent a `traceparent` header. Answers
 * 4xx are the caller's, so only a 5xx (or an unexpected error) marks the span failed.
 */
function traced<T>(
  route: string,
  handle: (request: FastifyRequest, reply: FastifyReply) => Promise<T>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<T> {
  const status = (err: unknown) => (err instanceof Problem ? err.status : 500);
  return (request, reply) => {
    if (!tracingEnabled()) return handle(request, reply);
    return inSpan(
      `POST ${route}`,
      {
        kind: SpanKind.SERVER,
        parent: contextOf(request.headers),
        attributes: { 'http.request.method': 'POST', 'http.route': route },
        isError: (err) => status(err) >= 500,
      },
      async (span) => {
        try {
          const answer = await handle(request, reply);
          span.setAttribute('http.response.status_code', reply.statusCode);
          return answer;
        } catch (err) {
          span.setAttribute('http.response.status_code', status(err));
          throw err;
        }
      },
    );
  };
}

export function registerVisitEventRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { db, producer } = deps;
  const reference = new ReferenceCache(db);

  async function referenceFacts(request: FastifyRequest, events: VisitEvent[]): Promise<ReferenceFacts[]> {
    try {
      return await reference.factsFor(events);
    } catch (err) {
      request.log.error({ err }, 'reference data lookup failed');
      eventsRejected.inc({ reason: 'unavailable' }, events.length);
      throw unavailable(
        `the event cannot be checked right now (${BECAUSE[classifyDbError(err)]}): nothing was stored; retry later`,
      );
    }
  }

  const storeRows = (rows: NewInboxEvent[]) => retryOnConflict(() => storeInboxEvents(db, rows));
  /**
   * One request's rows. Should PostgreSQL refuse a value (class 22/23) that validation let through, the rows are
   * stored in halves until the refused ones stand alone: each of those gets its own 400/422, the others are stored.
   */
  const storeRequestRows = (rows: NewInboxEvent[]) => storeIsolatingRefused(storeRows, rows);

  // Requests arriving together store together: one statement and one commit for all of them (see group-runner.ts).
  // Should the shared statement fail for something an event may have caused, each request's rows are stored on their
  // own, so one cannot fail the others; an outage fails the group at once. Waiting is bounded in events and in time
  // (one statement timeout), so a PostgreSQL that hangs answers 503s within seconds and holds no growing queue.
  const maxWaitMs = deps.config.API_DB_STATEMENT_TIMEOUT_MS || 5000;
  const storer = createGroupRunner<NewInboxEvent[], RowOutcome[]>({
    maxInFlight: STORE_IN_FLIGHT,
    maxSize: MAX_BATCH_EVENTS,
    sizeOf: (rows) => rows.length,
    maxPending: deps.config.STORE_QUEUE_MAX_EVENTS,
    maxWaitMs,
    async run(groups) {
      const outcomes = await storeRows(groups.flat());
      let at = 0;
      return groups.map((rows) => outcomes.slice(at, (at += rows.length)));
    },
    runAlone: storeRequestRows,
    isolate: mayBeAnEventsFault,
  });

  async function store(
    request: FastifyRequest,
    rows: NewInboxEvent[],
    what: 'the event' | 'the events',
  ): Promise<RowOutcome[]> {
    if (rows.length === 0) return []; // nothing to store: no statement, and no 503 for a batch of only refused events
    try {
      return await inSpan('inbox commit', { attributes: { 'ledger.events': rows.length } }, () => storer.submit(rows));
    } catch (err) {
      const problem = storeUnavailable(err, what, maxWaitMs);
      if (err instanceof GroupRunnerBusyError)
        request.log.warn({ reason: err.reason, events: rows.length }, 'store queue busy');
      else request.log.error({ err }, 'storing events failed');
      eventsRejected.inc({ reason: 'unavailable' }, rows.length);
      throw problem;
    }
  }

  // Committed ids go to the queue in groups too (see enqueue-batcher.ts); both are closed with the app.
  const batcher = createEnqueueBatcher(producer, deps.log, ENQUEUE_TIMEOUT_MS);
  app.addHook('onClose', async () => {
    await storer.close();
    await batcher.close();
  });
  /** Committed rows to the queue, without waiting; traced, a producer span whose context travels in the job. */
  function enqueue(ids: number[]): void {
    if (ids.length === 0) return;
    if (!tracingEnabled()) return void batcher.enqueue(ids);
    void inSpan(
      'visit-events publish',
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.destination.name': 'visit-events', 'messaging.batch.message_count': ids.length },
      },
      () => batcher.enqueue(ids, currentTraceparent()),
    );
  }

  /** Counts each result in the metrics, as the single endpoint would have counted it. */
  function count(results: IngestResult[]): void {
    for (const r of results) {
      if (r.status === 'accepted') eventsAccepted.inc();
      else if (r.status === 'duplicate') eventsDuplicate.inc();
      else eventsRejected.inc({ reason: r.status });
    }
  }

  const ingestion: VisitEventIngestion = {
    async ingest(request, source, events, receivedAt) {
      const results = await ingestVisitEvents(
        {
          referenceFacts: (valid) => referenceFacts(request, valid),
          store: (rows) => store(request, rows, 'the events'),
        },
        source,
        events,
        receivedAt,
      );
      count(results);
      // Committed: the answer need not wait for Redis (the sweeper covers a lost enqueue).
      enqueue(results.flatMap((r) => (r.inboxId !== undefined ? [r.inboxId] : [])));
      return results;
    },
    judge: (request, source, events, receivedAt) =>
      judgeVisitEvents({ referenceFacts: (valid) => referenceFacts(request, valid) }, source, events, receivedAt),
  };
  app.decorate('visitEventIngestion', ingestion);

  const eventSchema = visitEventJsonSchema();
  const problemRef = { description: 'application/problem+json', type: 'object', additionalProperties: true };
  // zod validates (its issues give the `errors` paths); the JSON Schemas here only document the routes.
  const noAjv = () => () => true;

  app.post(
    '/v1/visit-events',
    {
      bodyLimit: SINGLE_BODY_LIMIT,
      validatorCompiler: noAjv,
      schema: {
        summary: 'Submit one visit event',
        tags: ['visit events'],
        security: [{ bearer: [] }],
        body: eventSchema,
        response: {
          202: {
            description: 'stored durably',
            type: 'object',
            properties: { eventId: { type: 'string' }, status: { type: 'string', enum: ['accepted'] } },
          },
          200: {
            description: 'already stored with the same body',
            type: 'object',
            properties: { eventId: { type: 'string' }, status: { type: 'string', enum: ['duplicate'] } },
          },
          400: problemRef,
          401: problemRef,
          403: problemRef,
          409: problemRef,
          413: problemRef,
          422: problemRef,
          429: problemRef,
          503: problemRef,
        },
      },
    },
    traced('/v1/visit-events', async (request, reply) => {
      const receivedAt = new Date();
      const parsed = parseVisitEvent(request.body);
      if (!parsed.ok) {
        eventsRejected.inc({ reason: 'invalid' });
        throw badRequest('the event is not valid: see errors', parsed.errors);
      }
      const event = parsed.event;
      const [facts] = await referenceFacts(request, [event]);
      const verdict = judgeVisitEvent(event, request.client.scope, facts!, receivedAt, await proxyOf(deps, request));
      if (verdict.status === 'forbidden') {
        eventsRejected.inc({ reason: 'forbidden' });
        throw forbidden(verdict.errors[0]!.message);
      }
      if (verdict.status === 'unprocessable') {
        eventsRejected.inc({ reason: 'unprocessable' });
        throw unprocessable('the event breaks a rule: see errors', verdict.errors);
      }
      const raw = request.rawBody ?? JSON.stringify(request.body);
      const row: NewInboxEvent = {
        clientId: request.client.id,
        eventId: event.eventId,
        bodyHash: bodyHash(request.body),
        rawBody: raw,
        eventType: event.type,
        universityCode: event.visit.universityCode,
        visitRef: event.visit.ref,
        occurredAt: event.occurredAt,
      };
      const [outcome] = await store(request, [row], 'the event');
      switch (outcome!.status) {
        case 'accepted':
          eventsAccepted.inc();
          enqueue([outcome!.id]); // committed: the answer need not wait for Redis
          return reply.code(202).send({ eventId: event.eventId, status: 'accepted' });
        case 'duplicate':
          eventsDuplicate.inc();
          return reply.code(200).send({ eventId: event.eventId, status: 'duplicate' });
        case 'conflict':
          eventsRejected.inc({ reason: 'conflict' });
          throw conflict(
            `event ${event.eventId} was already sent with a different body: send a new eventId for a new event, or the same body to repeat it`,
          );
        case 'invalid':
          eventsRejected.inc({ reason: 'invalid' });
          throw badRequest('the event is not valid: see errors', [{ path: '/', message: outcome!.message }]);
        case 'unprocessable':
          eventsRejected.inc({ reason: 'unprocessable' });
          throw unprocessable('the event breaks a rule: see errors', [{ path: '/', message: outcome!.message }]);
      }
    }),
  );

  app.post(
    '/v1/visit-events/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      validatorCompiler: noAjv,
      schema: {
        summary: `Submit up to ${MAX_BATCH_EVENTS} visit events; one result per event, in order`,
        tags: ['visit events'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          required: ['events'],
          properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: eventSchema } },
        },
        response: {
          200: {
            description: 'each event judged as if sent alone',
            type: 'object',
            properties: {
              results: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    eventId: { type: ['string', 'null'] },
                    status: {
                      type: 'string',
                      enum: ['accepted', 'duplicate', 'conflict', 'invalid', 'unprocessable', 'forbidden'],
                    },
                    errors: {
                      type: 'array',
                      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
          400: problemRef,
          401: problemRef,
          403: problemRef,
          413: problemRef,
          429: problemRef,
          503: problemRef,
        },
      },
    },
    traced('/v1/visit-events/batch', async (request, reply) => {
      const receivedAt = new Date();
      const body = request.body as { events?: unknown } | null;
      const events = body && typeof body === 'object' && !Array.isArray(body) ? body.events : undefined;
      if (!Array.isArray(events) || events.length < 1 || events.length > MAX_BATCH_EVENTS) {
        eventsRejected.inc({ reason: 'invalid' });
        throw badRequest(`the body must be {"events": [...]} with 1 to ${MAX_BATCH_EVENTS} events`, [
          {
            path: '/events',
            message: Array.isArray(events)
              ? `must hold 1 to ${MAX_BATCH_EVENTS} events (got ${events.length})`
              : 'must be an array of events',
          },
        ]);
      }
      const source = { clientId: request.client.id, scope: request.client.scope, proxy: await proxyOf(deps, request) };
      if (source.proxy) {
        // A person writing for others sends only what its grants cover: the batch is refused whole, nothing stored.
        const refused = (await ingestion.judge(request, source, events, receivedAt)).flatMap((j, index) =>
          j.status === 'forbidden'
            ? (j.errors ?? []).map((e) => ({
                path: `/events/${index}${e.path === '/' ? '' : e.path}`,
                message: e.message,
              }))
            : [],
        );
        if (refused.length > 0) {
          eventsRejected.inc({ reason: 'forbidden' }, events.length);
          throw new Problem(
            403,
            'Forbidden',
            `${refused.length} event(s) are for universities this account may not write for (代录 needs a grant): nothing was stored, see errors`,
            refused,
          );
        }
      }
      const results = (await ingestion.ingest(request, source, events, receivedAt)).map((r, index) => ({
        eventId: r.eventId,
        status: r.status,
        ...(r.errors
          ? {
              errors: r.errors.map((e) => ({
                path: `/events/${index}${e.path === '/' ? '' : e.path}`,
                message: e.message,
              })),
            }
          : {}),
      }));
      return reply.code(200).send({ results });
    }),
  );

  app.get(
    '/v1/visit-events/:eventId',
    {
      schema: {
        summary: "An event's processing status (only the calling client's events)",
        tags: ['visit events'],
        security: [{ bearer: [] }],
        params: { type: 'object', properties: { eventId: { type: 'string' } }, required: ['eventId'] },
        response: {
          200: {
            type: 'object',
            properties: {
              eventId: { type: 'string' },
              status: { type: 'string', enum: ['accepted', 'processed', 'rejected'] },
              visit: { type: 'object', properties: { universityCode: { type: 'string' }, ref: { type: 'string' } } },
              employerId: { type: 'integer' },
              error: { type: 'string' },
            },
          },
          401: problemRef,
          404: problemRef,
          503: problemRef,
        },
      },
    },
    async (request) => {
      const { eventId } = request.params as { eventId: string };
      let row;
      try {
        row = await findClientInboxEvent(db, request.client.id, eventId);
      } catch (err) {
        if (err instanceof Problem) throw err;
        request.log.error({ err }, 'reading an event failed');
        throw unavailable(`the event cannot be read right now (${BECAUSE[classifyDbError(err)]}): retry later`);
      }
      if (!row) throw notFound(`this key has sent no event ${eventId}`);
      return {
        eventId: row.eventId,
        status: row.status,
        visit: { universityCode: row.universityCode, ref: row.ref },
        ...(row.employerId !== null ? { employerId: row.employerId } : {}),
        ...(row.error !== null ? { error: row.error } : {}),
      };
    },
  );
}

export const visitEventRoutes: RouteModule = registerVisitEventRoutes;
