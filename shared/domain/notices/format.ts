// Pure formatting shared by the notice renderers: dates and numbers the way Chinese notices write them.

/** '2022-04-30' → '2022年4月30日'. */
export function dateZh(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) return isoDate;
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

/** '2022-W14' → '2022年第14周'; '2022-04' → '2022年4月'; anything else unchanged. */
export function periodZh(period: string): string {
  const w = /^(\d{4})-W(\d{2})$/.exec(period);
  if (w) return `${w[1]}年第${Number(w[2])}周`;
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) return `${m[1]}年${Number(m[2])}月`;
  return period;
}

/** 0.4234 → '42.3%'; null → '—'. */
export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

/** 1234567 → '1,234,567'. */
export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Rank change as a reader expects it: ↑2, ↓1, 持平, 新进 (no earlier snapshot). */
export function rankChangeZh(change: number | null | undefined): string {
  if (change === null || change === undefined) return '新进';
  if (change > 0) return `↑${change}`;
  if (change < 0) return `↓${-change}`;
  return '持平';
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escapes the characters Markdown would read as markup in a table cell or list item. */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\`*_[\]|<>#])/g, '\\$1');
}

export const MODE_ZH: Readonly<Record<string, string>> = { onsite: '实地走访', invited: '请进来', online: '线上' };
export const ROLE_ZH: Readonly<Record<string, string>> = { secretary: '党委书记', president: '校长', leader: '校领导' };

/** UTF-8 length, the unit of the robots' message limits. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Items joined, at most `max` of them and the rest counted: '甲、乙等12所' (`unit` counts them). */
export function namesZh(items: readonly string[], max = Infinity, unit = '所', sep = '、'): string {
  return items.length > max ? `${items.slice(0, max).join(sep)}等${int(items.length)}${unit}` : items.join(sep);
}

/** How many rows a notice's long lists show; the whole list is in the attached ledger. */
export const NOTICE_LIST_ROWS = 100;

/**
 * The first `max` universities of a long list, and the sentence saying how many it shows of how many and in what order
 * (`orderZh`, e.g. '按完成度由低到高'); null when it shows them all.
 */
export function cutList<T>(
  rows: readonly T[],
  max: number = NOTICE_LIST_ROWS,
  orderZh = '',
): { shown: T[]; noteZh: string | null } {
  if (rows.length <= max) return { shown: [...rows], noteZh: null };
  return {
    shown: rows.slice(0, max),
    noteZh: `（${orderZh}列出${int(max)}所，共${int(rows.length)}所，完整名单见附件《电子台账》“高校进度”工作表。）`,
  };
}
