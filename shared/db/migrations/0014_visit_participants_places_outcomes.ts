// Frozen in time: Kysely<any>, no application imports. Issue 15, points 5, 6, 7 and the visit part of 8.
//
// New optional visit fields: staff taking part (全员联动: 专任教师 / 辅导员 / 行政管理人员), a visit without any leader,
// the kind of place visited (走进园区、走进行业、走进企业), incremental positions and graduates hired (开拓增量岗位), and
// the majors or skills the employer asked for (kept for the 用人单位需求台账).
//
// The derived figures of migrations 0004/0007 grow with them, kept exact by the same triggers:
//   - leader measures stay leader measures: ranking_pairs.first_on is now the first visit *with a leader* (null when
//     only staff visited the pair), so employers_first / principal_first / new_first count exactly as before for every
//     visit that has a leader, and a staff-only visit never moves them;
//   - first_reached_on is the pair's first visit by anyone (reached_first: 全校覆盖的用人单位);
//   - first_<kind>_on per place kind (place_<kind>_first: distinct employers visited as that kind of place);
//   - per-day sums: new_positions, hired, staff_visits (visits with staff), staff_only_visits (without a leader),
//     staff_participants (staff entries summed), place_<kind>_visits.
// The counting functions are replaced whole (same names, same triggers), and every derived row is rebuilt once.
import { sql, type Kysely } from 'kysely';

const KINDS = ['enterprise', 'park', 'association', 'institution', 'other'] as const;

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
  'new_positions',
  'hired',
  'staff_visits',
  'staff_only_visits',
  'staff_participants',
  ...KINDS.map((k) => `place_${k}_visits`),
];
const NEW_SUMS = SUMS.slice(9);
const FIRSTS = [
  'employers_first',
  'principal_first',
  'new_first',
  'reached_first',
  ...KINDS.map((k) => `place_${k}_first`),
];
const NEW_FIRSTS = FIRSTS.slice(3);
const ALL = [...SUMS, ...FIRSTS];

const addSet = (table: string, cols: readonly string[]) =>
  cols.map((c) => `${c} = ${table}.${c} + EXCLUDED.${c}`).join(', ');

const inWindow = (v: string) => `${v}.visited_on BETWEEN c.start_date AND c.end_date`;

/** The pair's first-visit dates, each with the counter it moves (a lateral VALUES list over a ranking_pairs row). */
const firstDates = (p: string) => `(VALUES
  (${p}.first_on, 'employers_first'),
  (CASE WHEN ${p}.known_before THEN NULL ELSE ${p}.first_on END, 'new_first'),
  (${p}.first_principal_on, 'principal_first'),
  (${p}.first_reached_on, 'reached_first'),
  ${KINDS.map((k) => `(${p}.first_${k}_on, 'place_${k}_first')`).join(',\n  ')}) t(day, counter)`;

/** Pivot of (counter, delta) rows into one column per first-visit counter. */
const pivotFirsts = (delta: string) =>
  FIRSTS.map((f) => `coalesce(sum(${delta}) FILTER (WHERE x.counter = '${f}'), 0)::bigint AS ${f}`).join(', ');

/** The pair's dates from its visits (alias v, active, in the campaign's window). */
const pairDates = `min(v.visited_on) FILTER (WHERE v.has_leader) AS first_on,
  min(v.visited_on) FILTER (WHERE v.has_principal) AS first_principal_on,
  min(v.visited_on) AS first_reached_on,
  ${KINDS.map((k) => `min(v.visited_on) FILTER (WHERE v.place_kind = '${k}') AS first_${k}_on`).join(',\n  ')}`;
const PAIR_DATE_COLS = ['first_on', 'first_principal_on', 'first_reached_on', ...KINDS.map((k) => `first_${k}_on`)];

/** Per-visit sums over rows of alias x carrying `sign` (+1 entering, -1 leaving). */
const visitSums = (sign: string) => `
  sum(${sign}) AS visits,
  sum(${sign}) FILTER (WHERE x.mode = 'onsite') AS onsite_visits,
  sum(${sign} * x.positions) AS positions,
  sum(${sign}) FILTER (WHERE x.internship_base) AS internship_bases,
  sum(${sign}) FILTER (WHERE x.recruitment_invite) AS recruitment_invites,
  sum(${sign}) FILTER (WHERE x.demand_survey) AS demand_surveys,
  sum(${sign} * x.graduates_tracked) AS graduates_tracked,
  coalesce(sum(${sign} * x.satisfaction), 0) AS satisfaction_sum,
  coalesce(sum(${sign}) FILTER (WHERE x.satisfaction IS NOT NULL), 0) AS satisfaction_count,
  sum(${sign} * x.new_positions) AS new_positions,
  sum(${sign} * x.hired) AS hired,
  coalesce(sum(${sign}) FILTER (WHERE x.staff_count > 0), 0) AS staff_visits,
  coalesce(sum(${sign}) FILTER (WHERE NOT x.has_leader), 0) AS staff_only_visits,
  sum(${sign} * x.staff_count) AS staff_participants,
  ${KINDS.map((k) => `coalesce(sum(${sign}) FILTER (WHERE x.place_kind = '${k}'), 0) AS place_${k}_visits`).join(',\n  ')}`;

/** The columns of a visit that the figures read, in the order of the ranking_visit_change type after `sign`. */
const CHANGE_COLS = (v: string) =>
  `${v}.campaign_id, ${v}.university_code, ${v}.employer_id, ${v}.visited_on, ${v}.state, ${v}.has_principal, ${v}.mode,
   ${v}.positions, ${v}.internship_base, ${v}.recruitment_invite, ${v}.demand_survey, ${v}.graduates_tracked,
   ${v}.satisfaction, ${v}.has_leader, jsonb_array_length(${v}.staff), ${v}.place_kind, ${v}.new_positions, ${v}.hired`;
const COUNTED = (v: string) =>
  `(${v}.campaign_id, ${v}.employer_id, ${v}.visited_on, ${v}.state, ${v}.has_principal, ${v}.mode, ${v}.positions,
    ${v}.internship_base, ${v}.recruitment_invite, ${v}.demand_survey, ${v}.graduates_tracked, ${v}.satisfaction,
    ${v}.has_leader, jsonb_array_length(${v}.staff), ${v}.place_kind, ${v}.new_positions, ${v}.hired)`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `
    ALTER TABLE visits
      ADD COLUMN has_leader boolean NOT NULL DEFAULT true,
      ADD COLUMN staff jsonb NOT NULL DEFAULT '[]'::jsonb,
      ADD COLUMN place_kind text CHECK (place_kind IN (${KINDS.map((k) => `'${k}'`).join(', ')})),
      ADD COLUMN new_positions integer NOT NULL DEFAULT 0 CHECK (new_positions >= 0),
      ADD COLUMN hired integer NOT NULL DEFAULT 0 CHECK (hired >= 0),
      ADD COLUMN majors jsonb NOT NULL DEFAULT '[]'::jsonb;

    ALTER TABLE ranking_pairs
      ALTER COLUMN first_on DROP NOT NULL,
      ADD COLUMN first_reached_on date,
      ${KINDS.map((k) => `ADD COLUMN first_${k}_on date`).join(',\n      ')};
    ALTER TABLE ranking_daily
      ${[...NEW_SUMS, ...NEW_FIRSTS].map((c) => `ADD COLUMN ${c} bigint NOT NULL DEFAULT 0`).join(',\n      ')};
    ALTER TABLE ranking_totals
      ${[...NEW_SUMS, ...NEW_FIRSTS].map((c) => `ADD COLUMN ${c} bigint NOT NULL DEFAULT 0`).join(',\n      ')};

    ALTER TYPE ranking_visit_change
      ADD ATTRIBUTE has_leader boolean, ADD ATTRIBUTE staff_count integer, ADD ATTRIBUTE place_kind text,
      ADD ATTRIBUTE new_positions integer, ADD ATTRIBUTE hired integer;

    -- Its result columns change: dropped and created again (its callers are plpgsql, resolved when they run).
    DROP FUNCTION ranking_pair_deltas(ranking_pair_key[]);
    CREATE FUNCTION ranking_pair_deltas(keys ranking_pair_key[])
    RETURNS TABLE (campaign_id text, university_code char(10), day date, ${FIRSTS.map((f) => `${f} bigint`).join(', ')})
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
        SELECT v.campaign_id, v.university_code, v.employer_id, ${pairDates},
               (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
                OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                           AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
        FROM visits v JOIN k ON k.university_code = v.university_code AND k.employer_id = v.employer_id
        JOIN campaigns c ON c.id = v.campaign_id
        WHERE v.state = 'active' AND ${inWindow('v')}
        GROUP BY v.campaign_id, v.university_code, v.employer_id, c.start_date),
      upserted AS (
        INSERT INTO ranking_pairs AS rp (campaign_id, university_code, employer_id, ${PAIR_DATE_COLS.join(', ')}, known_before)
        SELECT f.campaign_id, f.university_code, f.employer_id, ${PAIR_DATE_COLS.map((c) => `f.${c}`).join(', ')}, f.known_before
        FROM fresh f ORDER BY 1, 2, 3
        ON CONFLICT (campaign_id, university_code, employer_id) DO UPDATE SET
          ${PAIR_DATE_COLS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, known_before = EXCLUDED.known_before
        RETURNING 1),
      deleted AS (
        DELETE FROM ranking_pairs p USING old o
        WHERE p.campaign_id = o.campaign_id AND p.university_code = o.university_code AND p.employer_id = o.employer_id
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.campaign_id = o.campaign_id AND f.university_code = o.university_code AND f.employer_id = o.employer_id)
        RETURNING 1)
      SELECT x.campaign_id, x.university_code, x.day, ${pivotFirsts('x.d')}
      FROM (
        SELECT o.campaign_id, o.university_code, t.day, t.counter, -1 AS d FROM old o CROSS JOIN LATERAL ${firstDates('o')}
        WHERE t.day IS NOT NULL
        UNION ALL
        SELECT f.campaign_id, f.university_code, t.day, t.counter, 1 AS d FROM fresh f CROSS JOIN LATERAL ${firstDates('f')}
        WHERE t.day IS NOT NULL
      ) x
      GROUP BY x.campaign_id, x.university_code, x.day
      HAVING ${FIRSTS.map((f) => `coalesce(sum(x.d) FILTER (WHERE x.counter = '${f}'), 0) <> 0`).join(' OR ')};
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ranking_add_deltas(deltas jsonb) RETURNS void LANGUAGE sql AS $fn$
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

    CREATE OR REPLACE FUNCTION ranking_apply_visit_changes(changes ranking_visit_change[]) RETURNS void LANGUAGE plpgsql AS $fn$
    DECLARE
      sums jsonb;
      firsts jsonb;
    BEGIN
      IF coalesce(cardinality(changes), 0) = 0 THEN RETURN; END IF;
      SELECT jsonb_agg(to_jsonb(s)) INTO sums FROM (
        SELECT x.campaign_id, x.university_code, x.visited_on AS day, ${visitSums('x.sign')}
        FROM unnest(changes) x JOIN campaigns c ON c.id = x.campaign_id
        WHERE x.state = 'active' AND ${inWindow('x')}
        GROUP BY x.campaign_id, x.university_code, x.visited_on) s;
      SELECT jsonb_agg(to_jsonb(d)) INTO firsts FROM ranking_pair_deltas(ARRAY(
        SELECT DISTINCT ROW(university_code, employer_id)::ranking_pair_key FROM unnest(changes) WHERE employer_id IS NOT NULL)) d;
      PERFORM ranking_add_deltas(coalesce(sums, '[]'::jsonb) || coalesce(firsts, '[]'::jsonb));
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ranking_visits_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(1, ${CHANGE_COLS('n')})::ranking_visit_change FROM new_rows n WHERE n.state = 'active'));
      RETURN NULL;
    END
    $fn$;

    -- Only rows whose counted columns changed matter (an upsert that only moves occurred_at or the majors changes nothing).
    CREATE OR REPLACE FUNCTION ranking_visits_updated() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(1, ${CHANGE_COLS('n')})::ranking_visit_change
        FROM new_rows n JOIN old_rows o USING (university_code, ref)
        WHERE n.state = 'active' AND ${COUNTED('o')} IS DISTINCT FROM ${COUNTED('n')}
        UNION ALL
        SELECT ROW(-1, ${CHANGE_COLS('o')})::ranking_visit_change
        FROM old_rows o JOIN new_rows n USING (university_code, ref)
        WHERE o.state = 'active' AND ${COUNTED('o')} IS DISTINCT FROM ${COUNTED('n')}));
      RETURN NULL;
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ranking_visits_deleted() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      PERFORM ranking_apply_visit_changes(ARRAY(
        SELECT ROW(-1, ${CHANGE_COLS('o')})::ranking_visit_change FROM old_rows o WHERE o.state = 'active'));
      RETURN NULL;
    END
    $fn$;

    CREATE OR REPLACE FUNCTION ranking_rebuild(only_campaign text) RETURNS void LANGUAGE plpgsql AS $fn$
    BEGIN
      LOCK TABLE visits, prior_employers IN SHARE MODE;
      DELETE FROM ranking_pairs p WHERE only_campaign IS NULL OR p.campaign_id = only_campaign;
      DELETE FROM ranking_daily d WHERE only_campaign IS NULL OR d.campaign_id = only_campaign;
      DELETE FROM ranking_totals t WHERE only_campaign IS NULL OR t.campaign_id = only_campaign;

      INSERT INTO ranking_pairs (campaign_id, university_code, employer_id, ${PAIR_DATE_COLS.join(', ')}, known_before)
      SELECT g.campaign_id, g.university_code, g.employer_id, ${PAIR_DATE_COLS.map((c) => `g.${c}`).join(', ')},
        pe.university_code IS NOT NULL OR coalesce(ev.first_ever < g.start_date, false)
      FROM (
        SELECT v.campaign_id, v.university_code, v.employer_id, c.start_date, ${pairDates}
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
        SELECT x.campaign_id, x.university_code, x.visited_on AS day, ${visitSums('1')}
        FROM (SELECT v.*, jsonb_array_length(v.staff) AS staff_count FROM visits v) x JOIN campaigns c ON c.id = x.campaign_id
        WHERE x.state = 'active' AND ${inWindow('x')} AND (only_campaign IS NULL OR x.campaign_id = only_campaign)
        GROUP BY x.campaign_id, x.university_code, x.visited_on) s
      FULL JOIN (
        SELECT x.campaign_id, x.university_code, x.day, ${pivotFirsts('1')}
        FROM (
          SELECT p.campaign_id, p.university_code, t.day, t.counter FROM ranking_pairs p CROSS JOIN LATERAL ${firstDates('p')}
          WHERE t.day IS NOT NULL AND (only_campaign IS NULL OR p.campaign_id = only_campaign)) x
        GROUP BY x.campaign_id, x.university_code, x.day) f
      ON f.campaign_id = s.campaign_id AND f.university_code = s.university_code AND f.day = s.day;

      INSERT INTO ranking_totals (campaign_id, university_code, ${ALL.join(', ')})
      SELECT d.campaign_id, d.university_code, ${ALL.map((c) => `sum(d.${c})`).join(', ')}
      FROM ranking_daily d WHERE only_campaign IS NULL OR d.campaign_id = only_campaign
      GROUP BY d.campaign_id, d.university_code;
    END
    $fn$;

    -- Every stored visit had a leader until now: the rebuild fills the new columns with the same leader figures.
    SELECT ranking_rebuild(NULL);
    ALTER TABLE ranking_pairs ALTER COLUMN first_reached_on SET NOT NULL;
  `,
    )
    .execute(db);
}

// Going back would lose staff-only visits from the leader figures' definition; the counting functions of 0007 are not
// repeated here. Restore a backup taken before this migration instead.
export async function down(): Promise<void> {
  throw new Error(
    'migration 0014_visit_participants_places_outcomes cannot be undone in place: restore the backup taken before it',
  );
}
