import { describe, expect, it } from 'vitest';
import {
  dateIn,
  defaultAsOf,
  expectedShare,
  isDate,
  parsePeriod,
  periodContaining,
  periodDueAt,
  periodRange,
  periodsBetween,
  previousPeriod,
  runsForCatchUp,
  runsForTick,
} from '../../shared/domain/periods.ts';

const week = (id: string) => ({ kind: 'week' as const, id });
const month = (id: string) => ({ kind: 'month' as const, id });
const C2022 = { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' };

describe('periods', () => {
  it('parses ISO weeks and months and rejects periods that do not exist', () => {
    expect(parsePeriod('2022-W14')).toEqual(week('2022-W14'));
    expect(parsePeriod('2022-04')).toEqual(month('2022-04'));
    expect(parsePeriod('2020-W53')).toEqual(week('2020-W53')); // 2020 has 53 ISO weeks
    expect(parsePeriod('2022-W53')).toBeNull(); // 2022 has 52
    expect(parsePeriod('2022-W00')).toBeNull();
    expect(parsePeriod('2022-13')).toBeNull();
    expect(parsePeriod('2022-4')).toBeNull();
    expect(parsePeriod('2022-04-01')).toBeNull();
  });

  it('gives the first and last day of an ISO week (Monday to Sunday) and of a month', () => {
    expect(periodRange(week('2022-W14'))).toEqual({ start: '2022-04-04', end: '2022-04-10' });
    expect(periodRange(week('2022-W01'))).toEqual({ start: '2022-01-03', end: '2022-01-09' });
    expect(periodRange(week('2020-W53'))).toEqual({ start: '2020-12-28', end: '2021-01-03' });
    expect(periodRange(month('2022-02'))).toEqual({ start: '2022-02-01', end: '2022-02-28' });
    expect(periodRange(month('2024-02'))).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(periodRange(month('2022-12'))).toEqual({ start: '2022-12-01', end: '2022-12-31' });
  });

  it('finds the period containing a date, across year boundaries', () => {
    expect(periodContaining('week', '2022-04-04')).toEqual(week('2022-W14'));
    expect(periodContaining('week', '2022-04-10')).toEqual(week('2022-W14'));
    expect(periodContaining('week', '2022-01-01')).toEqual(week('2021-W52')); // a Saturday in the last week of 2021
    expect(periodContaining('week', '2021-01-03')).toEqual(week('2020-W53'));
    expect(periodContaining('week', '2024-12-30')).toEqual(week('2025-W01'));
    expect(periodContaining('month', '2022-04-30')).toEqual(month('2022-04'));
  });

  it('steps back one period', () => {
    expect(previousPeriod(week('2022-W14'))).toEqual(week('2022-W13'));
    expect(previousPeriod(week('2022-W01'))).toEqual(week('2021-W52'));
    expect(previousPeriod(week('2021-W01'))).toEqual(week('2020-W53'));
    expect(previousPeriod(month('2022-01'))).toEqual(month('2021-12'));
  });

  it('lists the periods of a campaign, partial ones at both ends included', () => {
    expect(periodsBetween('month', '2022-03-01', '2022-08-31').map((p) => p.id)).toEqual([
      '2022-03',
      '2022-04',
      '2022-05',
      '2022-06',
      '2022-07',
      '2022-08',
    ]);
    const weeks = periodsBetween('week', '2022-03-01', '2022-08-31').map((p) => p.id);
    expect(weeks[0]).toBe('2022-W09'); // Tuesday 1 March is in W09 (28 Feb – 6 Mar)
    expect(weeks.at(-1)).toBe('2022-W35'); // Wednesday 31 August is in W35
    expect(weeks).toHaveLength(27);
  });

  it('validates calendar dates', () => {
    expect(isDate('2022-02-28')).toBe(true);
    expect(isDate('2022-02-29')).toBe(false);
    expect(isDate('2022-4-1')).toBe(false);
  });

  it('takes calendar dates in Asia/Shanghai', () => {
    // 2022-04-03T17:00Z is 01:00 on 4 April in Shanghai.
    expect(dateIn(new Date('2022-04-03T17:00:00Z'), 'Asia/Shanghai')).toBe('2022-04-04');
    expect(dateIn(new Date('2022-04-03T15:59:59Z'), 'Asia/Shanghai')).toBe('2022-04-03');
  });

  it('caps the default cut-off at the campaign end', () => {
    expect(defaultAsOf(week('2022-W14'), '2022-08-31')).toBe('2022-04-10');
    expect(defaultAsOf(week('2022-W35'), '2022-08-31')).toBe('2022-08-31');
    expect(defaultAsOf(month('2022-08'), '2022-08-31')).toBe('2022-08-31');
  });

  it('computes the expected share: 0 before the start, day 1 counts, 1 from the last day', () => {
    const c = { start: '2022-03-01', end: '2022-03-10' };
    expect(expectedShare(c, '2022-02-28')).toBe(0);
    expect(expectedShare(c, '2022-03-01')).toBeCloseTo(0.1, 12);
    expect(expectedShare(c, '2022-03-05')).toBeCloseTo(0.5, 12);
    expect(expectedShare(c, '2022-03-10')).toBe(1);
    expect(expectedShare(c, '2022-04-01')).toBe(1);
    // 2022: 184 days, 1 March to 31 August
    expect(expectedShare({ start: '2022-03-01', end: '2022-08-31' }, '2022-03-01')).toBeCloseTo(1 / 184, 12);
  });
});

describe('schedule', () => {
  it('a Monday tick is due for the previous ISO week, a 1st-of-month tick for the previous month', () => {
    expect(periodDueAt('week', '2022-04-11')).toEqual(week('2022-W14'));
    expect(periodDueAt('month', '2022-05-01')).toEqual(month('2022-04'));
    expect(periodDueAt('week', '2022-01-03')).toEqual(week('2021-W52'));
  });

  it('a tick enqueues only campaigns active in the period, with the period end (capped) as cut-off', () => {
    const later = { id: '2023', startDate: '2023-03-01', endDate: '2023-08-31' };
    expect(runsForTick('week', '2022-04-11', [C2022, later])).toEqual([
      { campaignId: '2022', period: week('2022-W14'), asOf: '2022-04-10' },
    ]);
    // week 2022-W35 (29 Aug – 4 Sep) overlaps the campaign's last days: cut-off is its end
    expect(runsForTick('week', '2022-09-05', [C2022])).toEqual([
      { campaignId: '2022', period: week('2022-W35'), asOf: '2022-08-31' },
    ]);
    expect(runsForTick('week', '2022-09-12', [C2022])).toEqual([]); // W36 is after the campaign
    expect(runsForTick('month', '2022-03-01', [C2022])).toEqual([]); // February: before it
    expect(runsForTick('month', '2022-09-01', [C2022])).toEqual([
      { campaignId: '2022', period: month('2022-08'), asOf: '2022-08-31' },
    ]);
  });

  it('catch-up lists the periods that ended within the look-back, not those still running', () => {
    // Wednesday 2022-04-13, 14 days back = 2022-03-30: W13 (ended 3 Apr), W14 (ended 10 Apr), March (ended 31 Mar).
    const runs = runsForCatchUp('2022-04-13', 14, [C2022]).map((r) => r.period.id);
    expect(runs.sort()).toEqual(['2022-03', '2022-W13', '2022-W14']);
    // a period whose last day is exactly the earliest day still counts; one day earlier does not
    expect(runsForCatchUp('2022-04-14', 14, [C2022]).map((r) => r.period.id)).toContain('2022-03');
    expect(runsForCatchUp('2022-04-15', 14, [C2022]).map((r) => r.period.id)).not.toContain('2022-03');
    expect(runsForCatchUp('2022-04-13', 0, [C2022])).toEqual([]);
  });
});
