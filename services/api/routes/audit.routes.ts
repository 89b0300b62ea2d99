// The audit trail (审计日志) for the auditor: GET /v1/audit pages the entries newest first, GET /v1/audit.csv exports
// them. Only the `auditor` scope reads it (三员分立): not the system administrator, whose own actions it records.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditCsv } from '../../../shared/domain/audit-export.ts';
import { eachAuditEntry, listAudit, type AuditFilter } from '../../../shared/use-cases/audit.ts';
import { forbidden } from '../problem.ts';
import { parseInput } from './console-input.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const instant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/, 'must be an ISO 8601 date or time, e.g. 2022-04-01T08:00:00+08:00')
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()), 'must be an ISO 8601 date or time');

const query = z.object({
  since: instant.optional(),
  until: instant.optional(),
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const queryDoc = {
  type: 'object',
  properties: {
    since: { type: 'string', description: 'entries at or after this instant (ISO 8601)' },
    until: { type: 'string', description: 'entries before this instant (ISO 8601)' },
    actor: { type: 'string', description: 'the actor’s recorded name (account, key or system)' },
    action: { type: 'string', description: 'an action or its prefix: recipients, recipients.add' },
    before: { type: 'string', description: 'page on: entries with a seq below this (the previous page’s nextBefore)' },
    limit: { type: 'string', description: '1-500 (100)' },
  },
} as const;

const json = {} as const; // before, after and detail are whatever the action recorded
const entrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    actor: {
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['user', 'key', 'system', 'anonymous'] },
        clientId: { type: ['integer', 'null'] },
        name: { type: ['string', 'null'] },
        address: { type: ['string', 'null'] },
      },
      required: ['kind', 'clientId', 'name', 'address'],
    },
    action: { type: 'string' },
    target: { type: ['string', 'null'] },
    before: json,
    after: json,
    result: { type: 'string', enum: ['ok', 'denied', 'failed'] },
    detail: json,
    hash: { type: 'string' },
  },
  required: ['seq', 'at', 'actor', 'action', 'target', 'result', 'hash'],
} as const;

function requireAuditor(request: FastifyRequest): void {
  if (request.client.scope.kind !== 'auditor')
    throw forbidden('the audit trail is read by auditor accounts only (三员分立: not by the system administrator)');
}

const filterOf = (q: z.infer<typeof query>): Omit<AuditFilter, 'limit' | 'order'> => ({
  from: q.since,
  to: q.until,
  actorName: q.actor,
  action: q.action,
});

export const auditRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db } = deps;
  const tags = ['audit'];

  app.get(
    '/v1/audit',
    {
      preHandler: async (request) => requireAuditor(request),
      schema: {
        tags,
        summary: 'The audit trail, newest first, one page at a time (auditor only)',
        querystring: queryDoc,
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: entrySchema },
              nextBefore: { type: ['integer', 'null'] },
            },
            required: ['entries', 'nextBefore'],
          },
        },
      },
    },
    async (request) => {
      const q = parseInput(query, request.query, 'query');
      const rows = await listAudit(db, { ...filterOf(q), beforeSeq: q.before, limit: q.limit, order: 'desc' });
      return {
        entries: rows.map(({ prevHash: _p, ...e }) => ({ ...e, at: e.at.toISOString() })),
        nextBefore: rows.length === q.limit ? rows[rows.length - 1]!.seq : null,
      };
    },
  );

  app.get(
    '/v1/audit.csv',
    {
      preHandler: async (request) => requireAuditor(request),
      schema: {
        tags,
        summary: 'The audit trail as CSV (UTF-8 with BOM), oldest first, with the same filters (auditor only)',
        querystring: queryDoc,
      },
    },
    async (request, reply) => {
      const q = parseInput(query, request.query, 'query');
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit.csv"');
      return reply.send(Readable.from(auditCsv(eachAuditEntry(db, filterOf(q)))));
    },
  );
};
