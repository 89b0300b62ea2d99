// The event shape, the reference-data rules and the body hash, without any service.
import { describe, expect, it } from 'vitest';
import {
  bodyHash,
  canonicalJson,
  checkRules,
  parseVisitEvent,
  type VisitEvent,
} from '../../shared/domain/visit-event.schema.ts';

const valid = () => ({
  eventId: 'gd-2022:0001',
  type: 'visit.recorded',
  occurredAt: '2022-04-02T10:00:00+08:00',
  campaignId: '2022',
  visit: {
    ref: 'v-1',
    universityCode: '4144010001',
    visitedOn: '2022-04-02',
    mode: 'onsite',
    leaders: [{ role: 'secretary', name: '张三' }],
    employer: { name: '华为技术有限公司', creditCode: '914403001922038216', regionCode: '440300' },
    outcomes: {
      positions: 120,
      internshipBase: true,
      recruitmentInvite: true,
      demandSurvey: true,
      graduatesTracked: 5,
      satisfaction: 4,
    },
    notes: '座谈',
  },
});

const paths = (body: unknown) => {
  const r = parseVisitEvent(body);
  return r.ok ? [] : r.errors.map((e) => e.path).sort();
};
const facts = { universityProvince: '440000', campaign: { start: '2022-03-01', end: '2022-08-31' } };

describe('parseVisitEvent', () => {
  it('accepts the contract example and drops unknown fields from the parsed event', () => {
    const r = parseVisitEvent({ ...valid(), extra: 1 });
    expect(r.ok).toBe(true);
    if (r.ok) expect('extra' in r.event).toBe(false);
  });

  it('accepts a retraction with only ref and university', () => {
    expect(
      parseVisitEvent({
        eventId: 'e',
        type: 'visit.retracted',
        occurredAt: '2022-04-03T00:00:00Z',
        visit: { ref: 'v', universityCode: '4144010001' },
      }).ok,
    ).toBe(true);
  });

  it('names each bad field by its JSON pointer', () => {
    const e = valid();
    e.visit.leaders[0]!.role = 'dean';
    (e.visit.outcomes as Record<string, unknown>).satisfaction = 6;
    (e.visit.outcomes as Record<string, unknown>).positions = 1.5;
    expect(paths(e)).toEqual(['/visit/leaders/0/role', '/visit/outcomes/positions', '/visit/outcomes/satisfaction']);
  });

  it('requires campaignId, visitedOn, mode, leaders and employer for recorded and amended events', () => {
    for (const field of ['visitedOn', 'mode', 'leaders', 'employer'] as const) {
      const e = valid();
      delete (e.visit as Partial<typeof e.visit>)[field];
      expect(paths({ ...e, type: 'visit.amended' })).toEqual([`/visit/${field}`]);
    }
    const { campaignId: _c, ...noCampaign } = valid();
    expect(paths(noCampaign)).toEqual(['/campaignId']);
  });

  it('limits leaders to 1..20, eventId to its alphabet and 128 chars, notes to 2000 chars', () => {
    expect(paths({ ...valid(), visit: { ...valid().visit, leaders: [] } })).toEqual(['/visit/leaders']);
    expect(
      paths({
        ...valid(),
        visit: { ...valid().visit, leaders: Array.from({ length: 21 }, () => ({ role: 'leader', name: 'a' })) },
      }),
    ).toEqual(['/visit/leaders']);
    expect(paths({ ...valid(), eventId: 'a'.repeat(129) })).toEqual(['/eventId']);
    expect(paths({ ...valid(), eventId: 'a/b' })).toEqual(['/eventId']);
    expect(paths({ ...valid(), visit: { ...valid().visit, notes: 'x'.repeat(2001) } })).toEqual(['/visit/notes']);
  });

  it('refuses strings PostgreSQL cannot store (NUL, lone surrogates) and dates without an offset', () => {
    expect(paths({ ...valid(), visit: { ...valid().visit, ref: 'a\u0000b' } })).toEqual(['/visit/ref']);
    expect(paths({ ...valid(), visit: { ...valid().visit, notes: 'x\uD800y' } })).toEqual(['/visit/notes']);
    expect(paths({ ...valid(), occurredAt: '2022-04-02T10:00:00' })).toEqual(['/occurredAt']);
    expect(paths({ ...valid(), visit: { ...valid().visit, visitedOn: '2022-02-30' } })).toEqual(['/visit/visitedOn']);
  });

  it('refuses non-objects at the root and an unknown type', () => {
    expect(paths([])).toEqual(['/']);
    expect(paths('x')).toEqual(['/']);
    expect(paths({ ...valid(), type: 'visit.deleted' })).toEqual(['/type']);
  });
});

describe('checkRules', () => {
  const ev = (change: (e: ReturnType<typeof valid>) => void = () => {}) => {
    const e = valid();
    change(e);
    const r = parseVisitEvent(e);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event as VisitEvent;
  };

  it('passes a valid event', () => {
    expect(checkRules(ev(), facts)).toEqual([]);
  });

  it('reports an unknown university and an unknown campaign', () => {
    expect(checkRules(ev(), { universityProvince: undefined, campaign: undefined }).map((e) => e.path)).toEqual([
      '/visit/universityCode',
      '/campaignId',
    ]);
  });

  it('reports visitedOn outside the campaign, inclusive bounds allowed', () => {
    expect(
      checkRules(
        ev((e) => (e.visit.visitedOn = '2022-02-28')),
        facts,
      ).map((e) => e.path),
    ).toEqual(['/visit/visitedOn']);
    expect(
      checkRules(
        ev((e) => (e.visit.visitedOn = '2022-03-01')),
        facts,
      ),
    ).toEqual([]);
    expect(
      checkRules(
        ev((e) => (e.visit.visitedOn = '2022-08-31')),
        facts,
      ),
    ).toEqual([]);
  });

  it('reports a credit code with a wrong check character; accepts it with spaces or lower case', () => {
    expect(
      checkRules(
        ev((e) => (e.visit.employer.creditCode = '914403001922038217')),
        facts,
      ).map((e) => e.path),
    ).toEqual(['/visit/employer/creditCode']);
    expect(
      checkRules(
        ev((e) => (e.visit.employer.creditCode = '9144 0300 1922 0382 16')),
        facts,
      ),
    ).toEqual([]);
  });
});

describe('bodyHash', () => {
  it('ignores key order and whitespace but not values or array order', () => {
    const a = valid();
    const b = JSON.parse(
      JSON.stringify({
        visit: a.visit,
        type: a.type,
        eventId: a.eventId,
        campaignId: a.campaignId,
        occurredAt: a.occurredAt,
      }),
    ) as unknown;
    expect(bodyHash(b)).toBe(bodyHash(a));
    expect(bodyHash({ ...a, occurredAt: '2022-04-02T10:00:01+08:00' })).not.toBe(bodyHash(a));
    const twoLeaders = {
      ...a,
      visit: {
        ...a.visit,
        leaders: [
          { role: 'secretary', name: 'a' },
          { role: 'leader', name: 'b' },
        ],
      },
    };
    const swapped = {
      ...a,
      visit: {
        ...a.visit,
        leaders: [
          { role: 'leader', name: 'b' },
          { role: 'secretary', name: 'a' },
        ],
      },
    };
    expect(bodyHash(twoLeaders)).not.toBe(bodyHash(swapped));
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: '中' }] })).toBe('{"a":[{"c":"中","d":null}],"b":1}');
  });
});
