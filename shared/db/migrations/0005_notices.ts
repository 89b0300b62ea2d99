// Frozen in time: Kysely<any>, no application imports. Tables for notices, recipients, deliveries (issue 6).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One notice per (campaign, period, scope); a re-run regenerates its content in place. The .xlsx ledger is not
  // stored: it is streamed from the visits on demand (archive) and at send time (mail).
  await db.schema
    .createTable('notices')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope = 'national' OR scope ~ '^province:[0-9]{6}$'`))
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('model', 'jsonb', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('markdown', 'text', (c) => c.notNull())
    .addColumn('chart_png', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('notices_campaign_period_scope_unique', ['campaign_id', 'period', 'scope'])
    .execute();

  // Who receives the notices of a scope. Removal is soft (removed_at) so that past deliveries keep their recipient;
  // a recipient is unique among the active ones.
  await db.schema
    .createTable('notice_recipients')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope = 'national' OR scope ~ '^province:[0-9]{6}$'`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('email', 'webhook')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('format', 'text', (c) => c.check(sql`format IN ('json', 'wecom', 'dingtalk')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .addCheckConstraint('notice_recipients_kind_format_check', sql`(kind = 'email') = (format IS NULL)`)
    .execute();
  await sql`CREATE UNIQUE INDEX notice_recipients_active_unique ON notice_recipients (scope, kind, address) WHERE removed_at IS NULL`.execute(
    db,
  );

  // One delivery per (notice, recipient): the unit of exactly-once. A worker claims it by moving it to 'sending'.
  await db.schema
    .createTable('notice_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('notice_id', 'bigint', (c) => c.notNull().references('notices.id').onDelete('cascade'))
    .addColumn('recipient_id', 'integer', (c) => c.notNull().references('notice_recipients.id'))
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`state IN ('pending', 'sending', 'delivered', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('response', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('notice_deliveries_notice_recipient_unique', ['notice_id', 'recipient_id'])
    .execute();
  await db.schema
    .createIndex('notice_deliveries_recipient_idx')
    .on('notice_deliveries')
    .column('recipient_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notice_deliveries').ifExists().execute();
  await db.schema.dropTable('notice_recipients').ifExists().execute();
  await db.schema.dropTable('notices').ifExists().execute();
}
