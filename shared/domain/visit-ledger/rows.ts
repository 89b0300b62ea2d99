// One data row of a ledger → one visit, or the reasons it cannot be one, each tied to its column and said in Chinese.
// Pure. Errors are `invalid` (the cell cannot be read: the API's 400) or `unprocessable` (readable, but it breaks a
// rule: outside the campaign, a wrong credit code check character; the API's 422).
import { isValidCreditCode, normalizeCreditCode } from '../credit-code.ts';
import {
  cellProblem,
  cellText,
  isBlank,
  parseCount,
  parseDate,
  parseLeaders,
  parseMode,
  parseRole,
  parseMajors,
  parsePlaceKind,
  parseSatisfaction,
  parseStaff,
  parseYesNo,
  toHalfWidth,
  type CellValue,
  type Leader,
  type LeaderRole,
  type PlaceKind,
  type StaffMember,
  type VisitMode,
} from './cells.ts';
import type { FieldKey, HeaderColumn, LedgerHeader } from './columns.ts';

export interface LedgerVisit {
  ref: string;
  universityCode: string;
  visitedOn: string;
  mode: VisitMode;
  leaders: Leader[];
  employer: { name: string; creditCode?: string; regionCode?: string };
  outcomes: {
    positions?: number;
    internshipBase?: boolean;
    recruitmentInvite?: boolean;
    demandSurvey?: boolean;
    graduatesTracked?: number;
    satisfaction?: number;
    newPositions?: number;
    hired?: number;
  };
  staff?: StaffMember[];
  placeKind?: PlaceKind;
  majors?: string[];
  notes?: string;
}

export type RowErrorKind = 'invalid' | 'unprocessable';

export interface RowError {
  kind: RowErrorKind;
  /** The column's header as written in the file (or the field's Chinese name when the file has no such column). */
  column: string;
  /** 1-based column number in the sheet, when the error belongs to a cell. */
  index?: number;
  message: string;
}

export interface MappedRow {
  /** 1-based row number in the sheet (the number Excel shows). */
  row: number;
  /** The 走访编号 as read (even when the row has errors), undefined when blank or unreadable. */
  ref?: string;
  universityCode?: string;
  /** The visit, when the row has no error. */
  visit?: LedgerVisit;
  errors: RowError[];
}

export interface RowContext {
  campaign: { id: string; start: string; end: string };
  /** Excel's 1904 date system (from the workbook). */
  date1904?: boolean;
  /** The university of rows without a 高校代码 (the uploader's, or the one named with the upload). */
  defaultUniversityCode?: string;
}

const FIELD_LABELS: Record<FieldKey, string> = {
  ref: '走访编号',
  universityCode: '高校代码',
  visitedOn: '走访日期',
  mode: '走访形式',
  leaders: '带队校领导',
  secretaries: '书记',
  presidents: '校长',
  otherLeaders: '其他校领导',
  leaderName: '带队校领导姓名',
  leaderRole: '带队校领导职务',
  employerName: '用人单位名称',
  creditCode: '统一社会信用代码',
  regionCode: '用人单位所在地区代码',
  positions: '提供岗位数',
  internshipBase: '建立实习实践基地',
  recruitmentInvite: '邀请来校招聘',
  demandSurvey: '开展用人需求调研',
  graduatesTracked: '跟踪回访毕业生人数',
  satisfaction: '用人单位满意度',
  staff: '参与教职工',
  placeKind: '走访单位类型',
  newPositions: '新增岗位数',
  hired: '录用毕业生人数',
  majors: '需求专业或技能',
  notes: '备注',
};
const LEADER_KEYS: FieldKey[] = ['leaders', 'secretaries', 'presidents', 'otherLeaders', 'leaderName'];
export const fieldLabel = (key: FieldKey): string => FIELD_LABELS[key];

// PostgreSQL text cannot hold NUL, and jsonb refuses lone UTF-16 surrogates (as in visit-event.schema.ts).
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether every column the ledger reads is blank in this row (trailing rows, rows with only a 序号). */
export function isEmptyRow(cells: ReadonlyArray<CellValue | undefined>, header: LedgerHeader): boolean {
  return header.columns.every((c) => {
    const cell = cells[c.index - 1];
    // A formula without a result shows nothing in the sheet (=IF(A5="","",…) copied down a template).
    return isBlank(cell) || (typeof cell === 'object' && cell !== null && 'formulaWithoutValue' in cell);
  });
}

/** Fields that list several entries in one cell (leaders, staff, majors): 50 entries of up to 100 characters. */
const LIST_KEYS = new Set<FieldKey>([
  'leaders',
  'secretaries',
  'presidents',
  'otherLeaders',
  'leaderName',
  'leaderRole',
  'staff',
  'majors',
]);

/**
 * The longest cell each field is read from, in characters. Checked before any pattern or parser sees the cell, so
 * whatever a cell holds, reading it costs time in proportion to these bounds, not to what a sender typed.
 */
export function maxCellChars(key: FieldKey): number {
  if (LIST_KEYS.has(key)) return 6_000;
  if (key === 'notes') return 4_000;
  return 1_000;
}

class RowReader {
  readonly errors: RowError[] = [];
  /** Columns (by index) whose cell is over maxCellChars: said once, then read as if failed. */
  private readonly overLong = new Set<number>();
  constructor(
    private readonly cells: ReadonlyArray<CellValue | undefined>,
    private readonly header: LedgerHeader,
  ) {
    for (const col of header.columns) {
      const cell = cells[col.index - 1];
      if (typeof cell !== 'string') continue;
      const max = maxCellChars(col.key);
      if (cell.length <= max) continue;
      this.overLong.add(col.index);
      this.fail(
        col,
        col.key,
        `“${col.header}”列的内容过长：超过 ${max} 个字（现有 ${cell.length} 个），请删减后重新上交`,
      );
    }
  }

  /** Whether this column's cell was refused for its length (its error is recorded already). */
  tooLong(col: HeaderColumn | undefined): boolean {
    return col !== undefined && this.overLong.has(col.index);
  }

  column(key: FieldKey, n?: number): HeaderColumn | undefined {
    return this.header.columns.find((c) => c.key === key && (n === undefined || c.n === n));
  }
  cell(col: HeaderColumn | undefined): CellValue | undefined {
    return col ? this.cells[col.index - 1] : undefined;
  }
  fail(col: HeaderColumn | undefined, key: FieldKey, message: string, kind: RowErrorKind = 'invalid'): undefined {
    this.errors.push({ kind, column: col?.header ?? FIELD_LABELS[key], ...(col ? { index: col.index } : {}), message });
    return undefined;
  }
  /** The cell of a field; `failed` (and an error recorded) when it is an Excel error or a formula without a result. */
  read(key: FieldKey): { col: HeaderColumn | undefined; cell: CellValue | undefined; failed: boolean } {
    const col = this.column(key);
    if (this.tooLong(col)) return { col, cell: undefined, failed: true };
    const cell = this.cell(col);
    const problem = cellProblem(cell);
    if (problem) {
      this.fail(col, key, problem);
      return { col, cell: undefined, failed: true };
    }
    return { col, cell, failed: false };
  }
  /** Trimmed text of at most `max` characters; blank → undefined (an error when required). */
  text(key: FieldKey, max: number, required: boolean, fold = false): string | undefined {
    const { col, cell, failed } = this.read(key);
    if (failed) return undefined;
    const raw = cellText(cell);
    const text = (fold ? toHalfWidth(raw) : raw).trim();
    if (!text) return required ? this.fail(col, key, `请填写${FIELD_LABELS[key]}`) : undefined;
    if (text.length > max) return this.fail(col, key, `${FIELD_LABELS[key]}超过 ${max} 个字（现有 ${text.length} 个）`);
    if (UNSTORABLE.test(text))
      return this.fail(col, key, `${FIELD_LABELS[key]}含有无法保存的控制字符：请删除后重新输入`);
    return text;
  }
  parsed<T>(
    key: FieldKey,
    parse: (cell: CellValue | undefined) => { ok: true; value: T } | { ok: false; message: string },
  ) {
    const { col, cell, failed } = this.read(key);
    if (!col || failed) return undefined;
    const r = parse(cell);
    return r.ok ? r.value : this.fail(col, key, r.message);
  }
}

function readLeaders(r: RowReader, header: LedgerHeader): Leader[] {
  const leaders: Leader[] = [];
  const take = (col: HeaderColumn, defaultRole?: LeaderRole) => {
    if (r.tooLong(col)) return undefined;
    const cell = r.cell(col);
    const problem = cellProblem(cell);
    if (problem) return r.fail(col, col.key, problem);
    const parsed = parseLeaders(cell, defaultRole);
    if (!parsed.ok) return r.fail(col, col.key, parsed.message);
    leaders.push(...parsed.value);
    return undefined;
  };
  for (const col of header.columns) {
    if (col.key === 'leaders') take(col);
    else if (col.key === 'secretaries') take(col, 'secretary');
    else if (col.key === 'presidents') take(col, 'president');
    else if (col.key === 'otherLeaders') take(col, 'leader');
  }
  // Numbered pairs: 带队校领导1姓名 + 带队校领导1职务, …; an unnumbered pair may list several names and roles in order.
  for (const nameCol of header.columns.filter((c) => c.key === 'leaderName')) {
    const roleCol = r.column('leaderRole', nameCol.n);
    if (r.tooLong(nameCol) || r.tooLong(roleCol)) continue;
    const nameCell = r.cell(nameCol);
    const roleCell = r.cell(roleCol);
    if (cellProblem(nameCell)) {
      r.fail(nameCol, 'leaderName', cellProblem(nameCell)!);
      continue;
    }
    if (!roleCol || isBlank(roleCell)) {
      if (isBlank(nameCell)) continue;
      if (!roleCol) {
        take(nameCol); // names with their roles in brackets
        continue;
      }
      r.fail(roleCol, 'leaderRole', `请填写“${cellText(nameCell)}”的职务：书记、校长 或 校领导`);
      continue;
    }
    const roles = toHalfWidth(cellText(roleCell))
      .split(/[;；、,，/\n]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const names = toHalfWidth(cellText(nameCell))
      .split(/[;；、,，/\n]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) {
      r.fail(nameCol, 'leaderName', `填写了职务“${cellText(roleCell)}”但没有姓名`);
      continue;
    }
    const parsedRoles = roles.map(parseRole);
    const bad = roles.find((_, i) => !parsedRoles[i]);
    if (bad !== undefined) {
      r.fail(roleCol, 'leaderRole', `“${bad}”不是职务：请填 书记、校长 或 校领导`);
      continue;
    }
    if (parsedRoles.length !== 1 && parsedRoles.length !== names.length) {
      r.fail(roleCol, 'leaderRole', `${names.length} 个姓名对应 ${parsedRoles.length} 个职务：请一一对应`);
      continue;
    }
    names.forEach((name, i) => {
      if (name.length > 100) r.fail(nameCol, 'leaderName', `姓名“${name.slice(0, 20)}…”超过 100 个字`);
      else leaders.push({ name, role: parsedRoles[parsedRoles.length === 1 ? 0 : i]! });
    });
  }
  return leaders;
}

/**
 * Reads one data row. Returns undefined for an empty row. Every problem is collected (not only the first), so the
 * annotated copy marks every wrong cell at once.
 */
export function mapRow(
  rowNumber: number,
  cells: ReadonlyArray<CellValue | undefined>,
  header: LedgerHeader,
  context: RowContext,
): MappedRow | undefined {
  if (isEmptyRow(cells, header)) return undefined;
  const r = new RowReader(cells, header);
  const { campaign } = context;

  const ref = r.text('ref', 128, true, true);
  let universityCode: string | undefined;
  const codeCol = r.column('universityCode');
  const codeCell = r.read('universityCode');
  const codeText = toHalfWidth(cellText(codeCell.cell)).replace(/\s+/g, '');
  if (codeCell.failed) {
    // said already
  } else if (codeText) {
    if (/^\d{10}$/.test(codeText)) universityCode = codeText;
    else r.fail(codeCol, 'universityCode', `“${codeText}”不是高校代码：应为 10 位数字（教育部高校代码）`);
  } else if (context.defaultUniversityCode) universityCode = context.defaultUniversityCode;
  else r.fail(codeCol, 'universityCode', '请填写高校代码（省级汇总上报时每行都要填写）');

  const years = [...new Set([Number(campaign.start.slice(0, 4)), Number(campaign.end.slice(0, 4))])];
  const visitedOn = r.parsed('visitedOn', (c) =>
    isBlank(c) ? { ok: false, message: '请填写走访日期' } : parseDate(c, { years, date1904: context.date1904 }),
  );
  if (visitedOn && (visitedOn < campaign.start || visitedOn > campaign.end)) {
    const col = r.column('visitedOn');
    r.fail(
      col,
      'visitedOn',
      `走访日期 ${visitedOn} 不在专项行动 ${campaign.id} 的期间（${campaign.start} 至 ${campaign.end}）内`,
      'unprocessable',
    );
  }
  const mode = r.parsed('mode', parseMode);
  const errorsBefore = r.errors.length;
  const leaders = readLeaders(r, header);
  const leaderCol = header.columns.find((c) => LEADER_KEYS.includes(c.key));
  // 全员联动: a visit made by staff alone needs no leader, but then it names its staff.
  const staff = r.parsed('staff', parseStaff) ?? [];
  const peopleTooLong = header.columns.some(
    (c) => (LEADER_KEYS.includes(c.key) || c.key === 'leaderRole' || c.key === 'staff') && r.tooLong(c),
  );
  if (leaders.length === 0 && staff.length === 0 && r.errors.length === errorsBefore && !peopleTooLong)
    r.fail(
      leaderCol,
      leaderCol?.key ?? 'leaders',
      '请填写带队校领导及其职务，如 张三（书记）；没有校领导参加的走访请在 参与教职工 列填写参与人员',
    );
  if (leaders.length > 20)
    r.fail(leaderCol, leaderCol?.key ?? 'leaders', `带队校领导最多 20 位（现有 ${leaders.length} 位）`);

  const employerName = r.text('employerName', 200, true);
  let creditCode: string | undefined;
  const creditText = r.text('creditCode', 64, false);
  if (creditText) {
    const normalized = normalizeCreditCode(creditText);
    if (isValidCreditCode(normalized)) creditCode = normalized;
    else
      r.fail(
        r.column('creditCode'),
        'creditCode',
        `“${creditText}”不是有效的统一社会信用代码（应为 18 位，末位校验码须正确）：请核对，不知道可留空`,
        /^[0-9A-Z]{18}$/.test(normalized) ? 'unprocessable' : 'invalid',
      );
  }
  let regionCode: string | undefined;
  const regionText = r.text('regionCode', 20, false, true);
  if (regionText) {
    if (/^\d{6}$/.test(regionText)) regionCode = regionText;
    else r.fail(r.column('regionCode'), 'regionCode', `“${regionText}”不是地区代码：应为 6 位行政区划代码，如 440300`);
  }
  const outcomes: LedgerVisit['outcomes'] = {};
  const positions = r.parsed('positions', (c) => parseCount(c, 0, 1_000_000));
  if (positions !== undefined) outcomes.positions = positions;
  for (const key of ['internshipBase', 'recruitmentInvite', 'demandSurvey'] as const) {
    const v = r.parsed(key, parseYesNo);
    if (v !== undefined) outcomes[key] = v;
  }
  const tracked = r.parsed('graduatesTracked', (c) => parseCount(c, 0, 1_000_000));
  if (tracked !== undefined) outcomes.graduatesTracked = tracked;
  const satisfaction = r.parsed('satisfaction', parseSatisfaction);
  if (satisfaction !== undefined) outcomes.satisfaction = satisfaction;
  const newPositions = r.parsed('newPositions', (c) => parseCount(c, 0, 1_000_000));
  if (newPositions !== undefined) {
    if (newPositions > (positions ?? 0))
      r.fail(
        r.column('newPositions'),
        'newPositions',
        `新增岗位数 ${newPositions} 超过提供岗位数 ${positions ?? 0}：新增岗位是提供岗位的一部分`,
      );
    else outcomes.newPositions = newPositions;
  }
  const hired = r.parsed('hired', (c) => parseCount(c, 0, 1_000_000));
  if (hired !== undefined) outcomes.hired = hired;
  const placeKind = r.parsed('placeKind', parsePlaceKind);
  const majors = r.parsed('majors', parseMajors) ?? [];
  const notes = r.text('notes', 2000, false);

  const mapped: MappedRow = {
    row: rowNumber,
    ...(ref !== undefined ? { ref } : {}),
    ...(universityCode !== undefined ? { universityCode } : {}),
    errors: r.errors,
  };
  if (r.errors.length === 0 && ref && universityCode && visitedOn && mode && employerName) {
    mapped.visit = {
      ref,
      universityCode,
      visitedOn,
      mode,
      leaders,
      employer: {
        name: employerName,
        ...(creditCode !== undefined ? { creditCode } : {}),
        ...(regionCode !== undefined ? { regionCode } : {}),
      },
      outcomes,
      ...(staff.length > 0 ? { staff } : {}),
      ...(placeKind !== undefined ? { placeKind } : {}),
      ...(majors.length > 0 ? { majors } : {}),
      ...(notes !== undefined ? { notes } : {}),
    };
  }
  return mapped;
}
