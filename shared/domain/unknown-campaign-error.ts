// The one error for a campaign id that names no campaign. It lives in the pure core so that every layer can throw it
// (a repository's guard as well as a use case); shared/use-cases/find-campaign.ts finds a campaign or throws it, and
// each process decides once how to answer it (the API 404, a command exit status 1, the notices job no retry).

export class UnknownCampaignError extends Error {
  override name = 'UnknownCampaignError';
  constructor(readonly campaignId: string) {
    super(
      `unknown campaign "${campaignId}": create it first with ledger campaign create --id ${campaignId} --start YYYY-MM-DD --end YYYY-MM-DD, or see ledger campaign list`,
    );
  }
}
