// `ledger audit verify | list | export`: the audit trail (审计日志). verify recomputes the hash chain from the first
// entry and names the first entry changed or missing; list and export read it with filters.
import { createWriteStream } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { auditCsv, writeAuditXlsx } from '../../../shared/domain/audit-export.ts';
import { eachAuditEntry, listAudit, verifyAuditTrail, type AuditFilter } from '../../../shared/use-cases/audit.ts';
import { countArg } from '../args.ts';
import { output, UserError, withDb } from '../context.ts';

function instantArg(value: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime()))
    throw new InvalidArgumentError(
      `"${value}" is not a date or time: write ISO 8601, e.g. 2022-04-01 or 2022-04-01T08:00:00+08:00`,
    );
  return d;
}

interface FilterOptions {
  since?: Date;
  until?: Date;
  actor?: string;
  action?: string;
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--since <iso>', 'entries at or after this instant (ISO 8601)', instantArg)
    .option('--until <iso>', 'entries before this instant (ISO 8601)', instantArg)
    .option('--actor <name>', 'entries by this actor (account name, key name, or system)')
    .option('--action <action>', 'entries whose action starts with this (e.g. recipients or recipients.add)');
}

const filterOf = (o: FilterOptions): Omit<AuditFilter, 'limit' | 'order'> => ({
  from: o.since,
  to: o.until,
  actorName: o.actor,
  action: o.action,
});

export function register(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit trail (审计日志): verify that no entry was changed or removed, list it, export it');

  audit
    .command('verify')
    .description(
      'recompute the hash chain from the first entry; exit 0 with the number of intact entries, 1 naming the first changed or missing entry',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await withDb(async ({ db }) => {
        const v = await verifyAuditTrail(db);
        if (!v.ok) {
          if (opts.json) process.stdout.write(JSON.stringify(v) + '\n');
          throw new UserError(`audit trail NOT intact: ${v.problem} (${v.entries} entries before it verify)`);
        }
        output(opts.json, v, `audit trail intact: ${v.entries} entries verify`);
      });
    });

  withFilters(audit.command('list').description('list entries, newest first'))
    .option('--limit <n>', 'at most this many entries (default 100)', countArg)
    .option('--json', 'print JSON')
    .action(async (opts: FilterOptions & { limit?: number; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const rows = await listAudit(db, { ...filterOf(opts), limit: opts.limit ?? 100, order: 'desc' });
        output(opts.json, rows, () =>
          rows.length === 0
            ? 'no audit entries'
            : rows
                .map(
                  (e) =>
                    `${e.seq}\t${e.at.toISOString()}\t${e.actor.kind}:${e.actor.name ?? '-'}${e.actor.address ? `@${e.actor.address}` : ''}\t${e.action}\t${e.target ?? '-'}\t${e.result}`,
                )
                .join('\n'),
        );
      });
    });

  withFilters(audit.command('export').description('write the entries (oldest first) to a .csv or .xlsx file'))
    .requiredOption('--file <path>', 'the file to write (.csv or .xlsx)')
    .option('--format <format>', 'csv or xlsx (default: from the file name)')
    .option('--json', 'print JSON')
    .action(async (opts: FilterOptions & { file: string; format?: string; json?: boolean }) => {
      const format = opts.format ?? extname(opts.file).slice(1).toLowerCase();
      if (format !== 'csv' && format !== 'xlsx')
        throw new UserError(`cannot tell the format of ${opts.file}: name it .csv or .xlsx, or give --format csv|xlsx`);
      await withDb(async ({ db }) => {
        const out = createWriteStream(opts.file);
        let count = 0;
        // Counted as they pass, for the summary line.
        const entries = (async function* () {
          for await (const e of eachAuditEntry(db, filterOf(opts))) {
            count += 1;
            yield e;
          }
        })();
        if (format === 'xlsx') {
          await writeAuditXlsx(out, entries);
          await finished(out);
        } else await pipeline(Readable.from(auditCsv(entries)), out);
        output(opts.json, { file: opts.file, format, entries: count }, `wrote ${count} audit entries to ${opts.file}`);
      });
    });
}
