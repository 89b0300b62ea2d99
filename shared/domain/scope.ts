// What an API key may do. Pure: parsing a scope string and the access rules of CONTRACT.md; and the scopes of rankings.
// Reporting units (RULES.md "Reporting units"): the 31 provinces and 新疆生产建设兵团, whose code is 660000 and whose
// scope `bingtuan` means the same as `province:660000`. `central` covers the 部属 and 部省合建 universities.
import type { RankingScope } from './ranking.types.ts';

export type ClientScope =
  | { kind: 'university'; universityCode: string }
  | { kind: 'province'; provinceCode: string }
  | { kind: 'central' }
  | { kind: 'national' }
  | { kind: 'admin' }
  // 三员分立: the system administrator is `admin`; `security` manages accounts and keys; `auditor` reads the audit trail.
  | { kind: 'security' }
  | { kind: 'auditor' };

/** The reporting unit of 新疆生产建设兵团 (not a GB/T 2260 code: the project's, beside the 31 provinces'). */
export const BINGTUAN_CODE = '660000';
/** The authority (主管部门) of the MOE list that puts a university in 兵团's reporting unit. */
export const BINGTUAN_AUTHORITY = '新疆生产建设兵团';
/** `bingtuan`: an alias of `province:660000` in every scope a person or a system types. */
export const BINGTUAN_SCOPE = 'bingtuan';

/** How a university is addressed by the Ministry directly: 部属 (`ministry`) or 部省合建 (`joint`); null: neither. */
export type CentralKind = 'ministry' | 'joint';

const UNIVERSITY = /^university:(\d{10})$/;
const PROVINCE = /^province:(\d{6})$/;

/**
 * Parses `university:CODE`, `province:CODE`, `bingtuan` (= `province:660000`), `central`, `national`, `admin`,
 * `security` or `auditor`;
 * null when it is none of them.
 */
export function parseScope(text: string): ClientScope | null {
  if (text === 'national') return { kind: 'national' };
  if (text === 'admin') return { kind: 'admin' };
  if (text === 'security') return { kind: 'security' };
  if (text === 'auditor') return { kind: 'auditor' };
  if (text === 'central') return { kind: 'central' };
  if (text === BINGTUAN_SCOPE) return { kind: 'province', provinceCode: BINGTUAN_CODE };
  const u = UNIVERSITY.exec(text);
  if (u) return { kind: 'university', universityCode: u[1]! };
  const p = PROVINCE.exec(text);
  if (p) return { kind: 'province', provinceCode: p[1]! };
  return null;
}

/**
 * Parses a ranking's scope: `national`, `provinces`, `central`, `province:CODE` (6 digits) or `bingtuan`, which is
 * returned as `province:660000` (one name per unit in snapshots, notices and recipients); null otherwise.
 */
export function parseRankingScope(text: string): RankingScope | null {
  if (text === 'national' || text === 'provinces' || text === 'central') return text;
  if (text === BINGTUAN_SCOPE) return `province:${BINGTUAN_CODE}`;
  return PROVINCE.test(text) ? (text as RankingScope) : null;
}

/** The reporting unit's code of a `province:CODE` (or `bingtuan`) scope; null for `national`, `provinces`, `central`. */
export const provinceOfScope = (scope: string): string | null =>
  scope === BINGTUAN_SCOPE ? BINGTUAN_CODE : (PROVINCE.exec(scope)?.[1] ?? null);

/** The scope text of a key or user as stored and shown; 兵团's is `province:660000` (what `bingtuan` stands for). */
export function formatScope(scope: ClientScope): string {
  switch (scope.kind) {
    case 'university':
      return `university:${scope.universityCode}`;
    case 'province':
      return `province:${scope.provinceCode}`;
    case 'central':
    case 'national':
    case 'admin':
    case 'security':
    case 'auditor':
      return scope.kind;
  }
}

/** Is this the authority of a university the Ministry's list puts under 兵团? */
export const isBingtuanAuthority = (authority: string): boolean => authority.trim() === BINGTUAN_AUTHORITY;

/**
 * The reporting unit of a university: 兵团 (660000) when its authority is 新疆生产建设兵团, else its province. The MOE
 * list places 兵团's universities in 新疆维吾尔自治区's section; they are ranked and reported in 兵团's unit only.
 */
export const reportingUnitOf = (authority: string, provinceCode: string): string =>
  isBingtuanAuthority(authority) ? BINGTUAN_CODE : provinceCode;

// A local authority names a province (full or short name, e.g. 河北省, 北京市, 广西壮族自治区, 广西), alone, with its
// education department (河北省教育厅, 北京市教委), or first in a joint authority (上海市 中国科学院: 上海科技大学, run by
// Shanghai with the Academy). 兵团 is local too (its own unit). Everything else is a central body: 部属.
const LOCAL_SUFFIXES = ['教育厅', '教委', '教育委员会', '人民政府', '政府'];

/**
 * Is the authority (主管部门) a central ministry or agency (部属)? `provinceNames` are the 31 provinces' full and short
 * names. Central: 教育部, 工业和信息化部, 国家民委, 公安部, 交通运输部（中国民用航空局）, 应急管理部, 中国科学院,
 * 中央统战部, 海关总署, 中国地震局, 空军装备部 … (every authority that is neither a province, its education
 * department, nor 兵团). An empty authority is not central.
 */
export function isCentralAuthority(authority: string, provinceNames: Iterable<string>): boolean {
  const first = authority.trim().split(/\s+/)[0] ?? '';
  if (first === '' || isBingtuanAuthority(first)) return false;
  for (const name of provinceNames) {
    if (first === name) return false;
    if (first.startsWith(name) && LOCAL_SUFFIXES.includes(first.slice(name.length))) return false;
  }
  return true;
}

/**
 * A university's central kind: `joint` when its code is on the 部省合建 list (data/central-joint-universities.csv),
 * else `ministry` when its authority is central, else null.
 */
export function centralKindOf(
  code: string,
  authority: string,
  jointCodes: ReadonlySet<string>,
  provinceNames: Iterable<string>,
): CentralKind | null {
  if (jointCodes.has(code)) return 'joint';
  return isCentralAuthority(authority, provinceNames) ? 'ministry' : null;
}

/** What access decisions need to know of a university. */
export interface UniversityScopeFacts {
  code: string;
  /** Its reporting unit (660000 for 兵团's). */
  provinceCode: string;
  central?: CentralKind | null;
}

/**
 * May this key submit events for a university of the given reporting unit? A `central` key reads, it does not submit:
 * the universities and their units' systems do.
 */
export function maySubmitFor(scope: ClientScope, universityCode: string, provinceCode: string): boolean {
  switch (scope.kind) {
    case 'university':
      return scope.universityCode === universityCode;
    case 'province':
      return scope.provinceCode === provinceCode;
    case 'national':
    case 'admin':
      return true;
    case 'central':
    case 'security':
    case 'auditor':
      return false;
  }
}

/** May this key read a university's pages and progress? Those it may submit for, and a central key its universities. */
export function mayReadUniversity(scope: ClientScope, u: UniversityScopeFacts): boolean {
  if (scope.kind === 'central') return u.central != null;
  return maySubmitFor(scope, u.code, u.provinceCode);
}

/**
 * May this key read a ranking, progress or notice of the given scope (`national`, `provinces`, `central`,
 * `province:CODE`, `bingtuan`)? national/admin read everything; a province key (兵团's too) reads its own unit and
 * `provinces`; a central key reads `central`; others nothing.
 */
export function mayReadScope(scope: ClientScope, target: string): boolean {
  switch (scope.kind) {
    case 'national':
    case 'admin':
      return true;
    case 'province':
      return target === 'provinces' || provinceOfScope(target) === scope.provinceCode;
    case 'central':
      return target === 'central';
    case 'university':
    case 'security':
    case 'auditor':
      return false;
  }
}

/** The scope of a notice and of its recipients. */
export type NoticeScopeText = 'national' | 'central' | `province:${string}`;

/**
 * Parses a notice's (or recipient's) scope: `national`, `central`, `province:CODE` or `bingtuan` (returned as
 * `province:660000`, the scope 兵团's notices are stored under); null otherwise.
 */
export function parseNoticeScope(text: string): NoticeScopeText | null {
  const scope = parseRankingScope(text.trim());
  return scope === 'provinces' ? null : scope;
}

/** How the scopes of keys and users are spelled in help texts and errors. */
export const CLIENT_SCOPES_TEXT =
  'university:CODE (10 digits), province:CODE (6 digits), bingtuan (= province:660000), central, national, admin (system administrator), security (security administrator) or auditor';
