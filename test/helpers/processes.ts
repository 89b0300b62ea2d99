// Child processes for fault tests: worker processes and a private redis-server (never flush the shared one).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../services/demo/processes.ts';

const WORKER_CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

export interface Child {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Starts a worker process and resolves once it is consuming. */
export async function startWorkerChild(env: Record<string, string>, overrides: object = {}): Promise<Child> {
  // `node --import tsx`, not the tsx CLI: the CLI runs the script in a grandchild, which a SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_CHILD, JSON.stringify(overrides)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
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
    void exited.then((code) => reject(new Error(`worker child exited (${code}) before it was ready: ${out}`)));
  });
  return { process: child, output: () => out, exited };
}

export { freePort };

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/** A redis-server of this test's own on a free port, without persistence: safe to FLUSHALL. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`redis-server exited: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
