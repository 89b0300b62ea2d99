// `ledger employers resolve`: JSON lines in, one JSON line out per input line, in order. A line that is not a JSON
// object with a non-empty "name" gets an error line of its own; the others are resolved. With dryRun everything runs
// in one transaction that is rolled back: later lines see earlier ones, nothing is kept, new employers have no id.
//
// Lines are resolved in groups, as the workers resolve (shared/group-runner.ts, resolveEach: set-based lookups, the
// locks of a group taken at once, one transaction per group): while a group runs, the lines read meanwhile wait and
// then go together, up to BATCH. A lone line (a pipe fed by hand) is answered at once; a file is answered in groups
// of BATCH. One group runs at a time, in input order, so each group sees every earlier line's employers, exactly as one
// line at a time did. Answers are written in input order as their groups finish; at most MAX_OUTSTANDING lines are read
// ahead of the last answer written, so memory stays bounded however long the input.
import type { Transaction } from 'kysely';
import type { Db } from '../../shared/db/database.ts';
import type { Database } from '../../shared/db/schema.ts';
import { createGroupRunner } from '../../shared/group-runner.ts';
import type { EmployerInput, EmployerResolver, Resolution } from '../../shared/use-cases/resolve-employer.ts';
import { EmployerInputError } from '../../shared/use-cases/resolve-employer.ts';
import { checkTrigramSupport } from '../../shared/use-cases/check-trigram-support.ts';

/** Largest group of lines resolved together (one transaction). */
export const BATCH = 500;
/** Lines read but not yet answered, at most (two groups: one running, one gathering). */
const MAX_OUTSTANDING = 2 * BATCH;

export type ResolveLineOutput =
  | {
      employerId: number | null;
      canonicalName: string;
      decision: Resolution['decision'];
      candidateId?: number;
      score?: number;
    }
  | { line: number; error: string };

/** Parses one input line (1-based `lineNo` for messages). Pure. */
export function parseResolveLine(text: string, lineNo: number): EmployerInput | { line: number; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      line: lineNo,
      error: `line ${lineNo} is not JSON: write one object per line, like {"name": "华为技术有限公司"}`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line: lineNo, error: `line ${lineNo} is not a JSON object: write {"name": "...", "creditCode": "..."}` };
  }
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || v.name.trim() === '')
    return { line: lineNo, error: `line ${lineNo} has no "name": give the employer's name as a string` };
  if (v.creditCode !== undefined && v.creditCode !== null && typeof v.creditCode !== 'string') {
    return { line: lineNo, error: `line ${lineNo}: "creditCode" must be a string (or left out)` };
  }
  return { name: v.name, creditCode: (v.creditCode as string | null | undefined) ?? null };
}

class Rollback extends Error {}

export interface ResolveLinesSummary {
  lines: number;
  errors: number;
}

type Answer = Resolution | EmployerInputError;

export async function resolveLines(
  db: Db,
  resolver: EmployerResolver,
  lines: AsyncIterable<string>,
  options: { dryRun?: boolean; batchSize?: number },
  write: (out: ResolveLineOutput) => void,
): Promise<ResolveLinesSummary & { warning?: string }> {
  const trigram = await checkTrigramSupport(db);
  const summary: ResolveLinesSummary = { lines: 0, errors: 0 };
  const batchSize = options.batchSize ?? BATCH;
  const maxOutstanding = Math.max(2 * batchSize, MAX_OUTSTANDING);

  const answer = (lineNo: number, r: Answer): ResolveLineOutput => {
    if (r instanceof EmployerInputError) {
      summary.errors++;
      return { line: lineNo, error: `line ${lineNo}: ${r.message}` };
    }
    return {
      employerId: options.dryRun && r.isNew ? null : r.employerId,
      canonicalName: r.canonicalName,
      decision: r.decision,
      ...(r.candidateId ? { candidateId: r.candidateId } : {}),
      ...(r.score !== undefined ? { score: r.score } : {}),
    };
  };

  const runOn = async (inGroup: (inputs: EmployerInput[]) => Promise<Answer[]>) => {
    // One group at a time: each sees the employers of every line before it (and a dry run has one transaction).
    const runner = createGroupRunner<EmployerInput, Answer>({ maxInFlight: 1, maxSize: batchSize, run: inGroup });
    // Answers are written in input order: each line's write waits for the previous line's.
    let written: Promise<void> = Promise.resolve();
    let outstanding = 0;
    let failure: { err: unknown } | undefined;
    let wake: (() => void) | undefined;
    const settled = () => {
      outstanding--;
      // Reading resumes once a group's worth is answered, so the next group can gather while this one runs.
      if (wake && (outstanding <= maxOutstanding - batchSize || failure)) {
        wake();
        wake = undefined;
      }
    };
    const enqueue = (result: Promise<ResolveLineOutput>) => {
      outstanding++;
      result.catch(() => {}); // handled below, in order; a failure must not go unhandled while it waits its turn
      written = written.then(async () => {
        if (failure) return;
        try {
          write(await result);
        } catch (err) {
          failure = { err };
        } finally {
          settled();
        }
      });
    };
    for await (const raw of lines) {
      if (failure) break;
      if (raw.trim() === '') continue;
      const lineNo = ++summary.lines;
      const input = parseResolveLine(raw, lineNo);
      if ('error' in input) {
        summary.errors++;
        enqueue(Promise.resolve(input));
      } else {
        enqueue(runner.submit(input).then((r) => answer(lineNo, r)));
      }
      if (outstanding >= maxOutstanding) await new Promise<void>((resolve) => (wake = resolve));
    }
    await runner.close();
    await written;
    if (failure) throw failure.err;
  };

  if (options.dryRun) {
    await db
      .transaction()
      .execute(async (trx) => {
        await runOn((inputs) => resolver.resolveEach(trx, inputs));
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
  } else {
    await runOn((inputs) =>
      db.transaction().execute((trx: Transaction<Database>) => resolver.resolveEach(trx, inputs)),
    );
  }
  return { ...summary, ...(trigram.ok ? {} : { warning: trigram.message }) };
}
