// How figures and dates are shown: dates as 2022年4月1日, numbers with thousands separators, shares as percentages.
// Display only: every figure comes from the API; rounding happens here, once, for the eye.

/** '2022-04-01' → '2022年4月1日'; null → '—'. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : date;
}

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as 2022年4月1日 10:00 in Asia/Shanghai. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(shanghai.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}年${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}`;
}

/** '2022-04' → '2022年4月'. */
export function formatMonth(month: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  return m ? `${m[1]}年${Number(m[2])}月` : month;
}

/** '2022-W14' → '2022年第14周'; a month period as formatMonth. */
export function formatPeriod(period: string): string {
  const w = /^(\d{4})-W(\d{2})$/.exec(period);
  return w ? `${w[1]}年第${Number(w[2])}周` : formatMonth(period);
}

const integer = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });

/** 2412000 → '2,412,000'; null → '—'. */
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : integer.format(n);
}

/** 0.222826 → '22.3%'; null → '—'. */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(digits)}%`;
}

/** Today's date in Asia/Shanghai, YYYY-MM-DD (the API's calendar). */
export function todayInShanghai(): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
}
