// The annotated copy of a ledger: the same rows at the same row numbers, a 状态 column after the last one, and every
// failing cell filled red with a comment saying in Chinese what is wrong, so the sender fixes it in Excel and hands
// it in again (the 状态 column is not read back). Written with exceljs's streaming writer, row by row.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { CellValue } from './cells.ts';
import type { RowError } from './rows.ts';

export type RowStatus = 'accepted' | 'amended' | 'duplicate' | 'invalid' | 'unprocessable';

export const STATUS_LABELS: Record<RowStatus, string> = {
  accepted: '已接收',
  amended: '已更正',
  duplicate: '未变化（重复）',
  invalid: '格式有误',
  unprocessable: '未通过校验',
};

export interface RowAnswer {
  status: RowStatus;
  errors: RowError[];
  /** Said in the status cell besides the status (e.g. that an upload was a preview). */
  note?: string;
}

export interface AnnotatedSheet {
  sheetName: string;
  headerRow: number;
  /** Where the 状态 column goes: right of the widest row, so it never covers a value. */
  statusColumn: number;
  /** The sheet's rows in order, as read (rows above the header included). */
  rows: AsyncIterable<{ number: number; cells: ReadonlyArray<CellValue | undefined> }>;
  answers: ReadonlyMap<number, RowAnswer>;
  /** Columns with dates: their numbers are Excel serials and are shown as dates. */
  dateColumns: ReadonlySet<number>;
  /** Said in a last line under the rows (e.g. visits a whole ledger retracted). */
  footer?: string;
}

const RED: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
const GREEN: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFC6EFCE' } };
const GREY: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEDEDED' } };
const HEADER: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };

function writable(cell: CellValue | undefined): ExcelJS.CellValue {
  if (cell === undefined || cell === null) return null;
  if (typeof cell !== 'object' || cell instanceof Date) return cell;
  if ('error' in cell) return cell.error;
  return { formula: cell.formulaWithoutValue } as ExcelJS.CellFormulaValue;
}

/** Writes the annotated copy to `output` and returns once the workbook is complete. */
export async function writeAnnotatedCopy(output: Writable, sheet: AnnotatedSheet): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheet.sheetName || '走访台账', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: sheet.headerRow }],
  });
  const { statusColumn } = sheet;
  let last = 0;
  for await (const { number, cells } of sheet.rows) {
    const row = ws.getRow(number);
    cells.forEach((cell, i) => {
      if (cell === undefined || cell === null) return;
      const target = row.getCell(i + 1);
      if (typeof cell === 'number' && sheet.dateColumns.has(i + 1) && number > sheet.headerRow)
        target.numFmt = 'yyyy-mm-dd';
      target.value = writable(cell);
    });
    if (number === sheet.headerRow) {
      row.font = { bold: true };
      const status = row.getCell(statusColumn);
      status.value = '状态';
      status.fill = HEADER;
      status.font = { bold: true };
      status.note = '上交后的检查结果（重新上交时此列不会被读取）';
    }
    const answer = sheet.answers.get(number);
    if (answer) {
      const byColumn = new Map<number, string[]>();
      for (const e of answer.errors) {
        if (e.index === undefined) continue;
        byColumn.set(e.index, [...(byColumn.get(e.index) ?? []), e.message]);
      }
      for (const [index, messages] of byColumn) {
        const target = row.getCell(index);
        target.fill = RED;
        target.note = messages.join('\n');
      }
      const status = row.getCell(statusColumn);
      status.value = STATUS_LABELS[answer.status] + (answer.note ? `（${answer.note}）` : '');
      const failed = answer.status === 'invalid' || answer.status === 'unprocessable';
      status.fill = failed ? RED : answer.status === 'duplicate' ? GREY : GREEN;
      if (failed) status.note = answer.errors.map((e) => `${e.column}：${e.message}`).join('\n');
    }
    row.commit();
    last = number;
  }
  if (sheet.footer) {
    const row = ws.getRow(last + 2);
    row.getCell(1).value = sheet.footer;
    row.getCell(1).font = { italic: true, color: { argb: 'FF7F7F7F' } };
    row.commit();
  }
  ws.commit();
  await wb.commit();
}
