// 任务到人 and universities' 实施方案 (issue 15, points 3 and 4): a university's leadership roster for a campaign
// (read, replaced as a whole) and its plan filing (read, filed or corrected), and the filings of a scope's universities.
// A university key or account works on its own university, a province on its universities, national and admin on all:
// who may submit a university's visits may keep its roster and plan.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audited } from '../../../shared/use-cases/audit.ts';
import { auditActorOf } from '../audit-actor.ts';
import { z } from 'zod';
import { isDate } from '../../../shared/domain/periods.ts';
import { checkDocumentLink, MAX_ROSTER, validateRoster } from '../../../shared/domain/people.ts';
import { mayReadScope, maySubmitFor } from '../../../shared/domain/scope.ts';
import {
  fileUniversityPlanFor,
  putRoster,
  readRoster,
  readUniversityPlan,
  universityPlans,
} from '../../../shared/use-cases/people.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';
import { parseInput } from './console-input.ts';
import type { ApiDeps, RouteModule } from './route.ts';
import { findUniversityProvince } from '../../../shared/use-cases/reference-data.ts';

const tags = ['people'];

const rosterBody = z
  .object({
    leaders: z
      .array(
        z.object({
          name: z.string().max(1000),
          role: z.string().max(100),
          title: z.string().max(1000).nullable().optional(),
        }),
      )
      .max(MAX_ROSTER, { error: `at most ${MAX_ROSTER} leaders` }),
  })
  .strict();

const planBody = z
  .object({
    filedOn: z.string().refine(isDate, { error: 'must be a calendar date YYYY-MM-DD' }),
    link: z.string().max(2000).nullable().optional(),
  })
  .strict();

const scopeQuery = z.object({
  scope: z
    .string()
    .regex(/^(national|province:\d{6})$/, { error: 'must be national or province:CODE (6 digits)' })
    .optional(),
});

const leaderSchema = {
  type: 'object',
  required: ['name', 'role'],
  properties: {
    name: { type: 'string', description: '1-100 characters' },
    role: { type: 'string', description: 'secretary | president | leader (or 党委书记 / 校长 / 校级领导)' },
    title: { type: ['string', 'null'], description: 'optional, e.g. 副校长; up to 100 characters' },
  },
} as const;

/** The university's province after checking the caller covers it (404 unknown, 403 outside the scope). */
async function coveredUniversity(deps: ApiDeps, request: FastifyRequest, code: string): Promise<string> {
  const province = await findUniversityProvince(deps.db, code);
  if (province === undefined) throw notFound(`university ${code} does not exist`);
  if (!maySubmitFor(request.client.scope, code, province))
    throw forbidden(`university ${code} is outside this caller's scope`);
  return province;
}

export const peopleRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { db } = deps;

  app.get<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/roster',
    { schema: { tags, summary: "A university's leadership roster for the campaign (任务到人), in its order" } },
    async (request) => {
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      return readRoster(db, id, code);
    },
  );

  app.put<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/roster',
    {
      schema: {
        tags,
        summary:
          "Replace a university's leadership roster for the campaign as a whole ([] removes it); visits' leader names are matched to it",
        body: {
          type: 'object',
          required: ['leaders'],
          properties: { leaders: { type: 'array', maxItems: MAX_ROSTER, items: leaderSchema } },
        },
      },
    },
    async (request) => {
      const body = parseInput(rosterBody, request.body, 'body');
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      const { leaders, errors } = validateRoster(body.leaders);
      if (errors.length)
        throw badRequest(
          `invalid roster: ${errors.map((e) => `leader ${e.index}: ${e.reason}`).join('; ')}`,
          errors.map((e) => ({ path: `/leaders/${e.index}`, message: e.reason })),
        );
      const stored = await audited(
        db,
        (trx) => putRoster(trx as typeof db, id, code, leaders),
        () => ({
          actor: auditActorOf(request),
          action: 'rosters.replace',
          target: `campaign:${id}/university:${code}`,
          after: { leaders: leaders.length },
          result: 'ok',
        }),
      );
      request.log.info({ campaignId: id, universityCode: code, leaders: leaders.length }, 'roster replaced');
      return stored;
    },
  );

  app.get<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/plan',
    {
      schema: {
        tags,
        summary:
          "A university's implementation plan (实施方案) for the campaign: filed on (null: not filed), link, deadline, late",
      },
    },
    async (request) => {
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      return readUniversityPlan(db, id, code);
    },
  );

  app.put<{ Params: { id: string; code: string } }>(
    '/v1/campaigns/:id/universities/:code/plan',
    {
      schema: {
        tags,
        summary:
          'Record (or correct) the date a university filed its implementation plan, with an optional link to the document',
        body: {
          type: 'object',
          required: ['filedOn'],
          properties: {
            filedOn: { type: 'string', description: 'YYYY-MM-DD' },
            link: { type: ['string', 'null'], description: 'http(s) URL of the document, up to 2000 characters' },
          },
        },
      },
    },
    async (request) => {
      const body = parseInput(planBody, request.body, 'body');
      const { id, code } = request.params;
      await coveredUniversity(deps, request, code);
      let link: string | null = null;
      if (body.link != null && body.link.trim() !== '') {
        const checked = checkDocumentLink(body.link);
        if (!checked)
          throw badRequest('link must be an http or https URL', [
            { path: '/link', message: 'must be an http or https URL' },
          ]);
        link = checked;
      }
      return fileUniversityPlanFor(db, id, code, body.filedOn, link);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/campaigns/:id/university-plans',
    {
      schema: {
        tags,
        summary:
          "Every university of a scope with its implementation plan filing (filed on, link, late) and the campaign's deadline",
        querystring: {
          type: 'object',
          properties: {
            scope: { type: 'string', description: 'national | province:CODE (default: national; a province: its own)' },
          },
        },
      },
    },
    async (request) => {
      const q = parseInput(scopeQuery, request.query, 'query');
      const client = request.client.scope;
      const scope = q.scope ?? (client.kind === 'province' ? `province:${client.provinceCode}` : 'national');
      if (!mayReadScope(client, scope)) throw forbidden(`scope ${scope} is outside this caller's scope`);
      const province = scope.startsWith('province:') ? scope.slice('province:'.length) : null;
      return universityPlans(db, request.params.id, province);
    },
  );
};
