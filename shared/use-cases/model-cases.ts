// Loading the 典型 of a notice's scope: its top employers from the visits, and the universities' completion in the
// snapshot the gains are measured against (the previous one of the same kind, or the previous campaign's end).
import type { Db } from '../db/database.ts';
import { periodOf } from '../domain/periods.ts';
import type { UniversityRankRow } from '../domain/ranking.types.ts';
import { dateZh, periodZh } from '../domain/notices/format.ts';
import {
  improvedUniversities,
  modelEmployers,
  TOP_MODEL_CASES,
  type ModelCases,
} from '../domain/notices/model-cases.ts';
import { topEmployers } from '../repositories/employer-demand.repository.ts';
import { previousSnapshot } from '../repositories/snapshot.repository.ts';
import { demandFilter } from './employer-demand.ts';

/** The scope's employers by hired and by positions, visits dated up to `asOf`. */
export async function scopeModelEmployers(
  db: Db,
  q: { campaignId: string; scope: string; asOf: string },
): Promise<Pick<ModelCases, 'byHired' | 'byPositions'>> {
  const filter = demandFilter(q.scope);
  const [byHired, byPositions] = await Promise.all([
    topEmployers(db, { campaignId: q.campaignId, asOf: q.asOf, filter, order: 'hired', limit: TOP_MODEL_CASES }),
    topEmployers(db, { campaignId: q.campaignId, asOf: q.asOf, filter, order: 'positions', limit: TOP_MODEL_CASES }),
  ]);
  return modelEmployers(byHired, byPositions);
}

/** A periodic notice's model cases: gains since the previous snapshot of the same kind and scope. */
export async function periodModelCases(
  db: Db,
  q: { campaignId: string; period: string; scope: string; asOf: string; rows: readonly UniversityRankRow[] },
): Promise<ModelCases> {
  const period = periodOf(q.period);
  const [employers, prev] = await Promise.all([
    scopeModelEmployers(db, q),
    previousSnapshot(db, q.campaignId, period.kind, period.id, q.scope),
  ]);
  const previous =
    prev && prev.scope !== 'provinces'
      ? new Map(prev.rows.map((r) => [r.universityCode, r.completion] as const))
      : undefined;
  return {
    since: prev ? `${periodZh(prev.period)}（截至${dateZh(prev.asOf)}）` : null,
    ...employers,
    improved: improvedUniversities(q.rows, previous),
  };
}
