// The week's notices end to end, the part of `npm run bench -- notices` that times what the schedule waits for: every
// weekly notice of one period (national, each reporting unit, central: 34 with the Ministry's list) generated, its
// charts drawn, its .docx and .pdf made, and each mailed with the ledger .xlsx and both documents attached to a local
// SMTP server. The Ministry's real list of universities (data/universities.csv, imported by the CLI) and 300,000
// synthetic visits (BENCH_PERIOD_VISITS) loaded with SQL. The measured run is one child process, the way one worker
// delivers them; its CPU seconds are printed beside the wall time, with the load.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb } from '../shared/db/database.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { generateNotices } from '../shared/use-cases/generate-notices.ts';
import { deliver } from '../shared/use-cases/deliver-notices.ts';
import { documentCharts, noticeDocument } from '../shared/use-cases/notice-documents.ts';
import { takeSnapshots } from '../shared/use-cases/take-snapshots.ts';
import { rebuildRankingTables } from '../shared/repositories/measures.repository.ts';
import { getNotice } from '../shared/repositories/notice.repository.ts';
import { addRecipient } from '../shared/repositories/recipient.repository.ts';
import { startSmtpSink } from '../services/demo/smtp-sink.ts';
import { childResult, report, type Figure } from './results.ts';

const DB_NAME = 'ledger_bench_notice_period';
const VISITS = Number(process.env.BENCH_PERIOD_VISITS ?? 300_000);
const EMPLOYERS = 45_000;
const PERIOD = '2022-W35';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const note = (s: string) => process.stderr.write(`  ${s}\n`);

function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Drops the database `url` names and migrates it anew. */
export async function freshDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(new URL(url).pathname.slice(1))} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await migrateToLatest(url);
}

async function load(url: string): Promise<void> {
  const imported = spawnSync(
    process.execPath,
    [join(ROOT, 'bin/ledger.js'), 'import', 'universities', '--file', join(ROOT, 'data/universities.csv')],
    { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' }, encoding: 'utf8' },
  );
  if (imported.status !== 0) throw new Error(`import universities failed: ${imported.stderr}`);
  const db = createDb(url, { poolSize: 2, applicationName: 'bench-notice-period' });
  try {
    await sql`SELECT setseed(0.42)`.execute(db);
    await sql`INSERT INTO campaigns (id, name, start_date, end_date) VALUES ('2022', '2022年访企拓岗促就业专项行动', '2022-03-01', '2022-08-31')`.execute(
      db,
    );
    await sql`INSERT INTO employers (canonical_name, normalized_name)
      SELECT n || '有限公司', n FROM (SELECT (ARRAY['华南','东方','长江','西部','北方','中原'])[1 + g % 6] || '测试' || g || '科技' AS n
      FROM generate_series(1, ${EMPLOYERS}::int) g) x`.execute(db);
    await db.connection().execute(async (c) => {
      // Bulk load without the derived tables' per-statement triggers, then one set-based rebuild (as rankings.bench.ts).
      await sql`SET session_replication_role = replica`.execute(c);
      await sql`
        INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode, leaders,
          has_principal, employer_id, positions, internship_base, recruitment_invite, demand_survey, graduates_tracked, satisfaction)
        SELECT u.code, 'b' || g, '2022', 'active', now(), 'e' || g, g, date '2022-03-01' + floor(random() * 184)::int,
          (ARRAY['onsite', 'onsite', 'invited', 'online'])[1 + floor(random() * 4)::int],
          jsonb_build_array(jsonb_build_object('role', (ARRAY['secretary','president','leader'])[1 + g % 3], 'name', '领导' || (g % 7))),
          g % 3 <> 2, 1 + floor(power(random(), 1.5::float8) * ${EMPLOYERS})::int, floor(random() * 40)::int, random() < 0.2,
          random() < 0.3, random() < 0.3, floor(random() * 6)::int, CASE WHEN random() < 0.7 THEN 1 + floor(random() * 5)::int END
        FROM generate_series(1, ${VISITS}::int) g
        JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n FROM universities) u
          ON u.i = (g::bigint * 7919) % u.n`.execute(c);
      await sql`SET session_replication_role = origin`.execute(c);
    });
    await rebuildRankingTables(db, '2022');
    await sql`VACUUM ANALYZE`.execute(db);
    await takeSnapshots(db, { campaignId: '2022', period: PERIOD });
    await addRecipient(db, { scope: 'national', kind: 'email', address: 'national@bench.example.cn' });
    await addRecipient(db, { scope: 'central', kind: 'email', address: 'central@bench.example.cn' });
    const units = await sql<{ p: string }>`SELECT DISTINCT province_code AS p FROM universities ORDER BY 1`.execute(db);
    for (const { p } of units.rows)
      await addRecipient(db, { scope: `province:${p}`, kind: 'email', address: `p${p}@bench.example.cn` });
  } finally {
    await db.destroy();
  }
}

interface PeriodResult {
  notices: number;
  delivered: number;
  ms: Record<'generate' | 'charts' | 'docx' | 'pdf' | 'mail', number>;
  cpuSeconds: number;
  bytes: { docx: number; pdf: number };
}

/**
 * A measured child. `all`: generate, then notice by notice its charts, documents and mails, one process one after
 * another. `generate`: only that. `i/n`: the deliveries of every n-th stored notice from the i-th, as one of n
 * delivery workers.
 */
export async function periodChild(url: string, smtpUrl: string, part: string): Promise<void> {
  const db = createDb(url, { poolSize: 2, applicationName: 'bench-notice-period-child' });
  const cpu0 = process.cpuUsage();
  const ms = { generate: 0, charts: 0, docx: 0, pdf: 0, mail: 0 };
  const bytes = { docx: 0, pdf: 0 };
  const timed = async <T>(phase: keyof typeof ms, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      ms[phase] += performance.now() - t0;
    }
  };
  try {
    let ids: number[];
    if (part === 'all' || part === 'generate') {
      const run = await timed('generate', () => generateNotices(db, { campaignId: '2022', period: PERIOD }));
      ids = part === 'all' ? run.notices.map((n) => n.id) : [];
    } else {
      const [i, n] = part.split('/').map(Number) as [number, number];
      const stored = await sql<{ id: number }>`SELECT id FROM notices WHERE period = ${PERIOD} ORDER BY id`.execute(db);
      ids = stored.rows.map((r) => r.id).filter((_, k) => k % n === i);
    }
    let delivered = 0;
    // Notice by notice, as a worker meets them: its charts, documents, then its mails (which find the documents made).
    for (const id of ids) {
      const notice = (await getNotice(db, id))!;
      await timed('charts', () => documentCharts(notice));
      bytes.docx += (await timed('docx', () => noticeDocument(notice, 'docx'))).body.length;
      bytes.pdf += (await timed('pdf', () => noticeDocument(notice, 'pdf'))).body.length;
      const deliveries = await sql<{
        id: number;
      }>`SELECT id FROM notice_deliveries WHERE notice_id = ${id} AND state = 'pending'`.execute(db);
      for (const d of deliveries.rows) {
        const outcome = await timed('mail', () =>
          deliver(db, d.id, { smtpUrl, mailFrom: 'bench@ledger.example.cn' }, { finalAttempt: true }),
        );
        if (outcome.outcome !== 'delivered') throw new Error(`delivery ${d.id}: ${JSON.stringify(outcome)}`);
        delivered++;
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const result: PeriodResult = {
      notices: ids.length,
      delivered,
      ms,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      bytes,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await db.destroy();
  }
}

/** Runs this bench file as a child doing `part`; its result is its last line. */
const runChild = (benchFile: string, env: Record<string, string>, part: string) =>
  childResult<PeriodResult>(benchFile, ['--child=period'], { ...env, BENCH_PERIOD_PART: part });

export async function runPeriod(baseUrl: string, benchFile: string): Promise<{ figures: Figure[]; lines: string[] }> {
  const url = databaseUrl(baseUrl, DB_NAME);
  note(`fresh database ${DB_NAME}: the Ministry's universities, ${VISITS} visits, one recipient per notice`);
  await freshDatabase(url);
  await load(url);
  // The mail server runs here, not in the measured process: its CPU is not the worker's.
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-period-'));
  const sink = await startSmtpSink(dir);
  const env = { BENCH_CHILD_DB: url, BENCH_SMTP_URL: sink.url };
  const load0 = os.loadavg()[0]!;
  const r = await runChild(benchFile, env, 'all');
  // Again as a deployment on two cores runs it: the notices generated, then two delivery workers side by side.
  const db = createDb(url, { poolSize: 1, applicationName: 'bench-notice-period' });
  await sql`DELETE FROM notice_deliveries`.execute(db);
  await sql`DELETE FROM notices`.execute(db);
  await db.destroy();
  const w0 = performance.now();
  const generated = await runChild(benchFile, env, 'generate');
  const shards = await Promise.all([runChild(benchFile, env, '0/2'), runChild(benchFile, env, '1/2')]);
  const twoWorkersMs = performance.now() - w0;
  const twoWorkersCpu = generated.cpuSeconds + shards.reduce((a, x) => a + x.cpuSeconds, 0);
  const twoDelivered = shards.reduce((a, x) => a + x.delivered, 0);
  const load1 = os.loadavg()[0]!;
  await sink.close();
  await rm(dir, { recursive: true, force: true });
  const totalMs = Object.values(r.ms).reduce((a, b) => a + b, 0);
  const s = (x: number) => Math.round(x / 10) / 100;
  const figures = [
    report('notices.period.notices', r.notices, 'notices'),
    report('notices.period.delivered_mails', r.delivered, 'mails'),
    report('notices.period.total_s', s(totalMs), 's'),
    report('notices.period.cpu_s', Math.round(r.cpuSeconds * 100) / 100, 's'),
    report('notices.period.two_workers_total_s', s(twoWorkersMs), 's', { delivered: twoDelivered }),
    report('notices.period.two_workers_cpu_s', Math.round(twoWorkersCpu * 100) / 100, 's'),
    ...Object.entries(r.ms).map(([phase, v]) => report(`notices.period.${phase}_s`, s(v), 's')),
    report('notices.period.docx_kb', Math.round(r.bytes.docx / 1024), 'KiB'),
    report('notices.period.pdf_kb', Math.round(r.bytes.pdf / 1024), 'KiB'),
    report('notices.period.load_average_1m_before', Math.round(load0 * 100) / 100, 'load'),
    report('notices.period.load_average_1m_after', Math.round(load1 * 100) / 100, 'load'),
  ];
  return {
    figures,
    lines: [
      `The week's notices end to end: ${r.notices} notices of ${PERIOD} over the Ministry's list of universities and ${VISITS.toLocaleString('en-US')} visits,`,
      'generated, charts drawn, .docx and .pdf made, then each mailed (ledger .xlsx, .docx and .pdf attached) to a local SMTP',
      'server — one child process doing it all, one notice after another (phases: generate, charts, docx, pdf, mail);',
      'then as a deployment on two cores runs it: generated, then two delivery workers (processes) sharing the notices',
      '(`two_workers_*`: wall from the start of generating to the last mail, CPU summed over the three processes).',
      `Target: ≤ 20 s. CPU seconds (user + sys) of that process beside the wall time; load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after.`,
    ],
  };
}
