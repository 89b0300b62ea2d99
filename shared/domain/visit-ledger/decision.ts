// What a ledger row does to its visit: record it (new 走访编号), amend it (changed), or nothing (unchanged), and the
// events that say so. Pure.
//
// A visit is (university, 走访编号). A row is compared with the visit's current state (its latest stored event,
// processed or still waiting in the inbox): equal content → duplicate, no event. Otherwise the event's id is derived
// from the university, the 走访编号, the row's content and the id of the event it replaces, so:
// - handing in the same file twice sends nothing the second time (every row equals its visit);
// - two uploads of one file racing each other derive the same ids: the inbox stores one, the other is a duplicate;
// - changing a row back (X → Y → X) is a new event, because it replaces a different event each time.
import { createHash } from 'node:crypto';
import { normalizeCreditCode } from '../credit-code.ts';
import { canonicalJson } from '../visit-event.schema.ts';
import type { LedgerVisit } from './rows.ts';

/** The parts of a visit that a row states, absent values spelled out, so a JSON visit and a row compare equal. */
export interface VisitContent {
  campaignId: string | null;
  visitedOn: string;
  mode: string;
  leaders: Array<{ role: string; name: string }>;
  employer: { name: string; creditCode: string | null; regionCode: string | null };
  outcomes: {
    positions: number;
    internshipBase: boolean;
    recruitmentInvite: boolean;
    demandSurvey: boolean;
    graduatesTracked: number;
    satisfaction: number | null;
    // Issue 15: absent when not stated (0, empty), so the content of a visit without them hashes as it did before.
    newPositions?: number;
    hired?: number;
  };
  staff?: Array<{ role: string; name: string | null }>;
  placeKind?: string;
  majors?: string[];
  notes: string | null;
}

/** A visit as an event carries it (the API's shape: optional fields may be absent or null). */
export interface EventVisit {
  visitedOn: string;
  mode: string;
  leaders?: Array<{ role: string; name: string }>;
  staff?: Array<{ role: string; name?: string | null }>;
  placeKind?: string | null;
  majors?: string[];
  employer: { name: string; creditCode?: string | null; regionCode?: string | null };
  outcomes?: Partial<{
    positions: number;
    internshipBase: boolean;
    recruitmentInvite: boolean;
    demandSurvey: boolean;
    graduatesTracked: number;
    satisfaction: number;
    newPositions: number;
    hired: number;
  }>;
  notes?: string | null;
}

export function visitContent(campaignId: string | undefined, visit: EventVisit): VisitContent {
  const o = visit.outcomes ?? {};
  const code = visit.employer.creditCode ? normalizeCreditCode(visit.employer.creditCode) : '';
  return {
    campaignId: campaignId ?? null,
    visitedOn: visit.visitedOn,
    mode: visit.mode,
    leaders: (visit.leaders ?? []).map((l) => ({ role: l.role, name: l.name.trim() })),
    employer: {
      name: visit.employer.name.trim(),
      creditCode: code || null,
      regionCode: visit.employer.regionCode || null,
    },
    outcomes: {
      positions: o.positions ?? 0,
      internshipBase: o.internshipBase ?? false,
      recruitmentInvite: o.recruitmentInvite ?? false,
      demandSurvey: o.demandSurvey ?? false,
      graduatesTracked: o.graduatesTracked ?? 0,
      satisfaction: o.satisfaction ?? null,
      newPositions: o.newPositions || undefined,
      hired: o.hired || undefined,
    },
    staff: visit.staff?.length ? visit.staff.map((m) => ({ role: m.role, name: m.name?.trim() || null })) : undefined,
    placeKind: visit.placeKind ?? undefined,
    majors: visit.majors?.length ? visit.majors.map((m) => m.trim()) : undefined,
    notes: visit.notes?.trim() || null,
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 hex of the content's canonical JSON. */
export function contentHash(content: VisitContent): string {
  return sha256(canonicalJson(content));
}

/** A visit's current state: its latest stored event (by occurredAt, then eventId). */
export interface CurrentVisit {
  eventId: string;
  /** Epoch milliseconds of the event's occurredAt. */
  occurredAt: number;
  retracted: boolean;
  campaignId: string | null;
  /** contentHash of the visit; null for a retraction or a body that cannot be read. */
  contentHash: string | null;
}

/** The later of two states by the contract's order: occurredAt, then the greater eventId (byte order). */
export function laterState(a: CurrentVisit | undefined, b: CurrentVisit): CurrentVisit {
  if (!a) return b;
  if (a.occurredAt !== b.occurredAt) return a.occurredAt > b.occurredAt ? a : b;
  return a.eventId >= b.eventId ? a : b;
}

/** `sheet:<university>:<40 hex>`: the id of the event that moves a visit from `replaces` to `content`. */
export function sheetEventId(
  universityCode: string,
  ref: string,
  content: string,
  replaces: string | undefined,
): string {
  return `sheet:${universityCode}:${sha256([universityCode, ref, content, replaces ?? ''].join('\u0000')).slice(0, 40)}`;
}

export type RowDecision =
  { action: 'record' | 'amend'; eventId: string; type: 'visit.recorded' | 'visit.amended' } | { action: 'unchanged' };

/** New (or retracted) visit → record; same content → unchanged; else amend. */
export function decideRow(
  universityCode: string,
  ref: string,
  hash: string,
  current: CurrentVisit | undefined,
): RowDecision {
  if (current && !current.retracted && current.contentHash === hash) return { action: 'unchanged' };
  const eventId = sheetEventId(universityCode, ref, hash, current?.eventId);
  return !current || current.retracted
    ? { action: 'record', eventId, type: 'visit.recorded' }
    : { action: 'amend', eventId, type: 'visit.amended' };
}

/** `2022-04-02T10:00:00.123+08:00`: the instant in China's time, as a person reading the inbox expects it. */
export function occurredAtOf(instant: Date): string {
  const local = new Date(instant.getTime() + 8 * 3600_000).toISOString(); // …Z, shifted
  return `${local.slice(0, 23)}+08:00`;
}

/** The event body of a row that records or amends its visit (the API's JSON shape). */
export function rowEvent(
  decision: { eventId: string; type: 'visit.recorded' | 'visit.amended' },
  campaignId: string,
  visit: LedgerVisit,
  occurredAt: string,
): Record<string, unknown> {
  return { eventId: decision.eventId, type: decision.type, occurredAt, campaignId, visit };
}

/** The event retracting a visit that a whole ledger no longer lists. */
export function retractionEvent(
  universityCode: string,
  ref: string,
  current: CurrentVisit,
  campaignId: string,
  occurredAt: string,
): Record<string, unknown> {
  return {
    eventId: sheetEventId(universityCode, ref, 'retracted', current.eventId),
    type: 'visit.retracted',
    occurredAt,
    campaignId,
    visit: { ref, universityCode },
  };
}

/**
 * The 走访编号 a whole ledger retracts: the university's active visits of this campaign that the file does not list
 * (a row that lists a 走访编号 keeps its visit even when the row has errors). Sorted, for a stable answer.
 */
export function refsToRetract(
  states: ReadonlyMap<string, CurrentVisit>,
  campaignId: string,
  refsInFile: ReadonlySet<string>,
): string[] {
  const refs: string[] = [];
  for (const [ref, state] of states)
    if (!state.retracted && state.campaignId === campaignId && !refsInFile.has(ref)) refs.push(ref);
  return refs.sort();
}
