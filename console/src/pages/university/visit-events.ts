// The visit form's events: a new visit (visit.recorded), an amendment (visit.amended, the whole visit again with a
// later occurredAt) and a retraction (visit.retracted), shaped as POST /v1/visit-events declares them. Each submission
// carries its own eventId, kept while the same form is re-submitted so a retry after a lost answer is a duplicate.
import type { PlaceKind, StaffRole, VisitEvent, VisitMode, VisitRow } from '../../services/types';

export interface VisitFormValues {
  ref: string;
  visitedOn: string;
  mode: VisitMode;
  /** May be empty when staff took part (a staff-only visit: counted in coverage, not in the leaders' targets). */
  leaders?: Array<{ role: 'secretary' | 'president' | 'leader'; name: string }>;
  staff?: Array<{ role: StaffRole; name?: string }>;
  placeKind?: PlaceKind | null;
  employerName: string;
  creditCode?: string;
  regionCode?: string;
  positions?: number;
  newPositions?: number;
  hired?: number;
  majors?: string[];
  graduatesTracked?: number;
  internshipBase?: boolean;
  recruitmentInvite?: boolean;
  demandSurvey?: boolean;
  satisfaction?: number | null;
  notes?: string;
}

/** A random id from getRandomValues (randomUUID needs a secure context; the console may be served over plain http). */
function randomId(bytes = 12): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export const newEventId = () => `console-${randomId()}`;

/** A new 走访编号: WEB-<date>-<random>, for a university that numbers nothing itself. */
export const newVisitRef = (today: string) => `WEB-${today.replaceAll('-', '')}-${randomId(3).toUpperCase()}`;

/** Now, or just after the visit's current version: the latest occurredAt decides a visit's state. */
export function occurredAfter(current?: string): string {
  const now = Date.now();
  const after = current ? Date.parse(current) + 1 : 0;
  return new Date(Math.max(now, after)).toISOString();
}

const blankToNull = (s: string | undefined) => (s && s.trim() ? s.trim() : null);

export function visitEvent(
  values: VisitFormValues,
  context: { eventId: string; campaignId: string; universityCode: string; amends?: VisitRow },
): VisitEvent {
  return {
    eventId: context.eventId,
    type: context.amends ? 'visit.amended' : 'visit.recorded',
    occurredAt: occurredAfter(context.amends?.occurredAt),
    campaignId: context.campaignId,
    visit: {
      ref: values.ref.trim(),
      universityCode: context.universityCode,
      visitedOn: values.visitedOn,
      mode: values.mode,
      leaders: (values.leaders ?? []).map((l) => ({ role: l.role, name: l.name.trim() })),
      staff: (values.staff ?? []).map((p) =>
        p.name?.trim() ? { role: p.role, name: p.name.trim() } : { role: p.role },
      ),
      placeKind: values.placeKind ?? null,
      majors: (values.majors ?? []).map((m) => m.trim()).filter(Boolean),
      employer: {
        name: values.employerName.trim(),
        creditCode: blankToNull(values.creditCode),
        regionCode: blankToNull(values.regionCode),
      },
      outcomes: {
        positions: values.positions ?? 0,
        newPositions: values.newPositions ?? 0,
        hired: values.hired ?? 0,
        graduatesTracked: values.graduatesTracked ?? 0,
        internshipBase: values.internshipBase ?? false,
        recruitmentInvite: values.recruitmentInvite ?? false,
        demandSurvey: values.demandSurvey ?? false,
        ...(values.satisfaction ? { satisfaction: values.satisfaction } : {}),
      },
      notes: blankToNull(values.notes),
    },
  };
}

export function retraction(row: VisitRow, context: { campaignId: string; universityCode: string }): VisitEvent {
  return {
    eventId: newEventId(),
    type: 'visit.retracted',
    occurredAt: occurredAfter(row.occurredAt),
    campaignId: context.campaignId,
    visit: { ref: row.ref, universityCode: context.universityCode },
  };
}

/** The form's values for amending a visit as the ledger shows it. */
export function formValuesOf(row: VisitRow): VisitFormValues {
  return {
    ref: row.ref,
    visitedOn: row.visitedOn ?? '',
    mode: row.mode ?? 'onsite',
    leaders: row.leaders.map((l) => ({ role: l.role, name: l.name })),
    staff: row.staff.map((p) => ({ role: p.role, name: p.name ?? '' })),
    placeKind: row.placeKind,
    majors: row.majors,
    employerName: row.employer.nameAsWritten || row.employer.name || '',
    creditCode: row.employer.creditCode ?? '',
    regionCode: row.employer.regionCode ?? '',
    positions: row.outcomes.positions,
    newPositions: row.outcomes.newPositions,
    hired: row.outcomes.hired,
    graduatesTracked: row.outcomes.graduatesTracked,
    internshipBase: row.outcomes.internshipBase,
    recruitmentInvite: row.outcomes.recruitmentInvite,
    demandSurvey: row.outcomes.demandSurvey,
    satisfaction: row.outcomes.satisfaction,
    notes: row.notes ?? '',
  };
}
