// Stored weekly snapshots read across periods for the console: the latest one before a date (rank changes since the
// last snapshot) and a scope's weeks in order (the trend). Snapshots are written by take-snapshots only.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

export interface StoredRanking<Row> {
  period: string;
  asOf: string;
  rows: Row[];
}

/**
 * The ranks in the latest weekly snapshot of the scope taken as of a date before `asOf`, by university code (or
 * province code for `provinces`); undefined when there is none. Only the keys and ranks leave the database, as two
 * JSON arrays in one round trip: a national snapshot's rows are two megabytes of JSON, and its 2,756 keys and ranks
 * cost PostgreSQL and the API about half as much as arrays as they did as rows (bench/RESULTS.md console-api).
 */
export async function latestWeeklyRanksBefore(
  db: Executor,
  campaignId: string,
  scope: string,
  asOf: string,
): Promise<{ period: string; asOf: string; ranks: Map<string, number> } | undefined> {
  const { rows } = await sql<{ period: string; as_of: string; keys: string[] | null; ranks: number[] | null }>`
    SELECT s.period, s.as_of, r.keys, r.ranks
    FROM (SELECT period, as_of, rows FROM ranking_snapshots
          WHERE campaign_id = ${campaignId} AND scope = ${scope} AND kind = 'week' AND as_of < ${asOf}
          ORDER BY as_of DESC, period DESC LIMIT 1) s,
      LATERAL (SELECT json_agg(coalesce(x."universityCode", x."provinceCode")) AS keys, json_agg(x.rank) AS ranks
               FROM jsonb_to_recordset(s.rows) AS x("universityCode" text, "provinceCode" text, rank int)) r`.execute(
    db,
  );
  const latest = rows[0];
  if (!latest) return undefined;
  const keys = latest.keys ?? [];
  const ranks = latest.ranks ?? [];
  return { period: latest.period, asOf: latest.as_of, ranks: new Map(keys.map((k, i) => [k, ranks[i]!])) };
}

/** Every weekly snapshot of the scope, oldest period first. */
export async function weeklySnapshots<Row>(
  db: Executor,
  campaignId: string,
  scope: string,
): Promise<Array<StoredRanking<Row>>> {
  const rows = await db
    .selectFrom('ranking_snapshots')
    .select(['period', 'as_of', 'rows'])
    .where('campaign_id', '=', campaignId)
    .where('scope', '=', scope)
    .where('kind', '=', 'week')
    .orderBy('period')
    .execute();
  return rows.map((r) => ({ period: r.period, asOf: r.as_of, rows: r.rows as Row[] }));
}
