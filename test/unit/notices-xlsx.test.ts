import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import {
  writeLedgerXlsx,
  PROGRESS_SHEET,
  VISITS_SHEET,
  type LedgerVisitRow,
} from '../../shared/domain/notices/ledger-xlsx.ts';
import { sampleRankings } from '../helpers/notices-factories.ts';

function visit(i: number): LedgerVisitRow {
  return {
    universityCode: '4144010001',
    universityName: '华南示范大学',
    ref: `v-${i}`,
    visitedOn: '2022-04-02',
    mode: i % 2 ? 'onsite' : 'online',
    leaders: [
      { role: 'secretary', name: '张三' },
      { role: 'leader', name: '李四' },
    ],
    employerId: 7,
    employerName: '华为技术有限公司',
    employerCreditCode: '914403001922038216',
    submittedName: '华为技术有限公司（深圳）',
    submittedCreditCode: null,
    positions: i,
    internshipBase: true,
    recruitmentInvite: false,
    demandSurvey: true,
    graduatesTracked: 2,
    satisfaction: 5,
    notes: null,
  };
}

async function* rows(n: number): AsyncGenerator<LedgerVisitRow> {
  for (let i = 1; i <= n; i++) yield visit(i);
}

async function write(opts: Parameters<typeof writeLedgerXlsx>[1]) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => out.on('end', r));
  const result = await writeLedgerXlsx(out, opts);
  await done;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return { result, wb };
}

describe('ledger xlsx', () => {
  it('writes the progress sheet and every visit, readable back with exceljs', async () => {
    const { result, wb } = await write({ ranking: sampleRankings().guangdong.rows, visits: rows(25) });
    expect(result).toEqual({ visits: 25, visitSheets: 1, truncated: false });
    const progress = wb.getWorksheet(PROGRESS_SHEET)!;
    expect(progress.rowCount).toBe(4);
    expect(progress.getRow(2).getCell(4).value).toBe('华南示范大学');
    expect(progress.getRow(4).getCell(11).value).toBe('落后');
    const visits = wb.getWorksheet(VISITS_SHEET)!;
    expect(visits.rowCount).toBe(26);
    const r = visits.getRow(2);
    expect(r.getCell(1).value).toBe('4144010001');
    expect((r.getCell(3).value as Date).toISOString().slice(0, 10)).toBe('2022-04-02');
    expect(r.getCell(4).value).toBe('实地走访');
    expect(r.getCell(5).value).toBe('张三（党委书记）、李四（校领导）');
    expect(r.getCell(6).value).toBe('是');
    expect(r.getCell(7).value).toBe('华为技术有限公司');
    expect(r.getCell(9).value).toBe('华为技术有限公司（深圳）');
    expect(r.getCell(11).value).toBe(1);
    expect(visits.getRow(26).getCell(18).value).toBe('v-25');
  });

  it('continues on a new sheet past the sheet size, and stops at the limit with a note', async () => {
    const { result, wb } = await write({ visits: rows(7), maxRowsPerSheet: 3 });
    expect(result.visitSheets).toBe(3);
    expect(wb.getWorksheet(`${VISITS_SHEET}(3)`)!.rowCount).toBe(2);
    const limited = await write({ visits: rows(10), visitLimit: 4 });
    expect(limited.result).toEqual({ visits: 4, visitSheets: 1, truncated: true });
    const ws = limited.wb.getWorksheet(VISITS_SHEET)!;
    expect(ws.rowCount).toBe(6);
    expect(String(ws.getRow(6).getCell(1).value)).toContain('仅列出前4条');
  });
});
