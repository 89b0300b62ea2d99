// The notice archive: GET /v1/campaigns/{id}/notices?period=P (the notices a key may read) and GET /v1/notices/{id}
// (JSON with every text form, or one form by ?format= or Accept: html, md, text, png, the ledger as .xlsx, streamed
// from the visits, and the notice as an official document, .docx or .pdf). Scoped like rankings: national/admin keys read all, a province key (兵团's too) its unit's, a central key the
// central notice.
// An .xlsx export holds a database cursor and a connection for as long as the client reads (seconds for a national
// ledger), so at most EXPORT_CONCURRENCY of them run at once per process; beyond, 429 with Retry-After.
import { PassThrough } from 'node:stream';
import { recordAudit } from '../../../shared/use-cases/audit.ts';
import { auditActorOf } from '../audit-actor.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parsePeriod } from '../../../shared/domain/periods.ts';
import { mayReadScope, type ClientScope } from '../../../shared/domain/scope.ts';
import { ledgerFileName, writeNoticeLedger } from '../../../shared/use-cases/generate-notices.ts';
import { chartDataUri, htmlWithChart } from '../../../shared/domain/notices/render-html.ts';
import { DOCUMENT_TYPES, noticeDocument } from '../../../shared/use-cases/notice-documents.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { SUMMARY_PERIOD } from '../../../shared/domain/notices/summary-block.ts';
import { exportSlots } from '../export-slots.ts';
import { badRequest, forbidden, notFound } from '../problem.ts';
import { readsOf, type ApiDeps, type RouteModule } from './route.ts';
import { getNotice, listNotices, noticeKindOf } from '../../../shared/use-cases/notices.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const FORMATS = ['json', 'html', 'md', 'text', 'png', 'xlsx', 'docx', 'pdf'] as const;
type Format = (typeof FORMATS)[number];

/** `?format=` wins; otherwise the first Accept type we serve; otherwise JSON. */
function formatOf(query: string | undefined, accept: string | undefined): Format {
  if (query !== undefined) {
    if ((FORMATS as readonly string[]).includes(query)) return query as Format;
    throw badRequest(`format must be one of ${FORMATS.join(', ')}`, [
      { path: '/format', message: `${JSON.stringify(query)} is not a format` },
    ]);
  }
  const byType: Array<[string, Format]> = [
    ['text/html', 'html'],
    ['text/markdown', 'md'],
    ['text/plain', 'text'],
    ['image/png', 'png'],
    [XLSX_TYPE, 'xlsx'],
    [DOCUMENT_TYPES.docx, 'docx'],
    [DOCUMENT_TYPES.pdf, 'pdf'],
    ['application/json', 'json'],
  ];
  for (const part of (accept ?? '').split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase();
    const hit = byType.find(([t]) => t === type);
    if (hit) return hit[1];
  }
  return 'json';
}

/** Notice scopes a key may read, or null for all. */
function readableScopes(scope: ClientScope): string[] | null {
  switch (scope.kind) {
    case 'national':
    case 'admin':
      return null;
    case 'province':
      return [`province:${scope.provinceCode}`];
    case 'central':
      return ['central'];
    case 'university':
      throw forbidden('notices are for national and province keys: a university key cannot read them');
    case 'security':
    case 'auditor':
      throw forbidden('notices are for national and province keys: a security or auditor account reads none');
  }
}

function attachment(reply: FastifyReply, fileName: string, fallback: string): void {
  reply.header(
    'content-disposition',
    `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
  );
}

export const noticeRoutes: RouteModule = (app: FastifyInstance, deps: ApiDeps) => {
  const { log, config } = deps;
  const documentSettings = { issuersFile: config.NOTICE_ISSUERS_FILE, fontDir: config.NOTICE_FONT_DIR };
  const db = readsOf(deps);
  const exports = exportSlots(deps);

  app.get<{ Params: { id: string }; Querystring: { period?: string; kind?: string } }>(
    '/v1/campaigns/:id/notices',
    {
      schema: {
        summary: 'Notices (定期通报) of a campaign that this key may read, newest period first',
        querystring: {
          type: 'object',
          properties: {
            period: { type: 'string', description: 'only this period: 2022-W14, 2022-04, or summary' },
            kind: {
              type: 'string',
              enum: ['periodic', 'summary'],
              description: 'only periodic notices (定期通报) or only the campaign summary (总结)',
            },
          },
        },
      },
    },
    async (request) => {
      const scopes = readableScopes(request.client.scope);
      const { period, kind } = request.query;
      if (period !== undefined && period !== SUMMARY_PERIOD && !parsePeriod(period))
        throw badRequest('period must be an ISO week like 2022-W14, a month like 2022-04, or summary', [
          { path: '/period', message: `${JSON.stringify(period)} is not a period` },
        ]);
      const campaign = await findCampaignOrFail(db, request.params.id); // 404 when unknown (app.ts)
      if (kind !== undefined && kind !== 'periodic' && kind !== 'summary')
        throw badRequest('kind must be periodic or summary', [{ path: '/kind', message: JSON.stringify(kind) }]);
      const rows = await listNotices(db, {
        campaignId: campaign.id,
        period,
        ...(kind ? { kind } : {}),
        ...(scopes ? { scopes } : {}),
      });
      return {
        campaignId: campaign.id,
        ...(period ? { period } : {}),
        notices: rows.map((n) => ({
          ...n,
          links: Object.fromEntries(
            ['html', 'md', 'text', 'xlsx', 'docx', 'pdf'].map((f) => [f, `/v1/notices/${n.id}?format=${f}`]),
          ),
        })),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { format?: string } }>(
    '/v1/notices/:id',
    {
      schema: {
        summary:
          'One notice: JSON with html, markdown and text, or one form (?format=html|md|text|png|xlsx|docx|pdf or by Accept); docx and pdf are the notice as an official document (公文)',
        querystring: { type: 'object', properties: { format: { type: 'string', enum: [...FORMATS] } } },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      const notice = Number.isSafeInteger(id) && id > 0 ? await getNotice(db, id) : undefined;
      if (!notice)
        throw notFound(`notice ${request.params.id} does not exist: list them with GET /v1/campaigns/{id}/notices`);
      readableScopes(request.client.scope);
      if (!mayReadScope(request.client.scope, notice.scope))
        throw forbidden(`notice ${notice.id} (${notice.scope}) is outside this key's scope`);
      const format = formatOf(request.query.format, request.headers.accept);
      // Outside a mail the chart cannot be a CID part: the archive's HTML carries it as a data: URI.
      const html = () => htmlWithChart(notice.html, chartDataUri(notice.chartPng));
      switch (format) {
        case 'html':
          return reply.type('text/html; charset=utf-8').send(html());
        case 'md':
          return reply.type('text/markdown; charset=utf-8').send(notice.markdown);
        case 'text':
          return reply.type('text/plain; charset=utf-8').send(notice.text);
        case 'png':
          return reply.type('image/png').send(notice.chartPng);
        case 'xlsx': {
          // The slot is held until the response is over: sent, or its connection closed by a client that gave up.
          // A ledger names people (leaders, staff): who took it is recorded before it leaves.
          exports.take(reply, `client:${request.client.id}`);
          await recordAudit(db, {
            actor: auditActorOf(request),
            action: 'exports.notice-ledger',
            target: `notice:${notice.id}`,
            result: 'ok',
            detail: { scope: notice.scope, period: notice.period, format: 'xlsx' },
          });
          const stream = new PassThrough();
          writeNoticeLedger(db, notice, stream).catch((err: unknown) => {
            log.warn({ noticeId: notice.id, err: (err as Error).message }, 'ledger stream failed');
            stream.destroy(err as Error);
          });
          attachment(reply, ledgerFileName(notice), `ledger-${notice.id}.xlsx`);
          return reply.type(XLSX_TYPE).send(stream);
        }
        case 'docx':
        case 'pdf': {
          const doc = await noticeDocument(notice, format, documentSettings);
          attachment(reply, doc.fileName, doc.fallbackName);
          return reply.type(doc.contentType).send(doc.body);
        }
        case 'json':
          return {
            id: notice.id,
            campaignId: notice.campaignId,
            kind: noticeKindOf(notice.period),
            period: notice.period,
            scope: notice.scope,
            asOf: notice.asOf,
            subject: notice.subject,
            createdAt: notice.createdAt,
            updatedAt: notice.updatedAt,
            html: html(),
            markdown: notice.markdown,
            text: notice.text,
            model: notice.model,
          };
      }
    },
  );
};
