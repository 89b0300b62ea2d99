// Table types of migration 0003_employers (the employers table's own columns are in foundation.table.ts).
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type ReviewStatus = 'pending' | 'confirmed' | 'rejected';

/** A grey-zone resolution: `employer_id` is the provisional employer, `candidate_id` its best match. */
export interface EmployerReviewTable {
  id: Generated<number>;
  employer_id: number;
  candidate_id: number;
  score: number;
  spelling: string;
  status: ColumnType<ReviewStatus, ReviewStatus | undefined, ReviewStatus>;
  created_at: Timestamp;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
}

export type EmployerAuditAction = 'review.confirm' | 'review.reject' | 'merge' | 'split';

/** Who did what to which employer, when and why. */
export interface EmployerAuditTable {
  id: Generated<number>;
  action: EmployerAuditAction;
  actor: string;
  reason: string;
  employer_id: number | null;
  details: Json<Record<string, unknown>>;
  at: Timestamp;
}

export interface EmployerTables {
  employer_reviews: EmployerReviewTable;
  employer_audit: EmployerAuditTable;
}
