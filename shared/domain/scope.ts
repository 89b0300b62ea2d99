// What an API key may do. Pure: parsing a scope string and the access rules of CONTRACT.md; and the scopes of rankings.
import type { RankingScope } from './ranking.types.ts';

export type ClientScope =
  | { kind: 'university'; universityCode: string }
  | { kind: 'province'; provinceCode: string }
  | { kind: 'national' }
  | { kind: 'admin' };

const UNIVERSITY = /^university:(\d{10})$/;
const PROVINCE = /^province:(\d{6})$/;

/** Parses `university:CODE`, `province:CODE`, `national` or `admin`; null when it is none of them. */
export function parseScope(text: string): ClientScope | null {
  if (text === 'national') return { kind: 'national' };
  if (text === 'admin') return { kind: 'admin' };
  const u = UNIVERSITY.exec(text);
  if (u) return { kind: 'university', universityCode: u[1]! };
  const p = PROVINCE.exec(text);
  if (p) return { kind: 'province', provinceCode: p[1]! };
  return null;
}

const PROVINCE_SCOPE = /^province:(\d{6})$/;

/** Parses a ranking's scope: `national`, `provinces` or `province:CODE` (6 digits); null otherwise. */
export function parseRankingScope(text: string): RankingScope | null {
  if (text === 'national' || text === 'provinces') return text;
  return PROVINCE_SCOPE.test(text) ? (text as RankingScope) : null;
}

/** The province code of a `province:CODE` ranking scope; null for `national` and `provinces`. */
export const provinceOfScope = (scope: string): string | null => PROVINCE_SCOPE.exec(scope)?.[1] ?? null;

export function formatScope(scope: ClientScope): string {
  switch (scope.kind) {
    case 'university':
      return `university:${scope.universityCode}`;
    case 'province':
      return `province:${scope.provinceCode}`;
    case 'national':
    case 'admin':
      return scope.kind;
  }
}

/** May this key submit or read events of a university in the given province? */
export function maySubmitFor(scope: ClientScope, universityCode: string, provinceCode: string): boolean {
  switch (scope.kind) {
    case 'university':
      return scope.universityCode === universityCode;
    case 'province':
      return scope.provinceCode === provinceCode;
    case 'national':
    case 'admin':
      return true;
  }
}

/**
 * May this key read a ranking, progress or notice of the given scope (`national`, `provinces`, `province:CODE`)?
 * national/admin read everything; a province key reads its own province and `provinces`; others nothing.
 */
export function mayReadScope(scope: ClientScope, target: string): boolean {
  switch (scope.kind) {
    case 'national':
    case 'admin':
      return true;
    case 'province':
      return target === 'provinces' || target === `province:${scope.provinceCode}`;
    case 'university':
      return false;
  }
}
