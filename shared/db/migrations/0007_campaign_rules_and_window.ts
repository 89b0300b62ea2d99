// Frozen in time: Kysely<any>, no application imports. Issue 11, figures 3 and 4.
//
// Rules as data: the on-site share below which a principal-target university is flagged (0.5) and the employers that
// give a university without targets full completion (100) become campaign columns, overridable per province like the
// targets (RULES.md §5); the campaign also records its plan deadline (实施方案, 2022-03-18 in 2022).
//
// The campaign window: the derived figures (migration 0004) counted visits from the campaign's start but not up to its
// end, and kept the start they saw when each visit was written. Now a visit counts only when dated inside
// [start_date, end_date], and a change of either date recomputes that campaign's derived rows in the same transaction
// (ranking_rebuild), so a visit stored before the dates moved, or by any path that skipped the API's date check,
// counts exactly when it lies inside the window.
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

/** The two functions of 0004 that decide which visits count, with `window` as their date condition. */
function countingFunctions(window: (visit: string) => string): string {
  return `
    CREATE OR REPLACE FUNCTION ranking_pair_deltas(keys ranking_pair_key[])
    RETURNS TABLE (campaign_id text, university_code char(10), day date, employers_first bigint, principal_first bigint, new_first bigint)
    LANGUAGE plpgsql AS $fn$
    #variable_conflict use_column
    BEGIN
      IF coalesce(cardinality(keys), 0) = 0 THEN RETURN; END IF;
      PERFORM pg_advisory_xact_lock(5127, h)
      FROM (SELECT DISTINCT hashtext(k.university_code || ':' || k.employer_id) & 127 AS h FROM unnest(keys) k) x ORDER BY h;

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
        WHERE v.state = 'active' AND ${window('v')}
        GROUP BY v.campaign_id, v.university_code, v.employer_id, c.start_date),
      upserted AS (
        INSERT INTO ranking_pairs AS rp (campaign_id, university_code, employer_id, first_on, first_principal_on, known_before)
        SELECT f.campaign_id, f.university_code, f.employer_id, f.first_on, f.first_principal_on, f.known_before FROM fresh f
        ORDER BY 1, 2, 3
        ON CONFLICT (campaign_id, university_code, employer_id) DO UPDATE SET first_on = EXCLUDED.first_on,
          first_principal_on = EXCLUDED.first_principal_on, known_before = EXCLUDED.known_before
        RETURNING 1),
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

    CREATE OR REPLACE FUNCTION ranking_apply_visit_changes(changes ranking_visit_change[]) RETURNS void LANGUAGE plpgsql AS $fn$
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
        WHERE x.state = 'active' AND ${window('x')}
        GROUP BY x.campaign_id, x.university_code, x.visited_on) s;
      SELECT jsonb_agg(to_jsonb(d)) INTO firsts FROM ranking_pair_deltas(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key FROM unnest(changes) WHERE employer_id IS NOT NULL)) d;
      PERFORM ranking_add_deltas(coalesce(sums, '[]'::jsonb) || coalesce(firsts, '[]'::jsonb));
    END
    $fn$;
  `;
}

const inWindow = (v: string) => `${v}.visited_on BETWEEN c.start_date AND c.end_date`;
const fromStart = (v: string) => `${v}.visited_on >= c.start_date`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    ALTER TABLE campaigns
      ADD COLUMN onsite_share_flag numeric NOT NULL DEFAULT 0.5 CHECK (onsite_share_flag BETWEEN 0 AND 1),
      ADD COLUMN base_without_targets integer NOT NULL DEFAULT 100 CHECK (base_without_targets >= 0),
      ADD COLUMN plan_deadline date;
    ALTER TABLE campaign_province_targets
      ADD COLUMN onsite_share_flag numeric CHECK (onsite_share_flag BETWEEN 0 AND 1),
      ADD COLUMN base_without_targets integer CHECK (base_without_targets >= 0);

    ${countingFunctions(inWindow)}

    -- Recomputes the derived tables of one campaign (NULL: all) from the visits, set-based (hash joins over whole sets,
    -- not a probe per pair). Writers of visits and prior lists wait until it commits: their trigger deltas must apply
    -- to the rebuilt rows, not be lost in them.
    CREATE FUNCTION ranking_rebuild(only_campaign text) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      LOCK TABLE visits, prior_employers IN SHARE MODE;
      DELETE FROM ranking_pairs p WHERE only_campaign IS NULL OR p.campaign_id = only_campaign;
      DELETE FROM ranking_daily d WHERE only_campaign IS NULL OR d.campaign_id = only_campaign;
      DELETE FROM ranking_totals t WHERE only_campaign IS NULL OR t.campaign_id = only_campaign;

      INSERT INTO ranking_pairs (campaign_id, university_code, employer_id, first_on, first_principal_on, known_before)
      SELECT g.campaign_id, g.university_code, g.employer_id, g.first_on, g.first_principal_on,
        pe.university_code IS NOT NULL OR coalesce(ev.first_ever < g.start_date, false)
      FROM (
        SELECT v.campaign_id, v.university_code, v.employer_id, c.start_date, min(v.visited_on) AS first_on,
               min(v.visited_on) FILTER (WHERE v.has_principal) AS first_principal_on
        FROM visits v JOIN campaigns c ON c.id = v.campaign_id
        WHERE v.state = 'active' AND ${inWindow('v')} AND v.employer_id IS NOT NULL
          AND (only_campaign IS NULL OR v.campaign_id = only_campaign)
        GROUP BY v.campaign_id, v.university_code, v.employer_id, c.start_date) g
      LEFT JOIN (SELECT DISTINCT university_code, employer_id FROM prior_employers WHERE employer_id IS NOT NULL) pe
        ON pe.university_code = g.university_code AND pe.employer_id = g.employer_id
      LEFT JOIN (SELECT university_code, employer_id, min(visited_on) AS first_ever FROM visits WHERE state = 'active' GROUP BY 1, 2) ev
        ON ev.university_code = g.university_code AND ev.employer_id = g.employer_id;

      INSERT INTO ranking_daily (campaign_id, university_code, day, ${ALL.join(', ')})
      SELECT coalesce(s.campaign_id, f.campaign_id), coalesce(s.university_code, f.university_code), coalesce(s.day, f.day),
        ${SUMS.map((c) => `coalesce(s.${c}, 0)`).join(', ')}, ${FIRSTS.map((c) => `coalesce(f.${c}, 0)`).join(', ')}
      FROM (
        SELECT v.campaign_id, v.university_code, v.visited_on AS day, count(*) AS visits,
          count(*) FILTER (WHERE v.mode = 'onsite') AS onsite_visits, sum(v.positions) AS positions,
          count(*) FILTER (WHERE v.internship_base) AS internship_bases, count(*) FILTER (WHERE v.recruitment_invite) AS recruitment_invites,
          count(*) FILTER (WHERE v.demand_survey) AS demand_surveys, sum(v.graduates_tracked) AS graduates_tracked,
          coalesce(sum(v.satisfaction), 0) AS satisfaction_sum, count(v.satisfaction) AS satisfaction_count
        FROM visits v JOIN campaigns c ON c.id = v.campaign_id
        WHERE v.state = 'active' AND ${inWindow('v')} AND (only_campaign IS NULL OR v.campaign_id = only_campaign)
        GROUP BY v.campaign_id, v.university_code, v.visited_on) s
      FULL JOIN (
        SELECT x.campaign_id, x.university_code, x.day, sum(x.e) AS employers_first, sum(x.p) AS principal_first, sum(x.n) AS new_first
        FROM (
          SELECT p.campaign_id, p.university_code, p.first_on AS day, 1 AS e, 0 AS p, CASE WHEN p.known_before THEN 0 ELSE 1 END AS n
          FROM ranking_pairs p WHERE only_campaign IS NULL OR p.campaign_id = only_campaign
          UNION ALL
          SELECT p.campaign_id, p.university_code, p.first_principal_on, 0, 1, 0
          FROM ranking_pairs p WHERE p.first_principal_on IS NOT NULL AND (only_campaign IS NULL OR p.campaign_id = only_campaign)) x
        GROUP BY x.campaign_id, x.university_code, x.day) f
      ON f.campaign_id = s.campaign_id AND f.university_code = s.university_code AND f.day = s.day;

      INSERT INTO ranking_totals (campaign_id, university_code, ${ALL.join(', ')})
      SELECT d.campaign_id, d.university_code, ${ALL.map((c) => `sum(d.${c})`).join(', ')}
      FROM ranking_daily d WHERE only_campaign IS NULL OR d.campaign_id = only_campaign
      GROUP BY d.campaign_id, d.university_code;
    END
    $fn$;

    -- A campaign's dates decide which of its visits count and which employers were known before it: moving either one
    -- recomputes that campaign's figures at once (rare, and one set-based pass), never leaving them for a manual rebuild.
    CREATE FUNCTION ranking_campaign_dates_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_rebuild(NEW.id);
      RETURN NULL;
    END
    $fn$;
    CREATE TRIGGER ranking_campaign_dates AFTER UPDATE OF start_date, end_date ON campaigns
      FOR EACH ROW WHEN (OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date)
      EXECUTE FUNCTION ranking_campaign_dates_changed();

    -- Visits already stored after their campaign's end leave the figures now.
    SELECT ranking_rebuild(NULL);
  `,
    )
    .execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    DROP TRIGGER IF EXISTS ranking_campaign_dates ON campaigns;
    DROP FUNCTION IF EXISTS ranking_campaign_dates_changed();
    DROP FUNCTION IF EXISTS ranking_rebuild(text);
    ${countingFunctions(fromStart)}
    ALTER TABLE campaign_province_targets DROP COLUMN IF EXISTS onsite_share_flag, DROP COLUMN IF EXISTS base_without_targets;
    ALTER TABLE campaigns DROP COLUMN IF EXISTS onsite_share_flag, DROP COLUMN IF EXISTS base_without_targets, DROP COLUMN IF EXISTS plan_deadline;
  `,
    )
    .execute(db);
}
