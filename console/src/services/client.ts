// The one client of the API: openapi-fetch typed by the API's own OpenAPI document (api-schema.ts, generated), with
// the session cookie sent along, the CSRF token added to every call that changes something, and every error answer
// (application/problem+json) thrown as an ApiError.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './api-schema.ts';

/** Every path, method, parameter (and, where the API declares them, body and answer) of the API. */
export type ApiPaths = paths;

export interface FieldError {
  path: string;
  message: string;
}

/** An error answer of the API (RFC 9457 problem), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(detail || title);
    this.name = 'ApiError';
  }

  static from(response: Response, body: unknown): ApiError {
    const problem = (body && typeof body === 'object' ? body : {}) as Partial<Record<string, unknown>>;
    const retry = Number(response.headers.get('retry-after'));
    return new ApiError(
      response.status,
      typeof problem.title === 'string' ? problem.title : response.statusText,
      typeof problem.detail === 'string' ? problem.detail : '',
      Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : [],
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }
}

let csrfToken: string | null = null;

/** Set by the session service after login and on start; sent as x-csrf-token on every call that is not a read. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Fired on window when the API answers 401 to a signed-in call: the session ended (idle or absolute timeout). */
export const SESSION_ENDED_EVENT = 'ledger:session-ended';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (!READS.has(request.method) && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && schemaPath !== '/v1/session') window.dispatchEvent(new Event(SESSION_ENDED_EVENT));
    return response;
  },
};

export const api = createClient<ApiPaths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sessionMiddleware);

/**
 * A request body the API validates in code (zod) but its OpenAPI document does not describe: openapi-fetch then types
 * the body as absent. Its shape is the documented one (docs/console-api.md).
 */
export const undeclared = <T>(value: T): never => value as never;

/**
 * The answer's JSON as T, or an ApiError. T is the documented shape (types.ts) where the API's document declares no
 * response schema; where it does, pass the generated type.
 */
export async function send<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: unknown; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, '网络错误', err instanceof Error ? err.message : String(err));
  }
  if (!result.response.ok) throw ApiError.from(result.response, result.error);
  return result.data as T;
}

/** The answer of a route whose OpenAPI entry declares it, typed by the generated document (no cast). */
export function answer<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<NonNullable<D>> {
  return send<NonNullable<D>>(call);
}
