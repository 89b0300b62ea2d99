// Sends one notice delivery. A transient failure (SMTP 4xx, timeout, webhook 5xx) throws so BullMQ retries with
// backoff; a permanent one (SMTP 5xx, webhook 4xx) or the last attempt ends the delivery 'failed' and the job with an
// UnrecoverableError. Each delivery is its own job, so a failing recipient never holds back the others.
import { UnrecoverableError } from 'bullmq';
import { QUEUES } from './catalogue.ts';
import { defineJob } from './job.ts';
import { deliver } from '../shared/notices/delivery-service.ts';

export const deliverNoticeJob = defineJob({
  queue: QUEUES.deliveries,
  async handle(payload, ctx, job) {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const result = await deliver(
      ctx.db,
      payload.deliveryId,
      { smtpUrl: ctx.config.SMTP_URL, mailFrom: ctx.config.MAIL_FROM },
      { finalAttempt },
    );
    switch (result.outcome) {
      case 'delivered':
      case 'skipped':
        ctx.log.info(result, 'delivery done');
        return result;
      case 'busy':
        // Another worker holds it (a re-send racing a retry): try later, unless this was the last chance.
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
