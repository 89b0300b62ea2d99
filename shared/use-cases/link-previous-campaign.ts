// `ledger campaign create --prior-from ID`: the new campaign follows ID. The earlier campaign's visited employers
// become each university's prior relationships in the new one (so they are not 新开拓 there, and the 重点单位数据库
// grows year on year) through the rule that already makes them so: an active visit by the university dated before the
// campaign's start (docs/rules.md). They are not copied into prior_employers: that list carries no date, and a copy
// would make the earlier campaign's own newly developed employers count as known in that campaign too.
import type { Db } from '../db/database.ts';
import { findCampaign } from '../repositories/campaign.repository.ts';
import { linkPreviousCampaign, visitedPairCounts } from '../repositories/campaign-link.repository.ts';

export class CampaignLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignLinkError';
  }
}

export interface PriorFromResult {
  previousCampaignId: string;
  /** What the earlier campaign hands on: its visits' distinct universities, employers and pairs. */
  universities: number;
  employers: number;
  pairs: number;
}

export async function linkPriorFrom(db: Db, campaignId: string, previousId: string): Promise<PriorFromResult> {
  const [campaign, previous] = await Promise.all([findCampaign(db, campaignId), findCampaign(db, previousId)]);
  if (!campaign) throw new CampaignLinkError(`campaign "${campaignId}" does not exist`);
  if (!previous)
    throw new CampaignLinkError(`--prior-from "${previousId}" is not a campaign: list them with ledger campaign list`);
  if (previous.id === campaign.id) throw new CampaignLinkError('a campaign cannot follow itself');
  if (previous.end >= campaign.start)
    throw new CampaignLinkError(
      `campaign "${previous.id}" ends on ${previous.end}, not before "${campaign.id}" starts (${campaign.start}): only an earlier campaign can hand on its employers`,
    );
  const linked = await linkPreviousCampaign(db, campaign.id, previous.id);
  if (linked !== previous.id)
    throw new CampaignLinkError(`campaign "${campaign.id}" already follows "${linked}", not "${previous.id}"`);
  return { previousCampaignId: previous.id, ...(await visitedPairCounts(db, previous.id)) };
}
