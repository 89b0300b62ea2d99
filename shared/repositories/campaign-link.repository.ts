// Which campaign came before which (migration 0018), and what the earlier one leaves the later: the (university,
// employer) pairs of its active visits, which are known relationships (not 新开拓) in every later campaign.
import { sql } from 'kysely';
import type { Executor } from '../db/database.ts';

/** The campaign before `campaignId`, or null; undefined when there is no such campaign. */
export async function previousCampaignId(db: Executor, campaignId: string): Promise<string | null | undefined> {
  const r = await db
    .selectFrom('campaigns')
    .select('previous_campaign_id')
    .where('id', '=', campaignId)
    .executeTakeFirst();
  return r ? r.previous_campaign_id : undefined;
}

/**
 * Links the campaign to the one before it unless it is linked to another already; returns the link after the call
 * (the stored one when it differed, so the caller can say so).
 */
export async function linkPreviousCampaign(
  db: Executor,
  campaignId: string,
  previousId: string,
): Promise<string | null> {
  await db
    .updateTable('campaigns')
    .set({ previous_campaign_id: previousId })
    .where('id', '=', campaignId)
    .where((eb) => eb.or([eb('previous_campaign_id', 'is', null), eb('previous_campaign_id', '=', previousId)]))
    .execute();
  return (await previousCampaignId(db, campaignId)) ?? null;
}

/** The distinct universities, employers and (university, employer) pairs of a campaign's active visits. */
export async function visitedPairCounts(
  db: Executor,
  campaignId: string,
): Promise<{ universities: number; employers: number; pairs: number }> {
  const { rows } = await sql<{ universities: number; employers: number; pairs: number }>`
    SELECT count(DISTINCT university_code)::int AS universities, count(DISTINCT employer_id)::int AS employers,
           count(DISTINCT (university_code, employer_id))::int AS pairs
    FROM visits WHERE campaign_id = ${campaignId} AND state = 'active' AND employer_id IS NOT NULL`.execute(db);
  return rows[0] ?? { universities: 0, employers: 0, pairs: 0 };
}
