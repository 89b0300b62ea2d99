// Runs the real `ledger` command line (bin/ledger.js) in a child process, as an operator would.
import { spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `ledger <args>` against the given database (and Redis prefix); `stdin` is written and closed when given. */
export async function runLedger(
  args: string[],
  env: Record<string, string> & { DATABASE_URL: string },
  stdin?: string,
): Promise<CliResult> {
  const child = spawn(process.execPath, ['bin/ledger.js', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin.end(stdin);
  else child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** The JSON printed by a `--json` command (the last non-empty line of stdout). */
export function jsonOut<T = unknown>(result: CliResult): T {
  const lines = result.stdout.trim().split('\n').filter(Boolean);
  if (lines.length === 0) throw new Error(`no JSON on stdout; stderr: ${result.stderr}`);
  return JSON.parse(lines[lines.length - 1]!) as T;
}
