// Table types of migrations 0010 and 0011: uploaded ledgers with their answers, kept until they expire, from which
// the annotated copy is written when it is downloaded.
import type { ColumnType } from 'kysely';
import type { AnnotationPlan } from '../../domain/visit-ledger/annotated.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface VisitLedgerUploadTable {
  /** Random, unguessable: part of the annotated copy's URL. */
  id: string;
  /** The uploader's client (key or user). */
  client_id: number;
  /** The uploader's scope (`university:CODE`, `province:CODE`, …): only this scope may read the copy. */
  scope: string;
  /** The name the annotated copy is offered under (`<upload>.checked.xlsx`). */
  file_name: string;
  /** The file as uploaded. */
  upload: Buffer;
  /** What the annotated copy says: each row's answer. */
  annotation: Json<AnnotationPlan>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface VisitLedgerTables {
  visit_ledger_uploads: VisitLedgerUploadTable;
}
