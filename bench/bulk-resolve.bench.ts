// `ledger employers resolve` on a file: the real command line (bin/ledger.js) as an operator runs it, with the names
// piped to its stdin, against a fresh database of its own (ledger_bench_bulk_resolve). The names are the development
// set's generator (bench/dev-set/) run over data/employers-sample.csv with successive seeds until there are
// BENCH_BULK_RESOLVE_NAMES of them (default 100,000): every employer spelled the ways people type it, branches too,
// in a shuffled order, with repeats as a real file has them. Two passes over the same file: into the empty registry
// (it creates the employers), then again (every spelling seen). Prints names/s per pass (from the command's start to
// its exit, start-up included), the time to the first answer line (streaming: the command answers before it has
// read its input) and the command's peak resident memory (bounded: it does not hold the file).
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../shared/config.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { buildDevSet, DEV_SET_SEED, type DevRecord } from './dev-set/dev-set.ts';
import { readSourceEmployers } from './dev-set/dev-set-file.ts';
import { recorder, writeSection } from './results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NAMES = Number(process.env.BENCH_BULK_RESOLVE_NAMES ?? 100_000);
const PASSES = (process.env.BENCH_BULK_RESOLVE_PASSES ?? 'first,second').split(',');
const DATABASE = 'ledger_bench_bulk_resolve';
const config = loadConfig();
const dbUrl = (name: string) => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? config.DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

const { results, emit } = recorder();
const note = (s: string) => process.stderr.write(`  ${s}\n`);

/** `n` spellings: the dev set of the repository's sample with seed DEV_SET_SEED, DEV_SET_SEED + 1, … concatenated. */
export function bulkNames(n: number): DevRecord[] {
  const source = readSourceEmployers();
  const out: DevRecord[] = [];
  for (let seed = DEV_SET_SEED; out.length < n; seed++) out.push(...buildDevSet(source, { seed }));
  return out.slice(0, n);
}

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

/** Peak resident memory of a process so far, in MiB (Linux; 0 elsewhere). */
function peakRssMiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface PassResult {
  seconds: number;
  firstAnswerMs: number;
  lines: number;
  errors: number;
  decisions: Record<string, number>;
  peakRssMiB: number;
}

/** Pipes the file into `ledger employers resolve` and reads its answers as they come. */
function resolveFile(file: string): Promise<PassResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['bin/ledger.js', 'employers', 'resolve'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: dbUrl(DATABASE) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createReadStream(file).pipe(child.stdin);
    let firstAnswerMs = 0;
    let lines = 0;
    let errors = 0;
    let rest = '';
    let stderr = '';
    let peak = 0;
    const decisions: Record<string, number> = {};
    // VmHWM is gone once the process has exited: sample it while it runs.
    const sampler = setInterval(() => (peak = Math.max(peak, peakRssMiB(child.pid!))), 250);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (!firstAnswerMs) firstAnswerMs = performance.now() - started;
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const line of parts) {
        lines++;
        const out = JSON.parse(line) as { decision?: string; error?: string };
        if (out.error) errors++;
        else decisions[out.decision!] = (decisions[out.decision!] ?? 0) + 1;
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`ledger employers resolve exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds, firstAnswerMs, lines, errors, decisions, peakRssMiB: peak });
    });
  });
}

export async function run(): Promise<void> {
  const records = bulkNames(NAMES);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-bulk-resolve-'));
  const file = path.join(dir, 'names.jsonl');
  writeFileSync(
    file,
    records
      .map((r) => JSON.stringify(r.creditCode ? { name: r.name, creditCode: r.creditCode } : { name: r.name }))
      .join('\n') + '\n',
  );
  const distinct = new Set(records.map((r) => `${r.name}\u0000${r.creditCode ?? ''}`)).size;
  note(`${records.length} names (${distinct} distinct name and code pairs) in ${file}`);
  await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await migrateToLatest(dbUrl(DATABASE));
  try {
    for (const pass of PASSES) {
      const r = await resolveFile(file);
      if (r.lines !== records.length)
        throw new Error(`${pass} pass: ${r.lines} answer lines for ${records.length} names`);
      emit(`${pass}_pass.names_per_s`, records.length / r.seconds, 'names/s');
      emit(`${pass}_pass.seconds`, r.seconds, 's');
      emit(`${pass}_pass.first_answer_ms`, r.firstAnswerMs, 'ms');
      emit(`${pass}_pass.peak_rss`, r.peakRssMiB, 'MiB');
      note(`${pass} pass: ${JSON.stringify(r.decisions)}, ${r.errors} error lines`);
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  }
  writeResults(records.length, distinct);
}

function writeResults(names: number, distinct: number): void {
  writeSection('bulk-resolve', [
    `Load average ${os.loadavg()[0]!.toFixed(1)} at the end (a shared machine makes times noisy). Command: ` +
      `\`npm run bench -- bulk-resolve\` (\`BENCH_BULK_RESOLVE_NAMES\`, default 100000). ${names} names ` +
      `(${distinct} distinct name and code pairs) from the dev-set generator over data/employers-sample.csv ` +
      `(seeds ${DEV_SET_SEED} onwards), piped into \`ledger employers resolve\` against a fresh database.`,
    '',
    '| metric | value | unit |',
    '|---|---|---|',
    ...results.map((r) => `| ${r.metric} | ${r.value} | ${r.unit} |`),
    '',
    '`first_pass`: into an empty registry (the command creates the employers); `second_pass`: the same file again',
    '(every spelling seen). Times run from the start of the command to its exit, start-up included; `first_answer_ms`',
    'is when the first answer line arrived; `peak_rss` is the command’s peak resident memory.',
    '',
    'Before groups (commit 59151f6, one `resolve()` per line), the same bench with `BENCH_BULK_RESOLVE_NAMES=10000`:',
    '185.77 names/s first pass (53.8 s), 1,300.59 second; after, on those 10,000: 2,354.59 / 3,371.67 names/s (load average 15.6',
    'at the end of the run before; the machine is shared).',
    '',
  ]);
}
