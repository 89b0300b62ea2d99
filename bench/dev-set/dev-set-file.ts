// Reads a development-set source list (CSV: name,credit_code,province). By default the repository's own sample,
// data/employers-sample.csv (public names compiled by the project, see data/employers-sample.SOURCE.md); the test and
// the bench pass another path (LEDGER_DEV_SET_CSV, read there: not a service setting) for a larger evaluation.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { SourceEmployer } from './dev-set.ts';

/** The repository's sample list of employers (in the repository, so that a fresh clone can run the tests). */
export const DEV_SET_CSV = fileURLToPath(new URL('../../data/employers-sample.csv', import.meta.url));

/** The source employers of the list at `path` (default: the repository's sample). */
export function readSourceEmployers(path = DEV_SET_CSV): SourceEmployer[] {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Array<
    Record<string, string>
  >;
  return rows.map((r) => ({
    name: r.name ?? '',
    creditCode: r.credit_code ? r.credit_code : null,
    province: r.province ?? '',
  }));
}
