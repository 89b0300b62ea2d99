// The one catalogue of background work: queue names and the payload each job carries.
// Every job file in this folder handles exactly one entry; services/workers checks that at start-up.

export const QUEUES = {
  /** One job per accepted inbox row (or per stored batch): resolve the employer, apply the visit state. */
  visitEvents: 'visit-events',
  /** One job per (campaign, period): compute and store the ranking snapshots. */
  rankings: 'rankings',
  /** One job per (campaign, period): generate the notices and create their deliveries. */
  notices: 'notices',
  /** One job per (notice, recipient) delivery. */
  deliveries: 'deliveries',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * Every payload may carry `trace`: the W3C traceparents of the spans that enqueued it (shared/tracing.ts), set only
 * when tracing is on. The job's span continues the first and links the others (a batch job holds events of several
 * requests). Absent in jobs enqueued without tracing, by the sweepers, or before tracing existed.
 */
export interface Traced {
  trace?: string[];
}

export interface JobPayloads {
  'visit-events': { inboxIds: number[] } & Traced;
  rankings: { campaignId: string; period: string; asOf: string } & Traced;
  notices: { campaignId: string; period: string } & Traced;
  /**
   * `sentResponse`: set by the job itself when the send succeeded but recording it failed, so that its retry (or the
   * sweeper) records the delivery instead of sending it again.
   */
  deliveries: { deliveryId: number; sentResponse?: string } & Traced;
}
