// The one place that sets job options (ids, attempts, backoff, retention) and adds jobs to queues.
import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUES, type JobPayloads, type QueueName } from './catalogue.ts';

export interface ProducerOptions {
  connection: ConnectionOptions;
  /** BullMQ key prefix (QUEUE_PREFIX); tests use their own. */
  prefix: string;
}

export interface Producer {
  /** Enqueues inbox rows for processing; job ids derive from inbox ids so a re-enqueue is a no-op while queued. */
  enqueueVisitEvents(inboxIds: number[]): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export type { JobPayloads };
export { QUEUES };

// Implemented by the ingestion work (issue 3): see createProducer below.
export declare function createProducer(options: ProducerOptions): Producer;
