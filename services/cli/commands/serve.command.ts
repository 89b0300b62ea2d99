// `ledger serve [--api] [--workers] [--scheduler]`: runs the chosen parts in one process (all three by default)
// and shuts them down gracefully on SIGINT/SIGTERM.
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../../shared/config.ts';
import { moduleLogger } from '../../../shared/log.ts';
import { otlpTracesUrl, startTracing } from '../../../shared/tracing.ts';
import { UserError } from '../context.ts';

type Part = 'api' | 'workers' | 'scheduler';
interface Running {
  close(): Promise<void>;
}
type Starter = (config: Config) => Promise<Running>;

// Each part is loaded only when it runs, so a process serving one part never loads (or depends on) another's code.
const PARTS: Record<Part, { module: string; export: string }> = {
  api: { module: '../../api/index.ts', export: 'startApi' },
  workers: { module: '../../workers/index.ts', export: 'startWorkers' },
  scheduler: { module: '../../scheduler/index.ts', export: 'startScheduler' },
};

const SHUTDOWN_TIMEOUT_MS = 10_000;

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'run the HTTP API, the workers and the scheduler (all three unless some are chosen); stops gracefully on SIGINT/SIGTERM',
    )
    .option('--api', 'run the HTTP API')
    .option('--workers', 'run the queue workers and the inbox sweeper')
    .option('--scheduler', 'run the scheduler')
    .option('--concurrency <n>', 'visit-events jobs processed at once per process (default WORKER_CONCURRENCY)')
    .action(async (opts: { api?: boolean; workers?: boolean; scheduler?: boolean; concurrency?: string }) => {
      const chosen = (['api', 'workers', 'scheduler'] as const).filter((p) => opts[p]);
      const parts: Part[] = chosen.length ? chosen : ['api', 'workers', 'scheduler'];
      const env = { ...process.env };
      if (opts.concurrency !== undefined) env.WORKER_CONCURRENCY = opts.concurrency;
      const config = loadConfig(env);
      await serve(config, parts);
    });
}

async function serve(config: Config, parts: Part[]): Promise<void> {
  const log = moduleLogger('serve');
  const running: Array<{ part: Part; handle: Running }> = [];
  let stopping = false;
  // Tracing only when an OTLP endpoint is configured; service name `ledger-<part>` unless OTEL_SERVICE_NAME says.
  const tracing = startTracing(config, parts.length === 1 ? `ledger-${parts[0]}` : 'ledger');
  if (tracing) log.info({ endpoint: otlpTracesUrl(config) }, 'tracing to OTLP');

  async function stopAll(): Promise<void> {
    // Stop accepting first (API), then finish or release in-flight jobs (workers), then the scheduler.
    const order: Part[] = ['api', 'scheduler', 'workers'];
    for (const part of order) {
      const r = running.find((x) => x.part === part);
      if (!r) continue;
      try {
        await r.handle.close();
      } catch (err) {
        log.error({ err, part }, 'error while stopping');
      }
    }
    await tracing?.shutdown(); // the last spans out
  }

  const finished = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const force = setTimeout(() => {
        log.error('still running after 10 s; exiting anyway');
        process.exit(1);
      }, SHUTDOWN_TIMEOUT_MS);
      force.unref();
      void stopAll().then(() => {
        clearTimeout(force);
        resolve(0);
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    for (const part of parts) {
      const { module, export: name } = PARTS[part];
      const mod = (await import(module)) as Record<string, unknown>;
      const start = mod[name] as Starter | undefined;
      if (typeof start !== 'function')
        throw new UserError(`${module} does not export ${name}: the ${part} part is not available in this build`);
      running.push({ part, handle: await start(config) });
      if (stopping) break;
    }
  } catch (err) {
    stopping = true;
    await stopAll();
    throw err;
  }
  log.info({ parts }, 'serving; SIGINT or SIGTERM stops');
  const code = await finished;
  log.info('stopped');
  // Pending timers of libraries must not keep a stopped server alive.
  process.exit(code);
}
