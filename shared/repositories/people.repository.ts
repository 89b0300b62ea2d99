// Leadership rosters (任务到人) and the figures per leader and per team, counted in SQL over the visits the measures
// count: active, of the campaign, dated inside its window and up to the cut-off. A visit's leader names are matched to
// the roster with leader_name_key() (migration 0015); a name not on the roster is kept and comes back flagged.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import type { LeaderFigures, LeaderRole, RosterLeader, TeamLine } from '../domain/people.ts';

export interface RosterReplacement {
  universities: number;
  leaders: number;
  /** Leaders the replaced rosters held. */
  replaced: number;
}

/**
 * Replaces the rosters of the given universities for the campaign, each as a whole (a university absent from the map
 * keeps its roster; one mapped to [] loses it). Run it in a transaction: the delete and the insert go together.
 */
export async function replaceRosters(
  db: Executor,
  campaignId: string,
  rosters: ReadonlyMap<string, ReadonlyArray<RosterLeader>>,
): Promise<RosterReplacement> {
  const codes = [...rosters.keys()].sort();
  if (codes.length === 0) return { universities: 0, leaders: 0, replaced: 0 };
  const deleted = await db
    .deleteFrom('leader_rosters')
    .where('campaign_id', '=', campaignId)
    .where('university_code', 'in', codes)
    .executeTakeFirst();
  const values = codes.flatMap((code) =>
    (rosters.get(code) ?? []).map((l, position) => ({
      campaign_id: campaignId,
      university_code: code,
      name: l.name,
      role: l.role,
      title: l.title,
      position,
    })),
  );
  for (let i = 0; i < values.length; i += 5000)
    await db
      .insertInto('leader_rosters')
      .values(values.slice(i, i + 5000))
      .execute();
  return { universities: codes.length, leaders: values.length, replaced: Number(deleted.numDeletedRows) };
}

/** A university's roster for the campaign, in its order ([] when none was imported). */
export async function getRoster(db: Executor, campaignId: string, universityCode: string): Promise<RosterLeader[]> {
  const rows = await db
    .selectFrom('leader_rosters')
    .select(['name', 'role', 'title'])
    .where('campaign_id', '=', campaignId)
    .where('university_code', '=', universityCode)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ name: r.name, role: r.role, title: r.title }));
}

/** The database's name key of each name (leader_name_key); for checking the pure leaderNameKey against it. */
export async function databaseNameKeys(db: Executor, names: string[]): Promise<string[]> {
  const { rows } = await sql<{ key: string }>`
    SELECT leader_name_key(n) AS key FROM unnest(${names}::text[]) WITH ORDINALITY AS t(n, i) ORDER BY i`.execute(db);
  return rows.map((r) => r.key);
}

/**
 * Per person of one university: every roster leader (with zeros when they made no visit) and every name on its
 * counted visits that is not on the roster. Visits: one per (person, visit), even if a name is written twice on it;
 * employers: distinct resolved employers; new: those the university did not know before the campaign (not in its
 * prior list, no visit before the campaign's start); positions: summed over the person's visits. Roster leaders come
 * first in roster order, then the other names by employers visited (desc) and name.
 */
export async function leaderFigures(
  db: Executor,
  campaignId: string,
  universityCode: string,
  asOf: string,
): Promise<LeaderFigures[]> {
  const { rows } = await sql<{
    name: string;
    role: LeaderRole | null;
    title: string | null;
    on_roster: boolean | null;
    roles: LeaderRole[] | null;
    visits: number;
    employers_visited: number;
    new_employers: number;
    positions: number;
  }>`
    WITH roster AS (
      SELECT r.name, r.name_key, r.role, r.title, r.position FROM leader_rosters r
      WHERE r.campaign_id = ${campaignId} AND r.university_code = ${universityCode}),
    counted AS (
      SELECT v.ref, v.employer_id, v.positions, v.leaders,
        (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
         OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                    AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = ${campaignId} AND v.university_code = ${universityCode} AND v.state = 'active'
        AND v.visited_on BETWEEN c.start_date AND c.end_date AND v.visited_on <= ${asOf}::date),
    named AS (
      SELECT x.ref, x.employer_id, x.positions, x.known_before, l.elem->>'name' AS name, l.elem->>'role' AS role,
             leader_name_key(l.elem->>'name') AS name_key
      FROM counted x CROSS JOIN LATERAL jsonb_array_elements(x.leaders) AS l(elem)),
    per_visit AS (
      SELECT name_key, ref, max(employer_id) AS employer_id, max(positions) AS positions, bool_and(known_before) AS known_before
      FROM named GROUP BY name_key, ref),
    figures AS (
      SELECT name_key, count(*)::int AS visits, count(DISTINCT employer_id)::int AS employers_visited,
             count(DISTINCT employer_id) FILTER (WHERE NOT known_before)::int AS new_employers,
             coalesce(sum(positions), 0)::int AS positions
      FROM per_visit GROUP BY name_key),
    spellings AS (
      SELECT name_key, mode() WITHIN GROUP (ORDER BY name) AS name, array_agg(DISTINCT role ORDER BY role) AS roles
      FROM named GROUP BY name_key),
    has_roster AS (SELECT EXISTS (SELECT 1 FROM roster) AS yes)
    SELECT coalesce(r.name, s.name) AS name, r.role, r.title,
           CASE WHEN (SELECT yes FROM has_roster) THEN r.name_key IS NOT NULL END AS on_roster,
           s.roles, coalesce(f.visits, 0) AS visits, coalesce(f.employers_visited, 0) AS employers_visited,
           coalesce(f.new_employers, 0) AS new_employers, coalesce(f.positions, 0) AS positions
    FROM roster r
    FULL JOIN figures f ON f.name_key = r.name_key
    LEFT JOIN spellings s ON s.name_key = coalesce(r.name_key, f.name_key)
    ORDER BY r.position NULLS LAST, coalesce(f.employers_visited, 0) DESC, coalesce(r.name, s.name)`.execute(db);
  return rows.map((r) => ({
    name: r.name,
    role: r.role,
    title: r.title,
    onRoster: r.on_roster,
    roles: r.roles ?? [],
    visits: r.visits,
    employersVisited: r.employers_visited,
    newEmployers: r.new_employers,
    positions: r.positions,
  }));
}

/**
 * The team of every university with a roster for the campaign (of one province, when given): roster size, roster
 * leaders with at least one counted visit up to the cut-off, and the names of those without, in roster order.
 */
export async function teamLines(
  db: Executor,
  campaignId: string,
  asOf: string,
  provinceCode?: string,
): Promise<TeamLine[]> {
  const inProvince = provinceCode
    ? sql`AND r.university_code IN (SELECT code FROM universities WHERE province_code = ${provinceCode})`
    : sql``;
  const { rows } = await sql<{
    university_code: string;
    roster_size: number;
    with_visits: number;
    without_visits: string[] | null;
  }>`
    WITH roster AS (
      SELECT r.university_code, r.name, r.name_key, r.position FROM leader_rosters r
      WHERE r.campaign_id = ${campaignId} ${inProvince}),
    named AS (
      SELECT DISTINCT v.university_code, leader_name_key(l.elem->>'name') AS name_key
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      CROSS JOIN LATERAL jsonb_array_elements(v.leaders) AS l(elem)
      WHERE v.campaign_id = ${campaignId} AND v.state = 'active'
        AND v.visited_on BETWEEN c.start_date AND c.end_date AND v.visited_on <= ${asOf}::date
        AND v.university_code IN (SELECT DISTINCT university_code FROM roster))
    SELECT r.university_code, count(*)::int AS roster_size, count(n.name_key)::int AS with_visits,
           array_agg(r.name ORDER BY r.position) FILTER (WHERE n.name_key IS NULL) AS without_visits
    FROM roster r LEFT JOIN named n ON n.university_code = r.university_code AND n.name_key = r.name_key
    GROUP BY r.university_code
    ORDER BY r.university_code`.execute(db);
  return rows.map((r) => ({
    universityCode: r.university_code,
    rosterSize: r.roster_size,
    withVisits: r.with_visits,
    withoutVisits: r.without_visits ?? [],
  }));
}
