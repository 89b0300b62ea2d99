// `ledger demo`: the main job. A realistic campaign end to end on real services: generate reference data and
// 300,000 visit events, send them through the HTTP API to the workers, take the weekly ranking snapshots, generate
// and deliver the last week's notices (to a local SMTP sink and to files), and print a summary.
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import { loadConfig } from '../../shared/config.ts';
import { createDb, dbOptionsFor, type Db } from '../../shared/db/database.ts';
import { DEMO_REPORTING_UNITS } from './generators/campaign-generator.ts';
import { generateVisitEvents } from './generators/visit-generator.ts';
import { periodContaining, periodRange, periodsBetween } from '../../shared/domain/periods.ts';
import type { CampaignTotals, UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { spellingVariant } from '../../shared/domain/employers/spelling-variants.ts';
import { ledgerFileName, noticeArea, writeNoticeLedger } from '../../shared/use-cases/generate-notices.ts';
import { htmlWithChart } from '../../shared/domain/notices/render-html.ts';
import { noticeDocument } from '../../shared/use-cases/notice-documents.ts';
import { takeSnapshots, getSnapshot } from '../../shared/use-cases/take-snapshots.ts';
import {
  CAMPAIGN,
  fileUniversityPlans,
  freshDatabase,
  ingest,
  runLedger,
  setUpReferenceData,
  startParts,
  typist,
  type RunningParts,
} from './campaign-setup.ts';
import { refuseProductionDatabase } from './demo-database.ts';
import { ensureServices } from './local-services.ts';
import { startSmtpSink } from './smtp-sink.ts';
import { listDeliveries, getNotice } from '../../shared/use-cases/notices.ts';
import { campaignTotals } from '../../shared/use-cases/compute-rankings.ts';
import { countIngestionOutcomes } from '../../shared/use-cases/inbox-state.ts';
import { filePlan } from '../../shared/use-cases/people.ts';
import { addRecipient } from '../../shared/use-cases/operations.ts';
import { startCpuAccounting, type PhaseCpu } from './cpu-accounting.ts';

/** A typed variant of an employer's name: traditional characters, full-width, spaces, a dropped suffix … */
const vary = (name: string, rnd: { next(): number }) => spellingVariant(name, rnd.next).spelling;

function bar(label: string, total: number): SingleBar {
  const b = new SingleBar(
    {
      format: `  ${label.padEnd(9)} [{bar}] {percentage}% | {value}/{total}`,
      hideCursor: true,
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  b.start(total, 0);
  return b;
}

export interface DemoOptions {
  visits: number;
  employers: number;
  seed: number;
  asOf: string;
  database: string;
  /** Drop --database even when it holds tables the demo did not create. */
  force: boolean;
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
  /** Leadership rosters imported (任务到人): universities and leaders. */
  rosters: { universities: number; leaders: number };
  /** Universities' implementation plans: filed (late among them) and missing. */
  universityPlans: { filed: number; late: number; missing: number };
  totals: CampaignTotals;
  snapshots: string[];
  noticePeriod: string;
  notices: Array<{ id: number; scope: string; subject: string; files: string[] }>;
  /** The campaign summary (总结): one report per scope, its deliveries by state, its HTML files. */
  summary: { reports: number; deliveries: Record<string, number>; files: string[] };
  deliveries: Record<string, number>;
  mailsReceived: number;
  top: Array<
    Pick<
      UniversityRankRow,
      'rank' | 'universityCode' | 'universityName' | 'provinceCode' | 'completion' | 'employersVisited' | 'positions'
    >
  >;
  seconds: Record<string, number>;
  /** Per phase: wall seconds, CPU seconds of each process the demo ran and of PostgreSQL, the load average. */
  cpu: PhaseCpu[];
  outDir: string;
}

/** Polls until every delivery of the notices is delivered or failed (at most 5 minutes); their count by state. */
async function settledDeliveries(db: Db, noticeIds: number[]): Promise<Record<string, number>> {
  const deliveries: Record<string, number> = {};
  for (let i = 0; i < 1200; i++) {
    const list = await listDeliveries(db, { noticeIds });
    for (const k of Object.keys(deliveries)) delete deliveries[k];
    for (const d of list) deliveries[d.state] = (deliveries[d.state] ?? 0) + 1;
    if (list.every((d) => d.state === 'delivered' || d.state === 'failed')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return deliveries;
}

export async function runDemo(options: DemoOptions, say: (line: string) => void): Promise<DemoSummary> {
  const base = loadConfig();
  const documentSettings = { issuersFile: base.NOTICE_ISSUERS_FILE, fontDir: base.NOTICE_FONT_DIR };
  const seconds: Record<string, number> = {};
  const cpu = startCpuAccounting(options.database);
  let parts: RunningParts | undefined;
  const endPhase = (name: string) => cpu.phase(name, parts?.pids ?? { api: [], workers: [] });
  let t0 = Date.now();
  const step = (name: string) => {
    seconds[name] = Math.round((Date.now() - t0) / 100) / 10;
    t0 = Date.now();
    endPhase(name);
  };

  refuseProductionDatabase(options.database, base.DATABASE_URL);
  await ensureServices(base.DATABASE_URL, base.REDIS_URL, say);
  const prefix = `${base.QUEUE_PREFIX}-demo`;
  const outDir = resolve(options.outDir);
  say(`database ${options.database} (fresh), queue prefix ${prefix}, files in ${outDir}`);
  // The database first: a refused one leaves the output folder as it was, too.
  const dbUrl = await freshDatabase(base.DATABASE_URL, options.database, base.REDIS_URL, prefix, {
    force: options.force,
  });
  rmSync(outDir, { recursive: true, force: true });
  const dataDir = join(outDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  step('prepare');

  const sink = await startSmtpSink(join(outDir, 'mail'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_URL: base.REDIS_URL,
    QUEUE_PREFIX: prefix,
    SMTP_URL: sink.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const db = createDb(dbUrl, {
    poolSize: 4,
    applicationName: 'ledger-demo',
    ...dbOptionsFor(base, 'background'),
  });
  try {
    const { universities, employers, apiKey, prior, rosters } = await setUpReferenceData(
      env,
      dataDir,
      options.seed,
      options.employers,
      say,
    );
    step('reference data');
    // The API and the workers as their own processes, as in production.
    parts = await startParts(env, 1);
    step('start services');

    const plan = {
      campaignId: CAMPAIGN.id,
      start: CAMPAIGN.start,
      end: CAMPAIGN.end,
      visits: options.visits,
      seed: options.seed + 3,
      typeEmployer: typist(vary),
      prior,
    };
    let total = 0;
    for (const _ of generateVisitEvents(universities, employers, plan)) total++;
    say(
      `sending ${total.toLocaleString('en')} events (${options.visits.toLocaleString('en')} visits, some amended or retracted) to ${parts.apiUrl}`,
    );
    const submitted = await ingest(
      db,
      generateVisitEvents(universities, employers, plan),
      total,
      parts.apiUrl,
      apiKey,
      true,
    );
    seconds.ingest = Math.round(submitted.totalSeconds * 10) / 10;
    t0 = Date.now();
    endPhase('ingest');

    // Provinces and 兵团 file their implementation plans (实施方案), a few late or not at all; so do universities.
    for (const [i, p] of DEMO_REPORTING_UNITS.entries()) {
      if (i % 9 === 4) continue;
      await filePlan(
        db,
        CAMPAIGN.id,
        p.code,
        i % 7 === 3 ? '2022-03-25' : `2022-03-${String(8 + (i % 10)).padStart(2, '0')}`,
      );
    }
    const universityPlans = await fileUniversityPlans(universities, parts.apiUrl, apiKey, options.seed + 4);
    step('plans');
    // Weekly snapshots, each against the week before, up to the cut-off.
    const weeks = periodsBetween('week', CAMPAIGN.start, options.asOf).filter(
      (w) => periodRange(w).end <= options.asOf || w.id === periodContaining('week', options.asOf).id,
    );
    const snapBar = bar('snapshots', weeks.length);
    for (const [i, w] of weeks.entries()) {
      const end = periodRange(w).end;
      await takeSnapshots(db, { campaignId: CAMPAIGN.id, period: w.id, asOf: end < options.asOf ? end : options.asOf });
      snapBar.update(i + 1);
    }
    snapBar.stop();
    step('snapshots');

    // The last week's notices: to the Ministry, every province's education department and 兵团's education bureau,
    // and the 部属 and 部省合建 universities (central), by mail (the local sink).
    const noticePeriod = weeks[weeks.length - 1]!.id;
    await addRecipient(db, { scope: 'national', kind: 'email', address: 'gaoxiaosi@moe.example.cn' });
    for (const p of DEMO_REPORTING_UNITS)
      await addRecipient(db, { scope: `province:${p.code}`, kind: 'email', address: `jiuye-${p.code}@edu.example.cn` });
    await addRecipient(db, { scope: 'central', kind: 'email', address: 'buzhi-gaoxiao@moe.example.cn' });
    const run = JSON.parse(
      await runLedger(['notices', 'run', '--campaign', CAMPAIGN.id, '--period', noticePeriod, '--json'], env, say),
    ) as { notices: Array<{ id: number; scope: string; subject: string }> };
    const noticeIds = run.notices.map((n) => n.id);
    // The demo's copies of the files are written while the workers deliver the mail (each process on its own core).
    // "notices" times what the service does (generate, then deliver every notice); "files" what the demo adds after.
    const writing = (async () => {
      const notices: DemoSummary['notices'] = [];
      for (const n of run.notices) {
        const stored = (await getNotice(db, n.id))!;
        const dir = join(outDir, 'notices', noticePeriod);
        mkdirSync(dir, { recursive: true });
        const base = join(
          dir,
          `${stored.scope === 'national' ? '00-national' : stored.scope.replace(':', '-')}-${noticeArea(stored.model)}`,
        );
        const files = [
          `${base}.html`,
          `${base}.md`,
          `${base}.txt`,
          `${base}.png`,
          join(dir, ledgerFileName(stored)),
          `${base}.docx`,
          `${base}.pdf`,
        ];
        writeFileSync(files[0]!, htmlWithChart(stored.html, basename(files[3]!)));
        writeFileSync(files[1]!, stored.markdown);
        writeFileSync(files[2]!, stored.text);
        writeFileSync(files[3]!, stored.chartPng);
        const xlsx = createWriteStream(files[4]!);
        await writeNoticeLedger(db, stored, xlsx);
        await finished(xlsx);
        // The official documents (公文), as the mail attaches them (charts and fonts loaded once in this process).
        writeFileSync(files[5]!, (await noticeDocument(stored, 'docx', documentSettings)).body);
        writeFileSync(files[6]!, (await noticeDocument(stored, 'pdf', documentSettings)).body);
        notices.push({ ...n, files });
      }
      return notices;
    })();
    const deliveries = await settledDeliveries(db, noticeIds);
    step('notices');
    const notices = await writing;
    step('files');

    // The campaign summary (总结): the campaign has ended (2022-08-31), so its final report is due; national, per
    // reporting unit and central, delivered to the same recipients like the notices, its files beside them.
    const summaryRun = JSON.parse(
      await runLedger(['summary', 'run', '--campaign', CAMPAIGN.id, '--json'], env, say),
    ) as { notices: Array<{ id: number; scope: string; subject: string }> };
    const summaryDeliveries = await settledDeliveries(
      db,
      summaryRun.notices.map((n) => n.id),
    );
    const summaryFiles: string[] = [];
    for (const n of summaryRun.notices) {
      const stored = (await getNotice(db, n.id))!;
      const dir = join(outDir, 'summary');
      mkdirSync(dir, { recursive: true });
      const base = join(dir, `${stored.scope === 'national' ? '00-national' : stored.scope.replace(':', '-')}`);
      writeFileSync(`${base}.html`, htmlWithChart(stored.html, basename(`${base}.png`)));
      writeFileSync(`${base}.md`, stored.markdown);
      writeFileSync(`${base}.txt`, stored.text);
      writeFileSync(`${base}.png`, stored.chartPng);
      writeFileSync(`${base}.docx`, (await noticeDocument(stored, 'docx', documentSettings)).body);
      writeFileSync(`${base}.pdf`, (await noticeDocument(stored, 'pdf', documentSettings)).body);
      summaryFiles.push(`${base}.html`);
    }
    step('summary');

    const national = await getSnapshot(db, CAMPAIGN.id, noticePeriod, 'national');
    const top =
      national && national.scope !== 'provinces'
        ? national.rows
            .slice(0, 10)
            .map(({ rank, universityCode, universityName, provinceCode, completion, employersVisited, positions }) => ({
              rank,
              universityCode,
              universityName,
              provinceCode,
              completion,
              employersVisited,
              positions,
            }))
        : [];
    const totals = await campaignTotals(db, CAMPAIGN.id, national?.asOf ?? options.asOf);
    const figures = await countIngestionOutcomes(db);

    return {
      database: options.database,
      campaignId: CAMPAIGN.id,
      asOf: options.asOf,
      universities: universities.length,
      submitted: submitted.sent,
      answers: submitted.byStatus,
      processed: figures.processed,
      rejected: figures.rejected,
      visitsActive: figures.activeVisits,
      employers: figures.employers,
      rosters,
      universityPlans,
      totals,
      snapshots: weeks.map((w) => w.id),
      noticePeriod,
      notices,
      deliveries,
      summary: { reports: summaryRun.notices.length, deliveries: summaryDeliveries, files: summaryFiles },
      mailsReceived: sink.received(),
      top,
      seconds,
      cpu: cpu.rows,
      outDir,
    };
  } finally {
    cpu.stop();
    await parts?.stop();
    await sink.close();
    await db.destroy();
  }
}
