// The answer for each row: its status, and each error with its column and a message in Chinese. Errors found while
// reading the row are already Chinese; those of the shared ingestion road (scope, reference rules, storage) come as
// JSON-pointer paths with English messages and are said again here, on the column the path names. Pure.
import type { FieldKey, LedgerHeader } from './columns.ts';
import { fieldLabel, type RowError, type RowErrorKind } from './rows.ts';
import type { RowStatus } from './annotated.ts';

/** The field an event path points into: /visit/employer/creditCode → creditCode. */
const PATH_FIELDS: Array<[RegExp, FieldKey]> = [
  [/^\/visit\/ref\b/, 'ref'],
  [/^\/visit\/universityCode\b/, 'universityCode'],
  [/^\/visit\/visitedOn\b/, 'visitedOn'],
  [/^\/visit\/mode\b/, 'mode'],
  [/^\/visit\/leaders\b/, 'leaders'],
  [/^\/visit\/employer\/creditCode\b/, 'creditCode'],
  [/^\/visit\/employer\/regionCode\b/, 'regionCode'],
  [/^\/visit\/employer\b/, 'employerName'],
  [/^\/visit\/outcomes\/positions\b/, 'positions'],
  [/^\/visit\/outcomes\/internshipBase\b/, 'internshipBase'],
  [/^\/visit\/outcomes\/recruitmentInvite\b/, 'recruitmentInvite'],
  [/^\/visit\/outcomes\/demandSurvey\b/, 'demandSurvey'],
  [/^\/visit\/outcomes\/graduatesTracked\b/, 'graduatesTracked'],
  [/^\/visit\/outcomes\/satisfaction\b/, 'satisfaction'],
  [/^\/visit\/notes\b/, 'notes'],
];

const LEADER_COLUMNS: FieldKey[] = ['leaders', 'secretaries', 'presidents', 'otherLeaders', 'leaderName'];

/** The ingestion road's verdicts, as the importer sees them. */
export type RoadStatus = 'invalid' | 'unprocessable' | 'forbidden' | 'conflict';

/** One error of the ingestion road on the row's column, in Chinese (the original English kept in brackets). */
export function roadError(
  status: RoadStatus,
  error: { path: string; message: string },
  header: LedgerHeader,
  universityCode: string,
): RowError {
  const field = PATH_FIELDS.find(([p]) => p.test(error.path))?.[1];
  const col = field
    ? header.columns.find((c) => (field === 'leaders' ? LEADER_COLUMNS.includes(c.key) : c.key === field))
    : undefined;
  const at = { column: col?.header ?? (field ? fieldLabel(field) : '整行'), ...(col ? { index: col.index } : {}) };
  const kind: RowErrorKind = status === 'invalid' ? 'invalid' : 'unprocessable';
  if (status === 'forbidden')
    return {
      kind,
      ...at,
      message: `高校 ${universityCode} 不在本账号的范围内：只能上交本校（省级账号：本省高校）的走访记录`,
    };
  if (status === 'conflict')
    return { kind, ...at, message: '同一内容正被另一次上交处理：稍后重新上交即可（不会重复计数）' };
  if (field === 'universityCode' && /unknown university/.test(error.message))
    return {
      kind,
      ...at,
      message: `未知的高校代码 ${universityCode}：请核对 10 位教育部高校代码（该高校须已导入系统）`,
    };
  if (field === 'visitedOn' && /outside campaign/.test(error.message))
    return { kind, ...at, message: `走访日期不在专项行动期间内（${error.message}）` };
  if (field === 'creditCode')
    return { kind, ...at, message: `统一社会信用代码无效：请核对，不知道可留空（${error.message}）` };
  return { kind, ...at, message: `未通过校验：${error.message}` };
}

/** invalid when any error is a reading error, else unprocessable. */
export function failedStatus(errors: RowError[]): 'invalid' | 'unprocessable' {
  return errors.some((e) => e.kind === 'invalid') ? 'invalid' : 'unprocessable';
}

/** A row's answer in the JSON reply. */
export interface RowResult {
  row: number;
  ref: string | null;
  universityCode?: string;
  status: RowStatus;
  /** The event that recorded or amended the visit. */
  eventId?: string;
  errors?: Array<{ column: string; cell?: string; message: string }>;
}

/** A1-style column letters: 1 → A, 27 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

export function rowResult(
  row: number,
  ref: string | undefined,
  universityCode: string | undefined,
  status: RowStatus,
  errors: RowError[],
  eventId?: string,
): RowResult {
  return {
    row,
    ref: ref ?? null,
    ...(universityCode ? { universityCode } : {}),
    status,
    ...(eventId ? { eventId } : {}),
    ...(errors.length
      ? {
          errors: errors.map((e) => ({
            column: e.column,
            ...(e.index !== undefined ? { cell: `${columnLetter(e.index)}${row}` } : {}),
            message: e.message,
          })),
        }
      : {}),
  };
}

export type StatusCounts = Record<RowStatus, number>;

export function countStatuses(rows: ReadonlyArray<{ status: RowStatus }>): StatusCounts {
  const counts: StatusCounts = { accepted: 0, amended: 0, duplicate: 0, invalid: 0, unprocessable: 0 };
  for (const r of rows) counts[r.status]++;
  return counts;
}
