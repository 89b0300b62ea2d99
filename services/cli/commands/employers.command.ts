// `ledger employers`: resolve names (JSON lines, per CONTRACT.md), link the prior-employer import, and the
// administration of employers: the review queue, merges, splits, and a look at one employer. Every administrative
// decision records who (--by, else the login name), when and why (--reason).
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import {
  confirmReview,
  employerDetail,
  EmployerAdminError,
  mergeEmployers,
  rejectReview,
  reviewQueue,
  splitSpelling,
  type Actor,
} from '../../../shared/use-cases/administer-employers.ts';
import { createEmployerResolver } from '../../../shared/use-cases/resolve-employer.ts';
import { linkPriorEmployers } from '../../../shared/use-cases/link-prior-employers.ts';
import { resolveLines } from '../resolve-lines.ts';
import type { ReviewStatus } from '../../../shared/db/tables/employers.table.ts';
import { countArg, idArg } from '../args.ts';
import { output, UserError, withDb } from '../context.ts';

// Employer ids are in the review queue and in every resolution (`ledger employers resolve`, `employers show`).
const employerId = idArg('employer', 'ledger employers review list');

function actor(opts: { by?: string; reason?: string }, defaultReason?: string): Actor {
  const by = opts.by ?? os.userInfo().username;
  const reason = opts.reason ?? defaultReason;
  if (!reason) throw new UserError('--reason is required: say why, e.g. --reason "same company, confirmed by phone"');
  return { by, reason };
}

/** Administrative refusals become one-line user errors. */
async function admin<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EmployerAdminError) throw new UserError(err.message);
    throw err;
  }
}

export function register(program: Command): void {
  const employers = program
    .command('employers')
    .description('employer resolution: resolve names, link prior employers, review, merge, split');

  employers
    .command('resolve')
    .description(
      'read JSON lines {"name", "creditCode"?} on stdin; write one JSON line per input, in order: {"employerId", "canonicalName", "decision"} or {"line", "error"}',
    )
    .option('--dry-run', 'resolve without writing anything (new employers get "employerId": null)')
    .action(async (opts: { dryRun?: boolean }) => {
      await withDb(async ({ db, config }) => {
        // The iterator is taken at once: readline drops lines that arrive before someone iterates.
        const iterator = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
        const lines: AsyncIterable<string> = { [Symbol.asyncIterator]: () => iterator };
        const summary = await resolveLines(
          db,
          createEmployerResolver(config),
          lines,
          { dryRun: opts.dryRun },
          (out) => {
            process.stdout.write(JSON.stringify(out) + '\n');
          },
        );
        if (summary.warning) process.stderr.write(`ledger: warning: ${summary.warning}\n`);
        if (summary.errors > 0)
          throw new UserError(
            `${summary.errors} of ${summary.lines} lines could not be resolved: see their "error" lines on stdout`,
          );
      });
    });

  employers
    .command('link-prior')
    .description('link every prior_employers row (the prior-employers import) to an employer through the resolver')
    .option('--all', 're-resolve rows already linked too')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      await withDb(async ({ db, config }) => {
        const r = await linkPriorEmployers(db, createEmployerResolver(config), { all: opts.all });
        output(
          opts.json,
          r,
          `linked ${r.linked} prior-employer rows (matched ${r.decisions.matched}, created ${r.decisions.created}, review ${r.decisions.review})`,
        );
      });
    });

  const review = employers
    .command('review')
    .description('the review queue: grey-zone resolutions counted on a provisional employer until decided');
  review
    .command('list')
    .description('list reviews (pending by default), oldest first')
    .option('--status <status>', 'pending | confirmed | rejected', 'pending')
    .option('--limit <n>', 'at most this many', countArg, 100)
    .option('--json', 'print JSON')
    .action(async (opts: { status: string; limit: number; json?: boolean }) => {
      if (!['pending', 'confirmed', 'rejected'].includes(opts.status))
        throw new UserError(`--status ${opts.status} is not one of pending, confirmed, rejected`);
      await withDb(async ({ db }) => {
        const rows = await reviewQueue(db, opts.status as ReviewStatus, opts.limit);
        output(opts.json, rows, () =>
          rows.length === 0
            ? `no ${opts.status} reviews`
            : rows
                .map(
                  (r) =>
                    `${r.id}\t${r.employer_id} ${r.employer_name}\t≈ ${r.candidate_id} ${r.candidate_name}\tscore ${r.score.toFixed(3)}\t${r.visits} visits`,
                )
                .join('\n'),
        );
      });
    });
  for (const [name, fn, verb] of [
    ['confirm', confirmReview, 'confirmed'],
    ['reject', rejectReview, 'rejected'],
  ] as const) {
    review
      .command(name)
      .description(
        name === 'confirm'
          ? 'the provisional employer is its candidate: merge it (visits follow)'
          : 'the provisional employer is an employer of its own',
      )
      .requiredOption(
        '--id <id>',
        'review id (see `ledger employers review list`)',
        idArg('review', 'ledger employers review list'),
      )
      .option('--reason <text>', 'why (recorded in the audit)')
      .option('--by <name>', 'who decides (default: your login name)')
      .option('--json', 'print JSON')
      .action(async (opts: { id: number; reason?: string; by?: string; json?: boolean }) => {
        const reviewId = opts.id;
        await withDb(async ({ db }) => {
          const r = await admin(() => fn(db, reviewId, actor(opts, `review ${verb}`)));
          output(
            opts.json,
            r,
            `review ${reviewId} ${verb}: employer ${r.employerId}${name === 'confirm' ? ` merged into ${r.candidateId}` : ' stands on its own'} (${r.visits} visits)`,
          );
        });
      });
  }

  employers
    .command('merge')
    .description('merge one employer into another: its spellings, visits and prior-employer links move, at once')
    .requiredOption('--from <id>', 'the employer that goes away', employerId)
    .requiredOption('--into <id>', 'the employer that stays', employerId)
    .requiredOption('--reason <text>', 'why (recorded in the audit)')
    .option('--by <name>', 'who decides (default: your login name)')
    .option('--json', 'print JSON')
    .action(async (opts: { from: number; into: number; reason: string; by?: string; json?: boolean }) => {
      const { from, into } = opts;
      await withDb(async ({ db }) => {
        const r = await admin(() => mergeEmployers(db, from, into, actor(opts)));
        output(
          opts.json,
          r,
          `employer ${from} merged into ${into}: ${r.visits} visits, ${r.priorEmployers} prior-employer links, ${r.spellings} spellings moved`,
        );
      });
    });

  employers
    .command('split')
    .description('split a spelling (and every spelling with its normalised form) off its employer into a new one')
    .requiredOption(
      '--spelling-id <id>',
      'spelling id (see `ledger employers show --id ID`)',
      idArg('spelling', 'ledger employers show --id ID'),
    )
    .requiredOption('--reason <text>', 'why (recorded in the audit)')
    .option('--by <name>', 'who decides (default: your login name)')
    .option('--json', 'print JSON')
    .action(async (opts: { spellingId: number; reason: string; by?: string; json?: boolean }) => {
      const { spellingId } = opts;
      await withDb(async ({ db }) => {
        const r = await admin(() => splitSpelling(db, spellingId, actor(opts)));
        output(
          opts.json,
          r,
          `split ${r.spellings.join(', ')} off employer ${r.from} into new employer ${r.to}: ${r.visits} visits, ${r.priorEmployers} prior-employer links moved`,
        );
      });
    });

  employers
    .command('show')
    .description('one employer: status, credit code, spellings (with their ids), visit count, audit trail')
    .requiredOption('--id <id>', 'employer id', employerId)
    .option('--json', 'print JSON')
    .action(async (opts: { id: number; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const e = await admin(() => employerDetail(db, opts.id));
        output(opts.json, e, () =>
          [
            `${e.id}\t${e.canonical_name}\t${e.status}${e.merged_into ? ` → ${e.merged_into}` : ''}\t${e.credit_code ?? 'no credit code'}\t${e.visits} visits\t${e.priorEmployers} prior links`,
            ...e.spellings.map((s) => `  spelling ${s.id}\t${s.spelling}${s.credit_code ? `\t${s.credit_code}` : ''}`),
            ...e.audit.map((a) => `  ${a.at.toISOString()}\t${a.action}\tby ${a.actor}\t${a.reason}`),
          ].join('\n'),
        );
      });
    });
}
