// The fastify application: JSON parsing with the raw body kept, problem+json errors, API-key auth on /v1 and /admin,
// a rate limit per key, request ids in every log line, the OpenAPI document at /docs, and every route module.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { authHook, createAuthenticator } from './auth.ts';
import { Problem, type FieldError } from './problem.ts';
import { ROUTE_MODULES } from './routes/index.ts';
import type { ApiDeps } from './routes/route.ts';
import { BATCH_BODY_LIMIT, SINGLE_BODY_LIMIT } from './routes/visit-events.routes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received (stored in the inbox as raw_body). */
    rawBody?: string;
  }
}

const PROBLEM_TYPE = 'application/problem+json';

function problemBody(status: number, title: string, detail: string, errors?: FieldError[]): string {
  return JSON.stringify({ type: 'about:blank', title, status, detail, ...(errors ? { errors } : {}) });
}

/** ajv's validation errors (routes of other modules that validate params or querystring with JSON Schema) as {path, message}. */
function validationErrors(err: FastifyError): FieldError[] {
  const context = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const missing = v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty ?? '')}` : '';
    return { path: `${context === 'body' ? '' : `/${context}`}${v.instancePath}${missing}` || '/', message: v.message ?? 'is invalid' };
  });
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: SINGLE_BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // A graceful close stops accepting, closes idle keep-alive connections and waits for requests in flight.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // JSON with the raw text kept: the inbox stores the event exactly as it arrived.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new Problem(400, 'Bad Request', `the body is not valid JSON: ${(err as Error).message}`, [{ path: '/', message: 'must be valid JSON' }]), undefined);
    }
  });

  app.setErrorHandler((err: FastifyError | Problem, request, reply) => {
    if (err instanceof Problem) {
      if (err.headers) void reply.headers(err.headers);
      if (err.status >= 500) request.log.warn({ detail: err.detail }, err.title);
      return reply.code(err.status).type(PROBLEM_TYPE).send(JSON.stringify(err.toJSON()));
    }
    if (err.validation) {
      return reply.code(400).type(PROBLEM_TYPE).send(problemBody(400, 'Bad Request', `invalid ${err.validationContext ?? 'input'}: see errors`, validationErrors(err)));
    }
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status === 413) {
      return reply.code(413).type(PROBLEM_TYPE).send(problemBody(413, 'Content Too Large', `the body is over the limit (${SINGLE_BODY_LIMIT / 2 ** 20} MB for one event, ${BATCH_BODY_LIMIT / 2 ** 20} MB for a batch): send fewer events per request`));
    }
    if (status < 500) return reply.code(status).type(PROBLEM_TYPE).send(problemBody(status, STATUS_CODES[status] ?? 'Error', err.message));
    request.log.error({ err }, 'unhandled error');
    return reply.code(status).type(PROBLEM_TYPE).send(problemBody(status, STATUS_CODES[status] ?? 'Error', 'an unexpected error occurred; it has been logged with this request id'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type(PROBLEM_TYPE).send(problemBody(404, 'Not Found', `no route ${request.method} ${request.url.split('?')[0]}: see /docs`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'ledger API', description: 'Visit events of the employer-visit campaign (访企拓岗促就业专项行动), rankings and notices. Errors are application/problem+json.', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API key from `ledger clients create`' } } },
    },
    // bull-board's own routes are a UI, not API.
    transform: ({ schema, url }) => ({ schema: url.startsWith('/admin/queues') ? { ...schema, hide: true } : schema, url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const auth = createAuthenticator(deps.db, config.API_KEY_CACHE_SECONDS);
  app.addHook('onRequest', authHook(auth));

  // In memory, per API process: rate limiting must not depend on Redis (ingestion goes on while Redis is down).
  // Runs after the auth hook, so the key is the client's id.
  await app.register(rateLimit, {
    global: true,
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    allowList: (request) => !request.url.startsWith('/v1/'),
    keyGenerator: (request) => (request.client ? `client:${request.client.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new Problem(429, 'Too Many Requests', `over ${context.max} requests per minute for this key: retry in ${context.after}`),
  });

  for (const register of ROUTE_MODULES) await register(app, deps);
  return app;
}
