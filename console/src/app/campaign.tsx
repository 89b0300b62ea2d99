// The campaign shown (the newest by default, or ?campaign=) and the cut-off date of the figures (?asOf=, or today
// capped at the campaign's last day), shared by every page.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { todayInShanghai } from '../components/format';
import { listCampaigns } from '../services/campaigns';
import type { ApiError } from '../services/client';
import type { Campaign } from '../services/types';

export interface CampaignState {
  campaigns: Campaign[];
  /** False until GET /v1/campaigns has answered. */
  loaded: boolean;
  campaign: Campaign | undefined;
  asOf: string;
  error: ApiError | undefined;
  setCampaignId(id: string): void;
  setAsOf(date: string): void;
}

const CampaignContext = createContext<CampaignState | null>(null);

const clampToCampaign = (date: string, c: Campaign | undefined) => (c && date > c.end ? c.end : date);

export function CampaignProvider({ children }: { children: ReactNode }) {
  const params = new URLSearchParams(window.location.search);
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [campaignId, setCampaignId] = useState<string | null>(params.get('campaign'));
  const [asOf, setAsOf] = useState<string | null>(params.get('asOf'));
  const [error, setError] = useState<ApiError | undefined>();

  useEffect(() => {
    listCampaigns().then(setCampaigns, (err: ApiError) => {
      setCampaigns([]);
      setError(err);
    });
  }, []);

  const value = useMemo<CampaignState>(() => {
    const list = campaigns ?? [];
    const campaign = list.find((c) => c.id === campaignId) ?? list[0];
    return {
      campaigns: list,
      loaded: campaigns !== null,
      campaign,
      asOf: asOf ?? clampToCampaign(todayInShanghai(), campaign),
      error,
      setCampaignId: (id) => {
        setCampaignId(id);
        setAsOf(null);
      },
      setAsOf,
    };
  }, [campaigns, campaignId, asOf, error]);
  return <CampaignContext.Provider value={value}>{children}</CampaignContext.Provider>;
}

export function useCampaign(): CampaignState {
  const c = useContext(CampaignContext);
  if (!c) throw new Error('useCampaign outside CampaignProvider');
  return c;
}
