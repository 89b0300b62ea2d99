// The console's administration (docs/console-api.md), admin keys and accounts only (403 otherwise): employer search
// and the review queue with both sides, API keys, people's accounts, notice recipients, dead letters, queue depth and
// inbox lag, and re-sending a notice. Each does what its `ledger` command does, through the same use cases.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { auditActorOf } from '../audit-actor.ts';
import { z } from 'zod';
import { QUEUES } from '../../../jobs/catalogue.ts';
import { findEmployers, reviewQueueWithSides } from '../../../shared/use-cases/employer-lookup.ts';
import {
  accountOptionsOf,
  createUser,
  disableUser,
  listAllUsers,
  PasswordRefusedError,
  resetPassword,
  UnknownUserError,
  UserInputError,
  UserNameTakenError,
} from '../../../shared/use-cases/manage-users.ts';
import {
  addRecipientChecked,
  createKeyClient,
  listDeadLetterViews,
  listKeyClients,
  listRecipientViews,
  OperationError,
  prepareResend,
  removeRecipientChecked,
  replayDeadLetter,
  revokeKeyClient,
} from '../../../shared/use-cases/operations.ts';
import { badRequest, conflict, notFound, passwordRefused } from '../problem.ts';
import { parseInput, requireAdmin, requireSecurity, requireGrantableScope } from './console-input.ts';
import * as R from './console-responses.ts';
import type { ApiDeps, RouteModule } from './route.ts';
import { countAcceptedInboxEvents, oldestAcceptedAgeSeconds } from '../../../shared/use-cases/inbox-state.ts';

const id = z.coerce
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);
const idParams = z.object({ id });
const empty = z.object({}).strict();
const flag = z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true');

const employerQuery = z.object({
  q: z.string().trim().max(200).optional(),
  status: z.enum(['active', 'provisional', 'merged']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
const reviewQuery = z.object({
  status: z.enum(['pending', 'confirmed', 'rejected']).default('pending'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).default(0),
});
const clientBody = z.object({ name: z.string().min(1).max(200), scope: z.string().min(1).max(100) }).strict();
const userBody = z
  .object({
    name: z.string().min(1).max(100),
    scope: z.string().min(1).max(100),
    email: z.string().max(320).nullable().optional(),
  })
  .strict();
const recipientBody = z.union([
  z.object({ scope: z.string(), email: z.string().max(320) }).strict(),
  z
    .object({
      scope: z.string(),
      webhook: z.string().max(2000),
      secret: z.string().min(1).max(500).optional(),
      format: z.enum(['json', 'wecom', 'dingtalk']).optional(),
    })
    .strict(),
]);
const recipientQuery = z.object({
  scope: z.string().optional(),
  all: flag.optional(),
});
const resendBody = z.object({ recipientId: id.optional() }).strict();

/** Use-case refusals as problems: bad input 400 (at its field), unknown 404, state 409. */
function translate(err: unknown): never {
  if (err instanceof OperationError) {
    if (err.status === 404) throw notFound(err.message);
    if (err.status === 409) throw conflict(err.message);
    throw badRequest(err.message, err.field ? [{ path: `/${err.field}`, message: err.message }] : undefined);
  }
  if (err instanceof PasswordRefusedError) throw passwordRefused(err);
  if (err instanceof UserInputError) throw badRequest(err.message, [{ path: `/${err.field}`, message: err.message }]);
  if (err instanceof UserNameTakenError) throw conflict(err.message);
  if (err instanceof UnknownUserError) throw notFound(err.message);
  throw err;
}

const TIMEOUT_MS = 2000;
const withTimeout = <T>(p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('Redis did not answer in time')), TIMEOUT_MS).unref(),
    ),
  ]);

const tags = ['operations (admin)'];

export const operationsRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db, producer, config } = deps;
  const accountOptions = (request: FastifyRequest) => accountOptionsOf(config, { actor: auditActorOf(request) });
  const admin = async (request: FastifyRequest) => requireAdmin(request);
  // 三员分立: accounts and keys are the security administrator's, not the system administrator's.
  const security = async (request: FastifyRequest) => requireSecurity(request);

  // ── Employers ───────────────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/v1/admin/employers',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Search employers by name (any spelling) or credit code, one page at a time',
        response: R.employerSearchAnswer,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string' },
            status: { type: 'string', description: 'active | provisional | merged (default: all but merged)' },
            page: { type: 'string' },
            pageSize: { type: 'string', description: '1-100 (20)' },
          },
        },
      },
    },
    async (request) => findEmployers(db, parseInput(employerQuery, request.query, 'query')),
  );

  app.get(
    '/v1/admin/employers/review/sides',
    {
      preHandler: admin,
      schema: {
        tags,
        summary:
          'The employer review queue with both sides of each review: the provisional employer and its candidate (names, codes, spellings, visits)',
        response: R.reviewSidesAnswer,
      },
    },
    async (request) => {
      const q = parseInput(reviewQuery, request.query, 'query');
      return { reviews: await reviewQueueWithSides(db, q.status, q.limit, q.after) };
    },
  );

  // ── API keys ────────────────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/v1/admin/clients',
    { preHandler: security, schema: { tags, summary: 'API clients (never their keys)', response: R.clientsAnswer } },
    async () => ({
      clients: await listKeyClients(db),
    }),
  );

  app.post(
    '/v1/admin/clients',
    {
      preHandler: security,
      schema: { tags, summary: 'Make an API key: shown in this answer only', response: R.newClientAnswer },
    },
    async (request, reply) => {
      const body = parseInput(clientBody, request.body, 'body');
      requireGrantableScope(body.scope);
      const made = await createKeyClient(db, body, auditActorOf(request)).catch(translate);
      request.log.info({ clientId: made.id, scope: made.scope }, 'API key made from the console');
      return reply.code(201).send(made);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/admin/clients/:id/revoke',
    {
      preHandler: security,
      schema: {
        tags,
        summary: 'Revoke an API key (stops within API_KEY_CACHE_SECONDS)',
        response: R.revokedClientAnswer,
      },
    },
    async (request) => {
      const { id: clientId } = parseInput(idParams, request.params, 'path');
      parseInput(empty, request.body, 'body');
      return revokeKeyClient(db, clientId, auditActorOf(request)).catch(translate);
    },
  );

  // ── People's accounts ───────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/v1/admin/users',
    { preHandler: security, schema: { tags, summary: "People's accounts", response: R.usersAnswer } },
    async () => ({
      users: await listAllUsers(db),
    }),
  );

  app.post(
    '/v1/admin/users',
    {
      preHandler: security,
      schema: {
        tags,
        summary: 'Create an account: its initial password is in this answer only',
        response: R.newUserAnswer,
      },
    },
    async (request, reply: FastifyReply) => {
      const body = parseInput(userBody, request.body, 'body');
      requireGrantableScope(body.scope);
      const made = await createUser(
        db,
        { name: body.name, scope: body.scope, email: body.email ?? null },
        accountOptions(request),
      ).catch(translate);
      return reply.code(201).send(made);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/admin/users/:id/disable',
    {
      preHandler: security,
      schema: { tags, summary: 'Disable an account; its sessions end at once', response: R.disabledUserAnswer },
    },
    async (request) => {
      const { id: userId } = parseInput(idParams, request.params, 'path');
      parseInput(empty, request.body, 'body');
      const { user } = await disableUser(db, { id: userId }, accountOptions(request)).catch(translate);
      return { user };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/admin/users/:id/reset-password',
    {
      preHandler: security,
      schema: {
        tags,
        summary: 'Give an account a new password (in this answer only); ends its sessions',
        response: R.passwordResetAnswer,
      },
    },
    async (request) => {
      const { id: userId } = parseInput(idParams, request.params, 'path');
      parseInput(empty, request.body, 'body');
      return resetPassword(db, { id: userId }, undefined, accountOptions(request)).catch(translate);
    },
  );

  // ── Notice recipients ───────────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/v1/admin/recipients',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Notice recipients: secrets only as hasSecret, webhook tokens masked',
        response: R.recipientsAnswer,
      },
    },
    async (request) => {
      const q = parseInput(recipientQuery, request.query, 'query');
      return { recipients: await listRecipientViews(db, { scope: q.scope, includeRemoved: q.all ?? false }) };
    },
  );

  app.post(
    '/v1/admin/recipients',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Add a notice recipient (e-mail or webhook); the same one again updates it',
        response: R.recipientAnswer,
      },
    },
    async (request, reply) => {
      const body = parseInput(recipientBody, request.body, 'body');
      // A person adds from afar: the webhook must be public, unless the operator allow-listed its host.
      const { created, recipient } = await addRecipientChecked(db, body, auditActorOf(request), {
        publicOnly: true,
        allowedHosts: config.WEBHOOK_ALLOWED_HOSTS,
      }).catch(translate);
      return reply.code(created ? 201 : 200).send({ recipient });
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/admin/recipients/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Stop sending notices to a recipient (its past deliveries stay)',
        response: R.removedRecipientAnswer,
      },
    },
    async (request) => {
      const { id: recipientId } = parseInput(idParams, request.params, 'path');
      return removeRecipientChecked(db, recipientId, auditActorOf(request)).catch(translate);
    },
  );

  // ── Dead letters and queues ─────────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/v1/admin/dead-letters',
    {
      preHandler: admin,
      schema: { tags, summary: 'Visit events that failed permanently, newest first', response: R.deadLettersAnswer },
    },
    async (request) => {
      const q = parseInput(z.object({ all: flag.optional() }), request.query, 'query');
      return { deadLetters: await listDeadLetterViews(db, q.all ?? false) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/admin/dead-letters/:id/replay',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Put a dead-lettered event back in the inbox and queue it',
        response: R.replayAnswer,
      },
    },
    async (request) => {
      const { id: letterId } = parseInput(idParams, request.params, 'path');
      parseInput(empty, request.body, 'body');
      const inboxIds = await replayDeadLetter(db, letterId, auditActorOf(request)).catch(translate);
      // The inbox is updated: should the queue not answer, the sweeper redelivers within INBOX_REDELIVERY_SECONDS.
      const enqueued = await withTimeout(producer.redeliverVisitEvents(inboxIds)).then(
        () => true,
        () => false,
      );
      return { replayed: [letterId], inboxIds, enqueued };
    },
  );

  app.get(
    '/v1/admin/queues',
    {
      preHandler: admin,
      schema: { tags, summary: 'Jobs per queue by state, and the inbox lag', response: R.queuesAnswer },
    },
    async () => {
      const [queues, accepted, lagSeconds] = await Promise.all([
        Promise.all(
          Object.values(QUEUES).map(async (name) => ({
            name,
            ...(await withTimeout(
              producer.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
            )),
          })),
        ).then(
          (q) => ({ redis: 'up' as const, queues: q }),
          () => ({ redis: 'down' as const, queues: [] }),
        ),
        countAcceptedInboxEvents(db),
        oldestAcceptedAgeSeconds(db),
      ]);
      return { ...queues, inbox: { accepted, lagSeconds: Math.round(lagSeconds) }, boardUrl: '/admin/queues' };
    },
  );

  // ── Notices ─────────────────────────────────────────────────────────────────────────────────────────────────────
  app.post<{ Params: { id: string } }>(
    '/v1/notices/:id/resend',
    {
      preHandler: admin,
      schema: {
        tags: ['notices'],
        summary: 'Send a notice again to every active recipient of its scope, or to one (admin)',
        response: R.resendAnswer,
      },
    },
    async (request, reply) => {
      const { id: noticeId } = parseInput(idParams, request.params, 'path');
      const body = parseInput(resendBody, request.body, 'body');
      const deliveryIds = await prepareResend(db, noticeId, body.recipientId, auditActorOf(request)).catch(translate);
      const queued = await withTimeout(producer.enqueueDeliveries(deliveryIds, { replace: true })).then(
        () => true,
        () => false,
      );
      return reply.code(202).send({ noticeId, deliveryIds, queued });
    },
  );
};
