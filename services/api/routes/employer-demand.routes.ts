// GET /v1/campaigns/{id}/employer-demand: the demand ledger (用人单位需求台账 / 重点单位数据库) of a scope, as paged JSON
// or the whole ledger as .xlsx (?format=xlsx or Accept), streamed under the same export limit as the notices' ledger.
// Scoped like rankings: national/admin keys read any scope, a province key its own province.
import { PassThrough } from 'node:stream';
import { recordAudit } from '../../../shared/use-cases/audit.ts';
import { auditActorOf } from '../audit-actor.ts';
import type { FastifyInstance } from 'fastify';
import { DEMAND_ORDERS, type DemandOrder } from '../../../shared/domain/employer-demand.ts';
import { isDate } from '../../../shared/domain/periods.ts';
import { mayReadScope } from '../../../shared/domain/scope.ts';
import {
  DemandScopeError,
  demandFileName,
  demandFilter,
  exportEmployerDemand,
  readEmployerDemand,
} from '../../../shared/use-cases/employer-demand.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { exportSlots } from '../export-slots.ts';
import { badRequest, forbidden } from '../problem.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_PAGE_SIZE = 500;

interface DemandQuerystring {
  scope?: string;
  asOf?: string;
  sort?: string;
  page?: string;
  pageSize?: string;
  format?: string;
}

function positive(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max)
    throw badRequest(`${name} must be a whole number from 1 to ${max}`, [
      { path: `/${name}`, message: `${JSON.stringify(text)} is not from 1 to ${max}` },
    ]);
  return n;
}

export const employerDemandRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db, log } = deps;
  const exports = exportSlots(deps);

  app.get<{ Params: { id: string }; Querystring: DemandQuerystring }>(
    '/v1/campaigns/:id/employer-demand',
    {
      schema: {
        summary:
          'Demand ledger (用人单位需求台账): per employer, positions, new positions, hired, majors, universities and dates; paged JSON or .xlsx',
        querystring: {
          type: 'object',
          properties: {
            scope: {
              type: 'string',
              description: 'national | province:CODE (default: national; a province key: its own province)',
            },
            asOf: { type: 'string', description: 'YYYY-MM-DD: visits dated up to it (default: the whole campaign)' },
            sort: { type: 'string', enum: [...DEMAND_ORDERS], description: 'positions (default) or hired' },
            page: { type: 'string', description: 'page number, from 1 (JSON)' },
            pageSize: { type: 'string', description: `rows per page, 1 to ${MAX_PAGE_SIZE}, default 50 (JSON)` },
            format: { type: 'string', enum: ['json', 'xlsx'], description: 'or by Accept; xlsx: the whole ledger' },
          },
        },
      },
    },
    async (request, reply) => {
      const client = request.client;
      const q = request.query;
      const scope =
        q.scope ?? (client.scope.kind === 'province' ? `province:${client.scope.provinceCode}` : 'national');
      try {
        demandFilter(scope);
      } catch (err) {
        if (err instanceof DemandScopeError)
          throw badRequest(err.message, [{ path: '/scope', message: `${JSON.stringify(scope)} is not a scope` }]);
        throw err;
      }
      if (!mayReadScope(client.scope, scope)) throw forbidden(`scope ${scope} is outside this key's scope`);
      if (q.asOf !== undefined && !isDate(q.asOf))
        throw badRequest('asOf must be a date YYYY-MM-DD', [{ path: '/asOf', message: `${JSON.stringify(q.asOf)}` }]);
      if (q.sort !== undefined && !(DEMAND_ORDERS as readonly string[]).includes(q.sort))
        throw badRequest('sort must be positions or hired', [{ path: '/sort', message: JSON.stringify(q.sort) }]);
      if (q.format !== undefined && q.format !== 'json' && q.format !== 'xlsx')
        throw badRequest('format must be json or xlsx', [{ path: '/format', message: JSON.stringify(q.format) }]);
      const accept = (request.headers.accept ?? '').split(',').map((p) => p.split(';')[0]!.trim().toLowerCase());
      const xlsx = q.format === 'xlsx' || (q.format === undefined && accept.includes(XLSX_TYPE));
      const page = positive('page', q.page, 1, 1_000_000);
      const pageSize = positive('pageSize', q.pageSize, 50, MAX_PAGE_SIZE);
      const campaign = await findCampaignOrFail(db, request.params.id); // 404 when unknown (app.ts)

      if (!xlsx)
        return readEmployerDemand(db, {
          campaignId: campaign.id,
          scope,
          asOf: q.asOf,
          order: (q.sort ?? 'positions') as DemandOrder,
          page,
          pageSize,
        });

      exports.take(reply, `client:${request.client.id}`);
      await recordAudit(db, {
        actor: auditActorOf(request),
        action: 'exports.employer-demand',
        target: `campaign:${campaign.id}`,
        result: 'ok',
        detail: { scope, asOf: q.asOf ?? null, format: 'xlsx' },
      });
      const stream = new PassThrough();
      exportEmployerDemand(db, { campaignId: campaign.id, scope, asOf: q.asOf }, stream).catch((err: unknown) => {
        log.warn({ campaignId: campaign.id, scope, err: (err as Error).message }, 'demand ledger stream failed');
        stream.destroy(err as Error);
      });
      const name = demandFileName(campaign.id, scope);
      reply.header(
        'content-disposition',
        `attachment; filename="employer-demand-${campaign.id}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      return reply.type(XLSX_TYPE).send(stream);
    },
  );
};
