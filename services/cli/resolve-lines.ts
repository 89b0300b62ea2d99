// `ledger employers resolve`: JSON lines in, one JSON line out per input line, in order. A line that is not a JSON
// object with a non-empty "name" gets an error line of its own; the others are resolved. With dryRun everything runs
// in one transaction that is rolled back: later lines see earlier ones, nothing is kept, new employers have no id.
import type { Db } from '../../shared/db/database.ts';
import type { EmployerInput, EmployerResolver, Resolution } from '../../shared/use-cases/resolve-employer.ts';
import { EmployerInputError } from '../../shared/use-cases/resolve-employer.ts';
import { checkTrigramSupport } from '../../shared/use-cases/check-trigram-support.ts';

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

export async function resolveLines(
  db: Db,
  resolver: EmployerResolver,
  lines: AsyncIterable<string>,
  options: { dryRun?: boolean },
  write: (out: ResolveLineOutput) => void,
): Promise<ResolveLinesSummary & { warning?: string }> {
  const trigram = await checkTrigramSupport(db);
  const summary: ResolveLinesSummary = { lines: 0, errors: 0 };
  const runOn = async (executor: Parameters<EmployerResolver['resolve']>[0]) => {
    for await (const raw of lines) {
      if (raw.trim() === '') continue;
      summary.lines++;
      const input = parseResolveLine(raw, summary.lines);
      if ('error' in input) {
        summary.errors++;
        write(input);
        continue;
      }
      try {
        const r = await resolver.resolve(executor, input);
        write({
          employerId: options.dryRun && r.isNew ? null : r.employerId,
          canonicalName: r.canonicalName,
          decision: r.decision,
          ...(r.candidateId ? { candidateId: r.candidateId } : {}),
          ...(r.score !== undefined ? { score: r.score } : {}),
        });
      } catch (err) {
        if (!(err instanceof EmployerInputError)) throw err;
        summary.errors++;
        write({ line: summary.lines, error: `line ${summary.lines}: ${err.message}` });
      }
    }
  };
  if (options.dryRun) {
    await db
      .transaction()
      .execute(async (trx) => {
        await runOn(trx);
        throw new Rollback();
      })
      .catch((err: unknown) => {
        if (!(err instanceof Rollback)) throw err;
      });
  } else {
    await runOn(db);
  }
  return { ...summary, ...(trigram.ok ? {} : { warning: trigram.message }) };
}
