// Spreadsheet intake benchmark (issue 14): a university's .xlsx ledger of 20,000 rows (and one of 2,000, to show that
// memory does not grow with the rows) uploaded to `ledger serve --api` as multipart, answered row by row, and processed
// by `ledger serve --workers`: the time from sending the file until its answer, and until every row is a processed
// visit; the API process's peak RSS (VmHWM) before and after each upload. Own database (ledger_bench_ledger) and
// queue prefix; each upload gets a fresh API process so that its peak RSS is that upload's alone.
// First a seed ledger of another university visits every employer once: employers the registry does not know yet are
// created by employer resolution (the slow part of processing, measured on its own), as other universities' visits
// would have created them before; the measured ledgers then visit known employers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import pg from 'pg';
import { freePort } from '../services/demo/processes.ts';
import { loadConfig } from '../shared/config.ts';
import { createDb, type Db } from '../shared/db/database.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { mapRow } from '../shared/domain/visit-ledger/rows.ts';
import { TEMPLATE_COLUMNS } from '../shared/domain/visit-ledger/template.ts';
import { findLedgerHeader } from '../shared/use-cases/import-visit-ledger.ts';
import { openLedgerFile } from '../shared/use-cases/read-visit-ledger.ts';
import { childResult, recorder, writeSection } from './results.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const base = loadConfig();
const dbUrl = (() => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? base.DATABASE_URL);
  u.pathname = '/ledger_bench_ledger';
  return u.toString();
})();
const prefix = `ledger_bench_ledger_${Date.now()}`;
const SIZES = (process.env.BENCH_LEDGER_ROWS ?? '2000,20000').split(',').map(Number);
const EMPLOYERS = 2000;

const { results, emit } = recorder();
const note = (s: string) => process.stderr.write(`  ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEED = 'seed' as const;
const universityOf = (size: number | typeof SEED) =>
  size === SEED ? '4144099999' : `41440${String(size).padStart(5, '0')}`;

async function resetDatabase(): Promise<Db> {
  const admin = new URL(dbUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query('DROP DATABASE IF EXISTS ledger_bench_ledger WITH (FORCE)');
  await c.end();
  await migrateToLatest(dbUrl);
  const db = createDb(dbUrl, { poolSize: 4, applicationName: 'ledger-bench' });
  await db
    .insertInto('universities')
    .values(
      [SEED, ...SIZES].map((size) => ({
        code: universityOf(size),
        name: `基准大学${size}`,
        province_code: '440000',
        city: '广州市',
        authority: '广东省',
        level: '本科' as const,
        private: false,
        new_undergrad: true,
        vocational: false,
      })),
    )
    .execute();
  await db
    .insertInto('campaigns')
    .values({
      id: '2022',
      name: '2022 访企拓岗',
      start_date: '2022-03-01',
      end_date: '2022-08-31',
      principal_target: 100,
      new_target: 100,
      behind_factor: 0.8,
    })
    .execute();
  return db;
}

async function universityKey(db: Db, code: string): Promise<string> {
  const key = `lk_${randomBytes(24).toString('base64url')}`;
  await db
    .insertInto('api_clients')
    .values({
      name: `bench-${code}`,
      scope: `university:${code}`,
      key_hash: createHash('sha256').update(key).digest('hex'),
    })
    .execute();
  return key;
}

/** A filled template of `rows` rows, every column used, written as a university's staff would fill it in. */
async function writeLedger(
  file: string,
  rows: number,
  employerOf = (i: number) => (i * 7919) % EMPLOYERS,
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('走访台账');
  ws.addRow(TEMPLATE_COLUMNS.map((c) => c.header)).commit();
  const roles = ['书记', '校长', '校领导'];
  const modes = ['实地走访', '实地走访', '请进来', '线上'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2022, 2, 1 + (i % 180)));
    ws.addRow([
      `BL-${String(i + 1).padStart(6, '0')}`,
      day,
      modes[i % 4],
      `领导${i % 7}`,
      roles[i % 3],
      i % 4 === 0 ? `副职${i % 5}` : null,
      i % 4 === 0 ? '校领导' : null,
      null,
      null,
      `基准测试科技有限公司${employerOf(i)}`,
      null,
      '440300',
      i % 50,
      i % 2 === 0 ? '是' : '否',
      '是',
      i % 3 === 0 ? '是' : '否',
      i % 5,
      3 + (i % 3),
      `第${i + 1}次走访`,
      null,
    ]).commit();
  }
  ws.commit();
  await wb.commit();
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function serve(args: string[], extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [`${ROOT}/bin/ledger.js`, 'serve', ...args], {
    env: { ...process.env, DATABASE_URL: dbUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', ...extra },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`bench: ${what} not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface HeapResult {
  /** The streaming read with the row rules: the most live heap seen (after a GC every 1,000 rows) over the start. */
  streamingPeakLiveMb: number;
  /** exceljs's non-streaming Workbook.load of the same file: the live heap it holds. */
  workbookLiveMb: number;
}

/** In a child with --expose-gc: how much live memory reading a ledger holds, streaming and not. */
async function heapChild(file: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const bytes = await readFile(file);
  gc();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const ledger = await openLedgerFile(bytes);
  const { sheet, header } = await findLedgerHeader(ledger);
  const campaign = { id: '2022', start: '2022-03-01', end: '2022-08-31' };
  for await (const { number, cells } of sheet.rows()) {
    mapRow(number, cells, header, { campaign, defaultUniversityCode: '4144000001' });
    if (number % 1000 === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  gc();
  const result: HeapResult = {
    streamingPeakLiveMb: (peak - start) / 2 ** 20,
    workbookLiveMb: (process.memoryUsage().heapUsed - before) / 2 ** 20,
  };
  if (workbook.worksheets.length === 0) throw new Error('bench: the workbook has no sheet'); // held until measured
  process.stdout.write(JSON.stringify(result) + '\n');
}

const heapOf = (file: string) =>
  childResult<HeapResult>(fileURLToPath(import.meta.url), ['--child=heap', file], {}, ['--expose-gc']);

async function processed(db: Db, universityCode: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM inbox_events WHERE university_code = ${universityCode} AND status = 'processed'`.execute(
    db,
  );
  return rows[0]!.n;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(os.tmpdir(), 'ledger-bench-'));
  const db = await resetDatabase();
  const workers = serve(['--workers', '--concurrency', '64'], { DB_POOL_SIZE: '20' });
  try {
    for (const size of [SEED, ...SIZES] as const) {
      const rows = size === SEED ? EMPLOYERS : size;
      const tag = size === SEED ? 'seed_new_employers' : `rows_${size}`;
      const file = join(dir, `ledger-${size}.xlsx`);
      await writeLedger(file, rows, size === SEED ? (i) => i : undefined);
      const bytes = await readFile(file);
      const code = universityOf(size);
      const key = await universityKey(db, code);
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const api = serve(['--api'], { PORT: String(port), HOST: '127.0.0.1' });
      try {
        await until('the API', async () => (await fetch(`${url}/healthz`)).ok);
        const baseline = peakRssMb(api.pid!);
        const form = new FormData();
        form.append('file', new Blob([bytes]), `ledger-${size}.xlsx`);
        const started = performance.now();
        const res = await fetch(`${url}/v1/visit-ledgers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}` },
          body: form,
        });
        const answer = (await res.json()) as { summary?: Record<string, number>; detail?: string };
        const answered = performance.now();
        if (res.status !== 200 || answer.summary?.accepted !== rows)
          throw new Error(
            `bench: upload of ${rows} rows answered ${res.status}: ${JSON.stringify(answer.summary ?? answer.detail)}`,
          );
        await until(`${rows} rows processed`, async () => (await processed(db, code)) >= rows, 900_000);
        const done = performance.now();
        const peak = peakRssMb(api.pid!);
        emit(`visit_ledger.${tag}.rows`, rows, 'rows');
        emit(`visit_ledger.${tag}.file_mb`, bytes.length / 2 ** 20, 'MiB');
        emit(`visit_ledger.${tag}.answered_s`, (answered - started) / 1000, 's');
        emit(`visit_ledger.${tag}.end_to_end_s`, (done - started) / 1000, 's');
        emit(`visit_ledger.${tag}.rows_per_s`, rows / ((done - started) / 1000), 'rows/s');
        emit(`visit_ledger.${tag}.api_peak_rss_mb`, peak, 'MiB');
        emit(`visit_ledger.${tag}.api_peak_rss_above_idle_mb`, peak - baseline, 'MiB');
        if (size !== SEED) {
          const heap = await heapOf(file);
          emit(`visit_ledger.${tag}.streaming_read_peak_live_heap_mb`, heap.streamingPeakLiveMb, 'MiB');
          emit(`visit_ledger.${tag}.baseline_workbook_load_live_heap_mb`, heap.workbookLiveMb, 'MiB');
        }
        note(
          `${tag}: answered in ${((answered - started) / 1000).toFixed(2)} s, processed in ${((done - started) / 1000).toFixed(2)} s`,
        );
      } finally {
        await stop(api);
      }
    }
  } finally {
    await stop(workers);
    await db.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
  writeSection('visit-ledger', [
    `A university's ledger in the template's 20 columns (written by exceljs's streaming writer; ${EMPLOYERS.toLocaleString('en-US')} employers), uploaded as multipart to one \`ledger serve --api\` process and processed by one \`ledger serve --workers\` process (concurrency 64). \`answered_s\`: from sending the file to its 200 with every row's answer (the streaming read, the judgement of every row and the commit of every event: every row accepted; the annotated copy is written when it is downloaded); \`end_to_end_s\`: until every row is a processed visit. \`seed_new_employers\`: a first ledger of another university visiting each employer once, so employer resolution creates every one (its cost, not the spreadsheet's, sets that row's pace); the \`rows_*\` ledgers then visit employers the registry knows. Each upload has a fresh API process: \`api_peak_rss_mb\` is its VmHWM after the upload, \`…_above_idle_mb\` that minus its VmHWM when idle (V8 grows its heap ahead of what is live: this includes garbage not yet collected). What the read itself holds is measured in a child with --expose-gc: \`streaming_read_peak_live_heap_mb\` is the most live heap (after a GC every 1,000 rows) while the streaming reader and the row rules go through the file, against \`baseline_workbook_load_live_heap_mb\`, what exceljs's non-streaming Workbook holds for the same file.`,
    '',
    '| metric | value | unit |',
    '|---|---|---|',
    ...results.map((r) => `| ${r.metric} | ${r.value} | ${r.unit} |`),
    '',
    `Load average at the end: ${load} (1/5/15 min), on a machine shared with other work. Command: \`npm run bench -- visit-ledger\` (BENCH_LEDGER_ROWS=2000,20000).`,
  ]);
}

const childMode = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
if (childMode === 'heap') {
  await heapChild(process.argv[process.argv.length - 1]!);
  process.exit(0);
}
