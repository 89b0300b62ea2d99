// `ledger visits template --out F.xlsx` and `ledger visits import --file F [--university CODE] [--mode append|whole]`:
// a spreadsheet ledger from the command line, on the same road as the API's upload (shared/use-cases/
// import-visit-ledger.ts): the same answers, printed, and the annotated copy written next to the file (F.checked.xlsx).
// Events are stored under the command line's own client (created revoked: no key authenticates as it) and queued for
// the workers; should Redis be unreachable, the sweeper delivers them from the inbox.
import { createWriteStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { createProducer } from '../../../jobs/producer.ts';
import type { ClientScope } from '../../../shared/domain/scope.ts';
import { STATUS_LABELS } from '../../../shared/domain/visit-ledger/annotated.ts';
import { LedgerFileError } from '../../../shared/domain/visit-ledger/file-errors.ts';
import { buildLedgerTemplate } from '../../../shared/domain/visit-ledger/template.ts';
import { createRedis } from '../../../shared/redis.ts';
import {
  importVisitLedger,
  MAX_LEDGER_BYTES,
  RetractionsNotConfirmedError,
  LedgerScopeError,
  writeAnnotatedLedger,
  type ImportVisitLedgerResult,
  type LedgerMode,
  importClientId,
} from '../../../shared/use-cases/import-visit-ledger.ts';
import {
  directIngestPorts,
  ingestVisitEvents,
  judgeVisitEvents,
} from '../../../shared/use-cases/ingest-visit-events.ts';
import { UserError, withDb } from '../context.ts';

/** The name of the command line's client in api_clients (every inbox row names the client that stored it). */
const IMPORT_CLIENT = 'ledger visits import (command line)';

function universityArg(value: string): string {
  const code = value.trim();
  if (!/^\d{10}$/.test(code))
    throw new InvalidArgumentError(`"${value}" is not a university code: give the 10-digit MOE code, e.g. 4111010001`);
  return code;
}

function modeArg(value: string): LedgerMode {
  if (value !== 'append' && value !== 'whole')
    throw new InvalidArgumentError(
      `"${value}" is not a mode: append (add and correct rows) or whole (the whole ledger)`,
    );
  return value;
}

/** `台账.xlsx` → `台账.checked.xlsx`, beside it. */
export function checkedPath(file: string): string {
  return `${file.replace(/\.(xlsx|csv|txt)$/i, '')}.checked.xlsx`;
}

function humanReport(result: ImportVisitLedgerResult, annotated: string, enqueued: boolean): string {
  const s = result.summary;
  const lines = [
    `${s.file}: sheet "${s.sheet}", header in row ${s.headerRow}, campaign ${s.campaignId}, ${s.rows} row(s)${s.dryRun ? ' (dry run: nothing stored)' : ''}`,
    `  ${STATUS_LABELS.accepted} accepted ${s.accepted} · ${STATUS_LABELS.amended} amended ${s.amended} · ${STATUS_LABELS.duplicate} duplicate ${s.duplicate} · ${STATUS_LABELS.invalid} invalid ${s.invalid} · ${STATUS_LABELS.unprocessable} unprocessable ${s.unprocessable}`,
  ];
  if (s.mode === 'whole') lines.push(`  whole ledger: ${s.retracted} visit(s) ${s.dryRun ? 'would be' : ''} retracted`);
  const failed = result.rows.filter((r) => r.errors);
  for (const r of failed.slice(0, 20))
    for (const e of r.errors!) lines.push(`  row ${r.row}${e.cell ? ` ${e.cell}` : ''} ${e.column}: ${e.message}`);
  if (failed.length > 20) lines.push(`  … and ${failed.length - 20} more row(s) with errors (see the annotated copy)`);
  if (s.unreadColumns.length) lines.push(`  columns not read: ${s.unreadColumns.join(', ')}`);
  lines.push(`annotated copy: ${annotated}`);
  if (!enqueued)
    lines.push('(queue unreachable: the stored rows are processed by the sweeper within INBOX_REDELIVERY_SECONDS)');
  return lines.join('\n');
}

export function register(program: Command): void {
  const visits = program
    .command('visits')
    .description('spreadsheet ledgers (走访台账): the template, and importing a filled one');

  visits
    .command('template')
    .description('write the ledger template (.xlsx): columns, drop-down lists, validation and instructions')
    .requiredOption('--out <file>', 'where to write it, e.g. 走访台账模板.xlsx')
    .action(async (opts: { out: string }) => {
      const bytes = await buildLedgerTemplate();
      try {
        await writeFile(opts.out, bytes);
      } catch (err) {
        throw new UserError(`cannot write ${opts.out}: ${(err as Error).message}`);
      }
      process.stdout.write(`wrote ${opts.out} (${bytes.length} bytes)\n`);
    });

  visits
    .command('import')
    .description(
      'import a filled ledger (.xlsx, or .csv in UTF-8/GBK): one answer per row, the annotated copy written as F.checked.xlsx',
    )
    .requiredOption('--file <file>', 'the ledger')
    .option(
      '--university <code>',
      'the university of rows without a 高校代码 (and the only one accepted)',
      universityArg,
    )
    .option(
      '--mode <mode>',
      'append (add and correct rows) or whole (also retract visits the file no longer lists)',
      modeArg,
      'append',
    )
    .option('--campaign <id>', 'the campaign (default: the one running today, else the latest started)')
    .option('--dry-run', 'judge every row and count retractions, store nothing')
    .option(
      '--yes',
      'whole mode: retract the visits the file no longer lists (without it, the count is printed and nothing is stored)',
    )
    .option('--json', 'print {"rows", "summary", "annotated"} as the API answers')
    .action(
      async (opts: {
        file: string;
        university?: string;
        mode: LedgerMode;
        campaign?: string;
        dryRun?: boolean;
        yes?: boolean;
        json?: boolean;
      }) => {
        let size: number;
        try {
          size = (await stat(opts.file)).size;
        } catch (err) {
          throw new UserError(`cannot read ${opts.file}: ${(err as Error).message}`);
        }
        if (size > MAX_LEDGER_BYTES)
          throw new UserError(
            `${opts.file} is over ${MAX_LEDGER_BYTES / 2 ** 20} MB (文件超过 ${MAX_LEDGER_BYTES / 2 ** 20} MB): split it`,
          );
        const bytes = await readFile(opts.file);
        const receivedAt = new Date();
        await withDb(async ({ db, config }) => {
          const scope: ClientScope = opts.university
            ? { kind: 'university', universityCode: opts.university }
            : { kind: 'admin' };
          const source = { clientId: await importClientId(db, IMPORT_CLIENT), scope };
          const redis = createRedis(config.REDIS_URL, 'cli');
          const producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
          let enqueued = true;
          const ports = directIngestPorts(db);
          let result: ImportVisitLedgerResult;
          try {
            result = await importVisitLedger(
              db,
              {
                async ingest(events) {
                  const results = await ingestVisitEvents(ports, source, events, receivedAt);
                  const ids = results.flatMap((r) => (r.inboxId !== undefined ? [r.inboxId] : []));
                  // Committed already: a queue that cannot be reached loses nothing (the sweeper redelivers).
                  await producer.enqueueVisitEvents(ids).catch(() => (enqueued = false));
                  return results;
                },
                judge: (events) => judgeVisitEvents(ports, source, events, receivedAt),
              },
              {
                bytes,
                fileName: opts.file.split('/').pop() ?? opts.file,
                source,
                ...(opts.university ? { universityCode: opts.university } : {}),
                ...(opts.campaign ? { campaignId: opts.campaign } : {}),
                mode: opts.mode,
                dryRun: opts.dryRun ?? false,
                confirm: opts.yes ? 'any' : 0,
                receivedAt,
              },
            );
          } catch (err) {
            if (err instanceof LedgerFileError) throw new UserError(`${opts.file}: ${err.zh} (${err.en})`);
            if (err instanceof LedgerScopeError) throw new UserError(err.message);
            if (err instanceof RetractionsNotConfirmedError)
              throw new UserError(
                `whole ledger: ${err.count} visit(s) of this campaign are not in ${opts.file} and would be retracted ` +
                  `(整本台账将撤回 ${err.count} 条走访记录): nothing was stored; run again with --yes to retract them, or --dry-run to see which`,
                { retract: err.count },
              );
            throw err;
          } finally {
            await producer.close().catch(() => {});
            redis.disconnect();
          }
          const annotated = checkedPath(opts.file);
          const out = createWriteStream(annotated);
          const closed = new Promise<void>((resolve, reject) => out.on('close', resolve).on('error', reject));
          await writeAnnotatedLedger(out, bytes, result.annotation);
          await closed;
          if (opts.json)
            process.stdout.write(JSON.stringify({ rows: result.rows, summary: result.summary, annotated }) + '\n');
          else process.stdout.write(humanReport(result, annotated, enqueued) + '\n');
        });
      },
    );
}
