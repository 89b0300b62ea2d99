// The steps the demo and the scaling benchmark share: a fresh database and queue prefix, the campaign's reference
// data through the `ledger` commands an operator uses, the API and worker processes, and ingestion through HTTP.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { Db } from '../../shared/db/database.ts';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { createRedis, deleteKeysWithPrefix } from '../../shared/redis.ts';
import { parseCsv } from '../../shared/domain/reference-rows.ts';
import {
  generateEmployers,
  universitiesFromList,
  type DemoEmployer,
  type DemoUniversity,
  type ListedUniversity,
} from './generators/campaign-generator.ts';
import { createRandom, type Random } from './generators/random.ts';
import { priorLists, priorRows, type DemoEvent, type PriorLists } from './generators/visit-generator.ts';
import { createDemoDatabase, dropDemoDatabase } from './demo-database.ts';
import { freePort, ledger, serve, type ServeProcess } from './processes.ts';
import { submitEvents, type SubmitResult } from './submit.ts';
import { analyzeIngestionTables, countAcceptedInboxRows, inboxRowUpdates } from '../../shared/use-cases/inbox-state.ts';

export const CAMPAIGN = {
  id: '2022',
  start: '2022-03-01',
  end: '2022-08-31',
  name: '2022年全国高校书记校长访企拓岗促就业专项行动',
};

const csvCell = (v: string | number | boolean): string => {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (header: string[], rows: Array<Array<string | number | boolean>>): string =>
  [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';

/** How people type employer names: mostly as registered, sometimes varied by `vary`; codes often left out. */
export function typist(
  vary?: (name: string, rnd: Random) => string,
): (e: DemoEmployer, rnd: Random) => { name: string; creditCode?: string } {
  return (e, rnd) => {
    const name = vary && rnd.chance(0.3) ? vary(e.name, rnd) : e.name;
    const code =
      e.creditCode && rnd.chance(0.6) ? (rnd.chance(0.1) ? e.creditCode.toLowerCase() : e.creditCode) : undefined;
    return code ? { name, creditCode: code } : { name };
  };
}

/**
 * Drops and re-creates `database` on the server of `databaseUrl` (only the demo's own: see demo-database.ts; `force`
 * drops another), clears the queue prefix, migrates; returns its URL.
 */
export async function freshDatabase(
  databaseUrl: string,
  database: string,
  redisUrl: string,
  prefix: string,
  options: { force?: boolean } = {},
): Promise<string> {
  await dropDemoDatabase(databaseUrl, database, options);
  const redis = createRedis(redisUrl, 'cli');
  try {
    await deleteKeysWithPrefix(redis, `${prefix}:`); // on a cluster, on each master
  } finally {
    redis.disconnect();
  }
  const url = await createDemoDatabase(databaseUrl, database);
  await migrateToLatest(url);
  return url;
}

export interface ReferenceData {
  universities: DemoUniversity[];
  employers: DemoEmployer[];
  apiKey: string;
  /** Each university's prior list, for the visits (a third to a half of them go to these partners). */
  prior: PriorLists;
  /** What `ledger import leaders` stored: universities with a roster and leaders on them. */
  rosters: { universities: number; leaders: number };
}

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));

/** Rows of a CSV file of data/ by its header's names. */
function readDataCsv(file: string): Array<Record<string, string>> {
  const { header, records } = parseCsv(readFileSync(join(DATA, file), 'utf8'));
  return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r.fields[i] ?? ''])));
}

/**
 * The Ministry's 2021 list of universities (data/universities.csv: 2,756, 兵团's 8 and the 部属 among them) with
 * the 部省合建 list (data/central-joint-universities.csv); the rest of each university is drawn from the seed.
 */
export function demoUniversities(seed: number): DemoUniversity[] {
  const list = readDataCsv('universities.csv') as unknown as ListedUniversity[];
  const joint = new Set(readDataCsv('central-joint-universities.csv').map((r) => r.code!));
  return universitiesFromList(list, joint, seed);
}

/**
 * Universities, the campaign, placement rates, prior employers, the leadership rosters and an API key, through the
 * `ledger` commands.
 */
export async function setUpReferenceData(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  seed: number,
  employerCount: number,
  say: (line: string) => void,
): Promise<ReferenceData> {
  const universities = demoUniversities(seed);
  const employers = generateEmployers(seed + 1, employerCount);
  writeFileSync(
    join(dataDir, 'universities.csv'),
    csv(
      ['code', 'name', 'province', 'city', 'authority', 'level', 'private', 'new_undergrad', 'vocational'],
      universities.map((u) => [
        u.code,
        u.name,
        u.provinceName,
        u.city,
        u.authority,
        u.level,
        u.private,
        u.newUndergrad,
        u.vocational,
      ]),
    ),
  );
  writeFileSync(
    join(dataDir, 'placement-rates.csv'),
    csv(
      ['university_code', 'placement_rate'],
      universities.map((u) => [u.code, u.placementRate]),
    ),
  );
  const prior = priorLists(universities, employers, seed + 2);
  writeFileSync(
    join(dataDir, 'prior-employers.csv'),
    csv(
      ['university_code', 'employer_name', 'credit_code'],
      priorRows(prior, employers).map((p) => [p.universityCode, p.name, p.creditCode]),
    ),
  );
  // 任务到人: each university's leadership roster, roles as the notice names them, with titles.
  const roleNames = { secretary: '党委书记', president: '校长', leader: '校级领导' } as const;
  writeFileSync(
    join(dataDir, 'leaders.csv'),
    csv(
      ['university_code', 'name', 'role', 'title'],
      universities.flatMap((u) => u.team.map((l) => [u.code, l.name, roleNames[l.role], l.title])),
    ),
  );
  const run = (args: string[]) => runLedger(args, env, say);
  await run(['import', 'universities', '--file', join(dataDir, 'universities.csv')]);
  // The rest needs only the universities: the prior lists (the longest step: every employer through the resolver)
  // and the API key beside the campaign's own steps, so the short commands' start-up hides behind the long one.
  const priorImport = run(['import', 'prior-employers', '--file', join(dataDir, 'prior-employers.csv')]);
  const clientCreated = run(['clients', 'create', '--name', 'national-platform', '--scope', 'national', '--json']);
  const campaignSteps = (async () => {
    await run([
      'campaign',
      'create',
      '--id',
      CAMPAIGN.id,
      '--name',
      CAMPAIGN.name,
      '--start',
      CAMPAIGN.start,
      '--end',
      CAMPAIGN.end,
      // The notice's deadline for the provinces' implementation plans (实施方案): notices list late filings.
      '--plan-deadline',
      '2022-03-18',
    ]);
    await run(['import', 'placement-rates', '--campaign', CAMPAIGN.id, '--file', join(dataDir, 'placement-rates.csv')]);
    return JSON.parse(
      await run(['import', 'leaders', '--campaign', CAMPAIGN.id, '--file', join(dataDir, 'leaders.csv'), '--json']),
    ) as { universities: number; inserted: number };
  })();
  const [leaders, client] = await Promise.all([
    campaignSteps,
    clientCreated.then((out) => JSON.parse(out) as { key: string }),
    priorImport,
  ]);
  return {
    universities,
    employers,
    apiKey: client.key,
    prior,
    rosters: { universities: leaders.universities, leaders: leaders.inserted },
  };
}

/**
 * Universities file their implementation plans (实施方案) through `PUT /v1/campaigns/{id}/universities/{code}/plan`,
 * as their systems would (one `ledger plans file --university` process each would take the demo most of an hour):
 * about 85 % file, a seventh of them after the deadline (2022-03-18), most with a link to the document.
 */
export async function fileUniversityPlans(
  universities: readonly DemoUniversity[],
  apiUrl: string,
  apiKey: string,
  seed: number,
): Promise<{ filed: number; late: number; missing: number }> {
  const rnd = createRandom(seed);
  const filings = universities.flatMap((u) => {
    if (rnd.chance(0.15)) return [];
    const late = rnd.chance(0.14);
    const day = late ? rnd.int(19, 45) : rnd.int(1, 18);
    const filedOn = new Date(Date.UTC(2022, 2, day)).toISOString().slice(0, 10);
    const link = rnd.chance(0.7) ? `https://jyzd.example.edu.cn/${u.code}/2022-ssfa.pdf` : null;
    return [{ code: u.code, filedOn, link, late }];
  });
  let next = 0;
  const put = async () => {
    for (let f = filings[next++]; f; f = filings[next++]) {
      const res = await fetch(`${apiUrl}/v1/campaigns/${CAMPAIGN.id}/universities/${f.code}/plan`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ filedOn: f.filedOn, link: f.link }),
      });
      if (!res.ok) throw new Error(`PUT …/universities/${f.code}/plan answered ${res.status}: ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, put));
  const late = filings.filter((f) => f.late).length;
  return { filed: filings.length, late, missing: universities.length - filings.length };
}

/** `ledger <args>`, echoed; one that runs long says so every 15 s, so that a quiet minute is not taken for a hang. */
export async function runLedger(args: string[], env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<string> {
  say(`$ ledger ${args.join(' ')}`);
  const started = Date.now();
  const ticker = setInterval(
    () =>
      say(`  … ledger ${args.slice(0, 2).join(' ')} still running (${Math.round((Date.now() - started) / 1000)} s)`),
    15_000,
  );
  try {
    return await ledger(args, env);
  } finally {
    clearInterval(ticker);
  }
}

export interface RunningParts {
  apiUrl: string;
  /** The processes' ids, for the demo's CPU accounting. */
  pids: { api: number[]; workers: number[] };
  stop(): Promise<void>;
}

/** `ledger serve --api` and `workers` × `ledger serve --workers`, each its own process. */
export async function startParts(env: NodeJS.ProcessEnv, workers: number): Promise<RunningParts> {
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const partsEnv = { ...env, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '10000000' };
  const parts: ServeProcess[] = [];
  const stop = async () => {
    for (const p of parts.reverse()) await p.stop();
  };
  try {
    parts.push(await serve('api', partsEnv, async () => (await fetch(`${apiUrl}/readyz`)).ok));
    for (let i = 0; i < workers; i++) parts.push(await serve('workers', partsEnv, async () => true));
  } catch (err) {
    await stop();
    throw err;
  }
  const pids = parts.map((p) => p.child.pid!);
  return { apiUrl, pids: { api: pids.slice(0, 1), workers: pids.slice(1) }, stop };
}

export interface IngestResult extends SubmitResult {
  submitSeconds: number;
  /** From the first request to the last event processed. */
  totalSeconds: number;
}

/** Sends the events through the API and waits until the workers have processed every accepted one. */
export async function ingest(
  db: Db,
  events: Iterable<DemoEvent>,
  total: number,
  apiUrl: string,
  apiKey: string,
  progress: boolean,
): Promise<IngestResult> {
  const started = Date.now();
  const bars = progress
    ? new MultiBar(
        {
          format: '  {label} [{bar}] {percentage}% | {value}/{total} | {speed}/s | ETA {eta}s',
          hideCursor: true,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 5000,
        },
        Presets.shades_classic,
      )
    : undefined;
  const sending = bars?.create(total, 0, { label: 'sent     ', speed: 0 });
  const processing = bars?.create(total, 0, { label: 'processed', speed: 0 });
  const speed = (n: number) => Math.round(n / Math.max(0.001, (Date.now() - started) / 1000)); // mean since the start
  const update = (bar: SingleBar | undefined, n: number) => bar?.update(n, { speed: speed(n) });
  let done = false;
  let accepted = 0;
  // Progress from the statistics' count of inbox updates (constant cost); the exact count of pending rows reads the
  // inbox table and, polled every second, took more CPU than the workers' own statements (profiled): it runs only when
  // the updates say the workers may be done or stop moving, and every 15 s to notice a stall.
  const updatesAtStart = await inboxRowUpdates(db);
  const processedSoFar = async () => Math.max(0, (await inboxRowUpdates(db)) - updatesAtStart);
  const watcher = (async () => {
    for (let tick = 1; !done; tick++) {
      update(processing, Math.min(accepted, await processedSoFar()));
      // Autovacuum may be off (as on some CI machines): statistics kept fresh by hand while the tables grow.
      if (tick % 15 === 0) await analyzeIngestionTables(db);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  const submitted = await submitEvents(events, {
    apiUrl,
    apiKey,
    batchSize: 1000,
    inFlight: 3,
    onProgress: (sent, acceptedSoFar) => {
      accepted = acceptedSoFar;
      update(sending, sent);
    },
  });
  const submitSeconds = (Date.now() - started) / 1000;
  accepted = submitted.byStatus.accepted ?? 0;
  // Wait for the workers; a queue that stops moving for two minutes is a fault worth stopping for, not waiting out.
  // Counted when the updates reach the accepted events or stop moving (a backend's statistics can lag by seconds).
  for (let pending = -1, last = -1, since = Date.now(), counted = 0, seen = -1, moved = 0; pending !== 0;) {
    await new Promise((r) => setTimeout(r, 250));
    const updated = await processedSoFar();
    if (updated !== seen) [seen, moved] = [updated, Date.now()];
    if (updated < accepted && Date.now() - moved < 1000 && Date.now() - counted < 15_000) continue;
    pending = await countAcceptedInboxRows(db);
    counted = Date.now();
    if (pending !== last) [last, since] = [pending, Date.now()];
    else if (pending > 0 && Date.now() - since > 120_000)
      throw new Error(
        `${pending} accepted events made no progress for 2 minutes: check the workers (ledger serve --workers) and \`ledger dlq list\``,
      );
    // Counted and not done yet: count again in a second at the earliest.
    if (pending > 0) await new Promise((r) => setTimeout(r, 1000));
  }
  const totalSeconds = (Date.now() - started) / 1000;
  done = true;
  await watcher;
  update(processing, accepted);
  bars?.stop();
  return { ...submitted, submitSeconds, totalSeconds };
}
