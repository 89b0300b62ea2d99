// Frozen in time: Kysely<any>, no application imports. Tables for measures, rankings, snapshots, plans (issue 5).
//
// Measures as of any date must be fast at a million visits, and distinct employers cannot be summed. So triggers on
// `visits` and `prior_employers` keep three derived tables exact, whatever writes them (the worker's upserts, an
// administrator's merge or split repointing visits.employer_id, an import of prior employers):
//   ranking_pairs   one row per (campaign, university, employer): first visit dated from the campaign's start, first
//                   visit with a principal leader, and whether the pair was known before (prior list or earlier visit);
//   ranking_daily   per (campaign, university, day): visit sums, plus +1 on the day a pair was first visited
//                   (employers_first, principal_first, new_first), so distinct counts up to a date become sums;
//   ranking_totals  the same summed over all days, so "as of today" reads one row per university minus a short tail.
// Pair refreshes take transaction-scoped advisory locks on the hash buckets of their (university, employer) keys, so two
// concurrent transactions touching one pair serialise and the second one recomputes from committed data (READ COMMITTED).
import { sql, type Kysely } from 'kysely';

const SUMS = [
  'visits',
  'onsite_visits',
  'positions',
  'internship_bases',
  'recruitment_invites',
  'demand_surveys',
  'graduates_tracked',
  'satisfaction_sum',
  'satisfaction_count',
] as const;
const FIRSTS = ['employers_first', 'principal_first', 'new_first'] as const;
const ALL = [...SUMS, ...FIRSTS];

const addSet = (table: string, cols: readonly string[]) =>
  cols.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', ');

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    CREATE TABLE ranking_pairs (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      university_code char(10) NOT NULL,
      employer_id bigint NOT NULL,
      first_on date NOT NULL,
      first_principal_on date,
      known_before boolean NOT NULL,
      PRIMARY KEY (campaign_id, university_code, employer_id)
    );
    CREATE INDEX ranking_pairs_key_idx ON ranking_pairs (university_code, employer_id);

    CREATE TABLE ranking_daily (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      university_code char(10) NOT NULL,
      day date NOT NULL,
      ${ALL.map((c) => `${c} bigint NOT NULL DEFAULT 0`).join(',\n      ')},
      PRIMARY KEY (campaign_id, university_code, day)
    );
    CREATE INDEX ranking_daily_day_idx ON ranking_daily (campaign_id, day);

    CREATE TABLE ranking_totals (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      university_code char(10) NOT NULL,
      ${ALL.map((c) => `${c} bigint NOT NULL DEFAULT 0`).join(',\n      ')},
      PRIMARY KEY (campaign_id, university_code)
    );

    CREATE TYPE ranking_visit_change AS (
      sign integer, campaign_id text, university_code char(10), employer_id bigint, visited_on date, state text,
      has_principal boolean, mode text, positions integer, internship_base boolean, recruitment_invite boolean,
      demand_survey boolean, graduates_tracked integer, satisfaction smallint
    );
    CREATE TYPE ranking_pair_key AS (university_code char(10), employer_id bigint);

    -- Recomputes the pairs of the given (university, employer) keys in every campaign from the visits, and returns the
    -- first-visit counts to move in ranking_daily / ranking_totals (-1 where a pair's first visit was, +1 where it is).
    CREATE FUNCTION ranking_pair_deltas(keys ranking_pair_key[])
    RETURNS TABLE (campaign_id text, university_code char(10), day date, employers_first bigint, principal_first bigint, new_first bigint)
    LANGUAGE plpgsql AS $fn$
    #variable_conflict use_column
    BEGIN
      IF coalesce(cardinality(keys), 0) = 0 THEN RETURN; END IF;
      -- 128 lock buckets: a bulk statement (a prior-list import, a worker's group commit) must not need one lock per
      -- pair (the shared lock table holds a few thousand); single events still rarely wait for each other.
      PERFORM pg_advisory_xact_lock(5127, h)
      FROM (SELECT DISTINCT hashtext(k.university_code || ':' || k.employer_id) & 127 AS h FROM unnest(keys) k) x ORDER BY h;

      -- A new statement, so a new snapshot (READ COMMITTED): it sees what a transaction that held the lock committed.
      RETURN QUERY
      WITH k AS (SELECT DISTINCT u.university_code, u.employer_id FROM unnest(keys) u WHERE u.employer_id IS NOT NULL),
      old AS (SELECT p.* FROM ranking_pairs p JOIN k ON k.university_code = p.university_code AND k.employer_id = p.employer_id),
      fresh AS (
        SELECT v.campaign_id, v.university_code, v.employer_id, min(v.visited_on) AS first_on,
               min(v.visited_on) FILTER (WHERE v.has_principal) AS first_principal_on,
               (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
                OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                           AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
        FROM visits v JOIN k ON k.university_code = v.university_code AND k.employer_id = v.employer_id
        JOIN campaigns c ON c.id = v.campaign_id
        WHERE v.state = 'active' AND v.visited_on >= c.start_date
        GROUP BY v.campaign_id, v.university_code, v.employer_id, c.start_date),
      upserted AS (
        INSERT INTO ranking_pairs AS rp (campaign_id, university_code, employer_id, first_on, first_principal_on, known_before)
        SELECT f.campaign_id, f.university_code, f.employer_id, f.first_on, f.first_principal_on, f.known_before FROM fresh f
        ORDER BY 1, 2, 3
        ON CONFLICT (campaign_id, university_code, employer_id) DO UPDATE SET first_on = EXCLUDED.first_on,
          first_principal_on = EXCLUDED.first_principal_on, known_before = EXCLUDED.known_before
        RETURNING 1),
      -- (data-modifying CTEs run to completion whether or not the main statement reads them)
      deleted AS (
        DELETE FROM ranking_pairs p USING old o
        WHERE p.campaign_id = o.campaign_id AND p.university_code = o.university_code AND p.employer_id = o.employer_id
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.campaign_id = o.campaign_id AND f.university_code = o.university_code AND f.employer_id = o.employer_id)
        RETURNING 1)
      SELECT x.campaign_id, x.university_code, x.day, sum(x.e)::bigint, sum(x.p)::bigint, sum(x.n)::bigint
      FROM (
        SELECT o.campaign_id, o.university_code, o.first_on AS day, -1 AS e, 0 AS p, CASE WHEN o.known_before THEN 0 ELSE -1 END AS n FROM old o
        UNION ALL SELECT o.campaign_id, o.university_code, o.first_principal_on, 0, -1, 0 FROM old o WHERE o.first_principal_on IS NOT NULL
        UNION ALL SELECT f.campaign_id, f.university_code, f.first_on, 1, 0, CASE WHEN f.known_before THEN 0 ELSE 1 END FROM fresh f
        UNION ALL SELECT f.campaign_id, f.university_code, f.first_principal_on, 0, 1, 0 FROM fresh f WHERE f.first_principal_on IS NOT NULL
      ) x
      GROUP BY x.campaign_id, x.university_code, x.day
      HAVING sum(x.e) <> 0 OR sum(x.p) <> 0 OR sum(x.n) <> 0;
    END
    $fn$;

    -- Adds figure deltas (rows of campaign_id, university_code, day and any of the figure columns) to the day rows and
    -- the totals, in key order so that concurrent transactions lock rows in the same order.
    CREATE FUNCTION ranking_add_deltas(deltas jsonb) RETURNS void LANGUAGE sql AS $fn$
      WITH d AS (
        SELECT x.campaign_id, x.university_code, x.day, ${ALL.map((c) => `sum(coalesce(x.${c}, 0)) AS ${c}`).join(', ')}
        FROM jsonb_to_recordset(deltas) AS x(campaign_id text, university_code char(10), day date, ${ALL.map((c) => `${c} bigint`).join(', ')})
        GROUP BY x.campaign_id, x.university_code, x.day
        HAVING ${ALL.map((c) => `sum(coalesce(x.${c}, 0)) <> 0`).join(' OR ')}),
      daily AS (
        INSERT INTO ranking_daily (campaign_id, university_code, day, ${ALL.join(', ')})
        SELECT campaign_id, university_code, day, ${ALL.join(', ')} FROM d ORDER BY campaign_id, university_code, day
        ON CONFLICT (campaign_id, university_code, day) DO UPDATE SET ${addSet('ranking_daily', ALL)}
        RETURNING 1)
      INSERT INTO ranking_totals (campaign_id, university_code, ${ALL.join(', ')})
      SELECT campaign_id, university_code, ${ALL.map((c) => `sum(${c})`).join(', ')} FROM d
      GROUP BY campaign_id, university_code ORDER BY campaign_id, university_code
      ON CONFLICT (campaign_id, university_code) DO UPDATE SET ${addSet('ranking_totals', ALL)};
    $fn$;

    CREATE FUNCTION ranking_refresh_pairs(keys ranking_pair_key[]) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_add_deltas((SELECT jsonb_agg(to_jsonb(d)) FROM ranking_pair_deltas(keys) d));
    END
    $fn$;

    -- Applies visit rows entering (+1) or leaving (-1) the figures: per-visit sums and the touched pairs' first-visit
    -- counts, added in one pass.
    CREATE FUNCTION ranking_apply_visit_changes(changes ranking_visit_change[]) RETURNS void LANGUAGE plpgsql AS $fn$
    DECLARE
      sums jsonb;
      firsts jsonb;
    BEGIN
      IF coalesce(cardinality(changes), 0) = 0 THEN RETURN; END IF;
      SELECT jsonb_agg(to_jsonb(s)) INTO sums FROM (
        SELECT x.campaign_id, x.university_code, x.visited_on AS day,
          sum(x.sign) AS visits,
          sum(x.sign) FILTER (WHERE x.mode = 'onsite') AS onsite_visits,
          sum(x.sign * x.positions) AS positions,
          sum(x.sign) FILTER (WHERE x.internship_base) AS internship_bases,
          sum(x.sign) FILTER (WHERE x.recruitment_invite) AS recruitment_invites,
          sum(x.sign) FILTER (WHERE x.demand_survey) AS demand_surveys,
          sum(x.sign * x.graduates_tracked) AS graduates_tracked,
          sum(x.sign * x.satisfaction) AS satisfaction_sum,
          sum(x.sign) FILTER (WHERE x.satisfaction IS NOT NULL) AS satisfaction_count
        FROM unnest(changes) x JOIN campaigns c ON c.id = x.campaign_id
        WHERE x.state = 'active' AND x.visited_on >= c.start_date
        GROUP BY x.campaign_id, x.university_code, x.visited_on) s;
      SELECT jsonb_agg(to_jsonb(d)) INTO firsts FROM ranking_pair_deltas(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key FROM unnest(changes) WHERE employer_id IS NOT NULL)) d;
      PERFORM ranking_add_deltas(coalesce(sums, '[]'::jsonb) || coalesce(firsts, '[]'::jsonb));
    END
    $fn$;

    CREATE FUNCTION ranking_visits_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(1, campaign_id, university_code, employer_id, visited_on, state, has_principal, mode, positions,
          internship_base, recruitment_invite, demand_survey, graduates_tracked, satisfaction)::ranking_visit_change
        FROM new_rows WHERE state = 'active'));
      RETURN NULL;
    END
    $fn$;

    -- Only rows whose counted columns changed matter (an upsert that only moves occurred_at changes nothing here).
    CREATE FUNCTION ranking_visits_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(s.sign, s.campaign_id, s.university_code, s.employer_id, s.visited_on, s.state, s.has_principal, s.mode,
          s.positions, s.internship_base, s.recruitment_invite, s.demand_survey, s.graduates_tracked, s.satisfaction)::ranking_visit_change
        FROM (
          SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o USING (university_code, ref)
          WHERE (o.campaign_id, o.employer_id, o.visited_on, o.state, o.has_principal, o.mode, o.positions, o.internship_base,
                 o.recruitment_invite, o.demand_survey, o.graduates_tracked, o.satisfaction)
             IS DISTINCT FROM (n.campaign_id, n.employer_id, n.visited_on, n.state, n.has_principal, n.mode, n.positions,
                 n.internship_base, n.recruitment_invite, n.demand_survey, n.graduates_tracked, n.satisfaction)
          UNION ALL
          SELECT -1 AS sign, o.* FROM old_rows o JOIN new_rows n USING (university_code, ref)
          WHERE (o.campaign_id, o.employer_id, o.visited_on, o.state, o.has_principal, o.mode, o.positions, o.internship_base,
                 o.recruitment_invite, o.demand_survey, o.graduates_tracked, o.satisfaction)
             IS DISTINCT FROM (n.campaign_id, n.employer_id, n.visited_on, n.state, n.has_principal, n.mode, n.positions,
                 n.internship_base, n.recruitment_invite, n.demand_survey, n.graduates_tracked, n.satisfaction)
        ) s WHERE s.state = 'active'));
      RETURN NULL;
    END
    $fn$;

    CREATE FUNCTION ranking_visits_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(-1, campaign_id, university_code, employer_id, visited_on, state, has_principal, mode, positions,
          internship_base, recruitment_invite, demand_survey, graduates_tracked, satisfaction)::ranking_visit_change
        FROM old_rows WHERE state = 'active'));
      RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER ranking_visits_ins AFTER INSERT ON visits REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_visits_inserted();
    CREATE TRIGGER ranking_visits_upd AFTER UPDATE ON visits REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_visits_updated();
    CREATE TRIGGER ranking_visits_del AFTER DELETE ON visits REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_visits_deleted();

    -- A prior-employer row (or its resolution to an employer) changes whether its pairs count as newly developed.
    CREATE FUNCTION ranking_prior_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_refresh_pairs(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key FROM new_rows WHERE employer_id IS NOT NULL));
      RETURN NULL;
    END
    $fn$;
    CREATE FUNCTION ranking_prior_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_refresh_pairs(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key
        FROM (SELECT university_code, employer_id FROM new_rows UNION SELECT university_code, employer_id FROM old_rows) x
        WHERE employer_id IS NOT NULL));
      RETURN NULL;
    END
    $fn$;
    CREATE FUNCTION ranking_prior_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_refresh_pairs(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key FROM old_rows WHERE employer_id IS NOT NULL));
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER ranking_prior_ins AFTER INSERT ON prior_employers REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_prior_inserted();
    CREATE TRIGGER ranking_prior_upd AFTER UPDATE ON prior_employers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_prior_updated();
    CREATE TRIGGER ranking_prior_del AFTER DELETE ON prior_employers REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ranking_prior_deleted();

    -- One stored ranking per (campaign, period, scope); re-running a period replaces it.
    CREATE TABLE ranking_snapshots (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      period text NOT NULL,
      scope text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('week', 'month')),
      as_of date NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now(),
      rows jsonb NOT NULL,
      PRIMARY KEY (campaign_id, period, scope)
    );
    CREATE INDEX ranking_snapshots_kind_idx ON ranking_snapshots (campaign_id, scope, kind, period);

    -- 实施方案: the date each province filed its implementation plan for a campaign.
    CREATE TABLE province_plans (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      province_code char(6) NOT NULL REFERENCES provinces(code),
      filed_on date NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, province_code)
    );
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    DROP TABLE IF EXISTS province_plans;
    DROP TABLE IF EXISTS ranking_snapshots;
    DROP TRIGGER IF EXISTS ranking_prior_ins ON prior_employers;
    DROP TRIGGER IF EXISTS ranking_prior_upd ON prior_employers;
    DROP TRIGGER IF EXISTS ranking_prior_del ON prior_employers;
    DROP TRIGGER IF EXISTS ranking_visits_ins ON visits;
    DROP TRIGGER IF EXISTS ranking_visits_upd ON visits;
    DROP TRIGGER IF EXISTS ranking_visits_del ON visits;
    DROP FUNCTION IF EXISTS ranking_prior_inserted, ranking_prior_updated, ranking_prior_deleted,
      ranking_visits_inserted, ranking_visits_updated, ranking_visits_deleted;
    DROP FUNCTION IF EXISTS ranking_apply_visit_changes(ranking_visit_change[]);
    DROP FUNCTION IF EXISTS ranking_refresh_pairs(ranking_pair_key[]);
    DROP FUNCTION IF EXISTS ranking_add_deltas(jsonb);
    DROP FUNCTION IF EXISTS ranking_pair_deltas(ranking_pair_key[]);
    DROP TYPE IF EXISTS ranking_pair_key;
    DROP TYPE IF EXISTS ranking_visit_change;
    DROP TABLE IF EXISTS ranking_totals;
    DROP TABLE IF EXISTS ranking_daily;
    DROP TABLE IF EXISTS ranking_pairs;
  `,
    )
    .execute(db);
}
