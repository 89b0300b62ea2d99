// What every benchmark shares: printing a figure as a JSON line, replacing its own section of bench/RESULTS.md, and
// running a measured part in a child process of its own (its peak RSS and CPU are then that part's alone).
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

export interface Figure {
  metric: string;
  value: number;
  unit: string;
  [extra: string]: unknown;
}

/** Prints `{"metric","value","unit",…}` on stdout and returns the figure. */
export function report(metric: string, value: number, unit: string, extra: Record<string, unknown> = {}): Figure {
  const figure = { metric, value, unit, ...extra };
  process.stdout.write(JSON.stringify(figure) + '\n');
  return figure;
}

/** Collects a bench's figures as it reports them (values rounded to 2 decimals), for its RESULTS.md section. */
export function recorder(): { results: Figure[]; emit(metric: string, value: number, unit: string): Figure } {
  const results: Figure[] = [];
  return {
    results,
    emit: (metric, value, unit) => {
      const figure = report(metric, Math.round(value * 100) / 100, unit);
      results.push(figure);
      return figure;
    },
  };
}

/** `2 cores (AMD EPYC …), 24 GiB, Node v20.x, 2026-11-25`: the context every section states. */
export function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** The current text of the section `## <name> — …` (empty when there is none), e.g. to keep rows a run did not redo. */
export function readSection(name: string): string {
  if (!existsSync(FILE)) return '';
  const text = readFileSync(FILE, 'utf8');
  const start = text.indexOf(`\n## ${name} — `);
  if (start < 0) return '';
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start + 1, end < 0 ? undefined : end);
}

/** Replaces the section that starts with `## <name> — ` (up to the next `## `), keeping the other benches' sections. */
export function writeSection(name: string, lines: string[]): void {
  if (!existsSync(FILE))
    appendFileSync(FILE, '# Benchmark results\n\nEach `npm run bench -- <name>` run replaces its own section.\n');
  const before = readFileSync(FILE, 'utf8');
  const start = before.indexOf(`\n## ${name} — `);
  const end = start < 0 ? -1 : before.indexOf('\n## ', start + 1);
  const kept = start < 0 ? before : before.slice(0, start) + (end < 0 ? '' : before.slice(end));
  writeFileSync(
    FILE,
    kept.trimEnd() + '\n' + [`\n## ${name} — ${machine()}`, '', ...lines].join('\n').trimEnd() + '\n',
  );
}

/**
 * Runs the bench file `file` as a child (`node [nodeArgs] --import tsx file [args]`, LOG_LEVEL=warn and `env` added to
 * this process's environment); resolves with the JSON of the last line it prints, rejects when it fails.
 */
export function childResult<T>(
  file: string,
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(text.trim().split('\n').pop()!) as T)
        : reject(new Error(`bench child (${args.join(' ')}) exited ${code}`)),
    );
  });
}
