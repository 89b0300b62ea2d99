// Table types of migration 0010_visit_ledger_copies: annotated copies of uploaded ledgers, kept until they expire.
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface VisitLedgerCopyTable {
  /** Random, unguessable: part of the copy's URL. */
  id: string;
  /** The uploader's client (key or user). */
  client_id: number;
  /** The uploader's scope (`university:CODE`, `province:CODE`, …): only this scope may read the copy. */
  scope: string;
  /** The name the copy is offered under (`<upload>.checked.xlsx`). */
  file_name: string;
  content: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface VisitLedgerTables {
  visit_ledger_copies: VisitLedgerCopyTable;
}
