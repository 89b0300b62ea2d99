// The .xlsx exports' concurrency limit (EXPORT_CONCURRENCY), one per API process and shared by every route that
// streams a spreadsheet from the database (the notices' ledger, the employer demand ledger): each export holds a
// cursor and a connection for as long as the client reads, so beyond the limit the answer is 429 with Retry-After.
import type { FastifyReply } from 'fastify';
import { Problem } from './problem.ts';
import type { ApiDeps } from './routes/route.ts';

/** Seconds a refused export is told to wait: about the time one national ledger takes to stream. */
export const EXPORT_RETRY_AFTER_SECONDS = 10;

export interface ExportSlots {
  /** Takes a slot until the response is over (sent, or its connection closed), or throws the 429 problem. */
  take(reply: FastifyReply): void;
}

const byApp = new WeakMap<ApiDeps, ExportSlots>();

/** The process's slots: the same object for every route module given the same deps. */
export function exportSlots(deps: ApiDeps): ExportSlots {
  let slots = byApp.get(deps);
  if (slots) return slots;
  const max = deps.config.EXPORT_CONCURRENCY;
  let exporting = 0;
  slots = {
    take(reply) {
      if (exporting >= max) {
        throw new Problem(
          429,
          'Too Many Requests',
          `${exporting} ledger exports are being streamed by this process (EXPORT_CONCURRENCY=${max}): retry in ${EXPORT_RETRY_AFTER_SECONDS} s`,
          undefined,
          { 'retry-after': String(EXPORT_RETRY_AFTER_SECONDS) },
        );
      }
      exporting++;
      reply.raw.once('close', () => exporting--);
    },
  };
  byApp.set(deps, slots);
  return slots;
}
