// The audit trail as a table: the same columns for CSV (GET /v1/audit.csv, `ledger audit export`) and .xlsx.
// A cell that a spreadsheet would read as a formula (= + - @, tab, CR) is written with a leading apostrophe, so that
// what someone once typed into a name cannot run when an auditor opens the export.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { canonicalJson, type AuditEntry } from './audit.ts';

export const AUDIT_SHEET = '审计日志';

export const AUDIT_COLUMNS = [
  'seq',
  'at',
  'actor_kind',
  'actor_client_id',
  'actor_name',
  'address',
  'action',
  'target',
  'result',
  'before',
  'after',
  'detail',
  'hash',
] as const;

const json = (v: unknown): string => (v === null || v === undefined ? '' : canonicalJson(v));

export function auditCells(e: AuditEntry): Array<string | number> {
  return [
    e.seq,
    e.at.toISOString(),
    e.actor.kind,
    e.actor.clientId ?? '',
    e.actor.name ?? '',
    e.actor.address ?? '',
    e.action,
    e.target ?? '',
    e.result,
    json(e.before),
    json(e.after),
    json(e.detail),
    e.hash,
  ];
}

/** A text cell a spreadsheet would evaluate is made inert. */
export function inertCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const v = inertCell(value);
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV line (RFC 4180, CRLF), the header when `cells` is the column list. */
export function csvLine(cells: ReadonlyArray<string | number>): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** The entries as CSV text: a byte order mark (so Excel reads UTF-8) and the header, then one line per entry. */
export async function* auditCsv(entries: AsyncIterable<AuditEntry>): AsyncGenerator<string> {
  yield '\uFEFF' + csvLine(AUDIT_COLUMNS);
  for await (const e of entries) yield csvLine(auditCells(e));
}

/** Writes the entries to `out` as a workbook of one sheet (streamed); returns how many were written. */
export async function writeAuditXlsx(out: Writable, entries: AsyncIterable<AuditEntry>): Promise<{ entries: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  wb.creator = 'ledger';
  const ws = wb.addWorksheet(AUDIT_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = AUDIT_COLUMNS.map((header, i) => ({ header, width: [8, 26, 10, 10, 16, 16, 24, 20, 8][i] ?? 40 }));
  let n = 0;
  for await (const e of entries) {
    ws.addRow(auditCells(e).map((c) => (typeof c === 'string' ? inertCell(c) : c))).commit();
    n += 1;
  }
  ws.commit();
  await wb.commit();
  return { entries: n };
}
