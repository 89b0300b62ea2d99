// What every job handler receives, and the shape of a job module (one per file in jobs/).
import type { Job } from 'bullmq';
import type { Config } from '../shared/config.ts';
import type { Db } from '../shared/db/database.ts';
import type { Logger } from '../shared/log.ts';
import type { JobPayloads, QueueName } from './catalogue.ts';
import type { Producer } from './producer.ts';

export interface JobContext {
  db: Db;
  producer: Producer;
  config: Config;
  /** Scoped to `{ queue, job, id }` by the worker. */
  log: Logger;
}

export interface JobModule<Q extends QueueName = QueueName> {
  queue: Q;
  handle(payload: JobPayloads[Q], ctx: JobContext, job: Job<JobPayloads[Q]>): Promise<unknown>;
}

/** Declares a job module with its payload type checked against the catalogue. */
export function defineJob<Q extends QueueName>(module: JobModule<Q>): JobModule<Q> {
  return module;
}
