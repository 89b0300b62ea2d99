// `ledger notices run | resend | list | show`: generate a period's notices and deliver each once per recipient.
import { mkdir, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { createProducer, type Producer } from '../../../jobs/producer.ts';
import type { Config } from '../../../shared/config.ts';
import type { Db } from '../../../shared/db/database.ts';
import { createRedis } from '../../../shared/redis.ts';
import { deliver, deliverySettings, type DeliveryOutcome } from '../../../shared/use-cases/deliver-notices.ts';
import { generateNotices, ledgerFileName, writeNoticeLedger } from '../../../shared/use-cases/generate-notices.ts';
import { htmlWithChart } from '../../../shared/domain/notices/render-html.ts';
import { noticeDocument } from '../../../shared/use-cases/notice-documents.ts';
import { OperationError, prepareResend } from '../../../shared/use-cases/operations.ts';
import { cliActor, output, UserError, withDb } from '../context.ts';
import { idArg, periodArg } from '../args.ts';
import { countStuckDeliveries, listDeliveries, getNotice, listNotices } from '../../../shared/use-cases/notices.ts';

async function withProducer(config: Config, use: (producer: Producer) => Promise<void>): Promise<void> {
  const redis = createRedis(config.REDIS_URL, 'cli');
  const producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  try {
    await use(producer);
  } catch (err) {
    throw new UserError(
      `deliveries stored but not queued (${(err as Error).message}): check REDIS_URL and run the command again`,
    );
  } finally {
    await producer.close().catch(() => {});
    redis.disconnect();
  }
}

export async function enqueue(config: Config, ids: number[], replace: boolean): Promise<void> {
  if (ids.length === 0) return;
  await withProducer(config, (producer) => producer.enqueueDeliveries(ids, { replace }));
}

/**
 * Sends the deliveries in this process, one attempt each (claims keep this safe beside running workers); the ones
 * that failed transiently are queued for the workers' retries with backoff.
 */
export async function deliverInline(
  db: Db,
  config: Config,
  ids: number[],
): Promise<{ outcomes: DeliveryOutcome[]; queuedForRetry: number[] }> {
  const outcomes: DeliveryOutcome[] = [];
  for (const id of ids) outcomes.push(await deliver(db, id, deliverySettings(config), { finalAttempt: false }));
  const retry = outcomes.filter((o) => o.outcome === 'retry').map((o) => o.deliveryId);
  await enqueue(config, retry, true);
  // Sent but not recorded (the database refused for ~15 s): the workers record it from the job, never re-sending.
  const unrecorded = outcomes.filter((o) => o.outcome === 'unrecorded');
  if (unrecorded.length) {
    await withProducer(config, async (producer) => {
      for (const o of unrecorded) await producer.keepSentDelivery(o.deliveryId, o.response);
    });
  }
  return { outcomes, queuedForRetry: retry };
}

export function tally(outcomes: DeliveryOutcome[]): Record<string, number> {
  const t: Record<string, number> = { delivered: 0, skipped: 0, busy: 0, retry: 0, failed: 0 };
  for (const o of outcomes) t[o.outcome] = (t[o.outcome] ?? 0) + 1;
  return t;
}

/**
 * The deliveries of freshly generated notices (a period's or a summary's): sent from this process with `inline`, else
 * queued. A pending row whose earlier job ended without sending gets a new job; the claim prevents a double send.
 */
export async function sendGenerated(
  db: Db,
  config: Config,
  result: { notices: Array<{ id: number }>; deliveriesCreated: number; pendingDeliveryIds: number[] },
  inline: boolean | undefined,
): Promise<Record<string, unknown>> {
  const all = await listDeliveries(db, { noticeIds: result.notices.map((n) => n.id) });
  const out: Record<string, unknown> = {
    deliveries: all.length,
    deliveriesCreated: result.deliveriesCreated,
    alreadyDelivered: all.filter((d) => d.state === 'delivered').length,
    pending: result.pendingDeliveryIds.length,
  };
  if (inline) {
    const { outcomes, queuedForRetry } = await deliverInline(db, config, result.pendingDeliveryIds);
    out.sent = tally(outcomes);
    out.queuedForRetry = queuedForRetry.length;
  } else {
    await enqueue(config, result.pendingDeliveryIds, true);
    out.queued = result.pendingDeliveryIds.length;
  }
  return out;
}

export function register(program: Command): void {
  const notices = program
    .command('notices')
    .description('periodic notices (定期通报): generate, deliver once per recipient, re-send, archive');

  notices
    .command('run')
    .description(
      "generate the period's notices (taking its snapshots if missing) and queue their deliveries; running it again sends nothing twice",
    )
    .requiredOption('--campaign <id>', 'campaign id')
    .requiredOption('--period <period>', 'ISO week (2022-W14) or month (2022-04)', periodArg)
    .option(
      '--inline',
      'send the deliveries from this process instead of queueing them (demo, or no workers running); transient failures are queued for retry',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { campaign: string; period: string; inline?: boolean; json?: boolean }) => {
      await withDb(async ({ db, config }) => {
        const result = await generateNotices(db, { campaignId: opts.campaign, period: opts.period });
        const summary: Record<string, unknown> = {
          campaignId: result.campaignId,
          period: result.period,
          asOf: result.asOf,
          tookSnapshots: result.tookSnapshots,
          notices: result.notices,
          ...(await sendGenerated(db, config, result, opts.inline)),
        };
        output(opts.json, summary, () => {
          const sent = summary.sent as Record<string, number> | undefined;
          return (
            `campaign ${result.campaignId}, period ${result.period} (as of ${result.asOf}): ${result.notices.length} notice(s)` +
            `${result.tookSnapshots ? ' (snapshots taken)' : ''}; ${summary.deliveries as number} deliveries, ${result.deliveriesCreated} new, ${summary.alreadyDelivered as number} already delivered; ` +
            (sent
              ? `sent now: ${sent.delivered} delivered, ${sent.failed} failed, ${sent.retry} queued for retry`
              : `${result.pendingDeliveryIds.length} queued for the workers`)
          );
        });
      });
    });

  notices
    .command('resend')
    .description('send a notice again to all its recipients, or to one (also to a recipient added after the run)')
    .requiredOption('--id <id>', 'notice id (see `ledger notices list`)', idArg('notice', 'ledger notices list'))
    .option(
      '--recipient <id>',
      'only this recipient (see `ledger recipients list`)',
      idArg('recipient', 'ledger recipients list'),
    )
    .option('--inline', 'send from this process instead of queueing')
    .option('--json', 'print JSON')
    .action(async (opts: { id: number; recipient?: number; inline?: boolean; json?: boolean }) => {
      await withDb(async ({ db, config }) => {
        // The same use case as POST /v1/notices/{id}/resend; its refusals become this command's one-line reasons.
        const ids = await prepareResend(db, opts.id, opts.recipient, cliActor()).catch((err: unknown) => {
          if (!(err instanceof OperationError)) throw err;
          const hint = err.status === 404 ? ' (see `ledger notices list` and `ledger recipients list`)' : '';
          throw new UserError(`${err.message}${hint}`);
        });
        const summary: Record<string, unknown> = { noticeId: opts.id, deliveryIds: ids };
        if (opts.inline) summary.sent = tally((await deliverInline(db, config, ids)).outcomes);
        else await enqueue(config, ids, true);
        output(
          opts.json,
          summary,
          `re-sending notice ${opts.id} to ${ids.length} recipient(s)${opts.inline ? '' : ' (queued)'}`,
        );
      });
    });

  notices
    .command('list')
    .description(
      'stored notices with their deliveries by state; "stuck": sending for longer than DELIVERY_LEASE_SECONDS (the sweeper takes them back)',
    )
    .option('--campaign <id>', 'only this campaign')
    .option('--period <period>', 'only this period', periodArg)
    .option('--json', 'print JSON')
    .action(async (opts: { campaign?: string; period?: string; json?: boolean }) => {
      await withDb(async ({ db, config }) => {
        const notices = await listNotices(db, { campaignId: opts.campaign, period: opts.period });
        const stuck = await countStuckDeliveries(
          db,
          notices.map((n) => n.id),
          config.DELIVERY_LEASE_SECONDS,
        );
        const rows = notices.map((n) => ({ ...n, stuckDeliveries: stuck.get(n.id) ?? 0 }));
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no notices: generate them with `ledger notices run --campaign ID --period P`'
            : rows
                .map(
                  (n) =>
                    `${n.id}\t${n.campaignId}\t${n.period}\t${n.scope}\tas of ${n.asOf}\tdelivered ${n.deliveries.delivered}, pending ${n.deliveries.pending}, ` +
                    `sending ${n.deliveries.sending}${n.stuckDeliveries ? ` (${n.stuckDeliveries} stuck)` : ''}, failed ${n.deliveries.failed}\t${n.subject}`,
                )
                .join('\n'),
        );
      });
    });

  notices
    .command('show')
    .description('print a notice (text, Markdown or HTML), or write all its forms and the ledger .xlsx to a folder')
    .requiredOption('--id <id>', 'notice id (see `ledger notices list`)', idArg('notice', 'ledger notices list'))
    .option('--format <format>', 'text, md or html', 'text')
    .option(
      '--out <dir>',
      'write notice-<id>.{html,md,txt,png,docx,pdf} (docx and pdf: the official document) and the ledger .xlsx into this folder instead',
    )
    .action(async (opts: { id: number; format: string; out?: string }) => {
      await withDb(async ({ db, config }) => {
        const n = await getNotice(db, opts.id);
        if (!n) throw new UserError(`no notice ${opts.id}: see \`ledger notices list\``);
        if (opts.out) {
          await mkdir(opts.out, { recursive: true });
          const base = join(opts.out, `notice-${n.id}`);
          // In a file the chart is beside the HTML, not a CID part.
          await writeFile(`${base}.html`, htmlWithChart(n.html, `notice-${n.id}.png`));
          await writeFile(`${base}.md`, n.markdown);
          await writeFile(`${base}.txt`, n.text);
          await writeFile(`${base}.png`, n.chartPng);
          const xlsxPath = join(opts.out, ledgerFileName(n));
          const out = createWriteStream(xlsxPath);
          await writeNoticeLedger(db, n, out);
          await finished(out);
          const settings = { issuersFile: config.NOTICE_ISSUERS_FILE, fontDir: config.NOTICE_FONT_DIR };
          await writeFile(`${base}.docx`, (await noticeDocument(n, 'docx', settings)).body);
          await writeFile(`${base}.pdf`, (await noticeDocument(n, 'pdf', settings)).body);
          process.stdout.write(
            `${base}.html\n${base}.md\n${base}.txt\n${base}.png\n${xlsxPath}\n${base}.docx\n${base}.pdf\n`,
          );
          return;
        }
        const body = opts.format === 'html' ? n.html : opts.format === 'md' ? n.markdown : n.text;
        process.stdout.write(body.endsWith('\n') ? body : body + '\n');
      });
    });
}
