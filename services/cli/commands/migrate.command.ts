import type { Command } from 'commander';
import { loadConfig } from '../../../shared/config.ts';
import { migrateToLatest } from '../../../shared/db/migrate.ts';
import { output } from '../context.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('create the database if missing and apply all migrations (safe to run again)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const result = await migrateToLatest(config.DATABASE_URL);
      output(opts.json, result, () =>
        [
          result.created ? 'created the database' : 'database exists',
          result.applied.length ? `applied ${result.applied.join(', ')}` : 'schema is up to date',
        ].join('; '),
      );
    });
}
