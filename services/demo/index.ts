// `ledger demo`: the main job. A realistic campaign end to end on real services: generate reference data and
// 300,000 visit events, send them through the HTTP API to the workers, take the weekly ranking snapshots, generate
// and deliver the last week's notices (to a local SMTP sink and to files), and print a summary.
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../../shared/config.ts';
import { createDb, type Db } from '../../shared/db/database.ts';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { generateEmployers, generateUniversities, type DemoEmployer } from '../../shared/demo/campaign-generator.ts';
import type { Random } from '../../shared/demo/random.ts';
import { generateVisitEvents, priorEmployers, type DemoEvent } from '../../shared/demo/visit-generator.ts';
import { periodContaining, periodRange, periodsBetween } from '../../shared/domain/periods.ts';
import type { UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { ledgerFileName, noticeArea, writeNoticeLedger } from '../../shared/notices/notice-service.ts';
import { takeSnapshots } from '../../shared/rankings/snapshot-service.ts';
import { listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { campaignTotals } from '../../shared/repositories/measures.repository.ts';
import { getNotice } from '../../shared/repositories/notice.repository.ts';
import { filePlan } from '../../shared/repositories/plan.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { getSnapshot } from '../../shared/repositories/snapshot.repository.ts';
import { DEMO_PROVINCES } from '../../shared/demo/campaign-generator.ts';
import type { CampaignTotals } from '../../shared/domain/ranking.types.ts';
import { ensureServices } from './local-services.ts';
import { freePort, ledger, serve, type ServeProcess } from './processes.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { submitEvents } from './submit.ts';

export interface DemoOptions {
  visits: number;
  employers: number;
  seed: number;
  asOf: string;
  database: string;
  outDir: string;
  json: boolean;
}

export interface DemoSummary {
  database: string;
  campaignId: string;
  asOf: string;
  universities: number;
  submitted: number;
  answers: Record<string, number>;
  processed: number;
  rejected: number;
  visitsActive: number;
  employers: number;
  totals: CampaignTotals;
  snapshots: string[];
  noticePeriod: string;
  notices: Array<{ id: number; scope: string; subject: string; files: string[] }>;
  deliveries: Record<string, number>;
  mailsReceived: number;
  top: Array<Pick<UniversityRankRow, 'rank' | 'universityCode' | 'universityName' | 'provinceCode' | 'completion' | 'employersVisited' | 'positions'>>;
  seconds: Record<string, number>;
  outDir: string;
}

const CAMPAIGN = { id: '2022', start: '2022-03-01', end: '2022-08-31', name: '2022年全国高校书记校长访企拓岗促就业专项行动' };

const csvCell = (v: string | number | boolean): string => {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (header: string[], rows: Array<Array<string | number | boolean>>): string =>
  [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';

/** How people type employer names: mostly as registered, sometimes as the spelling generator varies them. */
function typist(vary: ((name: string, rnd: Random) => string) | undefined): (e: DemoEmployer, rnd: Random) => { name: string; creditCode?: string } {
  return (e, rnd) => {
    const name = vary && rnd.chance(0.3) ? vary(e.name, rnd) : e.name;
    const code = e.creditCode && rnd.chance(0.6) ? (rnd.chance(0.1) ? e.creditCode.toLowerCase() : e.creditCode) : undefined;
    return code ? { name, creditCode: code } : { name };
  };
}

async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function clearRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function bar(label: string, total: number): SingleBar {
  const b = new SingleBar(
    { format: `  ${label.padEnd(10)} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta}s`, hideCursor: true, stream: process.stderr, noTTYOutput: true, notTTYSchedule: 5000 },
    Presets.shades_classic,
  );
  b.start(total, 0, { rate: 0 });
  return b;
}

export async function runDemo(options: DemoOptions, say: (line: string) => void): Promise<DemoSummary> {
  const base = loadConfig();
  const seconds: Record<string, number> = {};
  let t0 = Date.now();
  const step = (name: string) => {
    seconds[name] = Math.round((Date.now() - t0) / 100) / 10;
    t0 = Date.now();
  };

  await ensureServices(base.DATABASE_URL, base.REDIS_URL, say);
  const dbUrl = new URL(base.DATABASE_URL);
  const adminUrl = new URL(base.DATABASE_URL);
  adminUrl.pathname = '/postgres';
  dbUrl.pathname = `/${options.database}`;
  const prefix = `${base.QUEUE_PREFIX}-demo`;
  const outDir = resolve(options.outDir);
  rmSync(outDir, { recursive: true, force: true });
  const dataDir = join(outDir, 'data');
  mkdirSync(dataDir, { recursive: true });

  say(`database ${options.database} (fresh), queue prefix ${prefix}, files in ${outDir}`);
  await recreateDatabase(adminUrl.toString(), options.database);
  await clearRedisPrefix(base.REDIS_URL, prefix);
  await migrateToLatest(dbUrl.toString());
  step('prepare');

  // Reference data, through the same commands an operator uses.
  const universities = generateUniversities(options.seed);
  const employers = generateEmployers(options.seed + 1, options.employers);
  writeFileSync(join(dataDir, 'universities.csv'), csv(
    ['code', 'name', 'province', 'city', 'authority', 'level', 'private', 'new_undergrad', 'vocational'],
    universities.map((u) => [u.code, u.name, u.provinceName, u.city, u.authority, u.level, u.private, u.newUndergrad, u.vocational]),
  ));
  writeFileSync(join(dataDir, 'placement-rates.csv'), csv(['university_code', 'placement_rate'], universities.map((u) => [u.code, u.placementRate])));
  const prior = priorEmployers(universities, employers, options.seed + 2);
  writeFileSync(join(dataDir, 'prior-employers.csv'), csv(['university_code', 'employer_name', 'credit_code'], prior.map((p) => [p.universityCode, p.name, p.creditCode])));
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: dbUrl.toString(), REDIS_URL: base.REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const runCli = async (args: string[]) => {
    say(`$ ledger ${args.join(' ')}`);
    return ledger(args, env);
  };
  await runCli(['import', 'universities', '--file', join(dataDir, 'universities.csv')]);
  await runCli(['campaign', 'create', '--id', CAMPAIGN.id, '--name', CAMPAIGN.name, '--start', CAMPAIGN.start, '--end', CAMPAIGN.end]);
  await runCli(['import', 'placement-rates', '--campaign', CAMPAIGN.id, '--file', join(dataDir, 'placement-rates.csv')]);
  await runCli(['import', 'prior-employers', '--file', join(dataDir, 'prior-employers.csv')]);
  const client = JSON.parse(await runCli(['clients', 'create', '--name', 'demo-national-platform', '--scope', 'national', '--json'])) as { key: string };
  step('reference data');

  // The API and the workers as their own processes, as in production.
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const db = createDb(dbUrl.toString(), { poolSize: 4, applicationName: 'ledger-demo' });
  const sink = await startSmtpSink(join(outDir, 'mail'));
  const partsEnv = { ...env, PORT: String(port), HOST: '127.0.0.1', SMTP_URL: sink.url, RATE_LIMIT_PER_MINUTE: '1000000' };
  const parts: ServeProcess[] = [];
  try {
    parts.push(await serve('api', partsEnv, async () => (await fetch(`${apiUrl}/readyz`)).ok));
    parts.push(await serve('workers', partsEnv, async () => true));
    step('start services');

    const total = countEvents(universities, employers, options);
    say(`sending ${total.toLocaleString('en')} events (${options.visits.toLocaleString('en')} visits, some amended or retracted) to ${apiUrl}`);
    const sending = bar('sent', total);
    const processing = bar('processed', total);
    let done = false;
    const watcher = (async () => {
      while (!done) {
        processing.update(await countFinished(db));
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    const events = generateVisitEvents(universities, employers, { campaignId: CAMPAIGN.id, start: CAMPAIGN.start, end: CAMPAIGN.end, visits: options.visits, seed: options.seed + 3, typeEmployer: typist(undefined) });
    const submitted = await submitEvents(events, { apiUrl, apiKey: client.key, batchSize: 1000, inFlight: 3, onProgress: (n) => sending.update(n) });
    sending.stop();
    step('submit');
    const accepted = submitted.byStatus.accepted ?? 0;
    while ((await countFinished(db)) < accepted) await new Promise((r) => setTimeout(r, 300));
    done = true;
    await watcher;
    processing.update(accepted);
    processing.stop();
    step('process');

    // Provinces file their implementation plans (实施方案), a few late or not at all.
    for (const [i, p] of DEMO_PROVINCES.entries()) {
      if (i % 9 === 4) continue;
      await filePlan(db, CAMPAIGN.id, p.code, i % 7 === 3 ? '2022-03-25' : `2022-03-${String(8 + (i % 10)).padStart(2, '0')}`);
    }
    // Weekly snapshots, each against the week before, up to the cut-off.
    const weeks = periodsBetween('week', CAMPAIGN.start, options.asOf).filter((w) => periodRange(w).end <= options.asOf || w.id === periodContaining('week', options.asOf).id);
    const snapBar = bar('snapshots', weeks.length);
    for (const [i, w] of weeks.entries()) {
      const end = periodRange(w).end;
      await takeSnapshots(db, { campaignId: CAMPAIGN.id, period: w.id, asOf: end < options.asOf ? end : options.asOf });
      snapBar.update(i + 1);
    }
    snapBar.stop();
    step('snapshots');

    // The last week's notices: to the Ministry and every province's education department, by mail (the local sink).
    const noticePeriod = weeks[weeks.length - 1]!.id;
    await addRecipient(db, { scope: 'national', kind: 'email', address: 'gaoxiaosi@moe.example.cn' });
    for (const p of DEMO_PROVINCES) await addRecipient(db, { scope: `province:${p.code}`, kind: 'email', address: `jiuye-${p.code}@edu.example.cn` });
    const run = JSON.parse(await runCli(['notices', 'run', '--campaign', CAMPAIGN.id, '--period', noticePeriod, '--json'])) as { notices: Array<{ id: number; scope: string; subject: string }> };
    const noticeIds = run.notices.map((n) => n.id);
    const deliveries: Record<string, number> = {};
    for (let i = 0; i < 1200; i++) {
      const list = await listDeliveries(db, { noticeIds });
      for (const k of Object.keys(deliveries)) delete deliveries[k];
      for (const d of list) deliveries[d.state] = (deliveries[d.state] ?? 0) + 1;
      if (list.every((d) => d.state === 'delivered' || d.state === 'failed')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const notices: DemoSummary['notices'] = [];
    for (const n of run.notices) {
      const stored = (await getNotice(db, n.id))!;
      const dir = join(outDir, 'notices', noticePeriod);
      mkdirSync(dir, { recursive: true });
      const base = join(dir, `${stored.scope === 'national' ? '00-national' : stored.scope.replace(':', '-')}-${noticeArea(stored.model)}`);
      const files = [`${base}.html`, `${base}.md`, `${base}.txt`, `${base}.png`, join(dir, ledgerFileName(stored))];
      writeFileSync(files[0]!, stored.html);
      writeFileSync(files[1]!, stored.markdown);
      writeFileSync(files[2]!, stored.text);
      writeFileSync(files[3]!, stored.chartPng);
      const xlsx = createWriteStream(files[4]!);
      await writeNoticeLedger(db, stored, xlsx);
      await finished(xlsx);
      notices.push({ ...n, files });
    }
    step('notices');

    const national = await getSnapshot(db, CAMPAIGN.id, noticePeriod, 'national');
    const top = national && national.scope !== 'provinces'
      ? national.rows.slice(0, 10).map(({ rank, universityCode, universityName, provinceCode, completion, employersVisited, positions }) => ({ rank, universityCode, universityName, provinceCode, completion, employersVisited, positions }))
      : [];
    const totals = await campaignTotals(db, CAMPAIGN.id, national?.asOf ?? options.asOf);
    const figures = await db
      .selectNoFrom((eb) => [
        eb.selectFrom('inbox_events').select(sql<number>`count(*) filter (where status = 'processed')::int`.as('n')).as('processed'),
        eb.selectFrom('inbox_events').select(sql<number>`count(*) filter (where status = 'rejected')::int`.as('n')).as('rejected'),
        eb.selectFrom('visits').select(sql<number>`count(*) filter (where state = 'active')::int`.as('n')).as('visitsActive'),
        eb.selectFrom('employers').select(sql<number>`count(*)::int`.as('n')).as('employers'),
      ])
      .executeTakeFirstOrThrow();

    return {
      database: options.database,
      campaignId: CAMPAIGN.id,
      asOf: options.asOf,
      universities: universities.length,
      submitted: submitted.sent,
      answers: submitted.byStatus,
      processed: Number(figures.processed),
      rejected: Number(figures.rejected),
      visitsActive: Number(figures.visitsActive),
      employers: Number(figures.employers),
      totals,
      snapshots: weeks.map((w) => w.id),
      noticePeriod,
      notices,
      deliveries,
      mailsReceived: sink.received(),
      top,
      seconds,
      outDir,
    };
  } finally {
    for (const p of parts.reverse()) await p.stop();
    await sink.close();
    await db.destroy();
  }
}

function countEvents(universities: ReturnType<typeof generateUniversities>, employers: DemoEmployer[], options: DemoOptions): number {
  let n = 0;
  const plan = { campaignId: CAMPAIGN.id, start: CAMPAIGN.start, end: CAMPAIGN.end, visits: options.visits, seed: options.seed + 3, typeEmployer: typist(undefined) };
  for (const _ of generateVisitEvents(universities, employers, plan) as Iterable<DemoEvent>) n++;
  return n;
}

async function countFinished(db: Db): Promise<number> {
  const row = await db.selectFrom('inbox_events').select(sql<number>`count(*) filter (where status <> 'accepted')::int`.as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
