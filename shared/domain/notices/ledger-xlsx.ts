// The ledger (电子台账) as .xlsx: the universities' progress and the visits behind the figures. Written with the
// streaming writer (../xlsx-writer.ts) from an async row iterator, so each row is zipped to the output stream as it
// comes and a province of 50,000 visits never sits in memory as a workbook.
import type { Writable } from 'node:stream';
import { XlsxWriter, type XlsxColumn } from '../xlsx-writer.ts';
import type { UniversityRankRow } from '../ranking.types.ts';
import { MODE_ZH, ROLE_ZH, rankChangeZh } from './format.ts';
import { statusZh, targetsZh } from './notice-content.ts';

export interface LedgerVisitRow {
  universityCode: string;
  universityName: string;
  ref: string;
  visitedOn: string | null;
  mode: string | null;
  leaders: Array<{ role: string; name: string }>;
  /** The employer as resolved (the registry's canonical name and credit code). */
  employerId: number | null;
  employerName: string | null;
  employerCreditCode: string | null;
  /** The employer as the university submitted it. */
  submittedName: string | null;
  submittedCreditCode: string | null;
  positions: number;
  internshipBase: boolean;
  recruitmentInvite: boolean;
  demandSurvey: boolean;
  graduatesTracked: number;
  satisfaction: number | null;
  notes: string | null;
}

export const PROGRESS_SHEET = '高校进度';
export const VISITS_SHEET = '走访台账';
/** Excel's limit is 1,048,576 rows a sheet; beyond this many visits the ledger continues on 走访台账(2), (3), … */
export const MAX_ROWS_PER_SHEET = 1_000_000;

export const VISIT_COLUMNS = [
  '高校代码',
  '高校名称',
  '走访日期',
  '走访方式',
  '校领导',
  '正职参与',
  '用人单位（归并后）',
  '统一社会信用代码（归并后）',
  '用人单位（填报）',
  '统一社会信用代码（填报）',
  '岗位数',
  '实习实践基地',
  '邀请来校招聘',
  '社会需求调查',
  '跟踪毕业生数',
  '满意度',
  '备注',
  '走访编号',
] as const;

export const PROGRESS_COLUMNS = [
  '排名',
  '变化',
  '高校代码',
  '高校名称',
  '完成度',
  '走访单位',
  '正职走访单位',
  '新开拓单位',
  '岗位数',
  '实地走访占比',
  '状态',
  '目标',
] as const;

export interface LedgerOptions {
  /** Universities' progress (the snapshot's rows); omitted → no progress sheet. */
  ranking?: UniversityRankRow[];
  visits: AsyncIterable<LedgerVisitRow>;
  /** Stop after this many visits and say so in a last row (mail attachments); default: no limit. */
  visitLimit?: number;
  /** Sheet size (tests lower it to check the continuation sheets). */
  maxRowsPerSheet?: number;
}

export interface LedgerResult {
  visits: number;
  visitSheets: number;
  truncated: boolean;
}

const yesNo = (b: boolean) => (b ? '是' : '否');
const PRINCIPAL = new Set(['secretary', 'president']);

function visitCells(v: LedgerVisitRow): Array<string | number | Date | null> {
  return [
    v.universityCode,
    v.universityName,
    v.visitedOn ? new Date(`${v.visitedOn}T00:00:00Z`) : null,
    v.mode ? (MODE_ZH[v.mode] ?? v.mode) : null,
    v.leaders.map((l) => `${l.name}（${ROLE_ZH[l.role] ?? l.role}）`).join('、'),
    yesNo(v.leaders.some((l) => PRINCIPAL.has(l.role))),
    v.employerName,
    v.employerCreditCode,
    v.submittedName,
    v.submittedCreditCode,
    v.positions,
    yesNo(v.internshipBase),
    yesNo(v.recruitmentInvite),
    yesNo(v.demandSurvey),
    v.graduatesTracked,
    v.satisfaction,
    v.notes,
    v.ref,
  ];
}

const VISIT_WIDTHS = [12, 24, 12, 10, 30, 8, 30, 22, 30, 22, 8, 10, 10, 10, 10, 8, 30, 16];
const VISIT_SHEET_COLUMNS: XlsxColumn[] = VISIT_COLUMNS.map((header, i) => ({
  header,
  width: VISIT_WIDTHS[i] ?? 12,
  ...(i === 2 ? { format: 'date' as const } : {}),
}));
const PROGRESS_WIDTHS = [6, 8, 12, 28, 10, 10, 12, 12, 10, 12, 8, 26];
const PROGRESS_SHEET_COLUMNS: XlsxColumn[] = PROGRESS_COLUMNS.map((header, i) => ({
  header,
  width: PROGRESS_WIDTHS[i] ?? 12,
  ...(i === 4 || i === 9 ? { format: 'percent' as const } : {}),
}));

/** Writes the workbook to `out` (which is ended when the zip is complete). */
export async function writeLedgerXlsx(out: Writable, options: LedgerOptions): Promise<LedgerResult> {
  const wb = new XlsxWriter(out);
  if (options.ranking) {
    await wb.startSheet(PROGRESS_SHEET, PROGRESS_SHEET_COLUMNS);
    for (const r of options.ranking) {
      await wb.addRow([
        r.rank,
        rankChangeZh(r.rankChange),
        r.universityCode,
        r.universityName,
        r.completion,
        r.employersVisited,
        r.principalEmployers,
        r.newEmployers,
        r.positions,
        r.onsiteShare,
        statusZh(r),
        targetsZh(r),
      ]);
    }
  }

  const perSheet = options.maxRowsPerSheet ?? MAX_ROWS_PER_SHEET;
  const limit = options.visitLimit ?? Infinity;
  let sheetNo = 1;
  await wb.startSheet(VISITS_SHEET, VISIT_SHEET_COLUMNS);
  let inSheet = 0;
  let count = 0;
  let truncated = false;
  for await (const v of options.visits) {
    if (count >= limit) {
      truncated = true;
      break; // ends the iterator (its finally runs), so no further pages are read
    }
    if (inSheet >= perSheet) {
      await wb.startSheet(`${VISITS_SHEET}(${++sheetNo})`, VISIT_SHEET_COLUMNS);
      inSheet = 0;
    }
    await wb.addRow(visitCells(v));
    inSheet++;
    count++;
  }
  if (truncated) {
    await wb.addRow([
      `（附件仅列出前${count}条走访记录；完整电子台账请从通报归档下载：GET /v1/notices/{id}?format=xlsx）`,
    ]);
  }
  await wb.finish();
  return { visits: count, visitSheets: sheetNo, truncated };
}
