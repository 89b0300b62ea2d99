// The .xlsx exports' concurrency limit (EXPORT_CONCURRENCY), one per API process and shared by every route that
// streams a spreadsheet from the database (the notices' ledger, the employer demand ledger): each export holds a
// cursor and a connection for as long as the client reads, so beyond the limit the answer is 429 with Retry-After.
// One caller (a key or a person) holds at most EXPORT_CONCURRENCY_PER_CALLER of them, so that nobody can take every
// slot and shut the others out.
import type { FastifyReply } from 'fastify';
import { Problem } from './problem.ts';
import type { ApiDeps } from './routes/route.ts';

/** Seconds a refused export is told to wait: about the time one national ledger takes to stream. */
export const EXPORT_RETRY_AFTER_SECONDS = 10;

export interface ExportSlots {
  /** Takes a slot for `caller` until the response is over (sent, or its connection closed), or throws the 429 problem. */
  take(reply: FastifyReply, caller: string): void;
}

const byApp = new WeakMap<ApiDeps, ExportSlots>();

/** The process's slots: the same object for every route module given the same deps. */
export function exportSlots(deps: ApiDeps): ExportSlots {
  let slots = byApp.get(deps);
  if (slots) return slots;
  const max = deps.config.EXPORT_CONCURRENCY;
  const perCaller = deps.config.EXPORT_CONCURRENCY_PER_CALLER;
  let exporting = 0;
  const byCaller = new Map<string, number>();
  const refuse = (why: string) =>
    new Problem(429, 'Too Many Requests', `${why}: retry in ${EXPORT_RETRY_AFTER_SECONDS} s`, undefined, {
      'retry-after': String(EXPORT_RETRY_AFTER_SECONDS),
    });
  slots = {
    take(reply, caller) {
      if (exporting >= max)
        throw refuse(`${exporting} ledger exports are being streamed by this process (EXPORT_CONCURRENCY=${max})`);
      const mine = byCaller.get(caller) ?? 0;
      if (mine >= perCaller)
        throw refuse(
          `you are streaming ${mine} ledger export(s) already (EXPORT_CONCURRENCY_PER_CALLER=${perCaller}): let it finish`,
        );
      exporting++;
      byCaller.set(caller, mine + 1);
      reply.raw.once('close', () => {
        exporting--;
        const left = (byCaller.get(caller) ?? 1) - 1;
        if (left > 0) byCaller.set(caller, left);
        else byCaller.delete(caller);
      });
    },
  };
  byApp.set(deps, slots);
  return slots;
}
