// Issue 15's figures beside the leader measures: 全员联动 (staff taking part, staff-only visits, every employer the
// university reached), 走进园区、走进行业、走进企业 (visits and distinct employers per kind of place) and 开拓增量岗位
// (new positions, graduates hired). They never enter targets, completion or rank order. Pure.
import { PLACE_KINDS, type PlaceKind } from './visit-event.schema.ts';

export { PLACE_KINDS, type PlaceKind };

export interface PlaceKindFigures {
  visits: number;
  /** Distinct employers visited as this kind of place. */
  employers: number;
}

export interface OutreachFigures {
  /** Distinct employers in all counted visits, with or without a leader (all_employers_reached). */
  allEmployersReached: number;
  /** Visits in which staff (专任教师, 辅导员, 行政管理人员) took part. */
  staffVisits: number;
  /** Visits without any leader (made by staff alone): counted in visits and sums, never in the leader measures. */
  staffOnlyVisits: number;
  /** Staff entries summed over visits (a person in two visits counts twice). */
  staffParticipants: number;
  /** New positions (增量岗位), summed; part of positions. */
  newPositions: number;
  /** Graduates hired through visits, summed. */
  hired: number;
  /** Per kind of place; visits without a kind are in no entry (visits − their sum). */
  placeKinds: Record<PlaceKind, PlaceKindFigures>;
}

export const PLACE_KIND_ZH: Record<PlaceKind, string> = {
  enterprise: '企业',
  park: '园区',
  association: '行业协会',
  institution: '事业单位',
  other: '其他',
};

export function noOutreach(): OutreachFigures {
  return {
    allEmployersReached: 0,
    staffVisits: 0,
    staffOnlyVisits: 0,
    staffParticipants: 0,
    newPositions: 0,
    hired: 0,
    placeKinds: Object.fromEntries(PLACE_KINDS.map((k) => [k, { visits: 0, employers: 0 }])) as Record<
      PlaceKind,
      PlaceKindFigures
    >,
  };
}

/** Visits whose kind of place was not stated. */
export function unstatedPlaceVisits(visits: number, o: OutreachFigures): number {
  return visits - PLACE_KINDS.reduce((n, k) => n + o.placeKinds[k].visits, 0);
}
