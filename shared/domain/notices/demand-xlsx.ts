// The demand ledger (用人单位需求台账 / 重点单位数据库) as .xlsx, written like the notices' ledger (ledger-xlsx.ts): exceljs's
// streaming WorkbookWriter fed from an async row iterator, one row zipped to the output as soon as it is committed.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { EmployerDemandRow } from '../employer-demand.ts';

export const DEMAND_SHEET = '用人单位需求台账';

export const DEMAND_COLUMNS = [
  '用人单位',
  '统一社会信用代码',
  '走访次数',
  '走访高校数',
  '提供岗位数',
  '新增岗位数',
  '录用毕业生数',
  '实习实践基地（高校数）',
  '需求专业或技能',
  '首次走访',
  '最近走访',
  '走访高校（首次走访日期，走访次数）',
] as const;

const DATE_COLUMNS = new Set([9, 10]);
const asDate = (d: string) => new Date(`${d}T00:00:00Z`);

export function demandCells(r: EmployerDemandRow): Array<string | number | Date | null> {
  return [
    r.employerName,
    r.creditCode,
    r.visits,
    r.universities,
    r.positions,
    r.newPositions,
    r.hired,
    r.internshipBases,
    r.majors.join('、'),
    asDate(r.firstVisitedOn),
    asDate(r.lastVisitedOn),
    r.visitedBy
      .map((u) => `${u.universityName}（${u.firstVisitedOn}，${u.visits}次${u.internshipBase ? '，实习基地' : ''}）`)
      .join('；'),
  ];
}

/** Writes the workbook to `out` (ended when the zip is complete); returns the number of employers written. */
export async function writeDemandXlsx(
  out: Writable,
  rows: AsyncIterable<EmployerDemandRow>,
  title?: string,
): Promise<{ employers: number }> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'ledger';
  if (title) wb.title = title;
  const ws = wb.addWorksheet(DEMAND_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = DEMAND_COLUMNS.map((header, i) => ({
    header,
    width: [32, 22, 8, 10, 10, 10, 12, 12, 36, 12, 12, 60][i] ?? 12,
    ...(DATE_COLUMNS.has(i) ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
  }));
  let employers = 0;
  for await (const r of rows) {
    ws.addRow(demandCells(r)).commit();
    employers++;
  }
  ws.commit();
  await wb.commit();
  return { employers };
}
