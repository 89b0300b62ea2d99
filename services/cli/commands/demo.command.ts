// `ledger demo`: the main job (see services/demo). Progress on stderr, the summary on stdout (JSON with --json).
// A demonstration only: it generates a fictitious campaign in a database of its own, which it drops and re-creates on
// every run; it refuses production database names and any database it did not create (unless --force).
import type { Command } from 'commander';
import { DemoDatabaseRefusedError } from '../../demo/demo-database.ts';
import { runDemo, type DemoSummary } from '../../demo/index.ts';
import { consolePort, serveDemoConsole } from '../../demo/serve-console.ts';
import { cpuTable } from '../../demo/cpu-accounting.ts';
import { ensureConsoleBuilt } from '../../../console/scripts/ensure-built.ts';
import { dateArg } from '../args.ts';
import { PLACE_KIND_ZH } from '../../../shared/domain/outreach.ts';
import type { PlaceKind } from '../../../shared/domain/visit-event.schema.ts';
import { output, UserError } from '../context.ts';

const positiveInt = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be a whole number of at least 1, got ${v}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'DEMO ONLY, not for production data: generate a fictitious campaign in a database of its own (dropped and re-created on every run), send it through the API and workers, rank, notify',
    )
    .option('--visits <n>', 'visits to generate', '300000')
    .option('--employers <n>', 'distinct employers in the pool', '50000')
    .option('--seed <n>', 'seed of the generator (same seed, same campaign)', '2022')
    .option('--as-of <date>', 'cut-off of the weekly snapshots and notices', dateArg, '2022-08-28')
    .option(
      '--database <name>',
      "the demo's own database, dropped and re-created on the PostgreSQL server of DATABASE_URL (never `ledger` or the database DATABASE_URL names)",
      'ledger_demo',
    )
    .option('--force', 'drop --database even if it holds tables the demo did not create (everything in it is lost)')
    .option('--out <dir>', 'where notices, mail and generated data are written (default OUT_DIR)')
    .option('--json', 'print the summary as JSON')
    .option(
      '--serve',
      'afterwards keep the API with the console (/console/) and a worker running on the demo data until Ctrl-C, printing the address and one login per kind of user',
    )
    .option(
      '--port <n>',
      'with --serve: the port of the API and the console (on HOST, default 127.0.0.1); refused when taken. Default PORT or 3000, else any free port',
    )
    .action(
      async (opts: {
        visits: string;
        employers: string;
        seed: string;
        asOf: string;
        database: string;
        force?: boolean;
        out?: string;
        json?: boolean;
        serve?: boolean;
        port?: string;
      }) => {
        if (!/^[a-z_][a-z0-9_]*$/.test(opts.database))
          throw new UserError(`--database must be a plain lower-case name like ledger_demo, got ${opts.database}`);
        let port: number | undefined;
        if (opts.port !== undefined) {
          if (!opts.serve) throw new UserError('--port is the port of --serve: give both, or neither');
          port = Number(opts.port);
          if (!Number.isInteger(port) || port < 1 || port > 65535)
            throw new UserError(`--port must be a whole number from 1 to 65535, got ${opts.port}`);
          // Checked now as well as when serving: finding it taken after the whole demo would waste the run.
          await consolePort(process.env.HOST ?? '127.0.0.1', port).catch((err: Error) => {
            throw new UserError(err.message);
          });
        }
        // The console is served by the API: built (when missing or stale) while the demo generates its data. A failed
        // build does not stop the demo, whose main job is the campaign, unless the console is to be served.
        const building = ensureConsoleBuilt((line) => process.stderr.write(`demo: ${line}\n`)).then(
          () => null,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        );
        const summary = await runDemo(
          {
            visits: positiveInt('visits', opts.visits),
            employers: positiveInt('employers', opts.employers),
            seed: positiveInt('seed', opts.seed),
            asOf: opts.asOf,
            database: opts.database,
            force: Boolean(opts.force),
            outDir: opts.out ?? process.env.OUT_DIR ?? 'out',
            json: Boolean(opts.json),
          },
          (line) => process.stderr.write(`demo: ${line}\n`),
        ).catch((err: unknown) => {
          throw err instanceof DemoDatabaseRefusedError ? new UserError(err.message) : err;
        });
        output(opts.json, summary, () => human(summary));
        const notBuilt = await building;
        if (notBuilt) {
          process.stderr.write(`demo: the console was not built (${notBuilt.message}): npm run build:console\n`);
          if (opts.serve) throw notBuilt;
        }
        if (opts.serve) await serveDemoConsole(summary, (line) => process.stderr.write(`demo: ${line}\n`), { port });
      },
    );
}

function human(s: DemoSummary): string {
  const o = s.totals.outreach;
  const lines = [
    '',
    `访企拓岗 demo — campaign ${s.campaignId}, as of ${s.asOf}, database ${s.database}`,
    `  universities ${s.universities}, events sent ${s.submitted} (${Object.entries(s.answers)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
    `  processed ${s.processed}, rejected ${s.rejected}; active visits ${s.visitsActive}; distinct employers ${s.employers}`,
    `  totals as of ${s.asOf}: visits ${s.totals.visits}, employers ${s.totals.employers}, new employers ${s.totals.newEmployers}, positions ${s.totals.positions}, internship bases ${s.totals.internshipBases}, graduates tracked ${s.totals.graduatesTracked}`,
    ...(o
      ? [
          `  staff on ${o.staffVisits} visits (${o.staffOnlyVisits} by staff alone, ${o.staffParticipants} participants), all employers reached ${o.allEmployersReached}, new positions ${o.newPositions}, graduates hired ${o.hired}`,
          `  places: ${Object.entries(o.placeKinds)
            .map(([k, v]) => `${PLACE_KIND_ZH[k as PlaceKind]} ${v.visits}`)
            .join(', ')}`,
        ]
      : []),
    `  rosters of ${s.rosters.universities} universities (${s.rosters.leaders} leaders); university plans filed ${s.universityPlans.filed} (${s.universityPlans.late} late), missing ${s.universityPlans.missing}`,
    `  weekly snapshots ${s.snapshots[0]} … ${s.snapshots[s.snapshots.length - 1]} (${s.snapshots.length}); notices of ${s.noticePeriod}: ${s.notices.length}, deliveries ${Object.entries(
      s.deliveries,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  campaign summary (总结): ${s.summary.reports} reports, deliveries ${Object.entries(s.summary.deliveries)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; mails received in all ${s.mailsReceived}`,
    '',
    '  national ranking (top 10):',
    ...s.top.map(
      (r) =>
        `  ${String(r.rank).padStart(4)}  ${r.universityCode}  ${r.universityName.padEnd(16, '　')}  completion ${(r.completion * 100).toFixed(1).padStart(5)}%  employers ${String(r.employersVisited).padStart(4)}  positions ${r.positions}`,
    ),
    '',
    `  time: ${Object.entries(s.seconds)
      .map(([k, v]) => `${k} ${v}s`)
      .join(', ')}`,
    '',
    "  CPU seconds per phase (PG (db): the demo database's backends; PG (server): every database on the server):",
    cpuTable(s.cpu),
    '',
    `  files: ${s.outDir}/notices/${s.noticePeriod} (HTML, Markdown, text, chart PNG, 电子台账 .xlsx), ${s.outDir}/summary (the 总结), ${s.outDir}/mail (.eml as delivered), ${s.outDir}/data (generated CSVs)`,
  ];
  return lines.join('\n');
}
