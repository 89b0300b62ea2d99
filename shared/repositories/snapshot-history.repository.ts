// Stored weekly snapshots read across periods for the console: the latest one before a date (rank changes since the
// last snapshot) and a scope's weeks in order (the trend). Snapshots are written by take-snapshots only.
import type { Executor } from '../db/database.ts';

export interface StoredRanking<Row> {
  period: string;
  asOf: string;
  rows: Row[];
}

/** The latest weekly snapshot of the scope taken as of a date before `asOf`; undefined when there is none. */
export async function latestWeeklySnapshotBefore<Row>(
  db: Executor,
  campaignId: string,
  scope: string,
  asOf: string,
): Promise<StoredRanking<Row> | undefined> {
  const r = await db
    .selectFrom('ranking_snapshots')
    .select(['period', 'as_of', 'rows'])
    .where('campaign_id', '=', campaignId)
    .where('scope', '=', scope)
    .where('kind', '=', 'week')
    .where('as_of', '<', asOf)
    .orderBy('as_of', 'desc')
    .orderBy('period', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r && { period: r.period, asOf: r.as_of, rows: r.rows as Row[] };
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
