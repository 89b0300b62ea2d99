// `ledger summary run`: the campaign summary (总结) after its end date, national, per reporting unit and central,
// delivered like the notices (same recipients, once each) and kept in the notice archive (kind `summary`). The scheduler runs
// it once by itself after a campaign ends; this is the operator's way to run it (again) by hand.
import type { Command } from 'commander';
import { dateIn } from '../../../shared/domain/periods.ts';
import { generateSummary, SummaryNotDueError } from '../../../shared/use-cases/generate-summary.ts';
import { output, UserError, withDb } from '../context.ts';
import { sendGenerated } from './notices.command.ts';

export function register(program: Command): void {
  const summary = program.command('summary').description('the campaign summary (总结) after its end date');

  summary
    .command('run')
    .description(
      'generate the summary of an ended campaign (national, each reporting unit and the central universities) and queue its deliveries; running it again sends nothing twice',
    )
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--inline', 'send the deliveries from this process instead of queueing them')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { campaign: string; inline?: boolean; json?: boolean }) => {
      await withDb(async ({ db, config }) => {
        const today = dateIn(new Date(), config.SCHEDULE_TIMEZONE);
        const result = await generateSummary(db, { campaignId: opts.campaign, today }).catch((err: unknown) => {
          if (err instanceof SummaryNotDueError) throw new UserError(err.message);
          throw err;
        });
        const out: Record<string, unknown> = {
          campaignId: result.campaignId,
          kind: 'summary',
          asOf: result.asOf,
          notices: result.notices,
          ...(await sendGenerated(db, config, result, opts.inline)),
        };
        output(
          opts.json,
          out,
          () =>
            `summary of campaign ${result.campaignId} (as of ${result.asOf}): ${result.notices.length} notice(s); ` +
            `${out.deliveries as number} deliveries, ${result.deliveriesCreated} new, ${out.alreadyDelivered as number} already delivered`,
        );
      });
    });
}
