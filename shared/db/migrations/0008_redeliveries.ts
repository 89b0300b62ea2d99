// Frozen in time: Kysely<any>, no application imports. Issue 11, nothing lost: the inbox counts how often the sweeper
// had to put an event back on the queue, so an event that crashes or stalls its worker every time is dead-lettered
// after INBOX_MAX_REDELIVERIES instead of circling for ever; the delivery sweeper finds open deliveries by an index.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A constant default: PostgreSQL 11+ adds the column without rewriting the table.
  await sql`ALTER TABLE inbox_events ADD COLUMN redeliveries integer NOT NULL DEFAULT 0`.execute(db);
  // The delivery sweeper's scan (pending rows without a job, 'sending' rows past their lease); delivered and failed
  // rows, nearly all of them, stay out of the index.
  await sql`CREATE INDEX notice_deliveries_open_idx ON notice_deliveries (updated_at) WHERE state IN ('pending', 'sending')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS notice_deliveries_open_idx`.execute(db);
  await sql`ALTER TABLE inbox_events DROP COLUMN IF EXISTS redeliveries`.execute(db);
}
