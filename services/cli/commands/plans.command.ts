// `ledger plans file | list`: the date each province filed its implementation plan (实施方案) for a campaign, and
// whether that was after the campaign's plan deadline (late).
import type { Command } from 'commander';
import { listPlans, filePlan, type ProvincePlan } from '../../../shared/repositories/plan.repository.ts';
import { listProvinces } from '../../../shared/repositories/reference.repository.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { provinceLookup } from '../../../shared/domain/reference-rows.ts';
import { output, UserError, withDb } from '../context.ts';
import { dateArg } from '../args.ts';

function filing(p: ProvincePlan): string {
  if (p.filedOn === null) return p.deadline ? `not filed (due ${p.deadline})` : 'not filed';
  return p.late ? `${p.filedOn} (late: due ${p.deadline})` : p.filedOn;
}

export function register(program: Command): void {
  const plans = program.command('plans').description("provinces' implementation plans (实施方案): who filed, and when");

  plans
    .command('file')
    .description('record the date a province filed its plan (filing again corrects the date)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--province <code>', 'province: 6-digit code (440000) or name (广东省)')
    .requiredOption('--date <date>', 'filing date YYYY-MM-DD', dateArg)
    .option('--json', 'print JSON')
    .action(async (opts: { campaign: string; province: string; date: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const campaign = await findCampaignOrFail(db, opts.campaign);
        // By code, full or short name, the same way as `campaign set-target --province`.
        const provinces = await listProvinces(db);
        const code = provinceLookup(provinces)(opts.province);
        const province = provinces.find((p) => p.code === code);
        if (!province)
          throw new UserError(
            `province ${opts.province} does not exist: use a 6-digit code such as 440000 or a name such as 广东省`,
          );
        await filePlan(db, opts.campaign, province.code, opts.date);
        const deadline = campaign.planDeadline;
        const late = deadline !== null && opts.date > deadline;
        output(
          opts.json,
          {
            campaignId: opts.campaign,
            provinceCode: province.code,
            provinceName: province.name,
            filedOn: opts.date,
            deadline,
            late,
          },
          `${province.name} (${province.code}) filed its plan for campaign ${opts.campaign} on ${opts.date}${late ? ` (late: due ${deadline})` : ''}`,
        );
      });
    });

  plans
    .command('list')
    .description('every province with the date it filed its plan (or "not filed"), and whether it was late')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--json', 'print JSON')
    .action(async (opts: { campaign: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        await findCampaignOrFail(db, opts.campaign);
        const rows = await listPlans(db, opts.campaign);
        output(opts.json, rows, () => rows.map((r) => `${r.provinceCode}\t${r.provinceName}\t${filing(r)}`).join('\n'));
      });
    });
}
