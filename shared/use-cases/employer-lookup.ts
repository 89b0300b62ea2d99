// Employers as the console's administrators see them: a search by name or credit code, and the review queue with
// both sides of each review (the provisional employer and its candidate: names, codes, spellings, visit counts).
import type { Db } from '../db/database.ts';
import type { EmployerStatus } from '../db/tables/foundation.table.ts';
import { isValidCreditCode, normalizeCreditCode } from '../domain/credit-code.ts';
import { canonicalText } from '../domain/employers/normalize.ts';
import type { ReviewStatus } from '../db/tables/employers.table.ts';
import {
  employerSummaries,
  searchEmployers,
  type EmployerListRow,
  type EmployerSummary,
} from '../repositories/employer-search.repository.ts';
import { reviewQueue, type ReviewListing } from './administer-employers.ts';

/**
 * Employers whose canonical name or any spelling contains the text (as typed, or in canonical form: simplified,
 * half-width, without spaces and punctuation), or whose credit code it is. Merged employers only when asked for.
 */
export async function findEmployers(
  db: Db,
  query: { q?: string; status?: EmployerStatus; page: number; pageSize: number },
): Promise<{ total: number; page: number; pageSize: number; rows: EmployerListRow[] }> {
  const text = query.q?.trim() ?? '';
  const code = normalizeCreditCode(text);
  const { total, rows } = await searchEmployers(
    db,
    {
      patterns: text ? [...new Set([text, canonicalText(text)])] : [],
      creditCode: isValidCreditCode(code) ? code : undefined,
      statuses: query.status ? [query.status] : ['active', 'provisional'],
    },
    query.page,
    query.pageSize,
  );
  return { total, page: query.page, pageSize: query.pageSize, rows };
}

export type ReviewWithSides = ReviewListing & { employer: EmployerSummary | null; candidate: EmployerSummary | null };

/** The review queue (as GET /v1/admin/employers/review), each review with both employers summarised. */
export async function reviewQueueWithSides(
  db: Db,
  status: ReviewStatus,
  limit: number,
  after: number,
): Promise<ReviewWithSides[]> {
  const reviews = await reviewQueue(db, status, limit, after);
  const summaries = await employerSummaries(
    db,
    reviews.flatMap((r) => [r.employer_id, r.candidate_id]),
  );
  return reviews.map((r) => ({
    ...r,
    employer: summaries.get(r.employer_id) ?? null,
    candidate: summaries.get(r.candidate_id) ?? null,
  }));
}
