// Campaigns and the figures of a scope: overview, weekly trend, rankings (with rank changes and flags), the central
// ranking, and the demand ledger's download.
import { answer, api, send } from './client';
import type { Campaign, Overview, ProvinceRankingRow, Ranking, Trend, UniversityRankingRow } from './types';

export async function listCampaigns(): Promise<Campaign[]> {
  return (await answer(api.GET('/v1/campaigns'))).campaigns;
}

export function overview(campaignId: string, scope: string, asOf: string): Promise<Overview> {
  return answer(
    api.GET('/v1/campaigns/{id}/overview', { params: { path: { id: campaignId }, query: { scope, asOf } } }),
  );
}

export function trend(campaignId: string, scope: string): Promise<Trend> {
  return answer(api.GET('/v1/campaigns/{id}/trend', { params: { path: { id: campaignId }, query: { scope } } }));
}

const rankingQuery = (scope: string, asOf: string) =>
  ({
    scope,
    asOf,
    withChanges: '1',
    withFlags: scope.startsWith('province:') || scope === 'central' ? '1' : undefined,
  }) as {
    scope: string;
    asOf: string;
  };

export function provinceRanking(campaignId: string, asOf: string): Promise<Ranking<ProvinceRankingRow>> {
  return send(
    api.GET('/v1/campaigns/{id}/rankings', {
      params: { path: { id: campaignId }, query: rankingQuery('provinces', asOf) },
    }),
  );
}

/** The 部属 and 部省合建 universities ranked among themselves (scope central), each row flagged with its kind. */
export function centralRanking(campaignId: string, asOf: string): Promise<Ranking<UniversityRankingRow>> {
  return send(
    api.GET('/v1/campaigns/{id}/rankings', {
      params: { path: { id: campaignId }, query: rankingQuery('central', asOf) },
    }),
  );
}

/**
 * Where the browser downloads the demand ledger (用人单位需求台账) of a scope as .xlsx: `national`, `province:CODE` or
 * `central`; the session cookie authorises the GET (GET /v1/campaigns/{id}/employer-demand?format=xlsx).
 */
export const demandLedgerUrl = (campaignId: string, scope: string, asOf?: string): string =>
  `/v1/campaigns/${encodeURIComponent(campaignId)}/employer-demand?${new URLSearchParams({
    scope,
    format: 'xlsx',
    ...(asOf ? { asOf } : {}),
  }).toString()}`;

export function universityRanking(
  campaignId: string,
  provinceCode: string,
  asOf: string,
): Promise<Ranking<UniversityRankingRow>> {
  return send(
    api.GET('/v1/campaigns/{id}/rankings', {
      params: { path: { id: campaignId }, query: rankingQuery(`province:${provinceCode}`, asOf) },
    }),
  );
}
