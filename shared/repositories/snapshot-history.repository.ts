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
 * province code for `provinces`); undefined when there is none. Only the keys and ranks leave the database: a national
 * snapshot's rows are a few hundred kilobytes of JSON.
 */
export async function latestWeeklyRanksBefore(
  db: Executor,
  campaignId: string,
  scope: string,
  asOf: string,
): Promise<{ period: string; asOf: string; ranks: Map<string, number> } | undefined> {
  const latest = await db
    .selectFrom('ranking_snapshots')
    .select(['period', 'as_of'])
    .where('campaign_id', '=', campaignId)
    .where('scope', '=', scope)
    .where('kind', '=', 'week')
    .where('as_of', '<', asOf)
    .orderBy('as_of', 'desc')
    .orderBy('period', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest) return undefined;
  const { rows } = await sql<{ key: string; rank: number }>`
    SELECT coalesce(x."universityCode", x."provinceCode") AS key, x.rank
    FROM ranking_snapshots s, jsonb_to_recordset(s.rows) AS x("universityCode" text, "provinceCode" text, rank int)
    WHERE s.campaign_id = ${campaignId} AND s.period = ${latest.period} AND s.scope = ${scope}`.execute(db);
  return { period: latest.period, asOf: latest.as_of, ranks: new Map(rows.map((r) => [r.key, r.rank])) };
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
