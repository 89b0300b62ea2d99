// `ledger demand export`: the demand ledger (用人单位需求台账 / 重点单位数据库) of a scope written to an .xlsx file,
// the same workbook GET /v1/campaigns/{id}/employer-demand?format=xlsx streams.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Command } from 'commander';
import { DemandScopeError, demandFilter, exportEmployerDemand } from '../../../shared/use-cases/employer-demand.ts';
import { output, UserError, withDb } from '../context.ts';
import { dateArg } from '../args.ts';

interface ExportOptions {
  campaign: string;
  scope: string;
  out: string;
  asOf?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const demand = program
    .command('demand')
    .description('the demand ledger (用人单位需求台账 / 重点单位数据库): per employer, what the visits learned');

  demand
    .command('export')
    .description('write the demand ledger of a scope (national or province:CODE) as .xlsx')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--scope <scope>', 'national or province:CODE', 'national')
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .option('--as-of <date>', 'visits dated up to this day (default: the whole campaign)', dateArg)
    .option('--json', 'print the result as JSON')
    .action(async (opts: ExportOptions) => {
      try {
        demandFilter(opts.scope);
      } catch (err) {
        if (err instanceof DemandScopeError) throw new UserError(`--scope: ${err.message}`);
        throw err;
      }
      await withDb(async ({ db }) => {
        // Written beside the target and renamed at the end: a failed export leaves no half-written workbook.
        const partial = `${opts.out}.partial`;
        const file = createWriteStream(partial);
        const done = new Promise<void>((resolve, reject) => {
          file.once('close', resolve);
          file.once('error', reject);
        });
        try {
          const { employers } = await exportEmployerDemand(
            db,
            { campaignId: opts.campaign, scope: opts.scope, asOf: opts.asOf },
            file,
          );
          await done;
          await rename(partial, opts.out);
          output(
            opts.json,
            { campaignId: opts.campaign, scope: opts.scope, employers, file: opts.out },
            `${employers} employers of campaign ${opts.campaign} (${opts.scope}) written to ${opts.out}`,
          );
        } catch (err) {
          file.destroy();
          await rm(partial, { force: true });
          throw err;
        }
      });
    });
}
