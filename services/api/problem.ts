// Errors as application/problem+json (RFC 9457). Route handlers throw a Problem; the app's error handler renders it.

export interface FieldError {
  path: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'Problem';
  }

  toJSON(): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** Sends a problem straight away (hooks that must not depend on the error handler of the route's plugin). */
export function sendProblem(
  reply: {
    code(n: number): unknown;
    header(k: string, v: string): unknown;
    type(t: string): unknown;
    send(p: string): unknown;
  },
  problem: Problem,
): void {
  for (const [k, v] of Object.entries(problem.headers ?? {})) reply.header(k, v);
  reply.code(problem.status);
  reply.type('application/problem+json');
  reply.send(JSON.stringify(problem.toJSON()));
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem(400, 'Bad Request', detail, errors);
export const unauthorized = (detail: string) => new Problem(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new Problem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new Problem(404, 'Not Found', detail);
export const conflict = (detail: string) => new Problem(409, 'Conflict', detail);
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new Problem(422, 'Unprocessable Content', detail, errors);
export const unavailable = (detail: string) =>
  new Problem(503, 'Service Unavailable', detail, undefined, { 'retry-after': '5' });

/** A password that breaks the rules: 422, one error per broken rule, its code first (shared/domain/password-policy.ts). */
export const passwordRefused = (err: { message: string; refusals: { rule: string; zh: string; en: string }[] }) =>
  unprocessable(
    err.message,
    err.refusals.map((r) => ({ path: '/password', message: `${r.rule}: ${r.zh} / ${r.en}` })),
  );
