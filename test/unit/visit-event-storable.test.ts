// Validation to what PostgreSQL stores (timestamptz offsets and years, dates in a sane range) and the bound on
// occurredAt after receipt, without any service. The API tests show the same values against the real database.
import { describe, expect, it } from 'vitest';
import {
  checkRules,
  MAX_OCCURRED_AHEAD_MS,
  parseVisitEvent,
  type VisitEvent,
} from '../../shared/domain/visit-event.schema.ts';

const valid = (occurredAt = '2022-04-02T10:00:00+08:00', visitedOn = '2022-04-02') => ({
  eventId: 'e-1',
  type: 'visit.recorded',
  occurredAt,
  campaignId: '2022',
  visit: {
    ref: 'v-1',
    universityCode: '4144010001',
    visitedOn,
    mode: 'onsite',
    leaders: [{ role: 'secretary', name: '张三' }],
    employer: { name: '华为技术有限公司' },
  },
});
const errorsOf = (body: unknown) => {
  const r = parseVisitEvent(body);
  return r.ok ? [] : r.errors;
};
const facts = { universityProvince: '440000', campaign: { start: '2022-03-01', end: '2022-08-31' } };

describe('occurredAt as PostgreSQL stores it', () => {
  it('refuses year 0000 and offsets beyond ±15:59, each with one error naming the field', () => {
    expect(errorsOf(valid('0000-01-01T00:00:00Z'))).toEqual([
      { path: '/occurredAt', message: 'must not be before 2000-01-01T00:00:00Z' },
    ]);
    for (const offset of ['+23:00', '-16:00', '+16:00']) {
      expect(errorsOf(valid(`2022-04-02T10:00:00${offset}`))).toEqual([
        { path: '/occurredAt', message: expect.stringMatching(/offset between -15:59 and \+15:59/) },
      ]);
    }
  });

  it('accepts the extreme offsets PostgreSQL takes and the real ones', () => {
    for (const offset of ['+15:59', '-15:59', '+14:00', '-12:00', '+05:45', 'Z'])
      expect(parseVisitEvent(valid(`2022-04-02T10:00:00${offset}`)).ok).toBe(true);
  });

  it('refuses a malformed value with the format message only', () => {
    expect(errorsOf(valid('2022-04-02 10:00'))).toEqual([
      { path: '/occurredAt', message: expect.stringMatching(/ISO 8601/) },
    ]);
  });

  it('bounds the retraction occurredAt too', () => {
    expect(
      errorsOf({
        eventId: 'e',
        type: 'visit.retracted',
        occurredAt: '2022-04-02T10:00:00+23:00',
        visit: { ref: 'v', universityCode: '4144010001' },
      }).map((e) => e.path),
    ).toEqual(['/occurredAt']);
  });
});

describe('visitedOn in a sane range', () => {
  it('refuses dates before 2000 or after 2099 (PostgreSQL refuses year 0000 outright)', () => {
    for (const d of ['0000-01-01', '1999-12-31', '2100-01-01'])
      expect(errorsOf(valid(undefined, d))).toEqual([
        { path: '/visit/visitedOn', message: 'must be a date from 2000-01-01 to 2099-12-31' },
      ]);
    expect(parseVisitEvent(valid(undefined, '2000-01-01')).ok).toBe(true);
  });
});

describe('occurredAt at most a day after receipt (checkRules, 422)', () => {
  const event = (occurredAt: string) => {
    const r = parseVisitEvent(valid(occurredAt));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event as VisitEvent;
  };
  const receivedAt = new Date('2022-04-02T02:00:00Z');

  it('accepts up to a day ahead of receipt and refuses beyond, saying what to check', () => {
    const limit = new Date(receivedAt.getTime() + MAX_OCCURRED_AHEAD_MS).toISOString();
    expect(checkRules(event(limit), facts, receivedAt)).toEqual([]);
    const beyond = new Date(receivedAt.getTime() + MAX_OCCURRED_AHEAD_MS + 1000).toISOString();
    expect(checkRules(event(beyond), facts, receivedAt)).toEqual([
      { path: '/occurredAt', message: expect.stringMatching(/more than a day after the event was received.*clock/) },
    ]);
    expect(checkRules(event('9999-12-31T23:59:59Z'), facts, receivedAt).map((e) => e.path)).toEqual(['/occurredAt']);
  });

  it('compares instants, not clock readings: 17:00 at +15:59 is 01:01Z, before receipt', () => {
    expect(checkRules(event('2022-04-02T17:00:00+15:59'), facts, receivedAt)).toEqual([]);
  });
});
