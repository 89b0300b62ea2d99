// Reads the development set's source list (../shared/data/employers-dev.csv: name,credit_code,province).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { SourceEmployer } from './dev-set.ts';

/** Where the source list lives relative to the repository (never copied into it). */
export const DEV_SET_CSV = fileURLToPath(new URL('../../../shared/data/employers-dev.csv', import.meta.url));

export function readSourceEmployers(path = DEV_SET_CSV): SourceEmployer[] {
  const rows = parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Array<Record<string, string>>;
  return rows.map((r) => ({ name: r.name ?? '', creditCode: r.credit_code ? r.credit_code : null, province: r.province ?? '' }));
}
