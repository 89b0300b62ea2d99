// The first pass over an uploaded ledger: the file opened, its header found, every data row read into a visit or its
// reasons. No database and no shared state, so it runs the same in the caller's thread (the command line) or in a
// worker thread with a time and memory budget (the API: shared/use-cases/read-ledger-in-worker.ts), and its result is
// plain data that crosses threads as it is.
import {
  HEADER_SEARCH_ROWS,
  isHeaderCandidate,
  missingColumns,
  readHeaderRow,
  REQUIRED_LABELS,
  type LedgerHeader,
} from '../domain/visit-ledger/columns.ts';
import { LedgerFileError } from '../domain/visit-ledger/file-errors.ts';
import { mapRow, type MappedRow, type RowContext } from '../domain/visit-ledger/rows.ts';
import { openLedgerFile, type LedgerFile, type LedgerSheet } from './read-visit-ledger.ts';

/** A ledger with more data rows than this is refused (422): split it, or import it from the command line in parts. */
export const MAX_LEDGER_ROWS = 50_000;

export type LedgerReadContext = Omit<RowContext, 'date1904'>;

export interface LedgerRows {
  format: 'xlsx' | 'csv';
  encoding?: string;
  sheetName: string;
  header: LedgerHeader;
  /** Data rows (blank rows left out), each a visit or its errors; a repeated 走访编号 is an error of its later row. */
  rows: MappedRow[];
  /** The widest row's cell count (the annotated copy's status column goes after it). */
  widest: number;
}

/** The sheet holding the ledger: the first visible one with a header, else the first hidden one. */
export async function findLedgerHeader(file: LedgerFile): Promise<{ sheet: LedgerSheet; header: LedgerHeader }> {
  const ordered = [...file.sheets.filter((s) => !s.hidden), ...file.sheets.filter((s) => s.hidden)];
  let best: { sheet: LedgerSheet; header: LedgerHeader } | undefined;
  for (const sheet of ordered) {
    for await (const row of sheet.rows()) {
      if (row.number > HEADER_SEARCH_ROWS) break;
      const header = readHeaderRow(row.number, row.cells);
      if (isHeaderCandidate(header)) {
        if (missingColumns(header).length === 0) return { sheet, header };
        if (!best || header.columns.length > best.header.columns.length) best = { sheet, header };
        break;
      }
    }
  }
  if (best) {
    const missing = missingColumns(best.header);
    throw new LedgerFileError(
      'missing-columns',
      `工作表“${best.sheet.name}”第 ${best.header.row} 行的表头缺少必需的列：${missing.join('、')}。请使用模板（GET /v1/visit-ledgers/template.xlsx）的表头`,
      `the header in row ${best.header.row} of sheet "${best.sheet.name}" lacks required columns: ${missing.join(', ')}`,
    );
  }
  throw new LedgerFileError(
    'no-header',
    `在前 ${HEADER_SEARCH_ROWS} 行中没有找到台账表头（至少应有 ${REQUIRED_LABELS.join('、')} 等列）：请使用模板（GET /v1/visit-ledgers/template.xlsx）的表头`,
    `no ledger header in the first ${HEADER_SEARCH_ROWS} rows of any sheet (columns such as ${REQUIRED_LABELS.join(', ')}): use the template's header`,
  );
}

const TOO_MANY_ROWS = () =>
  new LedgerFileError(
    'too-many-rows',
    `台账超过 ${MAX_LEDGER_ROWS.toLocaleString('en-US')} 行：请分成几个文件上交`,
    `the ledger has more than ${MAX_LEDGER_ROWS} rows: split it into several files`,
  );

/** Reads every data row of the file; throws the LedgerFileError that says why the file cannot be read. */
export async function readLedgerRows(bytes: Buffer, context: LedgerReadContext): Promise<LedgerRows> {
  const file = await openLedgerFile(bytes);
  const { sheet, header } = await findLedgerHeader(file);
  if (!context.defaultUniversityCode && !header.columns.some((c) => c.key === 'universityCode'))
    throw new LedgerFileError(
      'no-university',
      '省级账号上交时请在表中加“高校代码”列，或随文件提供 universityCode',
      'a province-wide ledger needs a 高校代码 (university code) column, or send universityCode with the file',
    );
  const rowContext: RowContext = { ...context, date1904: file.date1904 };
  const rows: MappedRow[] = [];
  const firstRowOf = new Map<string, number>();
  let widest = 0;
  for await (const { number, cells } of sheet.rows()) {
    widest = Math.max(widest, cells.length);
    if (number <= header.row) continue;
    const mapped = mapRow(number, cells, header, rowContext);
    if (!mapped) continue;
    if (rows.length >= MAX_LEDGER_ROWS) throw TOO_MANY_ROWS();
    if (mapped.ref && mapped.universityCode) {
      const key = `${mapped.universityCode}\u0000${mapped.ref}`;
      const first = firstRowOf.get(key);
      if (first === undefined) firstRowOf.set(key, number);
      else {
        const col = header.columns.find((c) => c.key === 'ref')!;
        mapped.errors.push({
          kind: 'invalid',
          column: col.header,
          index: col.index,
          message: `走访编号“${mapped.ref}”与第 ${first} 行重复：每次走访的编号应唯一`,
        });
        delete mapped.visit;
      }
    }
    rows.push(mapped);
  }
  if (rows.length === 0)
    throw new LedgerFileError(
      'empty-ledger',
      `工作表“${sheet.name}”表头（第 ${header.row} 行）下没有走访记录`,
      `sheet "${sheet.name}" has no visits under its header (row ${header.row})`,
    );
  return {
    format: file.format,
    ...(file.encoding ? { encoding: file.encoding } : {}),
    sheetName: sheet.name,
    header,
    rows,
    widest,
  };
}
