// What the console reads (docs/console-api.md): campaigns, a scope's overview and weekly trend, a university's visits
// ledger and leader tally. Scoped like the rankings and progress: national/admin read all, a province its own, a
// university its own university (403 otherwise, before anything is read).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { dateIn, isDate } from '../../../shared/domain/periods.ts';
import { mayReadScope, mayReadUniversity, parseRankingScope } from '../../../shared/domain/scope.ts';
import { UnknownProvinceError } from '../../../shared/use-cases/compute-rankings.ts';
import {
  campaignOverview,
  campaignSummaries,
  campaignTrend,
  universityLeaders,
  universityVisits,
  type OverviewScope,
} from '../../../shared/use-cases/console-views.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';
import { parseInput } from './console-input.ts';
import { campaignsAnswer, leadersAnswer, overviewAnswer, trendAnswer, visitsAnswer } from './console-responses.ts';
import { readsOf, type ApiDeps, type RouteModule } from './route.ts';
import { findUniversityScopeFacts } from '../../../shared/use-cases/reference-data.ts';

const asOfQuery = z.object({
  asOf: z.string().refine(isDate, { error: 'must be a calendar date YYYY-MM-DD' }).optional(),
});
const scopeQuery = asOfQuery.extend({
  scope: z
    .string()
    .regex(/^(national|province:\d{6}|bingtuan)$/, { error: 'must be national, province:CODE (6 digits) or bingtuan' })
    .transform((s) => parseRankingScope(s) ?? s)
    .optional(),
});
const visitsQuery = z.object({
  q: z.string().trim().max(200).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM' })
    .optional(),
  mode: z.enum(['onsite', 'invited', 'online']).optional(),
  leader: z.string().trim().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

/** The scope asked for, or the caller's own: a province caller's province, else national; 403 outside it. */
function scopeOf(request: FastifyRequest, asked: string | undefined): OverviewScope {
  const client = request.client.scope;
  if (client.kind === 'university') throw forbidden('overviews are for national, admin and province callers');
  const scope = (asked ??
    (client.kind === 'province' ? `province:${client.provinceCode}` : 'national')) as OverviewScope;
  if (!mayReadScope(client, scope)) throw forbidden(`scope ${scope} is outside this caller's scope`);
  // The overviews are national or a reporting unit's; the central universities' figures are their ranking.
  if ((scope as string) === 'central')
    throw badRequest('the central universities have no overview: read GET /v1/campaigns/{id}/rankings?scope=central', [
      { path: '/scope', message: 'central is not an overview scope' },
    ]);
  return scope;
}

/** The university's reporting unit after checking the caller covers it (404 unknown, 403 outside the scope). */
async function coveredUniversity(deps: ApiDeps, request: FastifyRequest, code: string): Promise<string> {
  const facts = await findUniversityScopeFacts(readsOf(deps), code);
  if (facts === undefined) throw notFound(`university ${code} does not exist`);
  if (!mayReadUniversity(request.client.scope, facts))
    throw forbidden(`university ${code} is outside this caller's scope`);
  return facts.provinceCode;
}

const unknownProvince = (err: unknown): never => {
  if (err instanceof UnknownProvinceError) throw badRequest(err.message, [{ path: '/scope', message: err.message }]);
  throw err;
};

const tags = ['console'];

export const consoleRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { config } = deps;
  const db = readsOf(deps);
  const today = () => dateIn(new Date(), config.SCHEDULE_TIMEZONE);

  app.get(
    '/v1/campaigns',
    {
      schema: {
        tags,
        summary: 'Every campaign: id, name, dates, plan deadline (newest first)',
        response: campaignsAnswer,
      },
    },
    async () => ({ campaigns: await campaignSummaries(db) }),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id/overview',
    {
      schema: {
        tags,
        summary:
          'Head figures of the campaign nationally or in a province: visits, employers, positions, universities meeting targets and behind, expected vs mean completion, plans filed',
        response: overviewAnswer,
        querystring: {
          type: 'object',
          properties: {
            scope: { type: 'string', description: 'national | province:CODE (default: national; a province: its own)' },
            asOf: { type: 'string', description: 'YYYY-MM-DD, default today (Asia/Shanghai)' },
          },
        },
      },
    },
    async (request) => {
      const q = parseInput(scopeQuery, request.query, 'query');
      const scope = scopeOf(request, q.scope);
      return campaignOverview(db, request.params.id, scope, q.asOf ?? today()).catch(unknownProvince);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id/trend',
    {
      schema: {
        tags,
        summary: 'Completion by week (share meeting targets, mean completion) from the stored weekly snapshots',
        response: trendAnswer,
        querystring: {
          type: 'object',
          properties: { scope: { type: 'string', description: 'national | province:CODE' } },
        },
      },
    },
    async (request) => {
      const q = parseInput(scopeQuery, request.query, 'query');
      return campaignTrend(db, request.params.id, scopeOf(request, q.scope));
    },
  );

  app.get<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/visits',
    {
      schema: {
        tags,
        summary: "A university's visits ledger, newest first, searched and filtered, one page at a time",
        response: visitsAnswer,
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', description: 'substring of employer name, credit code, ref or notes' },
            month: { type: 'string', description: 'YYYY-MM' },
            mode: { type: 'string', description: 'onsite | invited | online' },
            leader: { type: 'string', description: "a leader's name, exactly" },
            page: { type: 'string', description: '1-based page (1)' },
            pageSize: { type: 'string', description: '1-200 (20)' },
          },
        },
      },
    },
    async (request) => {
      const q = parseInput(visitsQuery, request.query, 'query');
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      const { page, pageSize, ...filter } = q;
      return universityVisits(db, { campaignId: id, universityCode: code, ...filter }, page, pageSize);
    },
  );

  app.get<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/leaders',
    {
      schema: {
        tags,
        summary:
          "A university's tally per leader (任务到人): roster leaders (with zeros) and names not on the roster (onRoster false), each with visits, employers visited, new employers, positions; and the team: roster size, leaders with a visit, coverage, leaders without",
        response: leadersAnswer,
        querystring: {
          type: 'object',
          properties: { asOf: { type: 'string', description: 'YYYY-MM-DD, default today (Asia/Shanghai)' } },
        },
      },
    },
    async (request) => {
      const q = parseInput(asOfQuery, request.query, 'query');
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      return universityLeaders(db, id, code, q.asOf ?? today());
    },
  );
};
