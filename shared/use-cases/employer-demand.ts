// Reading and exporting the demand ledger (用人单位需求台账 / 重点单位数据库) of a scope: the API's paged JSON and
// .xlsx, and `ledger demand export`. The scope is a ranking scope naming universities (`national`, `province:CODE`,
// and whatever university scopes shared/domain/scope.ts adds); its universities' visits are the ones aggregated.
import type { Writable } from 'node:stream';
import type { Db } from '../db/database.ts';
import type { DemandOrder, EmployerDemandRow } from '../domain/employer-demand.ts';
import { writeDemandXlsx } from '../domain/notices/demand-xlsx.ts';
import { parseRankingScope, provinceOfScope } from '../domain/scope.ts';
import { employerDemandPage, employerDemandRows } from '../repositories/employer-demand.repository.ts';
import type { FigureFilter } from '../repositories/measures.repository.ts';
import { getNoticeCampaign } from '../repositories/notice.repository.ts';
import { findCampaignOrFail } from './find-campaign.ts';

export class DemandScopeError extends Error {
  constructor(scope: string) {
    super(`scope must be national or province:CODE (6 digits), not ${JSON.stringify(scope)}`);
    this.name = 'DemandScopeError';
  }
}

/** The universities a university scope covers, as the figures' filter; `provinces` names no universities. */
export function demandFilter(scope: string): FigureFilter {
  const parsed = parseRankingScope(scope);
  if (!parsed || parsed === 'provinces') throw new DemandScopeError(scope);
  if (parsed === 'central') return { central: true };
  const provinceCode = provinceOfScope(parsed);
  return provinceCode ? { provinceCode } : {};
}

export interface DemandPage {
  campaignId: string;
  scope: string;
  asOf: string;
  order: DemandOrder;
  page: number;
  pageSize: number;
  total: number;
  rows: EmployerDemandRow[];
}

export async function readEmployerDemand(
  db: Db,
  q: { campaignId: string; scope: string; asOf?: string; order: DemandOrder; page: number; pageSize: number },
): Promise<DemandPage> {
  const filter = demandFilter(q.scope);
  const campaign = await findCampaignOrFail(db, q.campaignId, getNoticeCampaign);
  const asOf = q.asOf && q.asOf < campaign.endDate ? q.asOf : campaign.endDate;
  const { total, rows } = await employerDemandPage(db, {
    campaignId: campaign.id,
    asOf,
    filter,
    order: q.order,
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  });
  return {
    campaignId: campaign.id,
    scope: q.scope,
    asOf,
    order: q.order,
    page: q.page,
    pageSize: q.pageSize,
    total,
    rows,
  };
}

export const demandFileName = (campaignId: string, scope: string): string =>
  `用人单位需求台账-${campaignId}-${scope === 'national' ? '全国' : scope.replace(':', '-')}.xlsx`;

/** Streams the scope's ledger as .xlsx to `out`, employers in id order. */
export async function exportEmployerDemand(
  db: Db,
  q: { campaignId: string; scope: string; asOf?: string },
  out: Writable,
): Promise<{ employers: number }> {
  const filter = demandFilter(q.scope);
  const campaign = await findCampaignOrFail(db, q.campaignId, getNoticeCampaign);
  return writeDemandXlsx(
    out,
    employerDemandRows(db, { campaignId: campaign.id, asOf: q.asOf, filter }),
    `${campaign.name} 用人单位需求台账`,
  );
}
