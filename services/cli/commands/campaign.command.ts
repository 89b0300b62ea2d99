// `ledger campaign create | set-target | list`: campaigns are data (id, dates, targets, thresholds, plan deadline), never
// constants, and every target and threshold can be overridden per province (分类指导, RULES.md §5).
// `create` on an existing id is a no-op when every value the user gave equals the stored one (so scripts can run
// it again) and an error naming the differences otherwise: a campaign's dates and targets are not changed by accident.
// `set-target` changes them on purpose: a province's overrides with --province, the campaign's own values without.
import { InvalidArgumentError, type Command } from 'commander';
import { provinceLookup } from '../../../shared/domain/reference-rows.ts';
import { DEFAULT_RULES } from '../../../shared/domain/measures.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import {
  CampaignLinkError,
  linkPriorFrom,
  type PriorFromResult,
} from '../../../shared/use-cases/link-previous-campaign.ts';
import type { Db } from '../../../shared/db/database.ts';
import { audited } from '../../../shared/use-cases/audit.ts';
import { cliActor, UserError, output, withDb } from '../context.ts';
import { dateArg } from '../args.ts';
import {
  deleteProvinceTargets,
  findCampaign,
  insertCampaign,
  listCampaigns,
  updateCampaignSettings,
  upsertProvinceTargets,
  type Campaign,
  type CampaignWithTargets,
  type ProvinceTargets,
  type TargetOverrides,
} from '../../../shared/use-cases/campaigns.ts';
import { listProvinces } from '../../../shared/use-cases/reference-data.ts';

function targetArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 1_000_000)
    throw new InvalidArgumentError(`"${value}" is not a whole number of employers (0 or more)`);
  return Number(value);
}

function factorArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new InvalidArgumentError(`"${value}" is not a number from 0 to 1 (e.g. 0.8)`);
  return n;
}

/** A campaign's id is a name chosen by the operator (2022), not a number the database hands out (args.ts idArg). */
function campaignIdArg(value: string): string {
  if (!/^[\w.-]{1,64}$/.test(value))
    throw new InvalidArgumentError(
      `"${value}" is not a campaign id: use 1-64 letters, digits, ".", "_" or "-", e.g. 2022`,
    );
  return value;
}

interface CreateOptions {
  id: string;
  name?: string;
  start: string;
  end: string;
  principalTarget: number;
  newTarget: number;
  behindFactor: number;
  onsiteShareFlag: number;
  baseWithoutTargets: number;
  planDeadline?: string;
  priorFrom?: string;
  json?: boolean;
}

const LABELS: Record<keyof Omit<Campaign, 'id'>, string> = {
  name: '--name',
  start: '--start',
  end: '--end',
  principalTarget: '--principal-target',
  newTarget: '--new-target',
  behindFactor: '--behind-factor',
  onsiteShareFlag: '--onsite-share-flag',
  baseWithoutTargets: '--base-without-targets',
  planDeadline: '--plan-deadline',
};

async function linkPriorFromOrFail(db: Db, campaignId: string, previousId: string): Promise<PriorFromResult> {
  try {
    return await linkPriorFrom(db, campaignId, previousId);
  } catch (err) {
    if (err instanceof CampaignLinkError) throw new UserError(err.message);
    throw err;
  }
}

/** `given(key)`: whether the user typed that option (defaults are not compared with an existing campaign). */
async function create(opts: CreateOptions, given: (key: keyof CreateOptions) => boolean): Promise<void> {
  if (opts.end < opts.start)
    throw new UserError(`--end ${opts.end} is before --start ${opts.start}: a campaign ends on or after its start`);
  const wanted: Campaign = {
    id: opts.id,
    name: opts.name ?? `${opts.id} 全国高校书记校长访企拓岗促就业专项行动`,
    start: opts.start,
    end: opts.end,
    principalTarget: opts.principalTarget,
    newTarget: opts.newTarget,
    behindFactor: opts.behindFactor,
    onsiteShareFlag: opts.onsiteShareFlag,
    baseWithoutTargets: opts.baseWithoutTargets,
    planDeadline: opts.planDeadline ?? null,
  };
  await withDb(async ({ db }) => {
    if (opts.priorFrom !== undefined) {
      // Checked before the campaign is created, so a wrong --prior-from leaves nothing behind.
      const previous = await findCampaign(db, opts.priorFrom);
      if (!previous)
        throw new UserError(`--prior-from "${opts.priorFrom}" is not a campaign: list them with ledger campaign list`);
      if (previous.end >= opts.start)
        throw new UserError(
          `--prior-from "${previous.id}" ends on ${previous.end}, not before --start ${opts.start}: only an earlier campaign can hand on its employers`,
        );
    }
    const { created, campaign } = await audited(
      db,
      (trx) => insertCampaign(trx, wanted),
      (r) =>
        r.created
          ? {
              actor: cliActor(),
              action: 'campaigns.create',
              target: `campaign:${r.campaign.id}`,
              after: r.campaign,
              result: 'ok',
            }
          : null,
    );
    if (!created) {
      // Only what the user said is compared: an omitted --name or target is not a difference.
      const keys = (Object.keys(LABELS) as Array<keyof typeof LABELS>).filter((k) => given(k));
      const diffs = keys
        .filter((k) => campaign[k] !== wanted[k])
        .map((k) => `${LABELS[k]} ${String(campaign[k])} (you gave ${String(wanted[k])})`);
      if (diffs.length) {
        throw new UserError(
          `campaign "${opts.id}" already exists with ${diffs.join(', ')}; campaigns are not changed by create: choose another --id, or change targets and thresholds on purpose with ledger campaign set-target (with --province for one province)`,
        );
      }
    }
    const priorFrom =
      opts.priorFrom === undefined ? undefined : await linkPriorFromOrFail(db, campaign.id, opts.priorFrom);
    output(
      opts.json,
      { created, campaign, ...(priorFrom ? { priorFrom } : {}) },
      () =>
        `${created ? 'created' : 'already exists, unchanged:'} ${describe(campaign)}` +
        (priorFrom
          ? `; follows ${priorFrom.previousCampaignId}: its ${priorFrom.pairs} visited (university, employer) pairs (${priorFrom.employers} employers) count as prior relationships`
          : ''),
    );
  });
}

interface SetTargetOptions extends TargetOverrides {
  id: string;
  province?: string;
  planDeadline?: string;
  clear?: boolean;
  json?: boolean;
}

const OVERRIDE_OPTIONS = [
  'principalTarget',
  'newTarget',
  'behindFactor',
  'onsiteShareFlag',
  'baseWithoutTargets',
] as const;

async function setTarget(opts: SetTargetOptions): Promise<void> {
  const overrides: TargetOverrides = Object.fromEntries(
    OVERRIDE_OPTIONS.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]),
  );
  const given = Object.keys(overrides).length > 0 || opts.planDeadline !== undefined;
  if (!given && !opts.clear) {
    throw new UserError(
      'nothing to set: give --principal-target N, --new-target N, --behind-factor F, --onsite-share-flag F, --base-without-targets N and/or --plan-deadline D (or --clear with --province)',
    );
  }
  if (given && opts.clear)
    throw new UserError('--clear removes the province’s overrides: give it without target options');
  if (opts.province === undefined && opts.clear)
    throw new UserError('--clear removes a province’s overrides: give --province CODE');
  if (opts.province !== undefined && opts.planDeadline !== undefined) {
    throw new UserError('--plan-deadline is the campaign’s, not a province’s: give it without --province');
  }
  await withDb(async ({ db }) => {
    const campaign = await findCampaignOrFail(db, opts.id);
    if (opts.province === undefined) {
      const updated = (await audited(
        db,
        (trx) =>
          updateCampaignSettings(trx, opts.id, {
            ...overrides,
            ...(opts.planDeadline !== undefined && { planDeadline: opts.planDeadline }),
          }),
        (after) => ({
          actor: cliActor(),
          action: 'targets.set',
          target: `campaign:${opts.id}`,
          before: campaign,
          after,
          result: 'ok',
        }),
      ))!;
      output(opts.json, updated, () => `changed: ${describe(updated)}`);
      return;
    }
    const provinceCode = provinceLookup(await listProvinces(db))(opts.province);
    if (!provinceCode)
      throw new UserError(
        `unknown province "${opts.province}": use a 6-digit GB/T 2260 code such as 440000 (or a name such as 广东省)`,
      );
    if (opts.clear) {
      const removed = await audited(
        db,
        (trx) => deleteProvinceTargets(trx, opts.id, provinceCode),
        (gone) =>
          gone
            ? {
                actor: cliActor(),
                action: 'targets.clear',
                target: `campaign:${opts.id}/province:${provinceCode}`,
                result: 'ok',
              }
            : null,
      );
      output(
        opts.json,
        { campaignId: opts.id, provinceCode, cleared: removed },
        `${opts.id} ${provinceCode}: ${removed ? 'overrides removed' : 'had no overrides'}; the campaign's targets apply`,
      );
      return;
    }
    const t = await audited(
      db,
      (trx) => upsertProvinceTargets(trx, opts.id, { provinceCode, ...overrides }),
      (after) => ({
        actor: cliActor(),
        action: 'targets.set',
        target: `campaign:${opts.id}/province:${provinceCode}`,
        after,
        result: 'ok',
      }),
    );
    output(
      opts.json,
      { campaignId: opts.id, ...t },
      () => `${opts.id} ${provinceCode}: ${describeOverrides(t, campaign)}`,
    );
  });
}

/** A province's rules in words, each marked when it is the campaign's. */
function describeOverrides(t: ProvinceTargets, c: Campaign): string {
  const value = <K extends (typeof OVERRIDE_OPTIONS)[number]>(k: K) => t[k] ?? `${c[k]} (campaign)`;
  return `principal target ${value('principalTarget')}, new target ${value('newTarget')}, behind factor ${value('behindFactor')}, on-site share flag ${value('onsiteShareFlag')}, base without targets ${value('baseWithoutTargets')}`;
}

function describe(c: Campaign): string {
  return `${c.id} "${c.name}" ${c.start}..${c.end}, principal target ${c.principalTarget}, new target ${c.newTarget}, behind factor ${c.behindFactor}, on-site share flag ${c.onsiteShareFlag}, base without targets ${c.baseWithoutTargets}, plan deadline ${c.planDeadline ?? 'none'}`;
}

function humanList(campaigns: CampaignWithTargets[]): string {
  if (campaigns.length === 0)
    return 'no campaigns: create one with ledger campaign create --id ID --start YYYY-MM-DD --end YYYY-MM-DD';
  return campaigns
    .flatMap((c) => [
      describe(c),
      ...c.provinceTargets.map(
        (t) =>
          `  ${t.provinceCode}: principal ${t.principalTarget ?? '-'}, new ${t.newTarget ?? '-'}, behind factor ${t.behindFactor ?? '-'}, on-site share flag ${t.onsiteShareFlag ?? '-'}, base without targets ${t.baseWithoutTargets ?? '-'}`,
      ),
    ])
    .join('\n');
}

export function register(program: Command): void {
  const group = program.command('campaign').description('campaigns (专项行动) and per-province targets');

  group
    .command('create')
    .description(
      'create a campaign; running it again with the same values changes nothing, with different values is an error',
    )
    .requiredOption('--id <id>', 'campaign id, e.g. 2022', campaignIdArg)
    .requiredOption('--start <date>', 'first day, YYYY-MM-DD (Asia/Shanghai)', dateArg)
    .requiredOption('--end <date>', 'last day, YYYY-MM-DD (Asia/Shanghai)', dateArg)
    .option('--name <name>', 'display name (default: "<id> 全国高校书记校长访企拓岗促就业专项行动")')
    .option(
      '--principal-target <n>',
      'employers the secretary and president visit (target 1)',
      targetArg,
      DEFAULT_RULES.principalTarget,
    )
    .option('--new-target <n>', 'newly developed employers (target 2)', targetArg, DEFAULT_RULES.newTarget)
    .option(
      '--behind-factor <f>',
      'behind when completion < f × expected progress',
      factorArg,
      DEFAULT_RULES.behindFactor,
    )
    .option(
      '--onsite-share-flag <f>',
      'flag a principal-target university whose on-site share of visits is below f',
      factorArg,
      DEFAULT_RULES.onsiteShareFlag,
    )
    .option(
      '--base-without-targets <n>',
      'employers visited that give a university without targets completion 1',
      targetArg,
      DEFAULT_RULES.baseWithoutTargets,
    )
    .option(
      '--plan-deadline <date>',
      'last day to file the implementation plans (实施方案), YYYY-MM-DD; later filings are late',
      dateArg,
    )
    .option(
      '--prior-from <id>',
      'the campaign before this one: its visited employers are prior relationships here (not 新开拓), and the summary compares with it',
      campaignIdArg,
    )
    .option('--json', 'print JSON')
    .action((opts: CreateOptions, cmd: Command) => create(opts, (key) => cmd.getOptionValueSource(key) === 'cli'));

  group
    .command('set-target')
    .description(
      "override a campaign's targets and thresholds for one province (--province), or change the campaign's own (without it); options not given keep their current value",
    )
    .requiredOption('--id <id>', 'campaign id', campaignIdArg)
    .option(
      '--province <code>',
      'province code (GB/T 2260, e.g. 440000) or name; without it the campaign itself changes',
    )
    .option('--principal-target <n>', 'employers the secretary and president visit', targetArg)
    .option('--new-target <n>', 'newly developed employers', targetArg)
    .option('--behind-factor <f>', 'behind when completion < f × expected progress', factorArg)
    .option(
      '--onsite-share-flag <f>',
      'flag a principal-target university whose on-site share of visits is below f',
      factorArg,
    )
    .option(
      '--base-without-targets <n>',
      'employers visited that give a university without targets completion 1',
      targetArg,
    )
    .option(
      '--plan-deadline <date>',
      "the campaign's last day to file implementation plans (not per province)",
      dateArg,
    )
    .option('--clear', "remove the province's overrides (the campaign's values apply again)")
    .option('--json', 'print JSON')
    .action((opts: SetTargetOptions) => setTarget(opts));

  group
    .command('list')
    .description('campaigns with their per-province overrides')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withDb(async ({ db }) => {
        const campaigns = await listCampaigns(db);
        output(opts.json, campaigns, () => humanList(campaigns));
      }),
    );
}
