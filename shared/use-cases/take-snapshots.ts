// Snapshots of a period: every scope's ranking as of the cut-off, with rank changes against the previous snapshot of
// the same kind (weekly vs weekly, monthly vs monthly), stored in one transaction that replaces the period's old ones.
import type { Db } from '../db/database.ts';
import { defaultAsOf, periodOf } from '../domain/periods.ts';
import { withRankChanges } from '../domain/ranking.ts';
import type { ProvinceRankRow, Snapshot, UniversityRankRow } from '../domain/ranking.types.ts';
import { getCampaignRules } from '../repositories/measures.repository.ts';
import { previousSnapshot, replaceSnapshots } from '../repositories/snapshot.repository.ts';
import { computeAllRankings } from './compute-rankings.ts';
import { findCampaignOrFail } from './find-campaign.ts';

export interface TakeSnapshotsOptions {
  campaignId: string;
  /** `2022-W14` or `2022-04`. */
  period: string;
  /** Cut-off date; default the period's last day, capped at the campaign's end. */
  asOf?: string;
}

/** Computes and stores the period's snapshots (national, provinces, each province); returns them in that order. */
export async function takeSnapshots(db: Db, options: TakeSnapshotsOptions): Promise<Snapshot[]> {
  const period = periodOf(options.period);
  const campaign = await findCampaignOrFail(db, options.campaignId, getCampaignRules);
  const asOf = options.asOf ?? defaultAsOf(period, campaign.endDate);
  const rankings = await computeAllRankings(db, campaign.id, asOf);
  const computedAt = new Date().toISOString();
  return db.transaction().execute(async (trx) => {
    const snapshots: Snapshot[] = [];
    for (const r of rankings) {
      const prev = await previousSnapshot(trx, campaign.id, period.kind, period.id, r.scope);
      if (r.scope === 'provinces') {
        const rows = withRankChanges<ProvinceRankRow>(
          r.rows,
          prev?.scope === 'provinces' ? prev.rows : undefined,
          (x) => x.provinceCode,
        );
        snapshots.push({ ...r, rows, period: period.id, computedAt });
      } else {
        const prevRows = prev && prev.scope !== 'provinces' ? prev.rows : undefined;
        const rows = withRankChanges<UniversityRankRow>(r.rows, prevRows, (x) => x.universityCode);
        snapshots.push({ ...r, rows, period: period.id, computedAt });
      }
    }
    await replaceSnapshots(trx, period.kind, snapshots);
    return snapshots;
  });
}

/** A stored snapshot (`ledger rankings show`, the demo). */
export { getSnapshot } from '../repositories/snapshot.repository.ts';
