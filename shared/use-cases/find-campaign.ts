// "Find the campaign or fail", one way for every caller (API routes, commands, jobs, use cases) with one error, so an
// unknown campaign id reads the same wherever it is given and each process decides once how to answer it: the API
// with 404, a command with its message and exit status 1, the notices job by failing without retries.
import type { Executor } from '../db/database.ts';
import { findCampaign, type Campaign } from '../repositories/campaign.repository.ts';

/** A campaign id that names no campaign. */
export class UnknownCampaignError extends Error {
  override name = 'UnknownCampaignError';
  constructor(readonly campaignId: string) {
    super(
      `unknown campaign "${campaignId}": create it first with ledger campaign create --id ${campaignId} --start YYYY-MM-DD --end YYYY-MM-DD, or see ledger campaign list`,
    );
  }
}

type CampaignFinder<T> = (db: Executor, id: string) => Promise<T | undefined>;

/** The campaign, or UnknownCampaignError. */
export async function findCampaignOrFail(db: Executor, id: string): Promise<Campaign>;
/** The campaign as `find` reads it (a use case that needs its rules reads them in the same query), or UnknownCampaignError. */
export async function findCampaignOrFail<T>(db: Executor, id: string, find: CampaignFinder<T>): Promise<T>;
export async function findCampaignOrFail<T>(db: Executor, id: string, find?: CampaignFinder<T>): Promise<T | Campaign> {
  const campaign = await (find ?? findCampaign)(db, id);
  if (campaign === undefined) throw new UnknownCampaignError(id);
  return campaign;
}
