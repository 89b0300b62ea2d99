// What people type into a ledger's cells, read the way they meant it. Pure: a cell value in, a value or a Chinese
// message out. Spreadsheets give numbers (Excel date serials), strings in full-width or half-width, booleans, and
// formula results; CSV files give strings only.

/** One cell as a reader hands it over: formulas are replaced by their cached result. */
export type CellValue =
  | string
  | number
  | boolean
  | Date
  | null
  | { error: string }
  /** A formula without a usable result: none saved (a program that does not calculate), or an error such as #N/A. */
  | { formulaWithoutValue: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

/**
 * Full-width ASCII (ＡＢＣ１２３／－（）) folded to half-width and the ideographic space to a space; other characters kept.
 * NFKC would do this too, but it also rewrites characters people mean (①, ㈱, compatibility ideographs).
 */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/** Whether the cell holds nothing a reader would see (empty, spaces only). */
export function isBlank(cell: CellValue | undefined): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'string') return toHalfWidth(cell).trim() === '';
  return false;
}

/** A number as a person would write it: 12, 12.5, never 12.000000001 from binary floating point. */
function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

/** The cell as trimmed text (numbers as written, booleans as 是/否, dates as YYYY-MM-DD); '' when blank. */
export function cellText(cell: CellValue | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell.trim();
  if (typeof cell === 'number') return numberText(cell);
  if (typeof cell === 'boolean') return cell ? '是' : '否';
  if (cell instanceof Date) return isoDateOfUtc(cell);
  if ('error' in cell) return cell.error;
  return '';
}

/** A problem with the cell itself, whatever the column: an Excel error value or a formula without a result. */
export function cellProblem(cell: CellValue | undefined): string | undefined {
  if (cell === null || cell === undefined || typeof cell !== 'object' || cell instanceof Date) return undefined;
  if ('error' in cell) return `单元格是错误值 ${cell.error}：请改正公式或直接填写内容`;
  return '公式没有可用的计算结果（保存时未计算，或结果是 #N/A 等错误值）：请在 Excel/WPS 中改正公式并保存后再上交，或直接填写内容';
}

// ── dates ───────────────────────────────────────────────────────────────────────────────────────────────────
const pad = (n: number) => String(n).padStart(2, '0');
const isoDate = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
function isoDateOfUtc(date: Date): string {
  return isoDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}
function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= last;
}

/** Excel's serial day numbers: 1900 system (day 1 = 1900-01-01, with Lotus's phantom 1900-02-29) or 1904 system. */
export function excelSerialToDate(serial: number, date1904 = false): string {
  const days = Math.floor(serial);
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return isoDateOfUtc(new Date(epoch + days * 86_400_000));
}

/** Serials of 2000-01-01 … 2099-12-31 in the 1900 system (36526 … 73050): what a visit date can be. */
const SERIAL_MIN = 36526;
const SERIAL_MAX = 73050;

export interface DateContext {
  /** Years to try for a date written without one (4月1日): the campaign's years, first the one it starts in. */
  years: number[];
  /** The workbook counts days from 1904 (old Mac Excel). */
  date1904?: boolean;
}

const DATE_HINT = '请写成 2022-04-01、2022/4/1 或 2022年4月1日';

/**
 * A visit date from what people type: an Excel date (serial number or date cell), 2022-04-01, 2022/4/1, 2022.4.1,
 * 2022年4月1日, 20220401, and without a year 4月1日 or 4/1 (the campaign's year). A time after the date is ignored.
 */
export function parseDate(cell: CellValue | undefined, context: DateContext): Parsed<string> {
  if (cell instanceof Date) return ok(isoDateOfUtc(cell));
  if (typeof cell === 'number') {
    if (Number.isInteger(cell) && cell >= 19000101 && cell <= 20991231) return parseDate(String(cell), context);
    const min = context.date1904 ? SERIAL_MIN - 1462 : SERIAL_MIN;
    const max = context.date1904 ? SERIAL_MAX - 1462 : SERIAL_MAX;
    if (cell >= min && cell < max + 1) return ok(excelSerialToDate(cell, context.date1904));
    return fail(`${numberText(cell)} 不是日期：${DATE_HINT}`);
  }
  if (typeof cell !== 'string') return fail(`不是日期：${DATE_HINT}`);
  const text = toHalfWidth(cell).trim().replace(/\s+/g, ' ');
  const withYear =
    /^(\d{4})\s*[\-/.年]\s*(\d{1,2})\s*[\-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?)?$/.exec(
      text,
    ) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (withYear) {
    const [y, m, d] = [Number(withYear[1]), Number(withYear[2]), Number(withYear[3])];
    if (!realDate(y, m, d)) return fail(`${cell.trim()} 不是真实的日期：请核对年月日`);
    return ok(isoDate(y, m, d));
  }
  if (/^\d{5}(\.\d+)?$/.test(text)) return parseDate(Number(text), context); // a serial saved as text (CSV)
  const noYear = /^(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?$/.exec(text);
  if (noYear && context.years.length) {
    const [m, d] = [Number(noYear[1]), Number(noYear[2])];
    const year = context.years.find((y) => realDate(y, m, d));
    if (year === undefined) return fail(`${cell.trim()} 不是真实的日期：请核对月和日`);
    return ok(isoDate(year, m, d));
  }
  return fail(`“${cell.trim()}”不是日期：${DATE_HINT}`);
}

// ── yes / no ────────────────────────────────────────────────────────────────────────────────────────────────
const YES = new Set(['是', '有', '已', 'y', 'yes', 'true', '1', '√', '✓', '✔', '对']);
const NO = new Set(['否', '无', '没有', '未', 'n', 'no', 'false', '0', '×', '✗', '✘', '错']);

/** 是/否, Y/N, √/×, 1/0, TRUE/FALSE (a boolean cell too); blank → undefined (not stated). */
export function parseYesNo(cell: CellValue | undefined): Parsed<boolean | undefined> {
  if (isBlank(cell)) return ok(undefined);
  if (typeof cell === 'boolean') return ok(cell);
  if (typeof cell === 'number' && (cell === 0 || cell === 1)) return ok(cell === 1);
  const text = toHalfWidth(cellText(cell)).trim().toLowerCase();
  if (YES.has(text)) return ok(true);
  if (NO.has(text)) return ok(false);
  return fail(`“${cellText(cell)}”不是是/否：请填 是 或 否（也可写 Y/N、√/×、1/0）`);
}

// ── whole numbers ───────────────────────────────────────────────────────────────────────────────────────────
/** A whole number from min to max, typed as 120, １２０, 1,200 or 120人/120个; blank → undefined. */
export function parseCount(cell: CellValue | undefined, min: number, max: number): Parsed<number | undefined> {
  if (isBlank(cell)) return ok(undefined);
  let n: number;
  if (typeof cell === 'number') n = cell;
  else if (typeof cell === 'string') {
    const text = toHalfWidth(cell)
      .trim()
      .replace(/[,，\s]/g, '')
      .replace(/([人个名家次])$/, '');
    n = /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  } else n = NaN;
  if (!Number.isFinite(n)) return fail(`“${cellText(cell)}”不是数字：请填写整数，如 120`);
  if (!Number.isInteger(n)) return fail(`${numberText(n)} 不是整数：请填写整数`);
  if (n < min || n > max) return fail(`${n} 超出范围：应为 ${min} 到 ${max.toLocaleString('en-US')} 之间的整数`);
  return ok(n);
}

const SATISFACTION_WORDS: Record<string, number> = {
  非常满意: 5,
  很满意: 5,
  满意: 4,
  比较满意: 4,
  基本满意: 3,
  一般: 3,
  不太满意: 2,
  不满意: 2,
  非常不满意: 1,
  很不满意: 1,
};

/** Satisfaction 1–5, as a number or in words (非常满意 = 5 … 非常不满意 = 1); blank → undefined. */
export function parseSatisfaction(cell: CellValue | undefined): Parsed<number | undefined> {
  const word = typeof cell === 'string' ? SATISFACTION_WORDS[toHalfWidth(cell).trim()] : undefined;
  if (word !== undefined) return ok(word);
  const n = parseCount(cell, 1, 5);
  if (!n.ok)
    return fail(`${n.message.split('：')[0]}：满意度请填 1 到 5 的整数（5 为非常满意），或写 满意、基本满意 等`);
  return n;
}

// ── closed choices ──────────────────────────────────────────────────────────────────────────────────────────
export type VisitMode = 'onsite' | 'invited' | 'online';
export const MODE_LABELS: Record<VisitMode, string> = { onsite: '实地走访', invited: '请进来', online: '线上' };
const MODE_WORDS: Array<[RegExp, VisitMode]> = [
  [/^(onsite|实地走访|实地|走访|上门|上门走访|走出去|线下|线下走访|实地调研|到企业走访)$/i, 'onsite'],
  [/^(invited|请进来|邀请来校|来校|邀请|邀请企业来校|企业来校|进校|来访)$/i, 'invited'],
  [/^(online|线上|线上走访|网络|视频|视频会议|云走访|远程|在线)$/i, 'online'],
];

/** 实地走访 / 请进来 / 线上 and their usual variants (上门, 邀请来校, 视频会议 …), or the API's words. */
export function parseMode(cell: CellValue | undefined): Parsed<VisitMode> {
  const text = toHalfWidth(cellText(cell)).replace(/\s+/g, '');
  if (text === '') return fail('请填写走访形式：实地走访、请进来 或 线上');
  for (const [pattern, mode] of MODE_WORDS) if (pattern.test(text)) return ok(mode);
  return fail(`“${cellText(cell)}”不是走访形式：请填 实地走访、请进来 或 线上`);
}

export type LeaderRole = 'secretary' | 'president' | 'leader';
export const ROLE_LABELS: Record<LeaderRole, string> = { secretary: '书记', president: '校长', leader: '校领导' };

/**
 * A leader's role from its title. The principal leaders are the party secretary (书记, 党委书记) and the president
 * (校长, 院长); deputies (副书记, 副校长), the discipline secretary (纪委书记) and other members are 校领导.
 */
export function parseRole(text: string): LeaderRole | undefined {
  const t = toHalfWidth(text).replace(/\s+/g, '').toLowerCase();
  if (t === '') return undefined;
  if (['secretary', 'president', 'leader'].includes(t)) return t as LeaderRole;
  if (/副|纪委|常委|助理|委员/.test(t)) return 'leader';
  if (/^(校|学校|院|学院|大学)?(党委)?书记(兼校长|兼院长|、校长|、院长)?$/.test(t)) return 'secretary';
  if (/^(校|学校|学院|大学)?(执行)?(校长|院长)$/.test(t) || t === '正校长') return 'president';
  if (/^(校领导|学校领导|校级领导|其他校领导|其他|领导|班子成员|校领导班子成员|总会计师|董事长|理事长)$/.test(t))
    return 'leader';
  return undefined;
}

const OPENERS = new Set(['(', '（', '【', '[']);
const CLOSERS = new Set([')', '）', '】', ']']);

/**
 * 张三（书记） → { name: 张三, note: 书记 }: a name, then a bracketed note that ends the entry. The note holds no closing
 * bracket; the name is everything before the first opening bracket after which only the note remains (so 李四(小)(校长)
 * is 李四(小) with 校长). One pass over the entry, where a regular expression with a lazy name and a lazy note
 * backtracked cubically on a long entry of brackets.
 */
export function splitBracket(entry: string): { name: string; note: string } | undefined {
  const text = entry.trim();
  const last = text.length - 1;
  if (last < 2 || !CLOSERS.has(text[last]!)) return undefined;
  let lastCloser = -1;
  for (let i = last - 1; i >= 0; i--)
    if (CLOSERS.has(text[i]!)) {
      lastCloser = i;
      break;
    }
  for (let p = Math.max(lastCloser + 1, 1); p <= last - 2; p++) {
    if (!OPENERS.has(text[p]!)) continue;
    const name = text.slice(0, p).trim();
    return name ? { name, note: text.slice(p + 1, last).trim() } : undefined;
  }
  return undefined;
}

/** 书记：张三 → { before: 书记, after: 张三 } at the first colon (half- or full-width), both sides non-empty. */
export function splitColon(entry: string): { before: string; after: string } | undefined {
  const text = entry.trim();
  let at = -1;
  for (let i = 0; i < text.length; i++)
    if (text[i] === ':' || text[i] === '：') {
      at = i;
      break;
    }
  if (at < 1) return undefined;
  const before = text.slice(0, at).trim();
  const after = text.slice(at + 1).trim();
  return before && after ? { before, after } : undefined;
}

export interface Leader {
  role: LeaderRole;
  name: string;
}

const ROLE_HINT = '请写成 张三（书记）；李四（校长），职务为 书记、校长 或 校领导';

/**
 * Leaders written in one cell: 张三（书记）；李四（校长）, 张三(党委书记)、李四(副校长), 书记：张三，校长：李四 …
 * Entries are separated by ；;、，, / or new lines. `defaultRole` applies to a bare name (a column of one role);
 * without it a bare name is an error, because whether the leader is a principal decides the figures.
 */
export function parseLeaders(cell: CellValue | undefined, defaultRole?: LeaderRole): Parsed<Leader[]> {
  const text = toHalfWidth(cellText(cell));
  const leaders: Leader[] = [];
  // A role written before its names applies to the names after it: 书记：张三，校长：李四、王五.
  let prefixRole: LeaderRole | undefined;
  for (const raw of text.split(/[;；、,，/\n\r]+/)) {
    let entry = raw.trim();
    if (!entry) continue;
    let role: LeaderRole | undefined;
    let name: string;
    const bracket = splitBracket(entry);
    const colon = splitColon(entry);
    if (bracket) {
      name = bracket.name;
      role = parseRole(bracket.note);
      if (!role) return fail(`“${bracket.note}”不是职务（${entry}）：${ROLE_HINT}`);
    } else if (colon && parseRole(colon.before)) {
      prefixRole = parseRole(colon.before);
      entry = colon.after;
      name = entry;
      role = prefixRole;
    } else {
      const spaced = /^(\S+)\s+(\S+)$/.exec(entry);
      if (spaced && parseRole(spaced[2]!)) [name, role] = [spaced[1]!, parseRole(spaced[2]!)];
      else if (spaced && parseRole(spaced[1]!)) [name, role] = [spaced[2]!, parseRole(spaced[1]!)];
      else [name, role] = [entry, prefixRole ?? defaultRole];
    }
    if (!role) return fail(`没有注明“${name}”的职务：${ROLE_HINT}`);
    if (name.length > 100) return fail(`姓名“${name.slice(0, 20)}…”超过 100 个字`);
    if (parseRole(name)) return fail(`只写了职务“${name}”，没有姓名：${ROLE_HINT}`);
    leaders.push({ role, name });
  }
  return ok(leaders);
}

// ── issue 15: staff, place kind, majors ─────────────────────────────────────────────────────────────────
export type StaffRole = 'teacher' | 'counsellor' | 'administrator';
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  teacher: '专任教师',
  counsellor: '辅导员',
  administrator: '行政管理人员',
};

/** 专任教师 / 辅导员 / 行政管理人员 and their usual shorter forms, or the API's words. */
export function parseStaffRole(text: string): StaffRole | undefined {
  const t = toHalfWidth(text).replace(/\s+/g, '').toLowerCase();
  if (/^(teacher|专任教师|专业教师|教师|老师|专任老师|任课教师)$/.test(t)) return 'teacher';
  if (/^(counsellor|counselor|辅导员|班主任|学工|学工干部)$/.test(t)) return 'counsellor';
  if (/^(administrator|行政管理人员|行政人员|管理人员|行政|就业处|就业指导中心|职能部门|就业工作人员)$/.test(t))
    return 'administrator';
  return undefined;
}

export interface StaffMember {
  role: StaffRole;
  name?: string;
}

const STAFF_HINT = '请写成 王五（辅导员）；赵六（专任教师），或只写身份：辅导员、专任教师、行政管理人员';
const LIST_SEPARATORS = /[;；、,，/\n\r]+/;

/**
 * Staff taking part (全员联动), in one cell: 王五（辅导员）；赵六（专任教师）, or roles alone (辅导员、行政管理人员) when the
 * names are not kept. Up to 50 people; every entry needs a role.
 */
export function parseStaff(cell: CellValue | undefined): Parsed<StaffMember[]> {
  const staff: StaffMember[] = [];
  for (const raw of toHalfWidth(cellText(cell)).split(LIST_SEPARATORS)) {
    const entry = raw.trim();
    if (!entry) continue;
    const bracket = splitBracket(entry);
    if (bracket) {
      const role = parseStaffRole(bracket.note);
      if (!role) return fail(`“${bracket.note}”不是参与人员身份（${entry}）：${STAFF_HINT}`);
      const name = bracket.name;
      if (name.length > 100) return fail(`姓名“${name.slice(0, 20)}…”超过 100 个字`);
      staff.push({ role, name });
      continue;
    }
    const role = parseStaffRole(entry);
    if (!role) return fail(`没有注明“${entry}”的身份：${STAFF_HINT}`);
    staff.push({ role });
  }
  if (staff.length > 50) return fail(`参与人员最多 50 位（现有 ${staff.length} 位）`);
  return ok(staff);
}

export type PlaceKind = 'enterprise' | 'park' | 'association' | 'institution' | 'other';
export const PLACE_KIND_LABELS: Record<PlaceKind, string> = {
  enterprise: '企业',
  park: '园区',
  association: '行业协会',
  institution: '事业单位',
  other: '其他',
};
const PLACE_WORDS: Array<[RegExp, PlaceKind]> = [
  [/^(enterprise|企业|公司|走进企业)$/i, 'enterprise'],
  [/^(park|园区|产业园区|工业园区|开发区|高新区|科技园|走进园区)$/i, 'park'],
  [/^(association|行业协会|协会|行业|商会|行业组织|走进行业)$/i, 'association'],
  [/^(institution|事业单位|机关事业单位|机关|政府机关|医院)$/i, 'institution'],
  [/^(other|其他|其它)$/i, 'other'],
];

/** 企业 / 园区 / 行业协会 / 事业单位 / 其他 (走进园区、走进行业、走进企业); blank = not stated. */
export function parsePlaceKind(cell: CellValue | undefined): Parsed<PlaceKind | undefined> {
  const text = toHalfWidth(cellText(cell)).replace(/\s+/g, '');
  if (text === '') return ok(undefined);
  for (const [pattern, kind] of PLACE_WORDS) if (pattern.test(text)) return ok(kind);
  return fail(`“${cellText(cell)}”不是走访单位类型：请填 ${Object.values(PLACE_KIND_LABELS).join('、')}`);
}

/** Majors or skills asked for, one cell: 计算机科学与技术、电气工程；数控 (up to 50 entries of at most 100 characters). */
export function parseMajors(cell: CellValue | undefined): Parsed<string[]> {
  const majors = toHalfWidth(cellText(cell))
    .split(LIST_SEPARATORS)
    .map((s) => s.trim())
    .filter(Boolean);
  const long = majors.find((m) => m.length > 100);
  if (long) return fail(`“${long.slice(0, 20)}…”超过 100 个字`);
  if (majors.length > 50) return fail(`需求专业或技能最多 50 项（现有 ${majors.length} 项）`);
  return ok(majors);
}
