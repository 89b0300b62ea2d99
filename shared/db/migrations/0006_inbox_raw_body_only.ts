// Frozen in time: Kysely<any>, no application imports. The inbox keeps the event as received (raw_body) and no
// second, parsed copy: the workers parse raw_body (validation only drops unknown fields, which the workers ignore).
// The copy doubled every inbox row, and each row is written twice (accepted, then processed): it was a third of the
// write-ahead log per event, which every synchronous commit of the API waits to flush.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE inbox_events DROP COLUMN body`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE inbox_events ADD COLUMN body jsonb`.execute(db);
  await sql`UPDATE inbox_events SET body = raw_body::jsonb`.execute(db);
  await sql`ALTER TABLE inbox_events ALTER COLUMN body SET NOT NULL`.execute(db);
}
