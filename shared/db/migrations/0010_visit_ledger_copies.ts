// Frozen in time: Kysely<any>, no application imports. Issue 14, spreadsheet intake: the annotated copy of each
// uploaded ledger is kept for a while so that the uploader can download it from the URL in the answer. The bytes are
// small (a ledger is at most 20 MB and its copy about as large), expire, and are read only by the uploader's scope.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE visit_ledger_copies (
    id text PRIMARY KEY,
    client_id integer NOT NULL REFERENCES api_clients (id),
    scope text NOT NULL,
    file_name text NOT NULL,
    content bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
  )`.execute(db);
  // Expired copies are deleted on the next upload: the scan for them.
  await sql`CREATE INDEX visit_ledger_copies_expires_idx ON visit_ledger_copies (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS visit_ledger_copies`.execute(db);
}
