// The fastify application: JSON parsing with the raw body kept (bounded, prototype poisoning refused), problem+json
// errors (also for what the router and Node's HTTP parser refuse), API-key auth decided on the matched route, a rate
// limit per key (per address without one), request ids in every log line, the OpenAPI document at /docs, and every
// route module.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { securityHeaders } from './security-headers.ts';
import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import secureJson from 'secure-json-parse';
import { decodeUtf8, unsafeInHeader, unsafeInJson, unsafeInTarget } from '../../shared/domain/text-safety.ts';
import { UnknownCampaignError } from '../../shared/use-cases/find-campaign.ts';
import { accessOfRequest, authHook, createAuthenticator } from './auth.ts';
import { registerConsole } from './console.ts';
import { notFound, Problem, sendProblem, type FieldError } from './problem.ts';
import { ROUTE_MODULES } from './routes/index.ts';
import { sessionLookup } from './session-cookie.ts';
import type { ApiDeps } from './routes/route.ts';
import { BATCH_BODY_LIMIT, SINGLE_BODY_LIMIT } from './routes/visit-events.routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received (stored in the inbox as raw_body). */
    rawBody?: string;
  }
}

const PROBLEM_TYPE = 'application/problem+json';

/** A visit event nests 5 levels deep, a batch 7: deeper bodies are refused before anything walks them recursively. */
export const MAX_JSON_DEPTH = 32;
/** Values (array items and object members) in one body: a full batch of 1000 large events holds about 250,000. */
export const MAX_JSON_VALUES = 400_000;
/**
 * Path parameters up to this many characters: event ids have up to 128, and a client may percent-encode each (×3).
 * fastify's default (100) answered 414 to GET /v1/visit-events/{eventId} for ids that POST had accepted.
 */
const MAX_PARAM_LENGTH = 512;

/**
 * Where a parsed JSON body exceeds MAX_JSON_DEPTH or MAX_JSON_VALUES, or undefined. Iterative, so a body nested
 * 200,000 deep is measured without exhausting the stack (the body hash and the validators recurse).
 */
export function jsonBoundsError(
  value: unknown,
  limits = { maxDepth: MAX_JSON_DEPTH, maxValues: MAX_JSON_VALUES },
): FieldError | undefined {
  type Frame = { value: object; depth: number; parent: Frame | undefined; key: string };
  const pointer = (frame: Frame | undefined): string => {
    const keys: string[] = [];
    for (let f = frame; f?.parent; f = f.parent) keys.push(f.key.replace(/~/g, '~0').replace(/\//g, '~1'));
    return keys.length ? `/${keys.reverse().join('/')}` : '/';
  };
  if (value === null || typeof value !== 'object') return undefined;
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  let values = 0;
  while (stack.length) {
    const frame = stack.pop()!;
    if (frame.depth > limits.maxDepth) {
      return {
        path: pointer(frame),
        message: `nests deeper than ${limits.maxDepth} levels (a visit event needs 5): flatten or leave out this field`,
      };
    }
    const entries: Array<[string, unknown]> = Array.isArray(frame.value)
      ? frame.value.map((v, i) => [String(i), v])
      : Object.entries(frame.value);
    values += entries.length;
    if (values > limits.maxValues) {
      return {
        path: '/',
        message: `holds more than ${limits.maxValues} values: send fewer events per request, or leave out large unknown fields`,
      };
    }
    for (const [key, child] of entries) {
      if (child !== null && typeof child === 'object')
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}

/** Node's HTTP parser refused the request (bad request line or header, oversized headers, timeout): answer problem+json. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request was not received in time: send it again']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large: send fewer or shorter headers']
        : [400, 'the request is not valid HTTP/1.1 (request line or headers): check what the client sends'];
  const body = problemBody(status, STATUS_CODES[status] ?? 'Error', detail);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** What the router refuses before any route runs: a malformed percent-encoding, an over-long path parameter. */
function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const problem =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new Problem(
          414,
          'URI Too Long',
          `a path parameter is longer than ${MAX_PARAM_LENGTH} characters: event ids have at most 128`,
        )
      : err.code === 'FST_ERR_BAD_URL'
        ? new Problem(
            400,
            'Bad Request',
            'the path is not a valid URL (a malformed percent-encoding?): encode it with encodeURIComponent',
          )
        : new Problem(400, 'Bad Request', 'the request could not be routed: check its path and headers');
  sendProblem(reply, problem);
}

function problemBody(status: number, title: string, detail: string, errors?: FieldError[]): string {
  return JSON.stringify({ type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) });
}

/** ajv's validation errors (routes of other modules that validate params or querystring with JSON Schema) as {path, message}. */
function validationErrors(err: FastifyError): FieldError[] {
  const context = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const missing =
      v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty ?? '')}` : '';
    return {
      path: `${context === 'body' ? '' : `/${context}`}${v.instancePath}${missing}` || '/',
      message: v.message ?? 'is invalid',
    };
  });
}

/** The path of a request target without its query string (which can carry tokens). */
function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** What is wrong with a request's target or headers, in words, or null: checked before anything else runs. */
function unsafeInRequestHead(request: FastifyRequest): string | null {
  const target = unsafeInTarget(request.raw.url ?? '/');
  if (target) return `${target.where} holds ${target.what}: leave such characters out`;
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const what = unsafeInHeader(raw[i + 1]!);
    if (what) return `the header ${raw[i]!.toLowerCase()} holds ${what}: leave such characters out`;
  }
  return null;
}

/** A request's completion line: plain values only, no headers, so nothing secret and nothing for a formatter to drop. */
export function requestLine(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const client = (request as Partial<FastifyRequest>).client;
  // Not `req`/`res`: fastify's serializers for those keys expect the request and reply objects.
  return {
    request: {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: pathOf(request.url),
      remoteAddress: request.ip,
    },
    response: { statusCode: reply.statusCode },
    responseTime: Math.round(reply.elapsedTime * 10) / 10,
    caller: client ? { kind: request.consoleSession ? 'user' : 'key', clientId: client.id, name: client.name } : null,
  };
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    // Fastify's own request lines carry the request object, which the log's masking formatter (shared/log.ts) turns
    // into `{}` before the serializers run; the hooks below write plain fields instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: SINGLE_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Node would answer a missing Host with a bare 400 of its own; the hook below answers it as problem+json.
    http: { requireHostHeader: false },
    frameworkErrors,
    clientErrorHandler,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // The client's address behind the proxies named in TRUST_PROXY: what the per-address limits and the audit use.
    trustProxy:
      typeof config.TRUST_PROXY === 'number'
        ? (_address: string, hop: number) => hop < (config.TRUST_PROXY as number)
        : config.TRUST_PROXY,
    // A graceful close stops accepting, closes idle keep-alive connections and waits for requests in flight.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // A client that sends a request slowly, or holds a socket silent, cannot hold it (and its memory) for ever.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
  }) as unknown as FastifyInstance;

  app.addHook('onSend', securityHeaders);
  app.addHook('onRequest', async (request, reply) => {
    request.log.info({ request: { method: request.method, path: pathOf(request.url) } }, 'incoming request');
    reply.header('x-request-id', request.id);
    const unsafe = unsafeInRequestHead(request);
    if (unsafe) {
      sendProblem(reply, new Problem(400, 'Bad Request', unsafe));
      return reply;
    }
    if (request.raw.httpVersion === '1.1' && !request.headers.host) {
      sendProblem(reply, new Problem(400, 'Bad Request', 'the Host header is missing: HTTP/1.1 requires it'));
      return reply;
    }
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(requestLine(request, reply), 'request completed');
  });
  // CONNECT (a proxy tunnel) is not served; without a listener Node would drop the connection without an answer.
  app.server.on('connect', (_req: unknown, socket: Socket) => {
    const body = problemBody(405, 'Method Not Allowed', 'CONNECT is not served here: this is an HTTP API, not a proxy');
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Type: ${PROBLEM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });

  // JSON with the raw text kept: the inbox stores the event exactly as it arrived. secure-json-parse (fastify's own
  // parser) refuses __proto__ and constructor.prototype keys, which could otherwise poison objects built from the body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // Decoded strictly (the default replaces bad bytes with U+FFFD, storing what the client never sent); the decoder
    // drops a leading byte order mark, an encoding signature and not JSON text (RFC 8259 §8.1).
    const text = decodeUtf8(body as Buffer);
    if (text === null) {
      done(
        new Problem(400, 'Bad Request', 'the body is not valid UTF-8: send JSON encoded as UTF-8', [
          { path: '/', message: 'must be UTF-8' },
        ]),
        undefined,
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      const poisoned = /forbidden prototype property/.test((err as Error).message);
      const detail = poisoned
        ? 'the body holds a __proto__ or constructor.prototype key: leave such keys out'
        : `the body is not valid JSON: ${(err as Error).message}`;
      done(
        new Problem(400, 'Bad Request', detail, [
          { path: '/', message: poisoned ? 'must not hold __proto__ or constructor.prototype' : 'must be valid JSON' },
        ]),
        undefined,
      );
      return;
    }
    const tooBig = jsonBoundsError(parsed);
    if (tooBig) {
      done(
        new Problem(400, 'Bad Request', `the body is too deeply nested or too large: see errors`, [tooBig]),
        undefined,
      );
      return;
    }
    // Events are checked by parseVisitEvent, the events' one reader: a batch answers such an event `invalid` and goes
    // on with the others, and one event's body is not walked twice.
    const route = request.routeOptions.url;
    const unsafe = unsafeInJson(
      parsed,
      route === '/v1/visit-events/batch'
        ? (at) => /^\/events\/\d+$/.test(at)
        : route === '/v1/visit-events'
          ? (at) => at === ''
          : undefined,
    );
    if (unsafe) {
      done(
        new Problem(400, 'Bad Request', `the body holds ${unsafe.what} at ${unsafe.where}: leave such characters out`, [
          { path: unsafe.where, message: `must not hold ${unsafe.what}` },
        ]),
        undefined,
      );
      return;
    }
    request.rawBody = text;
    done(null, parsed);
  });

  app.setErrorHandler((thrown: FastifyError | Problem, request, reply) => {
    // A campaign id in the path that names no campaign (findCampaignOrFail, in a route or a use case): 404 wherever it
    // is found. The error's own message tells an operator which command to run; an API client needs only the id.
    const err =
      thrown instanceof UnknownCampaignError ? notFound(`campaign ${thrown.campaignId} does not exist`) : thrown;
    if (err instanceof Problem) {
      if (err.headers) void reply.headers(err.headers);
      if (err.status >= 500) request.log.warn({ detail: err.detail }, err.title);
      return reply.code(err.status).type(PROBLEM_TYPE).send(JSON.stringify(err.toJSON()));
    }
    if (err.validation) {
      return reply
        .code(400)
        .type(PROBLEM_TYPE)
        .send(
          problemBody(
            400,
            'Bad Request',
            `invalid ${err.validationContext ?? 'input'}: see errors`,
            validationErrors(err),
          ),
        );
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status === 413) {
      return reply
        .code(413)
        .type(PROBLEM_TYPE)
        .send(
          problemBody(
            413,
            'Content Too Large',
            `the body is over the limit (${SINGLE_BODY_LIMIT / 2 ** 20} MB for one event, ${BATCH_BODY_LIMIT / 2 ** 20} MB for a batch): send fewer events per request`,
          ),
        );
    }
    if (status < 500)
      return reply
        .code(status)
        .type(PROBLEM_TYPE)
        .send(problemBody(status, STATUS_CODES[status] ?? 'Error', err.message));
    request.log.error({ err }, 'unhandled error');
    return reply
      .code(status)
      .type(PROBLEM_TYPE)
      .send(
        problemBody(
          status,
          STATUS_CODES[status] ?? 'Error',
          'an unexpected error occurred; it has been logged with this request id',
        ),
      );
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type(PROBLEM_TYPE)
      .send(problemBody(404, 'Not Found', `no route ${request.method} ${request.url.split('?')[0]}: see /docs`)),
  );

  const auth = createAuthenticator(deps.db, config.API_KEY_CACHE_SECONDS);
  app.addHook(
    'onRequest',
    authHook(auth, {
      failuresPerMinute: config.AUTH_FAILURES_PER_MINUTE,
      sessions: sessionLookup(deps.db, config),
      internalOpen: config.DOCS_METRICS_OPEN,
    }),
  );

  // In memory, per API process: rate limiting must not depend on Redis (ingestion goes on while Redis is down).
  // The limiter's hook runs on each route after the auth hook, so the key is the client's id; requests without a key
  // (docs, metrics, readiness) count per source address. Registered before every route so that it covers them all.
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    // /healthz does no I/O (liveness probes must never see 429); bull-board is for admin keys and has its own error
    // handler, which would render the limiter's error as a 500.
    allowList: (request) => request.routeOptions.url === '/healthz' || accessOfRequest(request) === 'admin',
    keyGenerator: (request) => (request.client ? `client:${request.client.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (request, context) =>
      new Problem(
        429,
        'Too Many Requests',
        `over ${context.max} requests per minute for this ${request.client ? 'key' : 'address'}: retry in ${context.after}`,
      ),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ledger API',
        description:
          'Visit events of the employer-visit campaign (访企拓岗促就业专项行动), rankings and notices. Errors are application/problem+json.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API key from `ledger clients create`' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'ledger_session',
            description:
              'a console session from POST /v1/session; requests other than GET/HEAD/OPTIONS also send x-csrf-token',
          },
        },
      },
    },
    // bull-board's own routes are a UI, not API.
    transform: ({ schema, url }) => ({
      schema: url.startsWith('/admin/queues') ? { ...schema, hide: true } : schema,
      url,
    }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  for (const register of ROUTE_MODULES) await register(app, deps);
  await registerConsole(app);
  return app;
}
