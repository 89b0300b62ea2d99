// Administration of employers over HTTP (admin keys only, else 403): the review queue, merges, splits, one employer.
// Each decision is audited with who (the API client's name, plus "by" when given), when and why ("reason").
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditActorOf } from '../audit-actor.ts';
import { z } from 'zod';
import {
  confirmReview,
  employerDetail,
  EmployerAdminError,
  mergeEmployers,
  rejectReview,
  reviewQueue,
  splitSpelling,
  type Actor,
} from '../../../shared/use-cases/administer-employers.ts';
import { badRequest, conflict, forbidden, notFound, unprocessable, type FieldError } from '../problem.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const positiveId = z.coerce.number().int().positive();
const who = { by: z.string().trim().min(1).max(200).optional() };
const reason = z.string().trim().min(1, { error: 'say why' }).max(2000);
const decisionBody = z.object({ reason: reason.optional(), ...who }).strict();
const mergeBody = z.object({ from: positiveId, into: positiveId, reason, ...who }).strict();
const splitBody = z.object({ spellingId: positiveId, reason, ...who }).strict();
const reviewQuery = z.object({
  status: z.enum(['pending', 'confirmed', 'rejected']).default('pending'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).default(0),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const errors: FieldError[] = r.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
  throw badRequest(`invalid ${where}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

function requireAdmin(request: FastifyRequest): void {
  if (request.client.scope.kind !== 'admin') throw forbidden('employer administration needs an admin key');
}

function actorOf(request: FastifyRequest, body: { by?: string; reason?: string }, defaultReason: string): Actor {
  const client = request.client.name;
  return {
    by: body.by ? `${body.by} (key ${client})` : client,
    reason: body.reason ?? defaultReason,
    audit: auditActorOf(request),
  };
}

async function translate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EmployerAdminError) {
      if (err.status === 404) throw notFound(err.message);
      if (err.status === 409) throw conflict(err.message);
      throw unprocessable(err.message);
    }
    throw err;
  }
}

export const employerRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db } = deps;
  app.get(
    '/v1/admin/employers/review',
    { schema: { summary: 'The employer review queue (pending by default), oldest first' } },
    async (request) => {
      requireAdmin(request);
      const q = parse(reviewQuery, request.query, 'query');
      return { reviews: await reviewQueue(db, q.status, q.limit, q.after) };
    },
  );

  for (const [action, fn, verb] of [
    ['confirm', confirmReview, 'confirmed'],
    ['reject', rejectReview, 'rejected'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/v1/admin/employers/review/:id/${action}`,
      {
        schema: {
          summary:
            action === 'confirm'
              ? 'Confirm a review: the provisional employer is merged into its candidate'
              : 'Reject a review: the provisional employer stands on its own',
        },
      },
      async (request) => {
        requireAdmin(request);
        const id = parse(positiveId, request.params.id, 'review id');
        const body = parse(decisionBody, request.body, 'body');
        return translate(() => fn(db, id, actorOf(request, body, `review ${verb}`)));
      },
    );
  }

  app.post(
    '/v1/admin/employers/merge',
    { schema: { summary: 'Merge employer `from` into `into` (visits, spellings and prior-employer links follow)' } },
    async (request) => {
      requireAdmin(request);
      const body = parse(mergeBody, request.body, 'body');
      return translate(() => mergeEmployers(db, body.from, body.into, actorOf(request, body, body.reason)));
    },
  );

  app.post(
    '/v1/admin/employers/split',
    { schema: { summary: 'Split a spelling (and those with its normalised form) off into a new employer' } },
    async (request) => {
      requireAdmin(request);
      const body = parse(splitBody, request.body, 'body');
      return translate(() => splitSpelling(db, body.spellingId, actorOf(request, body, body.reason)));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/admin/employers/:id',
    { schema: { summary: 'One employer: status, credit code, spellings, visits, audit trail' } },
    async (request) => {
      requireAdmin(request);
      const id = parse(positiveId, request.params.id, 'employer id');
      return translate(() => employerDetail(db, id));
    },
  );
};
