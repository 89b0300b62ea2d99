// The ledger's columns: what the template writes, and every header people write instead (spaces, full-width,
// 必填 marks, another order, the exported ledger's own headers). Pure.
import { cellText, toHalfWidth, type CellValue } from './cells.ts';

export type FieldKey =
  | 'ref'
  | 'universityCode'
  | 'visitedOn'
  | 'mode'
  | 'leaders'
  | 'secretaries'
  | 'presidents'
  | 'otherLeaders'
  | 'leaderName'
  | 'leaderRole'
  | 'employerName'
  | 'creditCode'
  | 'regionCode'
  | 'positions'
  | 'internshipBase'
  | 'recruitmentInvite'
  | 'demandSurvey'
  | 'graduatesTracked'
  | 'satisfaction'
  | 'staff'
  | 'placeKind'
  | 'newPositions'
  | 'hired'
  | 'majors'
  | 'notes';

/** Headers a column may have (compared after normalizeHeader); the first is the template's. */
const ALIASES: Record<Exclude<FieldKey, 'leaderName' | 'leaderRole'>, string[]> = {
  ref: ['走访编号', '走访记录编号', '记录编号', '台账编号', '编号', '走访id', 'ref', 'visitref'],
  universityCode: ['高校代码', '学校代码', '院校代码', '学校标识码', '高校标识码', 'universitycode'],
  visitedOn: ['走访日期', '走访时间', '访问日期', '日期', '时间', 'visitedon'],
  mode: ['走访形式', '走访方式', '形式', '方式', 'mode'],
  leaders: [
    '带队校领导',
    '校领导',
    '带队领导',
    '参加校领导',
    '参与校领导',
    '走访校领导',
    '带队校领导及职务',
    '校领导及职务',
    '校领导(姓名及职务)',
    '带队校领导(姓名及职务)',
    'leaders',
  ],
  secretaries: ['书记', '党委书记', '校党委书记', '书记姓名'],
  presidents: ['校长', '院长', '校长(院长)', '校长姓名'],
  otherLeaders: ['其他校领导', '其他带队校领导', '副校级领导', '其他校领导姓名'],
  employerName: [
    '用人单位名称',
    '用人单位',
    '用人单位(填报)',
    '单位名称',
    '企业名称',
    '走访单位',
    '走访单位名称',
    '走访企业',
    '走访企业名称',
    'employer',
    'employername',
  ],
  creditCode: ['统一社会信用代码', '统一社会信用代码(填报)', '社会信用代码', '统一信用代码', '信用代码', 'creditcode'],
  regionCode: ['用人单位所在地区代码', '所在地区代码', '地区代码', '行政区划代码', '单位所在地代码', 'regioncode'],
  positions: ['提供岗位数', '岗位数', '岗位数量', '提供就业岗位数', '就业岗位数', '拓展岗位数', 'positions'],
  internshipBase: [
    '建立实习实践基地',
    '实习实践基地',
    '是否建立实习实践基地',
    '实习基地',
    '共建实习基地',
    'internshipbase',
  ],
  recruitmentInvite: [
    '邀请来校招聘',
    '是否邀请来校招聘',
    '邀请参加招聘活动',
    '邀请参加校园招聘',
    '招聘邀请',
    'recruitmentinvite',
  ],
  demandSurvey: [
    '开展用人需求调研',
    '用人需求调研',
    '社会需求调查',
    '是否开展用人需求调研',
    '需求调研',
    'demandsurvey',
  ],
  graduatesTracked: [
    '跟踪回访毕业生人数',
    '跟踪毕业生数',
    '跟踪毕业生人数',
    '回访毕业生人数',
    '跟踪调查毕业生数',
    'graduatestracked',
  ],
  satisfaction: ['用人单位满意度', '满意度', '单位满意度', 'satisfaction'],
  // Issue 15 (all optional): 全员联动, 走进园区/行业/企业, 开拓增量岗位, 需求台账.
  staff: ['参与教职工', '参与人员', '参与教师', '其他参与人员', '全员联动参与人员', 'staff'],
  placeKind: ['走访单位类型', '单位类型', '走访场所类型', '走访对象类型', 'placekind'],
  newPositions: ['新增岗位数', '增量岗位数', '开拓增量岗位数', '新开拓岗位数', 'newpositions'],
  hired: ['录用毕业生人数', '招聘毕业生人数', '吸纳毕业生人数', '签约毕业生人数', 'hired'],
  majors: ['需求专业或技能', '需求专业', '需求技能', '专业需求', '所需专业', 'majors'],
  notes: ['备注', '说明', '其他情况', '备注说明', 'notes'],
};

/**
 * Headers that name something else and must never be read as a column above: the exported ledger's resolved
 * employer (归并后), names and flags derived from other columns, and the status column of an annotated copy.
 */
const IGNORED = [
  '序号',
  '状态',
  '检查结果',
  '高校名称',
  '学校名称',
  '正职参与',
  '用人单位(归并后)',
  '统一社会信用代码(归并后)',
];

/** 带队校领导1姓名 / 校领导1 / 领导1 and 带队校领导1职务 / 职务1: leaders in numbered pairs of columns. */
const NUMBERED_NAME = /^(?:带队)?校?领导(\d{1,2})(?:姓名)?$|^姓名(\d{1,2})$/;
const NUMBERED_ROLE = /^(?:带队)?校?领导(\d{1,2})职务$|^职务(\d{1,2})$/;
/** One pair without numbers: 带队校领导姓名 + 带队校领导职务 (names and roles listed in the same order). */
const PAIR_NAME = /^(?:带队)?校?领导姓名$|^姓名$/;
const PAIR_ROLE = /^(?:带队)?校?领导职务$|^职务$/;

/** Full-width folded, spaces and line breaks removed, required marks (*, ★, 必填) dropped, lower case. */
export function normalizeHeader(text: string): string {
  return toHalfWidth(text)
    .replace(/\s+/g, '')
    .replace(/[*★☆]/g, '')
    .replace(/\((必填|选填|可选|必须填写)\)$/, '')
    .toLowerCase();
}

/** The header without any bracketed remark: 走访日期(格式:2022-04-01) → 走访日期. */
function withoutRemarks(normalized: string): string {
  // One pass: the next closing bracket of each kind is known for every position, so an unclosed bracket costs nothing.
  const pairs: Record<string, string> = { '(': ')', '[': ']', '【': '】' };
  const nextClose = new Map<string, number[]>();
  for (const close of Object.values(pairs)) {
    const at = new Array<number>(normalized.length + 1).fill(-1);
    for (let i = normalized.length - 1; i >= 0; i--) at[i] = normalized[i] === close ? i : at[i + 1]!;
    nextClose.set(close, at);
  }
  let out = '';
  for (let i = 0; i < normalized.length; i++) {
    const close = pairs[normalized[i]!];
    const end = close ? nextClose.get(close)![i + 1]! : -1;
    if (end >= 0) i = end;
    else out += normalized[i];
  }
  return out;
}

const EXACT = new Map<string, FieldKey | 'ignored'>();
for (const [key, aliases] of Object.entries(ALIASES))
  for (const a of aliases) EXACT.set(normalizeHeader(a), key as FieldKey);
for (const a of IGNORED) EXACT.set(normalizeHeader(a), 'ignored');

export interface ColumnMatch {
  key: FieldKey;
  /** The leader pair's number (1 for an unnumbered pair); only for leaderName and leaderRole. */
  n?: number;
  /** Matched only once bracketed remarks were dropped: loses to an exact match of the same field. */
  loose: boolean;
}

/** What a header names, or undefined for a column the ledger does not read. */
export function matchHeader(header: string): ColumnMatch | 'ignored' | undefined {
  const exact = normalizeHeader(header);
  if (!exact) return undefined;
  for (const [text, loose] of [
    [exact, false],
    [withoutRemarks(exact), true],
  ] as const) {
    const key = EXACT.get(text);
    if (key === 'ignored') return loose ? undefined : 'ignored';
    if (key) return { key, loose };
    const name = NUMBERED_NAME.exec(text);
    if (name) return { key: 'leaderName', n: Number(name[1] ?? name[2]), loose };
    const role = NUMBERED_ROLE.exec(text);
    if (role) return { key: 'leaderRole', n: Number(role[1] ?? role[2]), loose };
    if (PAIR_NAME.test(text)) return { key: 'leaderName', n: 1, loose };
    if (PAIR_ROLE.test(text)) return { key: 'leaderRole', n: 1, loose };
  }
  return undefined;
}

export interface HeaderColumn {
  /** 1-based column number in the sheet. */
  index: number;
  key: FieldKey;
  n?: number;
  /** The header as written in the file (messages name it). */
  header: string;
}

export interface LedgerHeader {
  /** 1-based row number of the header in the sheet. */
  row: number;
  columns: HeaderColumn[];
  /** Headers written in the file that the ledger does not read (reported, not an error). */
  unread: string[];
}

const LEADER_KEYS: FieldKey[] = ['leaders', 'secretaries', 'presidents', 'otherLeaders', 'leaderName'];
const REQUIRED: Array<{ keys: FieldKey[]; label: string }> = [
  { keys: ['ref'], label: '走访编号' },
  { keys: ['visitedOn'], label: '走访日期' },
  { keys: ['mode'], label: '走访形式' },
  { keys: LEADER_KEYS, label: '带队校领导（或 书记/校长 列，或 带队校领导1姓名/职务 列）' },
  { keys: ['employerName'], label: '用人单位名称' },
];

/** A header cell longer than this is not a header. */
const MAX_HEADER_CHARS = 200;
/** Fewer recognised columns than this and a row is not taken for the header (a title, a note, data). */
const MIN_HEADER_COLUMNS = 3;
/** The header is looked for in this many rows from the top (title rows, notes and blank rows above it). */
export const HEADER_SEARCH_ROWS = 30;

/**
 * The header a row would be: its recognised columns. Two columns naming one field: an exact header wins over a
 * loose one (用人单位（填报） over 用人单位（归并后）), else the first from the left.
 */
export function readHeaderRow(rowNumber: number, cells: ReadonlyArray<CellValue | undefined>): LedgerHeader {
  const chosen = new Map<string, HeaderColumn & { loose: boolean }>();
  const unread: string[] = [];
  cells.forEach((cell, i) => {
    const header = cellText(cell);
    if (!header) return;
    // No header is this long: a long cell (a title, a note, data) is neither read as one nor matched against the aliases.
    if (header.length > MAX_HEADER_CHARS) {
      unread.push(`${header.slice(0, 40)}…`);
      return;
    }
    const m = matchHeader(header);
    if (m === 'ignored') return;
    if (!m) {
      unread.push(header);
      return;
    }
    const slot = `${m.key}#${m.n ?? 0}`;
    const held = chosen.get(slot);
    if (held && !(held.loose && !m.loose)) {
      unread.push(header);
      return;
    }
    if (held) unread.push(held.header);
    chosen.set(slot, { index: i + 1, key: m.key, ...(m.n !== undefined ? { n: m.n } : {}), header, loose: m.loose });
  });
  const columns = [...chosen.values()].sort((a, b) => a.index - b.index).map(({ loose: _loose, ...c }) => c);
  return { row: rowNumber, columns, unread };
}

/** Whether a row looks like the header: enough recognised columns. */
export function isHeaderCandidate(header: LedgerHeader): boolean {
  return header.columns.length >= MIN_HEADER_COLUMNS;
}

/** The required columns a header lacks, as Chinese labels (empty when it has them all). */
export function missingColumns(header: LedgerHeader): string[] {
  const has = new Set(header.columns.map((c) => c.key));
  return REQUIRED.filter((r) => !r.keys.some((k) => has.has(k))).map((r) => r.label);
}

/** The labels of the required columns, for messages about a file without a header. */
export const REQUIRED_LABELS = REQUIRED.map((r) => r.label.split('（')[0]!);
