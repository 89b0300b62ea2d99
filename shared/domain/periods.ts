// Reporting periods (ISO week `2022-W14`, month `2022-04`) over calendar dates ('YYYY-MM-DD', Asia/Shanghai), and
// which periods a schedule makes due at a given moment. Pure: dates are strings, arithmetic is done in UTC.

export type PeriodKind = 'week' | 'month';

export interface Period {
  kind: PeriodKind;
  /** `2022-W14` or `2022-04`. */
  id: string;
}

export interface DateRange {
  start: string;
  end: string;
}

const WEEK = /^(\d{4})-W(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const toMs = (date: string) => Date.parse(`${date}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const ms = toMs(text);
  return Number.isFinite(ms) && fromMs(ms) === text && Number(m[1]) >= 1900;
}

export function addDays(date: string, days: number): string {
  return fromMs(toMs(date) + days * DAY_MS);
}

/** Days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((toMs(b) - toMs(a)) / DAY_MS);
}

/** ISO weekday, Monday = 1 … Sunday = 7. */
function isoWeekday(date: string): number {
  const d = new Date(toMs(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Monday of ISO week 1 of `year`: the week holding 4 January. */
function week1Monday(year: number): string {
  const jan4 = `${pad(year, 4)}-01-04`;
  return addDays(jan4, 1 - isoWeekday(jan4));
}

function weeksInYear(year: number): number {
  return daysBetween(week1Monday(year), week1Monday(year + 1)) / 7;
}

/** Parses `2022-W14` or `2022-04`; null when it is neither or names no real period (`2022-W53`, `2022-13`). */
export function parsePeriod(text: string): Period | null {
  const w = WEEK.exec(text);
  if (w) {
    const year = Number(w[1]);
    const week = Number(w[2]);
    return year >= 1900 && week >= 1 && week <= weeksInYear(year) ? { kind: 'week', id: text } : null;
  }
  const m = MONTH.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    return year >= 1900 && month >= 1 && month <= 12 ? { kind: 'month', id: text } : null;
  }
  return null;
}

/** Like parsePeriod, but throws a message saying what is expected. */
export function periodOf(text: string): Period {
  const p = parsePeriod(text);
  if (!p)
    throw new RangeError(
      `period ${JSON.stringify(text)} is neither an ISO week like 2022-W14 nor a month like 2022-04`,
    );
  return p;
}

/** First and last calendar day of the period, both included. */
export function periodRange(p: Period): DateRange {
  if (p.kind === 'week') {
    const [y, w] = p.id.split('-W').map(Number) as [number, number];
    const start = addDays(week1Monday(y), (w - 1) * 7);
    return { start, end: addDays(start, 6) };
  }
  const [y, m] = p.id.split('-').map(Number) as [number, number];
  const start = `${pad(y, 4)}-${pad(m)}-01`;
  const next = m === 12 ? `${pad(y + 1, 4)}-01-01` : `${pad(y, 4)}-${pad(m + 1)}-01`;
  return { start, end: addDays(next, -1) };
}

/** The period of the given kind that contains the date. */
export function periodContaining(kind: PeriodKind, date: string): Period {
  if (kind === 'month') return { kind, id: date.slice(0, 7) };
  // The ISO week-year is the year of the week's Thursday.
  const thursday = addDays(date, 4 - isoWeekday(date));
  const year = Number(thursday.slice(0, 4));
  const week = Math.floor(daysBetween(week1Monday(year), thursday) / 7) + 1;
  return { kind, id: `${pad(year, 4)}-W${pad(week)}` };
}

export function previousPeriod(p: Period): Period {
  return periodContaining(p.kind, addDays(periodRange(p).start, -1));
}

export function nextPeriod(p: Period): Period {
  return periodContaining(p.kind, addDays(periodRange(p).end, 1));
}

/** Every period of the kind that overlaps [start, end] (a campaign's dates), in order. */
export function periodsBetween(kind: PeriodKind, start: string, end: string): Period[] {
  const out: Period[] = [];
  for (let p = periodContaining(kind, start); periodRange(p).start <= end; p = nextPeriod(p)) out.push(p);
  return out;
}

export function overlaps(a: DateRange, b: DateRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The calendar date of an instant in a time zone (`Asia/Shanghai` by default). */
export function dateIn(instant: Date, timeZone = 'Asia/Shanghai'): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
}

/** The default cut-off of a period's snapshot: its last day, but not after the campaign's end. */
export function defaultAsOf(p: Period, campaignEnd: string): string {
  const end = periodRange(p).end;
  return end < campaignEnd ? end : campaignEnd;
}

/** The period a scheduled run at `today` reports on: the previous ISO week, or the previous month. */
export function periodDueAt(kind: PeriodKind, today: string): Period {
  return previousPeriod(periodContaining(kind, today));
}

export interface CampaignDates {
  id: string;
  startDate: string;
  endDate: string;
}

export interface DueRun {
  campaignId: string;
  period: Period;
  asOf: string;
}

/** What one tick of the weekly or monthly schedule enqueues: the previous period, for every campaign active in it. */
export function runsForTick(kind: PeriodKind, today: string, campaigns: CampaignDates[]): DueRun[] {
  const period = periodDueAt(kind, today);
  const range = periodRange(period);
  return campaigns
    .filter((c) => overlaps(range, { start: c.startDate, end: c.endDate }))
    .map((c) => ({ campaignId: c.id, period, asOf: defaultAsOf(period, c.endDate) }));
}

/**
 * Catch-up on start: every week and month that ended before `today` and no more than `lookbackDays` ago (its last day
 * ≥ today − lookbackDays), for every campaign active in it. The caller drops those that already have a snapshot.
 */
export function runsForCatchUp(today: string, lookbackDays: number, campaigns: CampaignDates[]): DueRun[] {
  const earliest = addDays(today, -lookbackDays);
  const yesterday = addDays(today, -1);
  const out: DueRun[] = [];
  for (const kind of ['week', 'month'] as const) {
    for (const period of periodsBetween(kind, earliest, yesterday)) {
      const range = periodRange(period);
      if (range.end > yesterday || range.end < earliest) continue; // not over yet, or too long ago
      for (const c of campaigns) {
        if (overlaps(range, { start: c.startDate, end: c.endDate }))
          out.push({ campaignId: c.id, period, asOf: defaultAsOf(period, c.endDate) });
      }
    }
  }
  return out;
}

/**
 * Share of the campaign elapsed at the cut-off: days from the start to `asOf`, both included, over the campaign's days;
 * 0 before the start, 1 from the last day on.
 */
export function expectedShare(campaign: DateRange, asOf: string): number {
  if (asOf < campaign.start) return 0;
  if (asOf >= campaign.end) return 1;
  return (daysBetween(campaign.start, asOf) + 1) / (daysBetween(campaign.start, campaign.end) + 1);
}
