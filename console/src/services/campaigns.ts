// Campaigns and the figures of a scope: overview, weekly trend, rankings (with rank changes and flags).
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
  ({ scope, asOf, withChanges: '1', withFlags: scope.startsWith('province:') ? '1' : undefined }) as {
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
