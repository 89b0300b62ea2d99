// Notices benchmark: the largest province (160 universities, 50,000 visits by default) — generate the period's
// notices and stream the province's ledger .xlsx, reporting time and the peak RSS of a process doing only that.
// The data is inserted straight into a fresh database (ledger_bench_notices) with SQL; the ranking snapshot is taken
// first. The measured phase runs in a child process so its peak RSS (getrusage maxrss) is that phase's alone; a
// second child that only connects and runs one query gives the baseline RSS of such a process.
// BENCH_NOTICES_VISITS=N changes the number of visits.
import { createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../shared/config.ts';
import { createDb } from '../shared/db/database.ts';
import { generateNotices, writeNoticeLedger } from '../shared/use-cases/generate-notices.ts';
import { takeSnapshots } from '../shared/use-cases/take-snapshots.ts';
import { rebuildRankingTables } from '../shared/repositories/measures.repository.ts';
import { getNotice } from '../shared/repositories/notice.repository.ts';
import { childResult, report, writeSection, type Figure } from './results.ts';
import { freshDatabase, periodChild, runPeriod } from './notice-period.ts';

const DB_NAME = 'ledger_bench_notices';
const base = loadConfig();
const dbUrl = (() => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? base.DATABASE_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
const VISITS = Number(process.env.BENCH_NOTICES_VISITS ?? 50_000);
const UNIVERSITIES = 160;
const EMPLOYERS = 20_000;
const PROVINCE = '440000';
const PERIOD = '2022-W14';
const note = (s: string) => process.stderr.write(`  ${s}\n`);

async function load(): Promise<number> {
  const db = createDb(dbUrl, { poolSize: 2, applicationName: 'bench-notices' });
  try {
    await sql`INSERT INTO campaigns (id, name, start_date, end_date) VALUES ('2022', '2022年访企拓岗促就业专项行动', '2022-03-01', '2022-08-31')`.execute(
      db,
    );
    await sql`INSERT INTO universities (code, name, province_code, level, new_undergrad, vocational)
      SELECT '44' || lpad(i::text, 8, '0'), '广东某某大学' || i, ${PROVINCE}, CASE WHEN i % 2 = 0 THEN '专科' ELSE '本科' END, i % 5 = 1, i % 2 = 0
      FROM generate_series(1, ${UNIVERSITIES}::int) i`.execute(db);
    await sql`INSERT INTO employers (canonical_name, normalized_name, credit_code)
      SELECT '广东测试科技有限公司' || i, '广东测试科技' || i, NULL FROM generate_series(1, ${EMPLOYERS}::int) i`.execute(
      db,
    );
    const t0 = performance.now();
    // Bulk load without the derived tables' per-statement triggers (session_replication_role = replica), then one
    // set-based rebuild and ANALYZE: the state a long-running database is in, reached in seconds.
    await db.connection().execute(async (c) => {
      await sql`SET session_replication_role = replica`.execute(c);
      await sql`INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode, leaders,
          has_principal, employer_id, employer_name, positions, internship_base, recruitment_invite, demand_survey, graduates_tracked, satisfaction, notes)
        SELECT '44' || lpad((1 + i % ${UNIVERSITIES})::text, 8, '0'), 'v' || i, '2022', 'active', timestamptz '2022-03-01 10:00+08' + (i % 41) * interval '1 day',
          'e' || i, i, date '2022-03-01' + (i % 41), (ARRAY['onsite','onsite','invited','online'])[1 + i % 4],
          jsonb_build_array(jsonb_build_object('role', (ARRAY['secretary','president','leader'])[1 + i % 3], 'name', '领导' || (i % 7))),
          i % 3 <> 2, 1 + (i * 7919) % ${EMPLOYERS}, '广东测试科技有限公司' || (1 + (i * 7919) % ${EMPLOYERS}) || '（填报）', i % 50, i % 5 = 0, i % 3 = 0, i % 4 = 0, i % 6, 1 + i % 5, NULL
        FROM generate_series(1, ${VISITS}::int) i`.execute(c);
      await sql`SET session_replication_role = origin`.execute(c);
    });
    await rebuildRankingTables(db, '2022');
    await sql`VACUUM ANALYZE`.execute(db);
    const loadMs = performance.now() - t0;
    note(`loaded ${VISITS} visits in ${Math.round(loadMs)} ms`);
    const s0 = performance.now();
    await takeSnapshots(db, { campaignId: '2022', period: PERIOD });
    return performance.now() - s0;
  } finally {
    await db.destroy();
  }
}

interface ChildResult {
  maxRssMb: number;
  generateMs?: number;
  ledgerMs?: number;
  ledgerBytes?: number;
  ledgerRows?: number;
}

/** Runs this file as a child in the given mode; it prints its result as the last line. */
const child = (mode: 'baseline' | 'measure') =>
  childResult<ChildResult>(fileURLToPath(import.meta.url), [`--child=${mode}`], { BENCH_CHILD_DB: dbUrl });

async function childMain(mode: string): Promise<void> {
  const db = createDb(process.env.BENCH_CHILD_DB!, { poolSize: 2, applicationName: 'bench-notices-child' });
  const result: ChildResult = { maxRssMb: 0 };
  try {
    if (mode === 'baseline') {
      await sql`SELECT count(*) FROM visits`.execute(db);
    } else {
      const g0 = performance.now();
      const generated = await generateNotices(db, { campaignId: '2022', period: PERIOD });
      result.generateMs = performance.now() - g0;
      const notice = (await getNotice(db, generated.notices.find((n) => n.scope === `province:${PROVINCE}`)!.id))!;
      const dir = await mkdtemp(join(os.tmpdir(), 'bench-notices-'));
      try {
        const file = join(dir, 'ledger.xlsx');
        const l0 = performance.now();
        const out = createWriteStream(file);
        const written = await writeNoticeLedger(db, notice, out);
        await finished(out);
        result.ledgerMs = performance.now() - l0;
        result.ledgerBytes = statSync(file).size;
        result.ledgerRows = written.visits;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await db.destroy();
  }
  result.maxRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  process.stdout.write(JSON.stringify(result) + '\n');
}

export async function run(): Promise<void> {
  note(`fresh database ${DB_NAME}, ${UNIVERSITIES} universities in ${PROVINCE}, ${VISITS} visits`);
  await freshDatabase(dbUrl);
  const snapshotMs = await load();
  const baseline = await child('baseline');
  const m = await child('measure');
  const period = await runPeriod(process.env.BENCH_DATABASE_URL ?? base.DATABASE_URL, fileURLToPath(import.meta.url));
  const figures: Figure[] = [
    report('notices.snapshot_ms', Math.round(snapshotMs), 'ms', { visits: VISITS }),
    report('notices.generate_all_notices_ms', Math.round(m.generateMs!), 'ms', { visits: VISITS }),
    report('notices.province_ledger_xlsx_ms', Math.round(m.ledgerMs!), 'ms', { rows: m.ledgerRows }),
    report('notices.province_ledger_xlsx_rows_per_s', Math.round((m.ledgerRows! / m.ledgerMs!) * 1000), 'rows/s'),
    report('notices.province_ledger_xlsx_bytes', m.ledgerBytes!, 'bytes'),
    report('notices.peak_rss_generate_and_ledger_mb', Math.round(m.maxRssMb), 'MiB'),
    report('notices.peak_rss_baseline_process_mb', Math.round(baseline.maxRssMb), 'MiB'),
    ...period.figures,
  ];
  writeSection('notices', [
    `The largest province: ${UNIVERSITIES} universities, ${VISITS.toLocaleString('en-US')} visits (${EMPLOYERS.toLocaleString('en-US')} employers), inserted with SQL into a fresh database (derived tables rebuilt, ANALYZE); snapshot of ${PERIOD} taken first.`,
    "The measured phase (generate the period's notices — national and the province — then stream the province's ledger .xlsx to a file)",
    'runs in a child process: its peak RSS is getrusage maxrss of that process; the baseline child only connects and runs one query.',
    '',
    '| metric | value | unit |',
    '|---|---|---|',
    ...figures.map((f) => `| ${f.metric} | ${f.value} | ${f.unit} |`),
    '',
    `Load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min) on a machine shared with other work: times are noisy; RSS is not.`,
    `Command: \`npm run bench -- notices\` (BENCH_NOTICES_VISITS=${VISITS}). The peak RSS above the baseline is what generating`,
    'the notices and streaming the ledger cost: the workbook is zipped row by row, the visits read one university at a time in keyset pages of up to 2,000, never held whole.',
    '',
    ...period.lines,
  ]);
}

const childMode = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
if (childMode) {
  if (childMode === 'period')
    await periodChild(process.env.BENCH_CHILD_DB!, process.env.BENCH_SMTP_URL!, process.env.BENCH_PERIOD_PART ?? 'all');
  else await childMain(childMode);
  process.exit(0);
}
