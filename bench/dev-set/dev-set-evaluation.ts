// Resolves a labelled development set through a resolver, in order, and scores the result: pairwise precision and
// recall of the employers given, the share of records sent to review, and the rate. Shared by the bench and the tests.
import type { Db } from '../../shared/db/database.ts';
import { pairwiseScores, type DevRecord } from './dev-set.ts';
import type { EmployerResolver, Resolution } from '../../shared/use-cases/resolve-employer.ts';

export interface DevSetEvaluation {
  records: number;
  employersTrue: number;
  employersGiven: number;
  precision: number;
  recall: number;
  reviewShare: number;
  namesPerSecond: number;
  /** Record pairs put together that are different employers (the first few), to see what goes wrong. */
  falseMerges: Array<[DevRecord, DevRecord]>;
  resolutions: Resolution[];
}

/** One record at a time through `resolve`, or with `batchSize` through `resolveMany`, one transaction per batch (as the workers do). */
export async function evaluateDevSet(
  db: Db,
  resolver: EmployerResolver,
  records: DevRecord[],
  options: { batchSize?: number } = {},
): Promise<DevSetEvaluation> {
  const resolutions: Resolution[] = [];
  const started = performance.now();
  const inputs = records.map((r) => ({ name: r.name, creditCode: r.creditCode }));
  if (options.batchSize) {
    for (let i = 0; i < inputs.length; i += options.batchSize) {
      const batch = inputs.slice(i, i + options.batchSize);
      resolutions.push(...(await db.transaction().execute((trx) => resolver.resolveMany(trx, batch))));
    }
  } else {
    for (const input of inputs) resolutions.push(await resolver.resolve(db, input));
  }
  const seconds = (performance.now() - started) / 1000;
  const truth = records.map((r) => r.entity);
  const given = resolutions.map((r) => r.employerId);
  const scores = pairwiseScores(truth, given);
  const firstOf = new Map<number, number>();
  const falseMerges: Array<[DevRecord, DevRecord]> = [];
  given.forEach((id, i) => {
    const j = firstOf.get(id);
    if (j === undefined) firstOf.set(id, i);
    else if (records[j]!.entity !== records[i]!.entity && falseMerges.length < 50)
      falseMerges.push([records[j]!, records[i]!]);
  });
  return {
    records: records.length,
    employersTrue: new Set(truth).size,
    employersGiven: new Set(given).size,
    precision: scores.precision,
    recall: scores.recall,
    reviewShare: resolutions.filter((r) => r.decision === 'review').length / records.length,
    namesPerSecond: records.length / seconds,
    falseMerges,
    resolutions,
  };
}
