// The demo drives the system the way an operator would: `ledger` commands and `ledger serve` parts as processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/ledger.js', import.meta.url));

/** Runs `ledger <args>`; resolves with its stdout, rejects with its stderr when it fails. */
export async function ledger(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0)
    throw new Error(`ledger ${args.join(' ')} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return stdout;
}

export interface ServeProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `ledger serve --<part>` and waits until `ready()` says it is up (or it exits). */
export async function serve(
  part: 'api' | 'workers' | 'scheduler',
  env: NodeJS.ProcessEnv,
  ready: () => Promise<boolean>,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', `--${part}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; ; i++) {
    if (done) throw new Error(`ledger serve --${part} exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (await ready().catch(() => false)) break;
    if (i > 600) throw new Error(`ledger serve --${part} did not become ready in 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
