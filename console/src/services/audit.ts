// The audit trail (审计日志), for auditor accounts: GET /v1/audit one page at a time, and its CSV export.
import { answer, api } from './client';
import type { AuditPage } from './types';

export interface AuditQuery {
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  before?: number;
}

const params = (q: AuditQuery) =>
  Object.fromEntries(
    Object.entries(q)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => [k, String(v)]),
  ) as Record<string, string>;

export function listAuditEntries(q: AuditQuery): Promise<AuditPage> {
  return answer(api.GET('/v1/audit', { params: { query: { ...params(q), limit: '50' } } }));
}

/** Where the browser downloads the whole selection (without paging) as CSV; the session cookie authorises it. */
export const auditCsvUrl = (q: AuditQuery): string => {
  const { before: _before, ...filters } = q;
  const search = new URLSearchParams(params(filters)).toString();
  return `/v1/audit.csv${search ? `?${search}` : ''}`;
};
