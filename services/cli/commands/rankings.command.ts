// `ledger rankings run | show`: compute and store a period's ranking snapshots (every scope), and read them back.
// `run --json` prints one scope (national unless --scope) in exactly the shape of GET /v1/campaigns/{id}/rankings.
import type { Command } from 'commander';
import { createProducer, rankingsJobId } from '../../../jobs/producer.ts';
import { periodContaining } from '../../../shared/domain/periods.ts';
import type { Ranking, RankingScope, Snapshot } from '../../../shared/domain/ranking.types.ts';
import { findCampaignOrFail } from '../../../shared/use-cases/find-campaign.ts';
import { takeSnapshots, getSnapshot } from '../../../shared/use-cases/take-snapshots.ts';
import { createRedis } from '../../../shared/redis.ts';
import { output, UserError, withDb } from '../context.ts';
import { dateArg, periodArg, rankingScopeArg } from '../args.ts';
import { rebuildRankingTables } from '../../../shared/use-cases/compute-rankings.ts';

/** The endpoint's shape: a snapshot without its period, computedAt and rank changes. */
export function asEndpointRanking(s: Snapshot): Ranking {
  if (s.scope === 'provinces')
    return { campaignId: s.campaignId, asOf: s.asOf, scope: s.scope, rows: s.rows.map(({ rankChange: _, ...r }) => r) };
  return { campaignId: s.campaignId, asOf: s.asOf, scope: s.scope, rows: s.rows.map(({ rankChange: _, ...r }) => r) };
}

function humanTable(s: Snapshot, limit = 20): string {
  const change = (c: number | null | undefined) =>
    c === null || c === undefined ? 'new' : c > 0 ? `+${c}` : String(c);
  const lines = [`${s.scope} — campaign ${s.campaignId}, period ${s.period}, as of ${s.asOf}`];
  if (s.scope === 'provinces') {
    for (const r of s.rows.slice(0, limit)) {
      lines.push(
        `${String(r.rank).padStart(3)}  ${r.provinceCode} ${r.provinceName}\tmeeting ${r.meetingTargets}/${r.universities}\tmean ${r.meanCompletion.toFixed(3)}\tpositions ${r.positions}\tplan ${r.planFiledOn ?? 'not filed'}\t${change(r.rankChange)}`,
      );
    }
  } else {
    for (const r of s.rows.slice(0, limit)) {
      lines.push(
        `${String(r.rank).padStart(4)}  ${r.universityCode} ${r.universityName}\tcompletion ${r.completion.toFixed(3)}\temployers ${r.employersVisited}\tpositions ${r.positions}${r.behind ? '\tBEHIND' : ''}\t${change(r.rankChange)}`,
      );
    }
  }
  if (s.rows.length > limit) lines.push(`… ${s.rows.length - limit} more (use --json)`);
  return lines.join('\n');
}

interface RunOptions {
  campaign: string;
  asOf: string;
  period?: string;
  scope: RankingScope;
  json?: boolean;
  queue?: boolean;
}

export function register(program: Command): void {
  const rankings = program
    .command('rankings')
    .description('ranking snapshots per period (national, provinces, each province)');

  rankings
    .command('run')
    .description('compute and store the snapshots of a period as of a date (running a period again replaces them)')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--as-of <date>', 'cut-off date YYYY-MM-DD (visits dated up to and including it)', dateArg)
    .option(
      '--period <period>',
      'ISO week (2022-W14) or month (2022-04); default: the ISO week containing --as-of',
      periodArg,
    )
    .option('--scope <scope>', 'scope printed: national, provinces or province:CODE', rankingScopeArg, 'national')
    .option(
      '--queue',
      'enqueue the run for the workers instead (they then generate the notices); re-runs a finished run',
    )
    .option('--json', 'print the chosen scope as JSON, in the shape of GET /v1/campaigns/{id}/rankings')
    .action(async (opts: RunOptions) => {
      const period = opts.period ?? periodContaining('week', opts.asOf).id;
      await withDb(async ({ db, config }) => {
        if (opts.queue) {
          await findCampaignOrFail(db, opts.campaign);
          const redis = createRedis(config.REDIS_URL, 'cli');
          const producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
          try {
            await producer.enqueueRankings(opts.campaign, period, opts.asOf, { rerun: true });
          } finally {
            await producer.close().catch(() => {});
            redis.disconnect();
          }
          const jobId = rankingsJobId(opts.campaign, period);
          output(
            opts.json,
            { enqueued: jobId, campaignId: opts.campaign, period, asOf: opts.asOf },
            `enqueued ${jobId}`,
          );
          return;
        }
        const snapshots = await takeSnapshots(db, { campaignId: opts.campaign, period, asOf: opts.asOf });
        const chosen = snapshots.find((s) => s.scope === opts.scope);
        if (!chosen)
          throw new UserError(`no province ${opts.scope}: use a 6-digit province code such as province:440000`);
        output(
          opts.json,
          asEndpointRanking(chosen),
          () =>
            `stored ${snapshots.length} snapshots for campaign ${opts.campaign}, period ${period}, as of ${opts.asOf}\n${humanTable(chosen)}`,
        );
      });
    });

  rankings
    .command('rebuild')
    .description(
      'recompute the derived figures (ranking_pairs/daily/totals) from the visits; needed only after a bulk load that bypassed the triggers (a change of campaign dates recomputes them by itself)',
    )
    .option('--campaign <id>', 'only this campaign')
    .option('--json', 'print JSON')
    .action(async (opts: { campaign?: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const started = Date.now();
        await rebuildRankingTables(db, opts.campaign);
        const ms = Date.now() - started;
        output(
          opts.json,
          { rebuilt: opts.campaign ?? 'all', ms },
          `rebuilt the derived figures of ${opts.campaign ? `campaign ${opts.campaign}` : 'every campaign'} in ${ms} ms`,
        );
      });
    });

  rankings
    .command('show')
    .description('print a stored snapshot, with each rank change against the previous snapshot of the same kind')
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--period <period>', 'ISO week (2022-W14) or month (2022-04)', periodArg)
    .option('--scope <scope>', 'national, provinces or province:CODE', rankingScopeArg, 'national')
    .option('--json', 'print the snapshot as JSON (the endpoint shape plus period, computedAt and rankChange)')
    .action(async (opts: { campaign: string; period: string; scope: RankingScope; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const s = await getSnapshot(db, opts.campaign, opts.period, opts.scope);
        if (!s)
          throw new UserError(
            `no snapshot of ${opts.scope} for campaign ${opts.campaign}, period ${opts.period}: run \`ledger rankings run\` first`,
          );
        output(opts.json, s, () => humanTable(s, 1000));
      });
    });
}
