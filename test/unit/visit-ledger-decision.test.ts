// Recorded, amended or unchanged, and the events' ids (shared/domain/visit-ledger/decision.ts).
import { describe, expect, it } from 'vitest';
import {
  contentHash,
  decideRow,
  laterState,
  occurredAtOf,
  refsToRetract,
  retractionEvent,
  sheetEventId,
  visitContent,
  type CurrentVisit,
} from '../../shared/domain/visit-ledger/decision.ts';
import { parseVisitEvent } from '../../shared/domain/visit-event.schema.ts';

const visit = {
  visitedOn: '2022-04-01',
  mode: 'onsite',
  leaders: [{ role: 'secretary', name: '张三' }],
  employer: { name: '华为技术有限公司', creditCode: '914403001922038216' },
  outcomes: { positions: 10 },
};
const U = '4144010001';
const state = (over: Partial<CurrentVisit> = {}): CurrentVisit => ({
  eventId: 'api-1',
  occurredAt: Date.parse('2022-04-02T10:00:00+08:00'),
  retracted: false,
  campaignId: '2022',
  contentHash: contentHash(visitContent('2022', visit)),
  ...over,
});

describe('content', () => {
  it('is the same for a visit sent as JSON with absent, null or default values and for the same row', () => {
    const json = {
      ...visit,
      employer: { name: ' 华为技术有限公司 ', creditCode: '9144 0300 1922 0382 16', regionCode: null },
      outcomes: { positions: 10, internshipBase: false, graduatesTracked: 0 },
      notes: '',
    };
    expect(contentHash(visitContent('2022', json))).toBe(contentHash(visitContent('2022', visit)));
  });

  it('differs when anything a row states differs', () => {
    const base = contentHash(visitContent('2022', visit));
    expect(contentHash(visitContent('2023', visit))).not.toBe(base);
    expect(contentHash(visitContent('2022', { ...visit, mode: 'online' }))).not.toBe(base);
    expect(contentHash(visitContent('2022', { ...visit, outcomes: { positions: 11 } }))).not.toBe(base);
    expect(contentHash(visitContent('2022', { ...visit, notes: '补充' }))).not.toBe(base);
  });
});

describe('a row against its visit', () => {
  const hash = contentHash(visitContent('2022', visit));

  it('records a new visit, and a retracted one again', () => {
    expect(decideRow(U, 'V-1', hash, undefined)).toMatchObject({ action: 'record', type: 'visit.recorded' });
    expect(decideRow(U, 'V-1', hash, state({ retracted: true, contentHash: null }))).toMatchObject({
      action: 'record',
    });
  });

  it('sends nothing for an unchanged visit and amends a changed one', () => {
    expect(decideRow(U, 'V-1', hash, state())).toEqual({ action: 'unchanged' });
    expect(decideRow(U, 'V-1', 'other', state())).toMatchObject({ action: 'amend', type: 'visit.amended' });
  });

  it('derives the same id for the same change, and a new one when the same content replaces another event', () => {
    const a = decideRow(U, 'V-1', 'x', state({ eventId: 'e1' }));
    const b = decideRow(U, 'V-1', 'x', state({ eventId: 'e1' }));
    const c = decideRow(U, 'V-1', 'x', state({ eventId: 'e3' }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(sheetEventId(U, 'V-1', 'x', 'e1')).toMatch(/^sheet:4144010001:[0-9a-f]{40}$/);
    expect(sheetEventId(U, 'V-2', 'x', 'e1')).not.toBe(sheetEventId(U, 'V-1', 'x', 'e1'));
  });

  it('keeps the later state by occurredAt, then by eventId', () => {
    const early = state({ eventId: 'b', occurredAt: 1 });
    const late = state({ eventId: 'a', occurredAt: 2 });
    expect(laterState(early, late)).toBe(late);
    expect(laterState(late, early)).toBe(late);
    expect(laterState(state({ eventId: 'a', occurredAt: 1 }), state({ eventId: 'b', occurredAt: 1 })).eventId).toBe(
      'b',
    );
  });
});

describe('whole ledger', () => {
  it('retracts the active visits of this campaign that the file does not list', () => {
    const states = new Map<string, CurrentVisit>([
      ['A', state()],
      ['B', state()],
      ['C', state({ retracted: true })],
      ['D', state({ campaignId: '2021' })],
      ['E', state()],
    ]);
    expect(refsToRetract(states, '2022', new Set(['A']))).toEqual(['B', 'E']);
  });

  it('retracts with a valid event', () => {
    const event = retractionEvent(U, 'B', state(), '2022', occurredAtOf(new Date('2022-05-01T02:00:00Z')));
    expect(parseVisitEvent(event)).toMatchObject({ ok: true });
    expect(event).toMatchObject({ type: 'visit.retracted', occurredAt: '2022-05-01T10:00:00.000+08:00' });
  });
});
