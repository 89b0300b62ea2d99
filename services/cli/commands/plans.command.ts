// `ledger plans file | list`: the date each province filed its implementation plan (实施方案) for a campaign, and
// whether that was after the campaign's plan deadline (late).
import type { Command } from 'commander';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { provinceLookup } from '../../../shared/domain/reference-rows.ts';
import { audited } from '../../../shared/use-cases/audit.ts';
import { cliActor, output, UserError, withDb } from '../context.ts';
import { dateArg } from '../args.ts';
import { checkDocumentLink } from '../../../shared/domain/people.ts';
import { fileUniversityPlanFor, universityPlans, listPlans, filePlan } from '../../../shared/use-cases/people.ts';
import { listProvinces, findUniversityProvince } from '../../../shared/use-cases/reference-data.ts';

async function fileForUniversity(opts: {
  campaign: string;
  university: string;
  date: string;
  link?: string;
  json?: boolean;
}): Promise<void> {
  const link = opts.link === undefined ? null : checkDocumentLink(opts.link);
  if (link === undefined) throw new UserError(`--link ${opts.link} is not an http or https URL`);
  await withDb(async ({ db }) => {
    if ((await findUniversityProvince(db, opts.university)) === undefined)
      throw new UserError(
        `university ${opts.university} does not exist: import it with \`ledger import universities\``,
      );
    const plan = await audited(
      db,
      (trx) => fileUniversityPlanFor(trx as typeof db, opts.campaign, opts.university, opts.date, link),
      () => ({
        actor: cliActor(),
        action: 'plans.file',
        target: `campaign:${opts.campaign}/university:${opts.university}`,
        after: { filedOn: opts.date, link },
        result: 'ok',
      }),
    );
    output(
      opts.json,
      plan,
      `${plan.universityName} (${plan.universityCode}) filed its plan for campaign ${opts.campaign} on ${opts.date}${
        plan.late ? ` (late: due ${plan.deadline})` : ''
      }${plan.link ? `: ${plan.link}` : ''}`,
    );
  });
}

async function listForUniversities(opts: { campaign: string; province?: string; json?: boolean }): Promise<void> {
  await withDb(async ({ db }) => {
    let provinceCode: string | null = null;
    if (opts.province !== undefined) {
      const provinces = await listProvinces(db);
      provinceCode = provinceLookup(provinces)(opts.province) ?? null;
      if (!provinceCode)
        throw new UserError(`province ${opts.province} does not exist: use a 6-digit code such as 440000`);
    }
    const { universities } = await universityPlans(db, opts.campaign, provinceCode);
    output(opts.json, universities, () =>
      universities
        .map((u) => `${u.universityCode}\t${u.universityName}\t${filing(u)}${u.link ? `\t${u.link}` : ''}`)
        .join('\n'),
    );
  });
}

function filing(p: { filedOn: string | null; deadline: string | null; late: boolean }): string {
  if (p.filedOn === null) return p.deadline ? `not filed (due ${p.deadline})` : 'not filed';
  return p.late ? `${p.filedOn} (late: due ${p.deadline})` : p.filedOn;
}

export function register(program: Command): void {
  const plans = program
    .command('plans')
    .description("provinces' and universities' implementation plans (实施方案): who filed, and when");

  plans
    .command('file')
    .description(
      'record the date a province or a university filed its plan (filing again corrects the date, and the link)',
    )
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--province <code>', 'province: 6-digit code (440000) or name (广东省)')
    .option('--university <code>', 'university: 10-digit code')
    .option('--date <date>', 'filing date YYYY-MM-DD', dateArg)
    .option('--filed-on <date>', 'the same as --date', dateArg)
    .option('--link <url>', 'university plans: http(s) link to the plan document')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        campaign: string;
        province?: string;
        university?: string;
        date?: string;
        filedOn?: string;
        link?: string;
        json?: boolean;
      }) => {
        const date = opts.filedOn ?? opts.date;
        if (!date) throw new UserError('give the filing date: --date YYYY-MM-DD (or --filed-on)');
        if ((opts.province === undefined) === (opts.university === undefined))
          throw new UserError('give either --province CODE or --university CODE');
        if (opts.university !== undefined) return fileForUniversity({ ...opts, university: opts.university, date });
        if (opts.link !== undefined) throw new UserError('--link is for university plans (--university CODE)');
        await withDb(async ({ db }) => {
          const campaign = await findCampaignOrFail(db, opts.campaign);
          // By code, full or short name, the same way as `campaign set-target --province`.
          const provinces = await listProvinces(db);
          const code = provinceLookup(provinces)(opts.province!);
          const province = provinces.find((p) => p.code === code);
          if (!province)
            throw new UserError(
              `province ${opts.province} does not exist: use a 6-digit code such as 440000 or a name such as 广东省`,
            );
          await audited(
            db,
            (trx) => filePlan(trx, opts.campaign, province.code, date),
            () => ({
              actor: cliActor(),
              action: 'plans.file',
              target: `campaign:${opts.campaign}/province:${province.code}`,
              after: { filedOn: date },
              result: 'ok',
            }),
          );
          const deadline = campaign.planDeadline;
          const late = deadline !== null && date > deadline;
          output(
            opts.json,
            {
              campaignId: opts.campaign,
              provinceCode: province.code,
              provinceName: province.name,
              filedOn: date,
              deadline,
              late,
            },
            `${province.name} (${province.code}) filed its plan for campaign ${opts.campaign} on ${date}${late ? ` (late: due ${deadline})` : ''}`,
          );
        });
      },
    );

  plans
    .command('list')
    .description(
      'every province (or, with --universities, every university) with the date it filed its plan (or "not filed"), and whether it was late',
    )
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--universities', "universities' plans instead of provinces'")
    .option('--province <code>', "with --universities: that province's universities only")
    .option('--json', 'print JSON')
    .action(async (opts: { campaign: string; universities?: boolean; province?: string; json?: boolean }) => {
      if (opts.universities) return listForUniversities(opts);
      await withDb(async ({ db }) => {
        await findCampaignOrFail(db, opts.campaign);
        const rows = await listPlans(db, opts.campaign);
        output(opts.json, rows, () => rows.map((r) => `${r.provinceCode}\t${r.provinceName}\t${filing(r)}`).join('\n'));
      });
    });
}
