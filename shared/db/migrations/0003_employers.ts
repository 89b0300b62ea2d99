// Frozen in time: Kysely<any>, no application imports. Tables for employer resolution (issue 4): matching features on
// employers (core name for blocking, features for scoring), provisional employers awaiting review, merges, the review
// queue and the audit trail of every administrative decision.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE employers
      ADD COLUMN core_name text NOT NULL DEFAULT '',
      ADD COLUMN core_sorted text NOT NULL DEFAULT '',
      ADD COLUMN brand_name text NOT NULL DEFAULT '',
      ADD COLUMN features jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'provisional', 'merged')),
      ADD COLUMN candidate_id bigint REFERENCES employers(id),
      ADD COLUMN merged_into bigint REFERENCES employers(id),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
      ADD CONSTRAINT employers_merged_check CHECK ((status = 'merged') = (merged_into IS NOT NULL))
  `.execute(db);
  // Rows written by the placeholder resolver: their normalised name is the best core available.
  await sql`UPDATE employers SET core_name = normalized_name, brand_name = normalized_name WHERE core_name = ''`.execute(
    db,
  );
  // Blocking: exact core, swapped-character core (same sorted characters), and trigram similarity on the brand (the
  // core without trailing industry words: trigrams of 科技 or 环保 would match half the registry and cost 100 ms).
  // fastupdate off: a pending list is scanned by every search, which shows in the resolver's p99.
  // pg_trgm sees CJK characters as word characters only under a UTF-8 LC_CTYPE (checked at start-up).
  await sql`CREATE INDEX employers_core_idx ON employers (core_name) WHERE status <> 'merged'`.execute(db);
  await sql`CREATE INDEX employers_core_sorted_idx ON employers (core_sorted) WHERE status <> 'merged'`.execute(db);
  await sql`CREATE INDEX employers_brand_trgm_idx ON employers USING gin (brand_name gin_trgm_ops) WITH (fastupdate = off) WHERE status <> 'merged'`.execute(
    db,
  );
  await sql`CREATE INDEX employers_candidate_idx ON employers (candidate_id) WHERE candidate_id IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX employers_merged_into_idx ON employers (merged_into) WHERE merged_into IS NOT NULL`.execute(
    db,
  );
  await sql`CREATE INDEX employer_spellings_employer_idx ON employer_spellings (employer_id)`.execute(db);

  await db.schema
    .createTable('employer_reviews')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // The provisional employer the visits count against until an administrator decides.
    .addColumn('employer_id', 'bigint', (c) => c.notNull().unique().references('employers.id'))
    .addColumn('candidate_id', 'bigint', (c) => c.notNull().references('employers.id'))
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('spelling', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status IN ('pending', 'confirmed', 'rejected')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'text')
    .execute();
  await sql`CREATE INDEX employer_reviews_pending_idx ON employer_reviews (id) WHERE status = 'pending'`.execute(db);

  await db.schema
    .createTable('employer_audit')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('employer_id', 'bigint', (c) => c.references('employers.id'))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('employer_audit_employer_idx')
    .on('employer_audit')
    .columns(['employer_id', 'at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('employer_audit').ifExists().execute();
  await db.schema.dropTable('employer_reviews').ifExists().execute();
  await sql`DROP INDEX IF EXISTS employer_spellings_employer_idx`.execute(db);
  await sql`
    ALTER TABLE employers
      DROP CONSTRAINT IF EXISTS employers_merged_check,
      DROP COLUMN IF EXISTS core_name, DROP COLUMN IF EXISTS core_sorted, DROP COLUMN IF EXISTS brand_name, DROP COLUMN IF EXISTS features,
      DROP COLUMN IF EXISTS status, DROP COLUMN IF EXISTS candidate_id, DROP COLUMN IF EXISTS merged_into,
      DROP COLUMN IF EXISTS updated_at
  `.execute(db);
}
