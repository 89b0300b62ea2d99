// Computes and stores a period's ranking snapshots, then enqueues the period's notices. Idempotent: a re-run replaces
// the period's snapshots, and the notices job id is per period, so it is enqueued once.
import { QUEUES } from './catalogue.ts';
import { defineJob } from './job.ts';
import { takeSnapshots } from '../shared/use-cases/take-snapshots.ts';
import { inSpan } from '../shared/tracing.ts';

export const computeRankingsJob = defineJob({
  queue: QUEUES.rankings,
  async handle(payload, ctx) {
    const started = Date.now();
    const snapshots = await inSpan(
      'rankings compute',
      { attributes: { 'ledger.campaign': payload.campaignId, 'ledger.period': payload.period } },
      async (span) => {
        const taken = await takeSnapshots(ctx.db, {
          campaignId: payload.campaignId,
          period: payload.period,
          asOf: payload.asOf,
        });
        span.setAttribute('ledger.scopes', taken.length);
        return taken;
      },
    );
    ctx.log.info(
      {
        campaignId: payload.campaignId,
        period: payload.period,
        asOf: payload.asOf,
        scopes: snapshots.length,
        ms: Date.now() - started,
      },
      'ranking snapshots stored',
    );
    await ctx.producer.enqueueNotices(payload.campaignId, payload.period);
    return { scopes: snapshots.length };
  },
});
