// Input checks shared by the console's route modules: zod schemas to problem+json 400s, admin-only routes, scopes.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { badRequest, forbidden, type FieldError } from '../problem.ts';

/** Parses a body, query or parameter; a 400 with `errors` (JSON pointers under `prefix`) when it does not fit. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, where: string, prefix = ''): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const errors: FieldError[] = r.error.issues.map((i) => ({
    path: `${prefix}/${i.path.map(String).join('/')}`.replace(/\/$/, '') || '/',
    message: i.message,
  }));
  throw badRequest(`invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

/** Routes under /v1/admin: 403 for anyone but an admin key or account. */
export function requireAdmin(request: FastifyRequest): void {
  if (request.client.scope.kind !== 'admin') throw forbidden('this needs an admin key or account');
}

/** Accounts and keys (三员分立): 403 for anyone but the security administrator. */
export function requireSecurity(request: FastifyRequest): void {
  if (request.client.scope.kind !== 'security')
    throw forbidden(
      'accounts and API keys are managed by the security administrator (scope security), not the system administrator (三员分立)',
    );
}

/** The security and audit roles are given at the host only (`ledger users create`), never through the API. */
export function requireGrantableScope(scope: string): void {
  if (scope === 'security' || scope === 'auditor')
    throw forbidden(`a ${scope} account or key is made at the host with \`ledger users create\` only`);
}
