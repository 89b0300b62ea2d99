// GET /v1/campaigns/{id}/rankings (CONTRACT.md) and GET /v1/campaigns/{id}/universities/{code}/progress: live figures
// as of a date (default: today in SCHEDULE_TIMEZONE, Asia/Shanghai), through the same services as snapshots and the CLI.
import type { FastifyInstance } from 'fastify';
import { dateIn, isDate } from '../../../shared/domain/periods.ts';
import { mayReadScope, mayReadUniversity, parseRankingScope } from '../../../shared/domain/scope.ts';
import {
  universityProgress,
  UnknownProvinceError,
  UnknownUniversityError,
} from '../../../shared/use-cases/compute-rankings.ts';
import { consoleRanking } from '../../../shared/use-cases/console-views.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';
import { readsOf, type ApiDeps, type RouteModule } from './route.ts';
import { findUniversityScopeFacts } from '../../../shared/use-cases/reference-data.ts';

interface RankingQuery {
  scope?: string;
  asOf?: string;
  /** `1`: rank changes since the latest weekly snapshot before asOf; `1` (withFlags): university kinds (console). */
  withChanges?: string;
  withFlags?: string;
}

const isOn = (flag: string | undefined) => flag === '1' || flag === 'true';

function asOfOf(query: RankingQuery, timeZone: string): string {
  if (query.asOf === undefined) return dateIn(new Date(), timeZone);
  if (!isDate(query.asOf))
    throw badRequest('asOf must be a calendar date YYYY-MM-DD', [
      { path: '/asOf', message: `${JSON.stringify(query.asOf)} is not a date YYYY-MM-DD` },
    ]);
  return query.asOf;
}

function translate(err: unknown): never {
  // An unknown campaign (UnknownCampaignError) is answered 404 by the app's error handler, like on every route.
  if (err instanceof UnknownUniversityError) throw notFound(err.message);
  if (err instanceof UnknownProvinceError) throw badRequest(err.message, [{ path: '/scope', message: err.message }]);
  throw err;
}

export const rankingRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { config } = deps;
  const db = readsOf(deps);

  app.get<{ Params: { id: string }; Querystring: RankingQuery }>(
    '/v1/campaigns/:id/rankings',
    {
      schema: {
        summary:
          'Ranking of a scope as of a date: universities nationally, in a reporting unit (a province or 兵团) or the central ones (部属 and 部省合建), or the 32 reporting units',
        querystring: {
          type: 'object',
          properties: {
            scope: {
              type: 'string',
              description:
                'national | provinces | central | province:CODE | bingtuan (= province:660000) (default: national; a province or 兵团 key: its own unit; a central key: central)',
            },
            asOf: { type: 'string', description: 'YYYY-MM-DD, default today (Asia/Shanghai)' },
            withChanges: {
              type: 'string',
              description: '1: each row gets rankChange since the latest weekly snapshot before asOf (changesSince)',
            },
            withFlags: {
              type: 'string',
              description: '1: each university row gets flags {newUndergrad, vocational, belowAveragePlacement}',
            },
          },
        },
      },
    },
    async (request) => {
      const client = request.client;
      const text =
        request.query.scope ??
        (client.scope.kind === 'province'
          ? `province:${client.scope.provinceCode}`
          : client.scope.kind === 'central'
            ? 'central'
            : 'national');
      const scope = parseRankingScope(text);
      if (!scope)
        throw badRequest('scope must be national, provinces, central, province:CODE (6 digits) or bingtuan', [
          { path: '/scope', message: `${JSON.stringify(text)} is not a scope` },
        ]);
      if (!mayReadScope(client.scope, scope)) throw forbidden(`scope ${scope} is outside this key's scope`);
      const asOf = asOfOf(request.query, config.SCHEDULE_TIMEZONE);
      const { withChanges, withFlags } = request.query;
      return consoleRanking(db, request.params.id, scope, asOf, {
        withChanges: isOn(withChanges),
        withFlags: isOn(withFlags),
      }).catch(translate);
    },
  );

  app.get<{ Params: { id: string; code: string }; Querystring: { asOf?: string } }>(
    '/v1/campaigns/:id/universities/:code/progress',
    {
      schema: {
        summary: "A university's measures, targets, rank within its province and latest visits as of a date",
        querystring: {
          type: 'object',
          properties: { asOf: { type: 'string', description: 'YYYY-MM-DD, default today (Asia/Shanghai)' } },
        },
      },
    },
    async (request) => {
      const { id, code } = request.params;
      const facts = await findUniversityScopeFacts(db, code);
      if (facts === undefined) throw notFound(`university ${code} does not exist`);
      if (!mayReadUniversity(request.client.scope, facts))
        throw forbidden(`university ${code} is outside this key's scope`);
      const asOf = asOfOf(request.query, config.SCHEDULE_TIMEZONE);
      return universityProgress(db, id, code, facts.provinceCode, asOf).catch(translate);
    },
  );
};
