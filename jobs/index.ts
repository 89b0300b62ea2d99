// Every job module, one per queue of the catalogue; services/workers checks at start-up that no queue has two.
import type { JobModule } from './job.ts';
import { processVisitEventsJob } from './process-visit-events.job.ts';
import { computeRankingsJob } from './compute-rankings.job.ts';
import { generateNoticesJob } from './generate-notices.job.ts';
import { deliverNoticeJob } from './deliver-notice.job.ts';

export const JOB_MODULES: ReadonlyArray<JobModule<any>> = [
  processVisitEventsJob,
  computeRankingsJob,
  generateNoticesJob,
  deliverNoticeJob,
];
