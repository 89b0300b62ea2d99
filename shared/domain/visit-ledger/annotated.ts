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
  row: number;
  status: RowStatus;
  errors: Array<Pick<RowError, 'column' | 'index' | 'message'>>;
}

/**
 * What the annotated copy of an upload says, kept as JSON beside the upload: the copy is written from the two when it
 * is downloaded, so the upload's answer does not wait for a copy nobody may ask for.
 */
export interface AnnotationPlan {
  /** The sheet of the upload that holds the ledger (its name in the file). */
  sheet: string;
  /** The copy's sheet name. */
  sheetName: string;
  headerRow: number;
  /** Where the 状态 column goes: right of the widest row, so it never covers a value. */
  statusColumn: number;
  /** Columns with dates: their numbers are Excel serials and are shown as dates. */
  dateColumns: number[];
  rows: RowAnswer[];
  /** Said in every status cell besides the status (e.g. that the upload was a preview). */
  note?: string;
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

/** Writes the annotated copy of the sheet whose rows are given to `output`, and returns once the workbook is complete. */
export async function writeAnnotatedCopy(
  output: Writable,
  plan: AnnotationPlan,
  rows: AsyncIterable<{ number: number; cells: ReadonlyArray<CellValue | undefined> }>,
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(plan.sheetName || '走访台账', {
    views: [{ state: 'frozen', xSplit: 0, ySplit: plan.headerRow }],
  });
  const { statusColumn } = plan;
  const answers = new Map(plan.rows.map((a) => [a.row, a]));
  const dateColumns = new Set(plan.dateColumns);
  let last = 0;
  for await (const { number, cells } of rows) {
    const row = ws.getRow(number);
    cells.forEach((cell, i) => {
      if (cell === undefined || cell === null) return;
      const target = row.getCell(i + 1);
      if (typeof cell === 'number' && dateColumns.has(i + 1) && number > plan.headerRow) target.numFmt = 'yyyy-mm-dd';
      target.value = writable(cell);
    });
    if (number === plan.headerRow) {
      row.font = { bold: true };
      const status = row.getCell(statusColumn);
      status.value = '状态';
      status.fill = HEADER;
      status.font = { bold: true };
      status.note = '上交后的检查结果（重新上交时此列不会被读取）';
    }
    const answer = answers.get(number);
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
      status.value = STATUS_LABELS[answer.status] + (plan.note ? `（${plan.note}）` : '');
      const failed = answer.status === 'invalid' || answer.status === 'unprocessable';
      status.fill = failed ? RED : answer.status === 'duplicate' ? GREY : GREEN;
      if (failed) status.note = answer.errors.map((e) => `${e.column}：${e.message}`).join('\n');
    }
    row.commit();
    last = number;
  }
  if (plan.footer) {
    const row = ws.getRow(last + 2);
    row.getCell(1).value = plan.footer;
    row.getCell(1).font = { italic: true, color: { argb: 'FF7F7F7F' } };
    row.commit();
  }
  ws.commit();
  await wb.commit();
}
