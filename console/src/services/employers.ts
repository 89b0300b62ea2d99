// Employer administration (admin): the review queue with both sides, decisions, search, merge, split, the audit trail.
import { answer, api, send, undeclared } from './client';
import type { EmployerDetail, EmployerSearchPage, ReviewItem } from './types';

/** The review items shown at once (the oldest first). */
export const REVIEW_PAGE = 200;

export async function reviewQueue(): Promise<ReviewItem[]> {
  const query = undeclared({ status: 'pending', limit: String(REVIEW_PAGE) });
  const path = '/v1/admin/employers/review/sides';
  return (await answer(api.GET(path, { params: { query } }))).reviews;
}

export interface Decision {
  reviewId: number;
  decision: 'confirmed' | 'rejected';
  employerId: number;
  candidateId: number;
  visits: number;
  auditId: number;
}

export function decideReview(id: number, decision: 'confirm' | 'reject', reason: string): Promise<Decision> {
  const path = { id: String(id) };
  const body = undeclared({ reason });
  return send(
    decision === 'confirm'
      ? api.POST('/v1/admin/employers/review/{id}/confirm', { params: { path }, body })
      : api.POST('/v1/admin/employers/review/{id}/reject', { params: { path }, body }),
  );
}

export function searchEmployers(q: string, page: number, pageSize: number): Promise<EmployerSearchPage> {
  return answer(
    api.GET('/v1/admin/employers', { params: { query: { q, page: String(page), pageSize: String(pageSize) } } }),
  );
}

export function employer(id: number): Promise<EmployerDetail> {
  return send(api.GET('/v1/admin/employers/{id}', { params: { path: { id: String(id) } } }));
}

export function merge(
  from: number,
  into: number,
  reason: string,
): Promise<{ from: number; into: number; visits: number }> {
  return send(api.POST('/v1/admin/employers/merge', { body: undeclared({ from, into, reason }) }));
}

export function split(spellingId: number, reason: string): Promise<{ from: number; to: number; visits: number }> {
  return send(api.POST('/v1/admin/employers/split', { body: undeclared({ spellingId, reason }) }));
}
