// Frozen in time: Kysely<any>, no application imports. Issue 13: the console's national overview and rankings, and
// its employer search, within 200 ms at the demo's size.
//
// The campaign's distinct employers as of a date were a count(DISTINCT employer_id) over every ranking pair of the
// campaign (a sort of ~300,000 pairs spilling to disk at the demo's size: most of the overview's time). The pairs
// give each employer its first visit by any university of the campaign, so one row per (campaign, employer) with that
// first date, and the first date among its newly developed pairs, turns the count into an index-only range count:
//   campaign_employers   one row per (campaign, employer) with at least one pair: first_reached_on = min of its
//                        pairs' first_reached_on (a visit by anyone), first_on = min(first_on) (a visit with a leader;
//                        NULL when only staff went), first_new_on = the same over its pairs not known before, and
//                        first_<kind>_on per kind of place (migration 0014's columns, the same way).
// A statement trigger on ranking_pairs keeps it exact, whatever writes the pairs (visit triggers, prior lists, merges
// and splits repointing visits, ranking_rebuild when a campaign's window moves). The refresh takes transaction-scoped
// advisory locks on the hash buckets of the touched employers, then recomputes them from the pairs in a new statement
// (READ COMMITTED): two transactions adding pairs of one employer from different universities serialise, and the second
// recomputes from what the first committed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    CREATE TABLE campaign_employers (
      campaign_id text NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
      employer_id bigint NOT NULL,
      first_reached_on date NOT NULL,
      first_on date,
      first_new_on date,
      first_enterprise_on date,
      first_park_on date,
      first_association_on date,
      first_institution_on date,
      first_other_on date,

      PRIMARY KEY (campaign_id, employer_id)
    );

    -- The console's employer search (a substring of a name or spelling, ILIKE '%…%'): trigram indexes instead of
    -- scanning every employer and spelling (pg_trgm reads CJK characters as word characters under UTF-8).
    CREATE INDEX employers_name_trgm_idx ON employers USING gin (canonical_name gin_trgm_ops);
    CREATE INDEX employer_spellings_trgm_idx ON employer_spellings USING gin (spelling gin_trgm_ops);

    CREATE INDEX campaign_employers_first_idx ON campaign_employers (campaign_id, first_reached_on)
      INCLUDE (first_on, first_new_on, first_enterprise_on, first_park_on, first_association_on, first_institution_on, first_other_on);
    -- An employer's pairs in one campaign, read index-only by the refresh.
    CREATE INDEX ranking_pairs_employer_idx ON ranking_pairs (campaign_id, employer_id)
      INCLUDE (first_reached_on, first_on, known_before, first_enterprise_on, first_park_on, first_association_on, first_institution_on, first_other_on);

    -- Recomputes the rows of the given (campaign, employer) keys from ranking_pairs.
    CREATE FUNCTION campaign_employers_refresh(campaigns text[], employers bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      IF coalesce(cardinality(employers), 0) = 0 THEN RETURN; END IF;
      -- 256 buckets, in order: a bulk statement (a rebuild, a merge) takes at most 256 locks, never one per employer.
      PERFORM pg_advisory_xact_lock(5128, h)
      FROM (SELECT DISTINCT (hashint8(e) & 255)::int AS h FROM unnest(employers) e) x ORDER BY h;

      -- A new statement, so a new snapshot: it sees the pairs a transaction that held the lock committed.
      -- Every key gets a row of fresh (no pairs left: first_on NULL), so the delete is a join, never an anti-join
      -- against a CTE (which the planner, misjudging its size, runs as a nested loop: quadratic in the keys).
      WITH k AS (SELECT DISTINCT c, e FROM unnest(campaigns, employers) AS u(c, e)),
      fresh AS (
        SELECT k.c AS campaign_id, k.e AS employer_id, min(p.first_reached_on) AS first_reached_on,
               min(p.first_on) AS first_on, min(p.first_on) FILTER (WHERE NOT p.known_before) AS first_new_on,
               min(p.first_enterprise_on) AS first_enterprise_on, min(p.first_park_on) AS first_park_on, min(p.first_association_on) AS first_association_on, min(p.first_institution_on) AS first_institution_on, min(p.first_other_on) AS first_other_on
        FROM k LEFT JOIN ranking_pairs p ON p.campaign_id = k.c AND p.employer_id = k.e
        GROUP BY k.c, k.e),
      upserted AS (
        INSERT INTO campaign_employers AS ce (campaign_id, employer_id, first_reached_on, first_on, first_new_on, first_enterprise_on, first_park_on, first_association_on, first_institution_on, first_other_on)
        SELECT f.campaign_id, f.employer_id, f.first_reached_on, f.first_on, f.first_new_on, f.first_enterprise_on, f.first_park_on, f.first_association_on, f.first_institution_on, f.first_other_on
        FROM fresh f WHERE f.first_reached_on IS NOT NULL
        ORDER BY 1, 2
        ON CONFLICT (campaign_id, employer_id) DO UPDATE SET
          first_reached_on = EXCLUDED.first_reached_on, first_on = EXCLUDED.first_on, first_new_on = EXCLUDED.first_new_on, first_enterprise_on = EXCLUDED.first_enterprise_on, first_park_on = EXCLUDED.first_park_on, first_association_on = EXCLUDED.first_association_on, first_institution_on = EXCLUDED.first_institution_on, first_other_on = EXCLUDED.first_other_on
        WHERE (ce.first_reached_on, ce.first_on, ce.first_new_on, ce.first_enterprise_on, ce.first_park_on, ce.first_association_on, ce.first_institution_on, ce.first_other_on) IS DISTINCT FROM (EXCLUDED.first_reached_on, EXCLUDED.first_on, EXCLUDED.first_new_on, EXCLUDED.first_enterprise_on, EXCLUDED.first_park_on, EXCLUDED.first_association_on, EXCLUDED.first_institution_on, EXCLUDED.first_other_on)
        RETURNING 1)
      DELETE FROM campaign_employers ce USING fresh f
      WHERE ce.campaign_id = f.campaign_id AND ce.employer_id = f.employer_id AND f.first_reached_on IS NULL;
    END
    $fn$;

    CREATE FUNCTION campaign_employers_pairs_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM campaign_employers_refresh(array_agg(campaign_id), array_agg(employer_id))
      FROM (SELECT DISTINCT campaign_id, employer_id FROM new_rows) k;
      RETURN NULL;
    END
    $fn$;
    -- Only rows whose campaign, employer, first dates or known_before changed matter.
    CREATE FUNCTION campaign_employers_pairs_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM campaign_employers_refresh(array_agg(campaign_id), array_agg(employer_id))
      FROM (
        SELECT n.campaign_id, n.employer_id FROM new_rows n
        LEFT JOIN old_rows o USING (campaign_id, university_code, employer_id)
        WHERE o.campaign_id IS NULL OR (o.first_reached_on, o.first_on, o.known_before, o.first_enterprise_on, o.first_park_on, o.first_association_on, o.first_institution_on, o.first_other_on)
              IS DISTINCT FROM (n.first_reached_on, n.first_on, n.known_before, n.first_enterprise_on, n.first_park_on, n.first_association_on, n.first_institution_on, n.first_other_on)
        UNION
        SELECT o.campaign_id, o.employer_id FROM old_rows o
        LEFT JOIN new_rows n USING (campaign_id, university_code, employer_id)
        WHERE n.campaign_id IS NULL OR (o.first_reached_on, o.first_on, o.known_before, o.first_enterprise_on, o.first_park_on, o.first_association_on, o.first_institution_on, o.first_other_on)
              IS DISTINCT FROM (n.first_reached_on, n.first_on, n.known_before, n.first_enterprise_on, n.first_park_on, n.first_association_on, n.first_institution_on, n.first_other_on)) k;
      RETURN NULL;
    END
    $fn$;
    CREATE FUNCTION campaign_employers_pairs_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM campaign_employers_refresh(array_agg(campaign_id), array_agg(employer_id))
      FROM (SELECT DISTINCT campaign_id, employer_id FROM old_rows) k;
      RETURN NULL;
    END
    $fn$;

    CREATE TRIGGER campaign_employers_pairs_ins AFTER INSERT ON ranking_pairs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION campaign_employers_pairs_inserted();
    CREATE TRIGGER campaign_employers_pairs_upd AFTER UPDATE ON ranking_pairs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION campaign_employers_pairs_updated();
    CREATE TRIGGER campaign_employers_pairs_del AFTER DELETE ON ranking_pairs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION campaign_employers_pairs_deleted();

    INSERT INTO campaign_employers (campaign_id, employer_id, first_reached_on, first_on, first_new_on, first_enterprise_on, first_park_on, first_association_on, first_institution_on, first_other_on)
    SELECT campaign_id, employer_id, min(first_reached_on), min(first_on), min(first_on) FILTER (WHERE NOT known_before),
           min(first_enterprise_on), min(first_park_on), min(first_association_on), min(first_institution_on), min(first_other_on)
    FROM ranking_pairs GROUP BY campaign_id, employer_id;
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    DROP TRIGGER IF EXISTS campaign_employers_pairs_ins ON ranking_pairs;
    DROP TRIGGER IF EXISTS campaign_employers_pairs_upd ON ranking_pairs;
    DROP TRIGGER IF EXISTS campaign_employers_pairs_del ON ranking_pairs;
    DROP FUNCTION IF EXISTS campaign_employers_pairs_inserted();
    DROP FUNCTION IF EXISTS campaign_employers_pairs_updated();
    DROP FUNCTION IF EXISTS campaign_employers_pairs_deleted();
    DROP FUNCTION IF EXISTS campaign_employers_refresh(text[], bigint[]);
    DROP INDEX IF EXISTS ranking_pairs_employer_idx;
    DROP INDEX IF EXISTS employers_name_trgm_idx;
    DROP INDEX IF EXISTS employer_spellings_trgm_idx;
    DROP TABLE IF EXISTS campaign_employers;
  `,
    )
    .execute(db);
}
