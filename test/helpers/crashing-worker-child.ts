// A worker process with a poison event: its visit-events handler kills the process (SIGKILL, as the kernel's
// out-of-memory killer would) whenever a job holds the inbox id in POISON_INBOX_ID, so that event crashes every worker
// that takes it. Otherwise the real workers (and sweepers), configured by the environment like worker-child.ts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Child } from './processes.ts';

/** Starts the poisoned worker process and resolves once it is consuming. */
export async function startCrashingWorkerChild(env: Record<string, string>, overrides: object = {}): Promise<Child> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(overrides)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, CRASHING_WORKER_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => reject(new Error(`crashing worker child exited (${code}) before it was ready: ${out}`)));
  });
  return { process: child, output: () => out, exited };
}

// Run as a script (by startCrashingWorkerChild): the worker itself.
if (process.env.CRASHING_WORKER_CHILD === '1') {
  const { loadConfig } = await import('../../shared/config.ts');
  const { startWorkers } = await import('../../services/workers/index.ts');
  const { JOB_MODULES } = await import('../../jobs/index.ts');
  const { defineJob } = await import('../../jobs/job.ts');
  const { processVisitEventsJob } = await import('../../jobs/process-visit-events.job.ts');
  const poison = Number(process.env.POISON_INBOX_ID);
  const crashing = defineJob({
    queue: 'visit-events',
    async handle(payload, ctx, job) {
      if (payload.inboxIds.includes(poison)) process.kill(process.pid, 'SIGKILL');
      return processVisitEventsJob.handle(payload, ctx, job);
    },
  });
  const modules = JOB_MODULES.map((m) => (m.queue === 'visit-events' ? crashing : m));
  const workers = await startWorkers(loadConfig(), { ...(JSON.parse(process.argv[2] ?? '{}') as object), modules });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => void workers.close().then(() => process.exit(0)));
}
