// Employer-name normalisation (pure). A name becomes canonical text (NFKC, simplified characters, Latin folded, no
// spaces or punctuation, one bracket style), then features: legal form, regions (leading or bracketed), branch,
// and the "core" (the name without them), which blocking and scoring work on.
import * as OpenCC from 'opencc-js/t2cn';
import { REGION_NAMES, regionByName } from './regions.ts';

// OpenCC's dictionaries through opencc-js: a maintained, pure-JS port with the Taiwan and Hong Kong variant tables
// (e.g. 裏/裡, 綫/線) that a plain character map lacks. The converters are slow to build (tens of ms), so once.
let toSimplifiedFns: Array<(s: string) => string> | undefined;
function converters(): Array<(s: string) => string> {
  return (toSimplifiedFns ??= [OpenCC.Converter({ from: 'tw', to: 'cn' }), OpenCC.Converter({ from: 'hk', to: 'cn' })]);
}

/** Traditional (Taiwan or Hong Kong usage) → simplified. */
export function toSimplified(text: string): string {
  let s = text;
  for (const convert of converters()) s = convert(s);
  return s;
}

const OPEN = /[(（【〔［｛〈《「『[{<]/gu;
const CLOSE = /[)）】〕］｝〉》」』\]}>]/gu;
// Whitespace (U+3000 included: \s covers it) and punctuation or symbols, except the unified brackets.
const NOISE = /[\s\p{P}\p{S}]/gu;

/** NFKC, brackets unified to (), traditional → simplified, Latin lower case, whitespace and punctuation removed. */
export function canonicalText(name: string): string {
  const s = toSimplified(name.normalize('NFKC').replace(OPEN, '\u0001').replace(CLOSE, '\u0002')).toLowerCase();
  return s
    .replace(NOISE, '')
    .replace(/\u0001/gu, '(')
    .replace(/\u0002/gu, ')')
    .replace(/\(\)/gu, '');
}

export type LegalKind = 'joint-stock' | 'limited' | 'partnership' | 'company' | '';

/** Longest first: the first that ends the name wins. */
const LEGAL_FORMS: ReadonlyArray<[string, LegalKind]> = [
  ['股份有限公司', 'joint-stock'],
  ['股份合作公司', 'joint-stock'],
  ['有限责任公司', 'limited'],
  ['股份公司', 'joint-stock'],
  ['有限公司', 'limited'],
  ['集团公司', 'company'],
  ['总公司', 'company'],
  ['公司', 'company'],
  // "XX股份": the legal form typed short.
  ['股份', 'joint-stock'],
];

export const BRANCH_MARKERS = ['分公司', '分行', '支行', '办事处', '分所', '分院', '营业部', '分厂', '分店'] as const;
const BRANCH = new RegExp(`(${BRANCH_MARKERS.join('|')})$`, 'u');

export interface Regions {
  province: string | null;
  city: string | null;
  district: string | null;
}

export interface EmployerFeatures {
  /** Canonical text of the whole name. */
  text: string;
  /** Name without regions, legal form, group marker, bracket notes and branch: what blocking compares. */
  core: string;
  /** The core's characters in code-point order: equal for names that differ by swapped characters. */
  coreSorted: string;
  /** The core without trailing industry words (艾布鲁环保科技 → 艾布鲁): the selective part for trigram blocking. */
  brand: string;
  legalForm: string;
  legalKind: LegalKind;
  /** 集团 before the legal form (a group and its listed company are distinct employers). */
  group: boolean;
  regions: Regions;
  /** Bracketed text that is not a region (e.g. 2014-08-05合并前). */
  note: string;
  /** A branch (分公司, 分行 …) is a different employer from its parent; `name` is where it is (深圳, 深圳南山). */
  branch: { marker: string; name: string } | null;
  /** Everything that decides identity, in one string: equal keys are the same employer without scoring. */
  key: string;
}

interface RegionMatch {
  province: string;
  city: string | null;
  rest: string;
}

/** A region name at the start of `s`, with or without its suffix (省, 市, 自治区 …); null when none or nothing would remain. */
function leadingRegion(s: string): RegionMatch | null {
  for (const r of REGION_NAMES) {
    if (!s.startsWith(r.name)) continue;
    let rest = s.slice(r.name.length);
    const suffix = r.suffixes.find((x) => rest.startsWith(x));
    if (suffix) rest = rest.slice(suffix.length);
    if (rest.length < 2) continue;
    return { province: r.province, city: r.kind === 'city' ? r.name : null, rest };
  }
  return null;
}

/** 南山区, 浦东新区, 长泰县: a district after a city, only with its suffix (too ambiguous without). */
const DISTRICT = /^(\p{Script=Han}{1,3}?)(新区|区|县)/u;

function stripLeadingRegions(s: string, regions: Regions): string {
  let rest = s;
  for (let i = 0; i < 2; i++) {
    const m = leadingRegion(rest);
    if (!m) break;
    regions.province ??= m.province;
    if (m.city) regions.city ??= m.city;
    rest = m.rest;
    if (m.city) break;
  }
  if (regions.city || rest !== s) {
    const d = DISTRICT.exec(rest);
    if (d && rest.length - d[0].length >= 2) {
      regions.district = d[1]!;
      rest = rest.slice(d[0].length);
    }
  }
  return rest;
}

/** A whole string that is a region name (深圳, 深圳市, 广东省): for bracketed regions and branch locations. */
function wholeRegion(s: string): { province: string; city: string | null } | null {
  for (const r of REGION_NAMES) {
    if (s === r.name || r.suffixes.some((x) => s === r.name + x))
      return { province: r.province, city: r.kind === 'city' ? r.name : null };
  }
  return null;
}

/** A branch's location with region suffixes dropped (深圳市南山区 → 深圳南山), so that 深圳市分公司 = 深圳分公司. */
function branchLocation(s: string): string {
  const regions: Regions = { province: null, city: null, district: null };
  const whole = wholeRegion(s);
  if (whole) return whole.city ?? whole.province;
  const rest = stripLeadingRegions(s + '\u0000\u0000', regions).replace(/\0/gu, '');
  const prefix = [regions.province && !regions.city ? regions.province : null, regions.city, regions.district]
    .filter(Boolean)
    .join('');
  return prefix + rest;
}

/** The trailing region of a parent name without legal form (中国工商银行深圳 → 深圳), for 中国工商银行深圳分行. */
function trailingRegion(s: string): string | null {
  for (let i = Math.max(0, s.length - 8); i < s.length - 1; i++) {
    const tail = s.slice(i);
    if (i >= 2 && wholeRegion(tail)) return tail;
  }
  return null;
}

function stripLegalForm(s: string): { rest: string; legalForm: string; legalKind: LegalKind; group: boolean } {
  let rest = s;
  let legalForm = '';
  let legalKind: LegalKind = '';
  for (const [form, kind] of LEGAL_FORMS) {
    if (rest.endsWith(form) && rest.length > form.length) {
      legalForm = form;
      legalKind = kind;
      rest = rest.slice(0, -form.length);
      break;
    }
  }
  let group = false;
  if (rest.endsWith('集团') && rest.length > 3) {
    group = true;
    rest = rest.slice(0, -2);
  }
  return { rest, legalForm, legalKind, group };
}

/** Industry words that end many cores; longest first. Trigrams of these match half a registry, so blocking skips them. */
const INDUSTRY_WORDS = [
  '信息技术',
  '网络科技',
  '环保科技',
  '生物科技',
  '科技发展',
  '智能装备',
  '建设工程',
  '文化传媒',
  '房地产',
  '新材料',
  '新能源',
  '半导体',
  '自动化',
  '科技',
  '技术',
  '电子',
  '信息',
  '软件',
  '网络',
  '环保',
  '材料',
  '能源',
  '生物',
  '医药',
  '制药',
  '药业',
  '化工',
  '机械',
  '电气',
  '设备',
  '智能',
  '控股',
  '实业',
  '投资',
  '发展',
  '建设',
  '工程',
  '电力',
  '汽车',
  '物流',
  '食品',
  '传媒',
  '文化',
  '通信',
  '光电',
  '精密',
  '装备',
  '制造',
  '工业',
  '产业',
  '贸易',
  '服务',
  '数据',
  '系统',
  '仪器',
  '纺织',
  '服饰',
  '钢铁',
  '矿业',
  '置业',
  '地产',
  '银行',
  '证券',
  '保险',
  '集团',
  '股份',
  '国际',
  '数码',
  '农业',
  '环境',
  '医疗',
];

/** The core minus trailing industry words, keeping at least two characters. */
export function brandOf(core: string): string {
  let brand = core;
  for (let i = 0; i < 3; i++) {
    const w = INDUSTRY_WORDS.find((x) => brand.endsWith(x) && brand.length - x.length >= 2);
    if (!w) break;
    brand = brand.slice(0, -w.length);
  }
  return brand;
}

export function employerFeatures(name: string): EmployerFeatures {
  const text = canonicalText(name);
  const regions: Regions = { province: null, city: null, district: null };
  let legalKind: LegalKind = '';
  let legalForm = '';
  const notes: string[] = [];
  let group = false;
  // Bracketed parts: a region (腾讯科技（深圳）有限公司), a legal form (有限合伙) or a note kept apart from the core.
  let s = text.replace(/\(([^()]*)\)/gu, (_m, inner: string) => {
    const region = wholeRegion(inner);
    if (region) {
      regions.province ??= region.province;
      if (region.city) regions.city ??= region.city;
    } else if (inner === '集团') {
      group = true;
    } else if (inner === '有限合伙' || inner === '普通合伙') {
      legalKind = 'partnership';
      legalForm = inner;
    } else {
      notes.push(inner);
    }
    return '';
  });
  s = s.replace(/[()]/gu, '');

  let branch: EmployerFeatures['branch'] = null;
  const b = BRANCH.exec(s);
  if (b && s.length > b[0].length + 1) {
    const before = s.slice(0, -b[0].length);
    const at = before.lastIndexOf('公司');
    let parent: string;
    let location: string;
    if (at > 0 && at + 2 < before.length) {
      parent = before.slice(0, at + 2);
      location = before.slice(at + 2);
    } else if (at > 0) {
      parent = before;
      location = '';
    } else {
      location = trailingRegion(before) ?? '';
      parent = before.slice(0, before.length - location.length);
    }
    branch = { marker: b[1]!, name: branchLocation(location) };
    s = parent;
  }

  const legal = stripLegalForm(s);
  s = legal.rest;
  if (legal.legalForm) {
    legalForm = legal.legalForm;
    legalKind = legal.legalKind;
  }
  let core = stripLeadingRegions(s, regions);
  if (core.length === 0) core = s || text;
  const note = notes.join('|');
  const coreSorted = [...core].sort().join('');
  group ||= legal.group;
  const key = [
    regions.province ?? '',
    regions.city ?? '',
    regions.district ?? '',
    core,
    legalKind,
    group ? 'g' : '',
    note,
    branch ? `${branch.marker}:${branch.name}` : '',
  ].join('|');
  return { text, core, coreSorted, brand: brandOf(core), legalForm, legalKind, group, regions, note, branch, key };
}

/** The exact-match key of a name (see EmployerFeatures.key); what employers.normalized_name and spellings store. */
export function normalizeEmployerName(name: string): string {
  return employerFeatures(name).key;
}

export { regionByName };
