// Frozen in time: Kysely<any>, no application imports. Issue 14: the annotated copy of an upload is written when it is
// downloaded, from the upload itself and its answers, instead of before the upload is answered (that pass took as long
// as reading the rows, and most senders never download the copy). The table keeps the upload and the answers; the
// copies 0010 kept are a 7-day cache and are dropped.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM visit_ledger_copies`.execute(db);
  await sql`ALTER TABLE visit_ledger_copies RENAME TO visit_ledger_uploads`.execute(db);
  await sql`ALTER TABLE visit_ledger_uploads RENAME CONSTRAINT visit_ledger_copies_pkey TO visit_ledger_uploads_pkey`.execute(
    db,
  );
  await sql`ALTER TABLE visit_ledger_uploads RENAME CONSTRAINT visit_ledger_copies_client_id_fkey TO visit_ledger_uploads_client_id_fkey`.execute(
    db,
  );
  await sql`ALTER INDEX visit_ledger_copies_expires_idx RENAME TO visit_ledger_uploads_expires_idx`.execute(db);
  await sql`ALTER TABLE visit_ledger_uploads RENAME COLUMN content TO upload`.execute(db);
  // The annotation plan (shared/domain/visit-ledger/annotated.ts): sheet, header row, status column, each row's answer.
  await sql`ALTER TABLE visit_ledger_uploads ADD COLUMN annotation jsonb NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DELETE FROM visit_ledger_uploads`.execute(db);
  await sql`ALTER TABLE visit_ledger_uploads DROP COLUMN annotation`.execute(db);
  await sql`ALTER TABLE visit_ledger_uploads RENAME COLUMN upload TO content`.execute(db);
  await sql`ALTER INDEX visit_ledger_uploads_expires_idx RENAME TO visit_ledger_copies_expires_idx`.execute(db);
  await sql`ALTER TABLE visit_ledger_uploads RENAME CONSTRAINT visit_ledger_uploads_client_id_fkey TO visit_ledger_copies_client_id_fkey`.execute(
    db,
  );
  await sql`ALTER TABLE visit_ledger_uploads RENAME CONSTRAINT visit_ledger_uploads_pkey TO visit_ledger_copies_pkey`.execute(
    db,
  );
  await sql`ALTER TABLE visit_ledger_uploads RENAME TO visit_ledger_copies`.execute(db);
}
