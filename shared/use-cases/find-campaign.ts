// "Find the campaign or fail", one way for every caller (API routes, commands, jobs, use cases) with one error, so an
// unknown campaign id reads the same wherever it is given and each process decides once how to answer it: the API
// with 404, a command with its message and exit status 1, the notices job by failing without retries.
import type { Executor } from '../db/database.ts';
import { UnknownCampaignError } from '../domain/unknown-campaign-error.ts';
import { findCampaign, type Campaign } from '../repositories/campaign.repository.ts';

// Callers catch what this module throws from here, wherever the class is defined.
export { UnknownCampaignError };

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
