// Stored ranking snapshots: one per (campaign, period, scope); storing a period again replaces it.
import type { Executor } from '../db/database.ts';
import type { PeriodKind } from '../domain/periods.ts';
import type { ProvinceRankRow, Snapshot, UniversityRankRow } from '../domain/ranking.types.ts';

function toSnapshot(r: {
  campaign_id: string;
  period: string;
  scope: string;
  as_of: string;
  computed_at: Date;
  rows: unknown;
}): Snapshot {
  const base = { campaignId: r.campaign_id, asOf: r.as_of, period: r.period, computedAt: r.computed_at.toISOString() };
  if (r.scope === 'provinces') return { ...base, scope: 'provinces', rows: r.rows as ProvinceRankRow[] };
  return {
    ...base,
    scope: r.scope as 'national' | 'central' | `province:${string}`,
    rows: r.rows as UniversityRankRow[],
  };
}

export async function getSnapshot(
  db: Executor,
  campaignId: string,
  period: string,
  scope: string,
): Promise<Snapshot | undefined> {
  const r = await db
    .selectFrom('ranking_snapshots')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('period', '=', period)
    .where('scope', '=', scope)
    .executeTakeFirst();
  return r ? toSnapshot(r) : undefined;
}

/** Snapshots of a campaign (of one period when given), by period then scope. */
export async function listSnapshots(db: Executor, campaignId: string, period?: string): Promise<Snapshot[]> {
  let q = db.selectFrom('ranking_snapshots').selectAll().where('campaign_id', '=', campaignId);
  if (period) q = q.where('period', '=', period);
  const rows = await q.orderBy('period').orderBy('scope').execute();
  return rows.map(toSnapshot);
}

/** The latest snapshot of the same kind (week or month) and scope before `period`: what rank changes compare with. */
export async function previousSnapshot(
  db: Executor,
  campaignId: string,
  kind: PeriodKind,
  period: string,
  scope: string,
): Promise<Snapshot | undefined> {
  const r = await db
    .selectFrom('ranking_snapshots')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('kind', '=', kind)
    .where('scope', '=', scope)
    .where('period', '<', period)
    .orderBy('period', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toSnapshot(r) : undefined;
}

/** Periods of the given ones that already have a snapshot for the campaign (what the scheduler's catch-up skips). */
export async function periodsWithSnapshots(db: Executor, campaignId: string, periods: string[]): Promise<Set<string>> {
  if (periods.length === 0) return new Set();
  const rows = await db
    .selectFrom('ranking_snapshots')
    .select('period')
    .distinct()
    .where('campaign_id', '=', campaignId)
    .where('period', 'in', periods)
    .execute();
  return new Set(rows.map((r) => r.period));
}

/** Replaces the period's snapshots with the given ones (one per scope), in the caller's transaction. */
export async function replaceSnapshots(db: Executor, kind: PeriodKind, snapshots: Snapshot[]): Promise<void> {
  if (snapshots.length === 0) return;
  const { campaignId, period } = snapshots[0]!;
  await db.deleteFrom('ranking_snapshots').where('campaign_id', '=', campaignId).where('period', '=', period).execute();
  await db
    .insertInto('ranking_snapshots')
    .values(
      snapshots.map((s) => ({
        campaign_id: s.campaignId,
        period: s.period,
        scope: s.scope,
        kind,
        as_of: s.asOf,
        computed_at: s.computedAt,
        rows: JSON.stringify(s.rows),
      })),
    )
    .execute();
}
