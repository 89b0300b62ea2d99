// The development-set evaluation at a reduced size (a seeded sample of the source list), against the targets.
// The source list is the repository's data/employers-sample.csv; LEDGER_DEV_SET_CSV=<path> evaluates another list of
// the same columns (name,credit_code,province), e.g. the project workspace's larger employers-dev.csv.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { buildDevSet, pairwiseScores } from '../../bench/dev-set/dev-set.ts';
import { DEV_SET_CSV, readSourceEmployers } from '../../bench/dev-set/dev-set-file.ts';
import { evaluateDevSet } from '../../bench/dev-set/dev-set-evaluation.ts';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { useTestServices } from '../helpers/setup.ts';
import { createTestDatabase } from '../helpers/test-db.ts';

const services = useTestServices();

// Read here, not in shared/config.ts: it chooses test data, it is not a setting of the service.
const sourceCsv = process.env.LEDGER_DEV_SET_CSV || DEV_SET_CSV;
const sourceLabel = process.env.LEDGER_DEV_SET_CSV ? sourceCsv : 'data/employers-sample.csv';

describe(`development set (seeded sample of ${sourceLabel})`, () => {
  it('meets precision ≥ 0.995, recall ≥ 0.97 and at most 3 % review with the default thresholds', async () => {
    const config = loadConfig({}); // the defaults: what a deployment gets without settings
    const records = buildDevSet(readSourceEmployers(sourceCsv), { limit: 250 });
    expect(records.length).toBeGreaterThan(1000);
    const ev = await evaluateDevSet(services.db, createEmployerResolver(config), records);
    const summary = {
      precision: ev.precision,
      recall: ev.recall,
      reviewShare: ev.reviewShare,
      falseMerges: ev.falseMerges.slice(0, 3).map(([a, b]) => `${a.name} | ${b.name}`),
    };
    expect(ev.precision, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.995);
    expect(ev.recall, JSON.stringify(summary)).toBeGreaterThanOrEqual(0.97);
    expect(ev.reviewShare, JSON.stringify(summary)).toBeLessThanOrEqual(0.03);
    // Branches are employers of their own: none shares an id with its parent.
    const idsOf = new Map<string, Set<number>>();
    records.forEach((r, i) =>
      idsOf.set(r.entity, (idsOf.get(r.entity) ?? new Set()).add(ev.resolutions[i]!.employerId)),
    );
    for (const [entity, ids] of idsOf) {
      if (!entity.includes('b')) continue;
      const parent = idsOf.get(entity.split('b')[0]!)!;
      for (const id of ids) expect(parent.has(id), `branch ${entity} shares an employer with its parent`).toBe(false);
    }
  }, 240_000);

  it('gives the same quality resolving in batches of 100 (resolveMany, as the workers do)', async () => {
    const fresh = await createTestDatabase();
    try {
      const config = loadConfig({});
      const resolver = createEmployerResolver(config);
      const records = buildDevSet(readSourceEmployers(sourceCsv), { limit: 250 });
      const ids: number[] = [];
      for (let i = 0; i < records.length; i += 100) {
        const batch = records.slice(i, i + 100);
        const out = await fresh.db.transaction().execute((trx) =>
          resolver.resolveMany(
            trx,
            batch.map((r) => ({ name: r.name, creditCode: r.creditCode })),
          ),
        );
        ids.push(...out.map((r) => r.employerId));
      }
      const scores = pairwiseScores(
        records.map((r) => r.entity),
        ids,
      );
      expect(scores.precision).toBeGreaterThanOrEqual(0.995);
      expect(scores.recall).toBeGreaterThanOrEqual(0.97);
    } finally {
      await fresh.drop();
    }
  }, 240_000);
});
