// Frozen in time: Kysely<any>, no application imports.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // The durable inbox: an event is acknowledged only once its row is committed here.
  await db.schema
    .createTable('inbox_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('client_id', 'integer', (c) => c.notNull().references('api_clients.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('body_hash', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('raw_body', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('university_code', 'char(10)', (c) => c.notNull())
    .addColumn('visit_ref', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('accepted')
        .check(sql`status IN ('accepted', 'processed', 'rejected')`),
    )
    .addColumn('employer_id', 'bigint')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .addUniqueConstraint('inbox_events_client_event_unique', ['client_id', 'event_id'])
    .execute();
  // The sweeper's scan: unprocessed rows by age.
  await sql`CREATE INDEX inbox_events_pending_idx ON inbox_events (received_at) WHERE status = 'accepted'`.execute(db);

  // Current state of each visit: the event with the latest (occurred_at, event_id) wins, enforced in the upsert.
  // A retracted visit stays as a tombstone so that a late original cannot revive it.
  await db.schema
    .createTable('visits')
    .addColumn('university_code', 'char(10)', (c) => c.notNull().references('universities.code'))
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.references('campaigns.id'))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('active', 'retracted')`))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('inbox_id', 'bigint', (c) => c.notNull())
    .addColumn('visited_on', 'date')
    .addColumn('mode', 'text', (c) => c.check(sql`mode IN ('onsite', 'invited', 'online')`))
    .addColumn('leaders', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('has_principal', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('employer_id', 'bigint', (c) => c.references('employers.id'))
    .addColumn('employer_name', 'text')
    .addColumn('credit_code', 'text')
    .addColumn('region_code', 'text')
    .addColumn('positions', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('internship_base', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('recruitment_invite', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('demand_survey', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('graduates_tracked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('satisfaction', 'smallint')
    .addColumn('notes', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('visits_pk', ['university_code', 'ref'])
    .execute();
  await sql`CREATE INDEX visits_campaign_idx ON visits (campaign_id, university_code, visited_on) WHERE state = 'active'`.execute(
    db,
  );
  await sql`CREATE INDEX visits_employer_idx ON visits (employer_id, university_code)`.execute(db);

  // Events that failed permanently, with the reason; `ledger dlq replay` puts them back.
  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('inbox_id', 'bigint', (c) => c.notNull().unique().references('inbox_events.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('replayed_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dead_letters').ifExists().execute();
  await db.schema.dropTable('visits').ifExists().execute();
  await db.schema.dropTable('inbox_events').ifExists().execute();
}
