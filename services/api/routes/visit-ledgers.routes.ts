// Spreadsheet ledgers (CONTRACT.md, second wave): GET /v1/visit-ledgers/template.xlsx, POST /v1/visit-ledgers (a
// university's or a province's .xlsx / .csv ledger → row-level answers and an annotated copy), and
// GET /v1/visit-ledgers/{id}/annotated.xlsx (that copy, for the uploader's scope only: written from the kept upload and
// its answers when downloaded, streamed as it is zipped). The rows take the same road as
// POST /v1/visit-events/batch (app.visitEventIngestion): same checks, same inbox, same queue.
// Multipart parsing (@fastify/multipart) is registered inside this module's own plugin context, so no other route
// starts accepting multipart bodies.
import { unsafeCharacter } from '../../../shared/domain/text-safety.ts';
import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../../shared/use-cases/audit.ts';
import { auditActorOf } from '../audit-actor.ts';
import { PassThrough } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatScope } from '../../../shared/domain/scope.ts';
import { LedgerFileError } from '../../../shared/domain/visit-ledger/file-errors.ts';
import { buildLedgerTemplate } from '../../../shared/domain/visit-ledger/template.ts';
import {
  annotatedFileName,
  importVisitLedger,
  LedgerScopeError,
  MAX_LEDGER_BYTES,
  findLedgerUpload,
  keepLedgerUpload,
  RetractionsNotConfirmedError,
  writeAnnotatedLedger,
  type LedgerMode,
} from '../../../shared/use-cases/import-visit-ledger.ts';
import { readLedgerRowsInWorker } from '../../../shared/use-cases/read-ledger-in-worker.ts';
import { badRequest, notFound, Problem } from '../problem.ts';
import { proxyOf } from './visit-events.routes.ts';
import type { ApiDeps, RouteModule } from './route.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** How long an upload is kept for its annotated copy. */
const COPY_DAYS = 7;
/** Uploads read, and annotated copies written, at once per API process: each holds a file (≤ 20 MB) being parsed. */
const UPLOADS_AT_ONCE = 2;
const COPIES_AT_ONCE = 2;

/** A refusal with a machine-readable `code` beside the problem's fields (e.g. `encrypted-workbook`). */
class LedgerProblem extends Problem {
  constructor(
    status: number,
    title: string,
    detail: string,
    readonly code: string,
    headers?: Record<string, string>,
  ) {
    super(status, title, detail, undefined, headers);
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
};
const problem = (status: number, code: string, zh: string, en: string, headers?: Record<string, string>) =>
  new LedgerProblem(status, TITLES[status] ?? 'Error', `${zh} / ${en}`, code, headers);

const TOO_LARGE = () =>
  problem(
    413,
    'too-large',
    `文件超过 ${MAX_LEDGER_BYTES / 2 ** 20} MB：请分成几个文件上交`,
    `the file is over ${MAX_LEDGER_BYTES / 2 ** 20} MB: split it into several files`,
  );

interface UploadForm {
  file?: { bytes: Buffer; name: string };
  fields: Map<string, string>;
}

/** The multipart form (one file, a few short fields) or a raw .xlsx / .csv body with its options in the query. */
async function readForm(request: FastifyRequest): Promise<UploadForm> {
  const fields = new Map<string, string>();
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>))
    if (typeof v === 'string') fields.set(k, v);
  if (Buffer.isBuffer(request.body)) {
    return { file: { bytes: request.body, name: fields.get('fileName') ?? 'ledger' }, fields };
  }
  if (!request.isMultipart())
    throw problem(
      415,
      'not-multipart',
      '请以 multipart/form-data 上传，文件放在字段 file 中（或直接以 .xlsx/.csv 文件作为请求体）',
      'send multipart/form-data with the ledger in the field "file" (or the .xlsx/.csv file itself as the body)',
    );
  const form: UploadForm = { fields };
  try {
    for await (const part of request.parts()) {
      const unsafe = unsafeInPart(part.fieldname, part.type === 'file' ? part.filename : String(part.value ?? ''));
      if (unsafe) {
        if (part.type === 'file') await part.toBuffer();
        throw problem(
          400,
          'bad-form',
          `表单${unsafe.zh}含有不允许的字符`,
          `the form's ${unsafe.en} holds ${unsafe.what}`,
        );
      }
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || form.file) {
          await part.toBuffer(); // drain it: the request goes on to the next part
          throw problem(400, 'bad-form', '只能上传一个文件，字段名为 file', 'send one file, in the field "file"');
        }
        form.file = { bytes: await part.toBuffer(), name: part.filename || 'ledger' };
      } else if (typeof part.value === 'string') fields.set(part.fieldname, part.value);
    }
  } catch (err) {
    if (err instanceof Problem) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw TOO_LARGE();
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw problem(
        400,
        'bad-form',
        '表单字段过多：只需 file、universityCode、mode 等字段',
        'too many form parts: send file and a few fields',
      );
    throw problem(
      400,
      'bad-form',
      `无法读取上传的表单（${(err as Error).message}）`,
      `the multipart body cannot be read (${(err as Error).message})`,
    );
  }
  return form;
}

interface UploadOptions {
  universityCode?: string;
  campaignId?: string;
  mode: LedgerMode;
  dryRun: boolean;
  confirm?: number;
}

function uploadOptions(fields: Map<string, string>): UploadOptions {
  const errors: Array<{ path: string; message: string }> = [];
  const universityCode = fields.get('universityCode')?.trim() || undefined;
  if (universityCode !== undefined && !/^\d{10}$/.test(universityCode))
    errors.push({ path: '/universityCode', message: '高校代码应为 10 位数字 / must be the 10-digit university code' });
  const mode = (fields.get('mode')?.trim() || 'append') as LedgerMode;
  if (mode !== 'append' && mode !== 'whole')
    errors.push({
      path: '/mode',
      message: 'mode 应为 append（追加/更正）或 whole（整本台账） / must be append or whole',
    });
  const dry = fields.get('dryRun')?.trim().toLowerCase();
  if (dry !== undefined && !['true', 'false', '1', '0', ''].includes(dry))
    errors.push({ path: '/dryRun', message: 'dryRun 应为 true 或 false / must be true or false' });
  const confirmText = fields.get('confirm')?.trim();
  const confirm = confirmText ? Number(confirmText) : undefined;
  if (confirm !== undefined && !(Number.isSafeInteger(confirm) && confirm >= 0))
    errors.push({
      path: '/confirm',
      message: 'confirm 应为将撤回的条数（非负整数） / must be the number of retractions, a whole number',
    });
  const campaignId = fields.get('campaignId')?.trim() || undefined;
  if (errors.length) throw badRequest('上传参数有误 / invalid upload options: see errors', errors);
  return {
    ...(universityCode ? { universityCode } : {}),
    ...(campaignId ? { campaignId } : {}),
    mode,
    dryRun: dry === 'true' || dry === '1',
    ...(confirm !== undefined ? { confirm } : {}),
  };
}

/** `attachment; filename="ledger.checked.xlsx"; filename*=UTF-8''台账.checked.xlsx` (RFC 6266 / 5987). */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function registerVisitLedgerRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const { db } = deps;
  const readBudget = { timeoutMs: deps.config.LEDGER_READ_TIMEOUT_MS, memoryMb: deps.config.LEDGER_READ_MEMORY_MB };
  let template: Promise<Buffer> | undefined;
  let uploading = 0;
  let copying = 0;
  const problemRef = { description: 'application/problem+json', type: 'object', additionalProperties: true };

  await app.register(async (scope) => {
    // A body over the limit is refused before any route runs: say so with this route's limit, not the events'. Any
    // other error goes on to the app's handler (an error handler that throws hands over to its parent's).
    scope.setErrorHandler((err: Error & { statusCode?: number }) => {
      if (!(err instanceof Problem) && err.statusCode === 413) throw TOO_LARGE();
      throw err;
    });
    await scope.register(multipart, {
      limits: { fileSize: MAX_LEDGER_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 12, headerPairs: 100 },
      throwFileSizeLimit: true,
    });
    // A raw spreadsheet as the body (curl --data-binary @台账.xlsx), for machines that do not build forms.
    scope.addContentTypeParser(
      [XLSX_TYPE, 'application/octet-stream', 'text/csv'],
      { parseAs: 'buffer', bodyLimit: MAX_LEDGER_BYTES },
      (_request, body, done) => done(null, body),
    );

    scope.get(
      '/v1/visit-ledgers/template.xlsx',
      {
        schema: {
          summary: 'The ledger template (走访台账模板): columns, drop-down lists, validation, instructions',
          tags: ['visit ledgers'],
          security: [{ bearer: [] }],
          response: { 401: problemRef },
        },
      },
      async (_request, reply: FastifyReply) => {
        template ??= buildLedgerTemplate();
        const bytes = await template;
        return reply
          .header('content-type', XLSX_TYPE)
          .header('content-disposition', attachment('走访台账模板.xlsx'))
          .send(bytes);
      },
    );

    scope.post(
      '/v1/visit-ledgers',
      {
        bodyLimit: MAX_LEDGER_BYTES + 1024 * 1024,
        validatorCompiler: () => () => true,
        schema: {
          summary: 'Upload a spreadsheet ledger (.xlsx or UTF-8/GBK .csv): one answer per row and an annotated copy',
          description:
            'multipart/form-data with the file in field `file`; optional fields (or query parameters) `universityCode`, ' +
            '`mode` (append | whole), `dryRun` (true: judge without storing), `confirm` (whole mode: the number of ' +
            'retractions agreed to), `campaignId`. Each row is an event on the same road as POST /v1/visit-events/batch.',
          tags: ['visit ledgers'],
          security: [{ bearer: [] }],
          consumes: ['multipart/form-data', XLSX_TYPE, 'text/csv'],
          response: {
            200: {
              description: 'every row answered; `annotated` is the URL of the annotated copy',
              type: 'object',
              properties: {
                rows: { type: 'array', items: { type: 'object', additionalProperties: true } },
                summary: { type: 'object', additionalProperties: true },
                annotated: { type: 'string' },
              },
            },
            400: problemRef,
            401: problemRef,
            403: problemRef,
            409: problemRef,
            413: problemRef,
            415: problemRef,
            422: problemRef,
            429: problemRef,
            503: problemRef,
          },
        },
      },
      async (request, reply) => {
        const receivedAt = new Date();
        if (uploading >= UPLOADS_AT_ONCE)
          throw problem(
            429,
            'busy',
            `正在处理其他台账，请 5 秒后重试`,
            `${UPLOADS_AT_ONCE} ledgers are being read by this API process: retry in 5 s`,
            { 'retry-after': '5' },
          );
        uploading++;
        try {
          const form = await readForm(request);
          if (!form.file)
            throw problem(
              400,
              'no-file',
              '没有收到文件：请把台账放在字段 file 中上传',
              'no file: send the ledger in the field "file"',
            );
          const options = uploadOptions(form.fields);
          const source = {
            clientId: request.client.id,
            scope: request.client.scope,
            proxy: await proxyOf({ db }, request),
          };
          const ingestion = app.visitEventIngestion;
          const result = await importVisitLedger(
            db,
            {
              ingest: (events) => ingestion.ingest(request, source, events, receivedAt),
              judge: (events) => ingestion.judge(request, source, events, receivedAt),
            },
            {
              bytes: form.file.bytes,
              fileName: form.file.name,
              source,
              ...options,
              receivedAt,
              readRows: (bytes, context) => readLedgerRowsInWorker(bytes, context, readBudget),
            },
          );
          const id = randomBytes(18).toString('base64url');
          await keepLedgerUpload(db, {
            id,
            clientId: request.client.id,
            scope: formatScope(request.client.scope),
            fileName: annotatedFileName(form.file.name),
            upload: form.file.bytes,
            annotation: result.annotation,
            expiresAt: new Date(receivedAt.getTime() + COPY_DAYS * 86_400_000),
          });
          request.log.info({ summary: { ...result.summary, retractions: undefined } }, 'visit ledger read');
          await recordAudit(db, {
            actor: auditActorOf(request),
            action: 'visit-ledgers.upload',
            target: `visit-ledger-upload:${id}`,
            result: 'ok',
            detail: { fileName: form.file.name, summary: { ...result.summary, retractions: undefined } },
          });
          return reply
            .code(200)
            .send({ rows: result.rows, summary: result.summary, annotated: `/v1/visit-ledgers/${id}/annotated.xlsx` });
        } catch (err) {
          if (err instanceof LedgerFileError) throw problem(err.status, err.code, err.zh, err.en);
          if (err instanceof LedgerScopeError) throw new LedgerProblem(403, 'Forbidden', err.message, 'outside-scope');
          if (err instanceof RetractionsNotConfirmedError)
            throw new LedgerProblem(409, 'Conflict', err.message, 'confirm-retractions');
          throw err;
        } finally {
          uploading--;
        }
      },
    );

    scope.get(
      '/v1/visit-ledgers/:id/annotated.xlsx',
      {
        schema: {
          summary:
            'The annotated copy of an upload (状态 column, failing cells red with a comment); uploader’s scope only',
          tags: ['visit ledgers'],
          security: [{ bearer: [] }],
          params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          response: { 401: problemRef, 404: problemRef },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const upload = /^[\w-]{10,64}$/.test(id) ? await findLedgerUpload(db, id) : undefined;
        // Another scope's copy answers as if it did not exist: its URL says nothing to whoever is not its owner.
        if (!upload || upload.scope !== formatScope(request.client.scope))
          throw notFound(
            `没有这份检查副本，或已超过 ${COPY_DAYS} 天被删除 / no such annotated copy (uploads are kept ${COPY_DAYS} days)`,
          );
        if (copying >= COPIES_AT_ONCE)
          throw problem(
            429,
            'busy',
            '正在生成其他检查副本，请 5 秒后重试',
            `${COPIES_AT_ONCE} copies are being written: retry in 5 s`,
            {
              'retry-after': '5',
            },
          );
        copying++;
        const out = new PassThrough();
        out.once('close', () => copying--);
        writeAnnotatedLedger(out, upload.upload, upload.annotation).catch((err: unknown) => {
          request.log.error({ err }, 'writing an annotated copy failed');
          out.destroy(err as Error);
        });
        return reply
          .header('content-type', XLSX_TYPE)
          .header('content-disposition', attachment(upload.fileName))
          .send(out);
      },
    );
  });
}

export const visitLedgerRoutes: RouteModule = registerVisitLedgerRoutes;

/** A part's field name or file name (never with controls) or field value (tab, CR, LF allowed) that is unsafe. */
function unsafeInPart(field: string, nameOrValue: string): { zh: string; en: string; what: string } | null {
  const inField = unsafeCharacter(field, false);
  if (inField) return { zh: '字段名', en: 'field name', what: inField };
  const inValue = unsafeCharacter(nameOrValue, field !== 'file' && field !== 'fileName');
  if (inValue)
    return {
      zh: field === 'file' ? '文件名' : `字段 ${field}`,
      en: field === 'file' ? 'file name' : `field ${field}`,
      what: inValue,
    };
  return null;
}
