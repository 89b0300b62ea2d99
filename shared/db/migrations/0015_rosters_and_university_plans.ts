// Frozen in time: Kysely<any>, no application imports. Issue 15, points 3 and 4.
//
// University plans (实施方案): the date a university filed its plan for a campaign and an optional link to the
// document; late against the campaign's plan_deadline (0007), like the provinces' filings (province_plans, 0004).
//
// Leadership rosters (任务到人): per campaign and university, the named leaders with their role and an optional title.
// An import replaces a university's roster for the campaign as a whole. Visits keep their leaders as written
// (visits.leaders); they are matched to the roster by leader_name_key(), the one definition of "the same name":
// NFKC (full-width letters and digits, the ideographic space), every kind of middle dot as '·', no white space.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    CREATE FUNCTION leader_name_key(name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
      SELECT regexp_replace(translate(normalize(name, NFKC), '•‧・･∙⋅', '······'), '\\s+', '', 'g')
    $fn$;

    CREATE TABLE university_plans (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      university_code char(10) NOT NULL REFERENCES universities(code),
      filed_on date NOT NULL,
      document_url text CHECK (document_url IS NULL OR length(document_url) BETWEEN 1 AND 2000),
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, university_code)
    );

    CREATE TABLE leader_rosters (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      university_code char(10) NOT NULL REFERENCES universities(code),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      name_key text NOT NULL GENERATED ALWAYS AS (leader_name_key(name)) STORED,
      role text NOT NULL CHECK (role IN ('secretary', 'president', 'leader')),
      title text CHECK (title IS NULL OR length(title) BETWEEN 1 AND 100),
      position integer NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, university_code, name_key)
    );
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    DROP TABLE IF EXISTS leader_rosters;
    DROP TABLE IF EXISTS university_plans;
    DROP FUNCTION IF EXISTS leader_name_key(text);
  `,
    )
    .execute(db);
}
