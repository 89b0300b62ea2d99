// Generates a period's notices (taking the snapshots if the period has none), creates their deliveries and queues
// them. Idempotent: notices are upserted per (campaign, period, scope), deliveries created ON CONFLICT DO NOTHING, and
// only pending deliveries are queued (a delivered one is never sent again).
import { UnrecoverableError } from 'bullmq';
import { QUEUES } from './catalogue.ts';
import { defineJob } from './job.ts';
import { UnknownCampaignError } from '../shared/use-cases/find-campaign.ts';
import { generateNotices } from '../shared/use-cases/generate-notices.ts';
import { generateSummary, SummaryNotDueError, SUMMARY_PERIOD } from '../shared/use-cases/generate-summary.ts';
import { dateIn } from '../shared/domain/periods.ts';
import { inSpan } from '../shared/tracing.ts';

export const generateNoticesJob = defineJob({
  queue: QUEUES.notices,
  async handle(payload, ctx) {
    const started = Date.now();
    // The campaign summary (总结) rides the same queue under the period `summary` (job notices-<campaign>-summary).
    const result = await inSpan(
      'notices generate',
      { attributes: { 'ledger.campaign': payload.campaignId, 'ledger.period': payload.period } },
      async (span) => {
        const generated = await (payload.period === SUMMARY_PERIOD
          ? generateSummary(ctx.db, {
              campaignId: payload.campaignId,
              today: dateIn(new Date(), ctx.config.SCHEDULE_TIMEZONE),
            })
          : generateNotices(ctx.db, payload));
        span.setAttributes({
          'ledger.notices': generated.notices.length,
          'ledger.deliveries_queued': generated.pendingDeliveryIds.length,
        });
        return generated;
      },
    ).catch((err: unknown) => {
      // No retry can create a campaign, or end one earlier: fail the job at once.
      if (err instanceof UnknownCampaignError || err instanceof SummaryNotDueError)
        throw new UnrecoverableError(err.message);
      throw err;
    });
    // `replace`: a pending row whose earlier job ended (e.g. failed on an outage before it could claim) gets a new one;
    // the claim keeps that from sending anything twice.
    await ctx.producer.enqueueDeliveries(result.pendingDeliveryIds, { replace: true });
    ctx.log.info(
      {
        campaignId: payload.campaignId,
        period: payload.period,
        notices: result.notices.length,
        created: result.deliveriesCreated,
        queued: result.pendingDeliveryIds.length,
        ms: Date.now() - started,
      },
      'notices generated',
    );
    return {
      notices: result.notices.length,
      deliveriesCreated: result.deliveriesCreated,
      queued: result.pendingDeliveryIds.length,
    };
  },
});
