// The spreadsheet ledger (电子表格台账): the template, and an upload answered row by row (POST /v1/visit-ledgers,
// multipart through the one client, so the session cookie and the CSRF token go along). docs/api.md "spreadsheet".
import { api, send, undeclared } from './client';
import { waitForProcessing } from './universities';

/** The template's URL: a plain GET with the session cookie. */
export const TEMPLATE_URL = '/v1/visit-ledgers/template.xlsx';

export type LedgerRowStatus = 'accepted' | 'amended' | 'duplicate' | 'invalid' | 'unprocessable';
export type LedgerMode = 'append' | 'whole';

export interface LedgerRowAnswer {
  row: number;
  ref: string;
  status: LedgerRowStatus;
  eventId?: string;
  errors?: Array<{ column: string; cell?: string; message: string }>;
}

export interface LedgerSummary {
  file: string;
  format: 'xlsx' | 'csv';
  sheet?: string;
  headerRow?: number;
  campaignId: string;
  mode: LedgerMode;
  dryRun: boolean;
  rows: number;
  accepted: number;
  amended: number;
  duplicate: number;
  invalid: number;
  unprocessable: number;
  retracted: number;
  retractions: Array<{ universityCode: string; ref: string }>;
  unreadColumns?: string[];
}

export interface LedgerAnswer {
  rows: LedgerRowAnswer[];
  summary: LedgerSummary;
  annotated: string;
}

export interface LedgerUpload {
  file: File;
  universityCode?: string;
  campaignId?: string;
  mode: LedgerMode;
  dryRun?: boolean;
  /** Whole mode: the number of retractions agreed to (the dry run's `summary.retracted`). */
  confirm?: number;
}

/** 200 with an answer per row; a file refused as a whole is thrown as an ApiError (400, 409, 413, 415, 422 …). */
export function uploadLedger(u: LedgerUpload): Promise<LedgerAnswer> {
  const form = new FormData();
  if (u.universityCode) form.append('universityCode', u.universityCode);
  if (u.campaignId) form.append('campaignId', u.campaignId);
  form.append('mode', u.mode);
  if (u.dryRun) form.append('dryRun', 'true');
  if (u.confirm !== undefined) form.append('confirm', String(u.confirm));
  form.append('file', u.file, u.file.name);
  return send<LedgerAnswer>(api.POST('/v1/visit-ledgers', { body: undeclared(form) }));
}

/** Waits (a few at a time) for the workers to process the events an upload stored, so the figures can follow. */
export async function waitForLedger(answer: LedgerAnswer, timeoutMs = 30_000): Promise<void> {
  const ids = answer.rows.flatMap((r) => (r.eventId ? [r.eventId] : []));
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(ids.slice(i, i + 8).map((id) => waitForProcessing(id, timeoutMs)));
  }
}
