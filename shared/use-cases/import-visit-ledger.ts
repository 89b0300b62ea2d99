// A university's (or a province's) spreadsheet ledger in, row-level answers and an annotated copy out. Every row that
// states a new or changed visit becomes an event on the same road as POST /v1/visit-events/batch (the caller's
// `ingestion`), keyed by (university, 走访编号); unchanged rows send nothing. A whole ledger also retracts the
// university's visits of the campaign that the file no longer lists, once the caller has confirmed their number.
//
// The file is read streaming to judge every row; nothing is stored before the whole file has been read, so a file
// refused for its size, its header or its row count touches nothing. The annotated copy is a second streaming pass
// over the same bytes with the answers (an AnnotationPlan), done when it is wanted: the command line writes it at once,
// the API when it is downloaded. Only the rows' answers are kept, never the sheet.
import type { Writable } from 'node:stream';
import type { Executor } from '../db/database.ts';
import { grantCovers, noProxyGrantMessage } from '../domain/proxy.ts';
import { maySubmitFor } from '../domain/scope.ts';
import { parseVisitEvent, MAX_BATCH_EVENTS } from '../domain/visit-event.schema.ts';
import { writeAnnotatedCopy, type AnnotationPlan, type RowStatus } from '../domain/visit-ledger/annotated.ts';
import {
  countStatuses,
  failedStatus,
  roadError,
  rowResult,
  type RowResult,
  type StatusCounts,
} from '../domain/visit-ledger/answers.ts';
import {
  contentHash,
  decideRow,
  laterState,
  occurredAtOf,
  refsToRetract,
  retractionEvent,
  rowEvent,
  visitContent,
  type CurrentVisit,
} from '../domain/visit-ledger/decision.ts';
import { LedgerFileError } from '../domain/visit-ledger/file-errors.ts';
import type { MappedRow } from '../domain/visit-ledger/rows.ts';
import { listCampaigns, type Campaign } from '../repositories/campaign.repository.ts';
import { findUniversityProvinces } from '../repositories/inbox.repository.ts';
import {
  deleteExpiredLedgerUploads,
  insertLedgerUpload,
  listVisitEventsOfUniversities,
  type LedgerUpload,
} from '../repositories/visit-ledger-intake.repository.ts';
import { findCampaignOrFail } from './find-campaign.ts';
import type { IngestResult, IngestSource, JudgedEvent } from './ingest-visit-events.ts';
import { readLedgerRows, type LedgerReadContext, type LedgerRows } from './read-ledger-rows.ts';
import { openLedgerFile } from './read-visit-ledger.ts';

export { findLedgerHeader, MAX_LEDGER_ROWS } from './read-ledger-rows.ts';

/** An upload over this many bytes is refused (413) before it is read. */
export const MAX_LEDGER_BYTES = 20 * 2 ** 20;

export type LedgerMode = 'append' | 'whole';

export interface ImportVisitLedgerInput {
  bytes: Buffer;
  fileName: string;
  source: IngestSource;
  /** The university of rows without a 高校代码 column or value (else the uploader's own, for a university scope). */
  universityCode?: string;
  /** Default: the campaign running on the day of the upload, else the latest one started. */
  campaignId?: string;
  mode: LedgerMode;
  /** Judge everything, store nothing: the answers and the retraction count as they would be. */
  dryRun: boolean;
  /** Whole mode: the number of retractions the sender agreed to ('any': the command line's --yes). */
  confirm?: number | 'any';
  /** The upload's time: every event's occurredAt. */
  receivedAt: Date;
  /** Reads the file's rows (default: readLedgerRows in this thread; the API reads in a worker with a budget). */
  readRows?: (bytes: Buffer, context: LedgerReadContext) => Promise<LedgerRows>;
}

/** The road into the inbox (the API's, or the command line's): at most MAX_BATCH_EVENTS events per call. */
export interface LedgerIngestion {
  ingest(events: unknown[]): Promise<IngestResult[]>;
  judge(events: unknown[]): Promise<JudgedEvent[]>;
}

export interface LedgerSummary extends StatusCounts {
  file: string;
  format: 'xlsx' | 'csv';
  encoding?: string;
  sheet: string;
  headerRow: number;
  campaignId: string;
  mode: LedgerMode;
  dryRun: boolean;
  /** Data rows read (blank rows not counted). */
  rows: number;
  /** Visits retracted (whole mode), or that would be (dry run). */
  retracted: number;
  /** Which, up to 1,000. */
  retractions: Array<{ universityCode: string; ref: string }>;
  /** Headers of the file that the importer does not read. */
  unreadColumns: string[];
}

export interface ImportVisitLedgerResult {
  rows: RowResult[];
  summary: LedgerSummary;
  /** What the annotated copy says (write it with writeAnnotatedLedger and the same bytes). */
  annotation: AnnotationPlan;
}

/** The uploader named a university outside its scope (403). */
export class LedgerScopeError extends Error {
  override name = 'LedgerScopeError';
}

/** Whole mode would retract visits and the sender has not confirmed that number (409). */
export class RetractionsNotConfirmedError extends Error {
  override name = 'RetractionsNotConfirmedError';
  constructor(
    readonly count: number,
    readonly confirm: number | undefined,
  ) {
    super(
      `整本台账模式将撤回 ${count} 条不在文件中的走访记录，确认请以 confirm=${count} 重新上交（或先用 dryRun=true 预览）` +
        ` / whole mode would retract ${count} visit(s) absent from the file` +
        (confirm === undefined ? '' : ` (confirm=${confirm} does not match)`) +
        `: send confirm=${count} to apply, or dryRun=true to preview`,
    );
  }
}

/** The campaign named, or the one running on the day of the upload, or the latest started before it. */
async function chooseCampaign(db: Executor, campaignId: string | undefined, today: string): Promise<Campaign> {
  if (campaignId !== undefined) return findCampaignOrFail(db, campaignId);
  const campaigns = await listCampaigns(db);
  const running = campaigns.filter((c) => c.start <= today && today <= c.end);
  const started = campaigns.filter((c) => c.start <= today).sort((a, b) => (a.start < b.start ? 1 : -1));
  const chosen =
    running.length === 1 ? running[0] : (started[0] ?? (campaigns.length === 1 ? campaigns[0] : undefined));
  if (!chosen)
    throw new LedgerFileError(
      'no-campaign',
      '无法确定台账属于哪个专项行动：请在上交时指定 campaignId',
      'cannot tell which campaign the ledger belongs to: send campaignId',
    );
  return chosen;
}

/** The current state of each visit of these universities: the latest of its stored events. */
async function currentStates(db: Executor, universityCodes: string[]): Promise<Map<string, Map<string, CurrentVisit>>> {
  const states = new Map<string, Map<string, CurrentVisit>>();
  for (const stored of await listVisitEventsOfUniversities(db, universityCodes)) {
    const parsed = (() => {
      try {
        return parseVisitEvent(JSON.parse(stored.rawBody));
      } catch {
        return undefined;
      }
    })();
    const event = parsed?.ok ? parsed.event : undefined;
    const state: CurrentVisit = {
      eventId: stored.eventId,
      occurredAt: stored.occurredAt.getTime(),
      retracted: event?.type === 'visit.retracted',
      campaignId: event?.campaignId ?? null,
      contentHash:
        event && event.type !== 'visit.retracted' ? contentHash(visitContent(event.campaignId, event.visit)) : null,
    };
    let byRef = states.get(stored.universityCode);
    if (!byRef) states.set(stored.universityCode, (byRef = new Map()));
    byRef.set(stored.ref, laterState(byRef.get(stored.ref), state));
  }
  return states;
}

interface Pending {
  row: MappedRow;
  status?: RowStatus;
  eventId?: string;
  /** The event to send, with what it would make the row. */
  event?: { body: Record<string, unknown>; as: 'accepted' | 'amended' };
}

export async function importVisitLedger(
  db: Executor,
  ingestion: LedgerIngestion,
  input: ImportVisitLedgerInput,
): Promise<ImportVisitLedgerResult> {
  if (input.bytes.length > MAX_LEDGER_BYTES)
    throw new LedgerFileError(
      'too-large',
      `文件超过 ${MAX_LEDGER_BYTES / 2 ** 20} MB：请分成几个文件上交`,
      `the file is over ${MAX_LEDGER_BYTES / 2 ** 20} MB: split it`,
    );
  const { scope } = input.source;
  const occurredAt = occurredAtOf(input.receivedAt);
  const today = occurredAt.slice(0, 10);
  const campaign = await chooseCampaign(db, input.campaignId, today);

  let defaultUniversity = input.universityCode;
  if (defaultUniversity !== undefined) {
    const province = (await findUniversityProvinces(db, [defaultUniversity])).get(defaultUniversity);
    if (scope.kind === 'university' && scope.universityCode !== defaultUniversity)
      throw new LedgerScopeError(
        `高校 ${defaultUniversity} 不在本账号的范围内 / university ${defaultUniversity} is outside this key's scope`,
      );
    if (province === undefined)
      throw new LedgerFileError(
        'no-university',
        `未知的高校代码 ${defaultUniversity}：请核对 10 位教育部高校代码`,
        `unknown university ${defaultUniversity}: check the 10-digit code`,
      );
    if (!maySubmitFor(scope, defaultUniversity, province))
      throw new LedgerScopeError(
        `高校 ${defaultUniversity} 不在本账号的范围内 / university ${defaultUniversity} is outside this key's scope`,
      );
    if (input.source.proxy && !grantCovers(input.source.proxy, defaultUniversity, province))
      throw new LedgerScopeError(
        `本账号没有为高校 ${defaultUniversity} 代录的授权 / ${noProxyGrantMessage(defaultUniversity)}`,
      );
  } else if (scope.kind === 'university') defaultUniversity = scope.universityCode;

  // ── pass 1: read and judge every row (in a worker thread for the API); nothing is stored yet ──
  const read = await (input.readRows ?? readLedgerRows)(input.bytes, {
    campaign: { id: campaign.id, start: campaign.start, end: campaign.end },
    ...(defaultUniversity ? { defaultUniversityCode: defaultUniversity } : {}),
  });
  const { header, widest } = read;
  const pending: Pending[] = read.rows.map((row) => ({ row }));

  // ── decide: new, changed or unchanged, against each visit's current state ──
  const universities = [...new Set(pending.flatMap((p) => (p.row.universityCode ? [p.row.universityCode] : [])))];
  // A row for a university outside the sender's scope is refused before anything of that university is read: whether
  // it holds such a visit must not show in the answer (duplicate against refused).
  const provincesOf = await findUniversityProvinces(db, universities);
  const outside = (code: string): boolean => {
    const province = provincesOf.get(code);
    if (province === undefined) return false; // unknown code: the ingestion road says so, and nothing is there to tell
    if (!maySubmitFor(scope, code, province)) return true;
    return !!input.source.proxy && !grantCovers(input.source.proxy, code, province);
  };
  const states = await currentStates(
    db,
    universities.filter((u) => !outside(u)),
  );
  for (const p of pending) {
    const { row } = p;
    if (!row.visit) {
      p.status = failedStatus(row.errors);
      continue;
    }
    if (outside(row.visit.universityCode)) {
      row.errors.push(
        roadError(
          'forbidden',
          { path: '/visit/universityCode', message: 'forbidden' },
          header,
          row.visit.universityCode,
        ),
      );
      p.status = failedStatus(row.errors);
      continue;
    }
    const hash = contentHash(visitContent(campaign.id, row.visit));
    const decision = decideRow(
      row.visit.universityCode,
      row.visit.ref,
      hash,
      states.get(row.visit.universityCode)?.get(row.visit.ref),
    );
    if (decision.action === 'unchanged') p.status = 'duplicate';
    else
      p.event = {
        body: rowEvent(decision, campaign.id, row.visit, occurredAt),
        as: decision.action === 'record' ? 'accepted' : 'amended',
      };
  }

  // ── whole mode: the visits the file no longer lists, in the universities the sender may submit for ──
  const retractions: Array<{ universityCode: string; ref: string; body: Record<string, unknown> }> = [];
  if (input.mode === 'whole') {
    const refsIn = new Map<string, Set<string>>();
    for (const p of pending)
      if (p.row.universityCode && p.row.ref) {
        if (!refsIn.has(p.row.universityCode)) refsIn.set(p.row.universityCode, new Set());
        refsIn.get(p.row.universityCode)!.add(p.row.ref);
      }
    for (const code of universities.sort()) {
      if (!provincesOf.has(code) || outside(code)) continue;
      const byRef = states.get(code) ?? new Map<string, CurrentVisit>();
      for (const ref of refsToRetract(byRef, campaign.id, refsIn.get(code) ?? new Set()))
        retractions.push({
          universityCode: code,
          ref,
          body: retractionEvent(code, ref, byRef.get(ref)!, campaign.id, occurredAt),
        });
    }
    const { confirm } = input;
    if (!input.dryRun && retractions.length > 0 && confirm !== 'any' && confirm !== retractions.length)
      throw new RetractionsNotConfirmedError(retractions.length, confirm);
  }

  // ── the shared road: judge (dry run) or store, a batch at a time, two batches in flight (the API's group commit
  // stores two statements at once) ──
  const sending = pending.filter((p) => p.event);
  const bodies = [...sending.map((p) => p.event!.body), ...retractions.map((r) => r.body)];
  const chunks: unknown[][] = [];
  for (let i = 0; i < bodies.length; i += MAX_BATCH_EVENTS) chunks.push(bodies.slice(i, i + MAX_BATCH_EVENTS));
  const answered: Array<Array<{ status: string; errors?: Array<{ path: string; message: string }> }>> = [];
  let nextChunk = 0;
  await Promise.all(
    Array.from({ length: Math.min(2, chunks.length) }, async () => {
      while (nextChunk < chunks.length) {
        const k = nextChunk++;
        answered[k] = input.dryRun ? await ingestion.judge(chunks[k]!) : await ingestion.ingest(chunks[k]!);
      }
    }),
  );
  const outcomes = answered.flat();
  sending.forEach((p, i) => {
    const o = outcomes[i]!;
    const code = p.row.universityCode!;
    if (o.status === 'accepted' || o.status === 'storable' || o.status === 'duplicate' || o.status === 'conflict') {
      // duplicate / conflict: this change is already in the inbox (an upload of the same file raced this one).
      p.status = o.status === 'duplicate' || o.status === 'conflict' ? 'duplicate' : p.event!.as;
      p.eventId = p.event!.body.eventId as string;
      return;
    }
    const status = o.status as 'invalid' | 'unprocessable' | 'forbidden';
    p.row.errors.push(...(o.errors ?? [{ path: '/', message: status }]).map((e) => roadError(status, e, header, code)));
    p.status = failedStatus(p.row.errors);
  });
  const retracted = retractions.filter((_, i) => {
    const status = outcomes[sending.length + i]?.status;
    return status === 'accepted' || status === 'storable' || status === 'duplicate';
  });

  // ── answers, and what the annotated copy will say ──
  const results = pending.map((p) =>
    rowResult(
      p.row.row,
      p.row.ref,
      p.row.universityCode,
      p.status!,
      p.row.errors,
      p.status === 'duplicate' ? undefined : p.eventId,
    ),
  );
  const annotation: AnnotationPlan = {
    sheet: read.sheetName,
    sheetName: read.format === 'csv' ? '走访台账' : read.sheetName,
    headerRow: header.row,
    statusColumn: widest + 1,
    dateColumns: header.columns.filter((c) => c.key === 'visitedOn').map((c) => c.index),
    rows: pending.map((p) => ({
      row: p.row.row,
      status: p.status!,
      errors: p.row.errors.map(({ column, index, message }) => ({
        column,
        ...(index !== undefined ? { index } : {}),
        message,
      })),
    })),
    ...(input.dryRun ? { note: '预览，未保存' } : {}),
    ...(input.mode === 'whole' && retracted.length > 0
      ? { footer: `整本台账：${input.dryRun ? '将撤回' : '已撤回'} ${retracted.length} 条不在本文件中的走访记录。` }
      : {}),
  };
  return {
    rows: results,
    summary: {
      file: input.fileName,
      format: read.format,
      ...(read.encoding ? { encoding: read.encoding } : {}),
      sheet: read.sheetName,
      headerRow: header.row,
      campaignId: campaign.id,
      mode: input.mode,
      dryRun: input.dryRun,
      rows: pending.length,
      ...countStatuses(results),
      retracted: retracted.length,
      retractions: retracted.slice(0, 1000).map(({ universityCode, ref }) => ({ universityCode, ref })),
      unreadColumns: header.unread,
    },
    annotation,
  };
}

/**
 * Writes the annotated copy of an upload: its ledger sheet read again from `bytes` (streaming), with the answers of
 * `plan`. Resolves once the workbook is complete on `output`.
 */
export async function writeAnnotatedLedger(output: Writable, bytes: Buffer, plan: AnnotationPlan): Promise<void> {
  const file = await openLedgerFile(bytes);
  const sheet = file.sheets.find((s) => s.name === plan.sheet);
  if (!sheet) throw new Error(`the upload has no sheet "${plan.sheet}": it is not the file that was answered`);
  await writeAnnotatedCopy(output, plan, sheet.rows());
}

/** The annotated copy's file name: `台账.xlsx` → `台账.checked.xlsx`. */
export function annotatedFileName(fileName: string): string {
  const base = fileName.replace(/\.(xlsx|csv|txt)$/i, '') || 'ledger';
  return `${base}.checked.xlsx`;
}

/** Keeps an upload for its annotated copy (until its expiry), dropping the copies that have expired meanwhile. */
export async function keepLedgerUpload(db: Executor, upload: LedgerUpload): Promise<void> {
  await deleteExpiredLedgerUploads(db);
  await insertLedgerUpload(db, upload);
}

// A kept upload (for its annotated copy), and the client row the command line's imports are filed under.
export { findLedgerUpload, importClientId } from '../repositories/visit-ledger-intake.repository.ts';
