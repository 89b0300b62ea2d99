// Sends one notice delivery. A transient failure (SMTP 4xx, timeout, webhook 5xx) throws so BullMQ retries with
// backoff; a permanent one (SMTP 5xx, webhook 3xx/4xx) or the last attempt ends the delivery 'failed' and the job with
// an UnrecoverableError. Each delivery is its own job, so a failing recipient never holds back the others.
// A send that succeeded is never repeated: when the database will not record it, the job keeps the response in its
// own data (`sentResponse`) and its retries, or the delivery sweeper, record it instead of sending again.
import { UnrecoverableError } from 'bullmq';
import { QUEUES } from './catalogue.ts';
import { defineJob } from './job.ts';
import { deliver, deliverySettings, recordSent } from '../shared/use-cases/deliver-notices.ts';
import { inSpan } from '../shared/tracing.ts';

export const deliverNoticeJob = defineJob({
  queue: QUEUES.deliveries,
  async handle(payload, ctx, job) {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await inSpan(
      payload.sentResponse === undefined ? 'notice deliver' : 'notice record sent',
      { attributes: { 'ledger.delivery': payload.deliveryId, 'ledger.final_attempt': finalAttempt } },
      async (span) => {
        const r =
          payload.sentResponse === undefined
            ? await deliver(ctx.db, payload.deliveryId, deliverySettings(ctx.config), { finalAttempt })
            : await recordSent(ctx.db, payload.deliveryId, payload.sentResponse);
        span.setAttribute('ledger.outcome', r.outcome);
        return r;
      },
    );
    switch (result.outcome) {
      case 'delivered':
      case 'skipped':
        ctx.log.info(result, 'delivery done');
        return result;
      case 'unrecorded':
        // Kept in Redis, the other store: the next attempt (or the sweeper, should the attempts run out) records it.
        await job.updateData({ ...payload, sentResponse: result.response });
        ctx.log.error(result, 'delivery sent but not recorded; recording it later, it will not be sent again');
        throw new Error(`delivery ${payload.deliveryId} was sent but could not be recorded: ${result.error}`);
      case 'busy':
        // Another worker holds it (a re-send racing a retry): try later, unless this was the last chance. A row left
        // 'sending' by a dead worker is taken back by the delivery sweeper once its lease has expired.
        if (finalAttempt) return result;
        throw new Error(`delivery ${payload.deliveryId} is being sent by another worker`);
      case 'retry':
        throw new Error(result.error);
      case 'failed':
        ctx.log.warn(result, 'delivery failed permanently');
        throw new UnrecoverableError(result.error);
    }
  },
});
