// Table types of migration 0020_audit_trail: the append-only, hash-chained audit trail.
import type { ColumnType } from 'kysely';

export interface AuditLogTable {
  /** bigint (read as a number: see shared/db/database.ts). */
  seq: number;
  at: Date;
  actor_kind: 'user' | 'key' | 'system' | 'anonymous';
  actor_client_id: number | null;
  actor_name: string | null;
  address: string | null;
  action: string;
  target: string | null;
  /** jsonb, written as JSON text and read back parsed. */
  before: ColumnType<Record<string, unknown> | null, string | null, never>;
  after: ColumnType<Record<string, unknown> | null, string | null, never>;
  result: 'ok' | 'denied' | 'failed';
  detail: ColumnType<Record<string, unknown> | null, string | null, never>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  /** bigint (read as a number: see shared/db/database.ts). */
  seq: number;
  hash: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
