// 代录 (writing a university's visits for it): a person whose account is not the university's own (national, a
// province, 兵团, central, admin) writes a university's ledger only under a grant for that university or its reporting
// unit. Machine keys are the systems of record of their scope and need none. Pure: the grants are given.
import type { ClientScope } from './scope.ts';

export interface ProxyGrants {
  /** Reporting units (province codes, 660000 for 兵团) whose every university the person may write for. */
  provinces: ReadonlySet<string>;
  universities: ReadonlySet<string>;
}

export const NO_PROXY_GRANTS: ProxyGrants = { provinces: new Set(), universities: new Set() };

/** Does a person of this scope write for others, and so need a grant? A university's own account does not. */
export const writesForOthers = (scope: ClientScope): boolean =>
  scope.kind !== 'university' && scope.kind !== 'security' && scope.kind !== 'auditor';

/** Is the university (of this reporting unit) covered by a grant? */
export const grantCovers = (grants: ProxyGrants, universityCode: string, provinceCode: string | undefined): boolean =>
  grants.universities.has(universityCode) || (provinceCode !== undefined && grants.provinces.has(provinceCode));

/** The refusal of a write without a grant, as the API and the annotated copy say it. */
export const noProxyGrantMessage = (universityCode: string): string =>
  `writing university ${universityCode}'s visits for it (代录) needs a grant for this account: ask the security administrator for \`ledger users grant-proxy --university ${universityCode}\` or --province`;
