// Rankings benchmark: live national ranking (service call and HTTP request) and a full snapshot of every scope, at
// 100k / 1M / 3M visits over 2,756 universities and 300,000 employers, against a plain count(distinct) group-by over
// the visits measured in the same run. Data is generated in SQL (generate_series) into a fresh database per size, with
// the derived tables' triggers off during the bulk load and rebuilt afterwards; the triggers' cost on ordinary writes
// is measured separately (multi-row upserts like the worker's, with and without them).
// BENCH_RANKINGS_SIZES=100000,1000000 picks sizes (default 100000,1000000,3000000).
import { readSection, recorder, writeSection, type Figure } from './results.ts';
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../shared/config.ts';
import { hashApiKey, newApiKey } from '../shared/domain/api-key.ts';
import { createDb, type Db } from '../shared/db/database.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { computeRanking } from '../shared/use-cases/compute-rankings.ts';
import { takeSnapshots } from '../shared/use-cases/take-snapshots.ts';
import { rebuildRankingTables, universityFiguresFromVisits } from '../shared/repositories/measures.repository.ts';

const base = loadConfig();
const DB_NAME = 'ledger_bench_rankings';
const dbUrl = (() => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? base.DATABASE_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
const SIZES = (process.env.BENCH_RANKINGS_SIZES ?? '100000,1000000,3000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const UNIVERSITIES = 2756;
const EMPLOYERS = 300_000;
const AS_OF_LIVE = '2022-08-31'; // the campaign's last day: every visit counts (the heaviest live request)
const AS_OF_MID = '2022-05-20'; // a past cut-off near the middle: the worst case of the daily-table read

type Metric = Figure;
const { results, emit } = recorder();
const note = (s: string) => process.stderr.write(`  ${s}\n`);

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function p50(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: plans and caches, as on a serving process
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await timeMs(fn));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function freshDatabase(): Promise<Db> {
  const admin = new URL(dbUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await c.end();
  await migrateToLatest(dbUrl);
  return createDb(dbUrl, { poolSize: 8, applicationName: 'ledger-bench-rankings' });
}

/** Universities over 31 provinces, campaigns 2021 and 2022, employers, prior lists, then `visits` visits (5 % more in 2021). */
async function generate(db: Db, visits: number): Promise<void> {
  await sql`SELECT setseed(0.42)`.execute(db);
  await sql`
    INSERT INTO universities (code, name, province_code, level, new_undergrad, vocational)
    SELECT lpad((4100000000 + g)::text, 10, '0'), '基准大学' || g, p.code,
           CASE WHEN g % 5 = 0 THEN '专科' ELSE '本科' END, g % 7 = 0, g % 5 = 0
    FROM generate_series(1, ${sql.lit(UNIVERSITIES)}) g
    JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM provinces) p ON p.i = g % 31`.execute(db);
  await sql`INSERT INTO campaigns (id, name, start_date, end_date) VALUES ('2021', '2021', '2021-03-01', '2021-08-31'), ('2022', '2022', '2022-03-01', '2022-08-31')`.execute(
    db,
  );
  await sql`INSERT INTO placement_rates (campaign_id, university_code, rate) SELECT '2022', code, round((0.7 + random() * 0.25)::numeric, 4) FROM universities`.execute(
    db,
  );
  await sql`INSERT INTO employers (canonical_name, normalized_name) SELECT '基准单位' || g, '基准单位' || g FROM generate_series(1, ${sql.lit(EMPLOYERS)}) g`.execute(
    db,
  );
  await sql`
    INSERT INTO prior_employers (university_code, employer_name, normalized_name, employer_id)
    SELECT u.code, '基准单位' || e, '基准单位' || e, e
    FROM universities u, LATERAL (SELECT 1 + floor(random() * ${sql.lit(EMPLOYERS)})::int + 0 * length(u.code) AS e FROM generate_series(1, 20)) x
    ON CONFLICT DO NOTHING`.execute(db);
  const insert = (campaign: string, start: string, from: number, count: number) => sql`
    INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode, has_principal,
      employer_id, employer_name, positions, internship_base, recruitment_invite, demand_survey, graduates_tracked, satisfaction)
    SELECT lpad((4100000000 + 1 + (g::bigint * 7919) % ${sql.lit(UNIVERSITIES)})::text, 10, '0'), 'b' || g, ${campaign},
      CASE WHEN random() < 0.02 THEN 'retracted' ELSE 'active' END, now(), 'e' || g, g,
      ${start}::date + floor(random() * 184)::int,
      (ARRAY['onsite', 'onsite', 'invited', 'online'])[1 + floor(random() * 4)::int], random() < 0.4,
      1 + floor(power(random(), 1.5::float8) * ${sql.lit(EMPLOYERS)})::int, NULL, floor(random() * 40)::int, random() < 0.2, random() < 0.3,
      random() < 0.3, floor(random() * 6)::int, CASE WHEN random() < 0.7 THEN 1 + floor(random() * 5)::int END
    FROM generate_series(${from}::int, ${from + count - 1}::int) g`;
  // Bulk load without the per-statement triggers (session_replication_role = replica), then one set-based rebuild.
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await insert('2021', '2021-03-01', 1, Math.round(visits / 20)).execute(c);
    for (let from = 1; from <= visits; from += 500_000) {
      await insert('2022', '2022-03-01', 10_000_000 + from, Math.min(500_000, visits - from + 1)).execute(c);
    }
    await sql`SET session_replication_role = origin`.execute(c);
  });
  await sql`VACUUM ANALYZE`.execute(db);
}

/** Visit upserts shaped like the worker's (one multi-row INSERT … ON CONFLICT per round of 100), with or without triggers. */
async function upsertRate(db: Db, withTriggers: boolean, from: number): Promise<number> {
  const rounds = 30;
  return db.connection().execute(async (c) => {
    if (!withTriggers) await sql`SET session_replication_role = replica`.execute(c);
    const ms = await timeMs(async () => {
      for (let i = 0; i < rounds; i++) {
        const lo = from + i * 100;
        await sql`
          INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode, has_principal, employer_id, positions)
          SELECT lpad((4100000000 + 1 + (g::bigint * 7919) % ${sql.lit(UNIVERSITIES)})::text, 10, '0'), 'u' || g, '2022', 'active', now(), 'x' || g, g,
            date '2022-03-01' + (g % 184), 'onsite', g % 3 = 0, 1 + (g::bigint * 104729) % ${sql.lit(EMPLOYERS)}, g % 40
          FROM generate_series(${lo}::int, ${lo + 99}::int) g
          ON CONFLICT (university_code, ref) DO UPDATE SET occurred_at = EXCLUDED.occurred_at, employer_id = EXCLUDED.employer_id`.execute(
          c,
        );
      }
    });
    if (!withTriggers) await sql`SET session_replication_role = origin`.execute(c);
    return (rounds * 100) / (ms / 1000);
  });
}

async function httpLatency(runs: number): Promise<number | undefined> {
  let startApi: ((c: ReturnType<typeof loadConfig>) => Promise<{ url?: string; close(): Promise<void> }>) | undefined;
  try {
    ({ startApi } = (await import('../services/api/index.ts')) as { startApi: typeof startApi });
  } catch {
    return undefined;
  }
  const key = newApiKey();
  const db = createDb(dbUrl, { poolSize: 1 });
  await db
    .insertInto('api_clients')
    .values({ name: `bench-${Date.now()}`, scope: 'national', key_hash: hashApiKey(key) })
    .execute();
  await db.destroy();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: `ledger_bench_rankings_${Date.now()}`,
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const api = await startApi!(config);
  try {
    return await p50(runs, async () => {
      const res = await fetch(`${api.url}/v1/campaigns/2022/rankings?scope=national&asOf=${AS_OF_LIVE}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (res.status !== 200) throw new Error(`rankings request answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    });
  } finally {
    await api.close();
  }
}

async function measure(visits: number): Promise<void> {
  const tag = sizeTag(visits);
  note(`${tag}: generating ${visits} visits`);
  const db = await freshDatabase();
  try {
    const genMs = await timeMs(() => generate(db, visits));
    note(`${tag}: generated in ${(genMs / 1000).toFixed(1)} s; rebuilding derived tables`);
    emit(`rankings.${tag}.rebuild_derived_tables_s`, (await timeMs(() => rebuildRankingTables(db))) / 1000, 's');
    await sql`VACUUM ANALYZE`.execute(db);
    const { rows: counts } = await sql<{ visits: number; pairs: number; days: number }>`
      SELECT (SELECT count(*) FROM visits)::int AS visits, (SELECT count(*) FROM ranking_pairs)::int AS pairs,
             (SELECT count(*) FROM ranking_daily)::int AS days`.execute(db);
    note(
      `${tag}: ${counts[0]!.visits} visit rows, ${counts[0]!.pairs} university–employer pairs, ${counts[0]!.days} university-days`,
    );

    // The machine is shared: the 1-minute load average says how much of it this run had.
    emit(`rankings.${tag}.load_average_1m`, os.loadavg()[0]!, 'load');
    const plain = await p50(5, () =>
      sql`
      SELECT university_code, count(DISTINCT employer_id) AS employers, count(DISTINCT employer_id) FILTER (WHERE has_principal) AS principal,
             sum(positions) AS positions
      FROM visits WHERE campaign_id = '2022' AND state = 'active' AND visited_on <= ${AS_OF_LIVE}
      GROUP BY university_code`.execute(db),
    );
    emit(`rankings.${tag}.baseline_plain_count_distinct_group_by_ms`, plain, 'ms');
    if (visits <= 1_000_000) {
      emit(
        `rankings.${tag}.baseline_full_measures_from_visits_ms`,
        await p50(3, () => universityFiguresFromVisits(db, '2022', AS_OF_LIVE)),
        'ms',
      );
    }
    const live = await p50(20, () => computeRanking(db, '2022', 'national', AS_OF_LIVE));
    emit(`rankings.${tag}.live_national_service_p50_ms`, live, 'ms');
    emit(`rankings.${tag}.live_national_speedup_vs_plain`, plain / live, 'x');
    emit(
      `rankings.${tag}.live_national_mid_campaign_service_p50_ms`,
      await p50(10, () => computeRanking(db, '2022', 'national', AS_OF_MID)),
      'ms',
    );
    emit(
      `rankings.${tag}.live_province_service_p50_ms`,
      await p50(20, () => computeRanking(db, '2022', 'province:440000', AS_OF_LIVE)),
      'ms',
    );
    const http = await httpLatency(20);
    if (http !== undefined) {
      emit(`rankings.${tag}.live_national_http_p50_ms`, http, 'ms');
      emit(`rankings.${tag}.live_national_http_speedup_vs_plain`, plain / http, 'x');
    }
    emit(
      `rankings.${tag}.snapshot_all_scopes_p50_ms`,
      await p50(3, () => takeSnapshots(db, { campaignId: '2022', period: '2022-W35' })),
      'ms',
    );
    const off = await upsertRate(db, false, 50_000_000);
    const on = await upsertRate(db, true, 60_000_000);
    emit(`rankings.${tag}.visit_upsert_rows_per_s_without_triggers`, off, 'rows/s');
    emit(`rankings.${tag}.visit_upsert_rows_per_s_with_triggers`, on, 'rows/s');
  } finally {
    await db.destroy();
  }
}

const sizeTag = (visits: number) => (visits >= 1_000_000 ? `${visits / 1_000_000}m` : `${visits / 1000}k`);

/** Rows of the previous section for sizes this run does not measure (BENCH_RANKINGS_SIZES=1000000 keeps 100k and 3m). */
function keptRows(previous: string): Metric[] {
  const measured = new Set(SIZES.map(sizeTag));
  const kept: Metric[] = [];
  for (const m of previous.matchAll(/^\| (rankings\.([0-9.]+[km])\.[a-z0-9_]+) \| ([0-9.]+) \| ([^|]+) \|$/gm)) {
    if (!measured.has(m[2]!)) kept.push({ metric: m[1]!, value: Number(m[3]), unit: m[4]!.trim() });
  }
  return kept;
}

function writeResults(): void {
  const previous = readSection('rankings');
  const rows = [...keptRows(previous), ...results].sort((a, b) => sizeOrder(a.metric) - sizeOrder(b.metric));
  const v = (name: string) => rows.find((r) => r.metric === name)?.value;
  writeSection('rankings', [
    'Shared machine ' +
      '(`load_average_1m` rows: how busy it was; rows of sizes not re-run are kept from the previous run). ' +
      `${UNIVERSITIES.toLocaleString('en')} universities in 31 provinces, ${EMPLOYERS.toLocaleString('en')} employers (skewed: popular ones are visited more), ` +
      'visits spread over the 184 days of the 2022 campaign (2 % retracted, 5 % extra history in a 2021 campaign), 20 prior employers per university.',
    '',
    '| metric | value | unit |',
    '|---|---|---|',
    ...rows.map((r) => `| ${r.metric} | ${r.value} | ${r.unit} |`),
    '',
    `Targets at 1M visits: live national ranking p50 ≤ 150 ms (${v('rankings.1m.live_national_http_p50_ms') ?? v('rankings.1m.live_national_service_p50_ms') ?? 'not measured'} ms) and ≥ 4× faster ` +
      `than the plain count(distinct) group-by of the same run (${v('rankings.1m.live_national_http_speedup_vs_plain') ?? v('rankings.1m.live_national_speedup_vs_plain') ?? 'not measured'}×); ` +
      `full snapshot of every scope ≤ 2 s (${v('rankings.1m.snapshot_all_scopes_p50_ms') ?? 'not measured'} ms).`,
    '',
    'How: triggers on `visits` and `prior_employers` keep `ranking_pairs` (first visit per campaign–university–employer),',
    '`ranking_daily` (per university and day: visit sums and +1 on the day a pair was first visited) and `ranking_totals`.',
    'Distinct employers up to a date thus become sums; a late cut-off reads the totals minus the days after it, an early',
    'one sums the days up to it. `live_national_service` is the service call (SQL + measures + ranking of all universities);',
    '`live_national_http` the whole GET request with JSON of 2,756 rows. `baseline_full_measures_from_visits` computes every',
    'measure (incl. newly developed employers) straight from the visits, as the derived tables must agree with (tests check it).',
    "`visit_upsert_rows_per_s_*` is the triggers' price on writes: 100-row upserts like the worker's, with and without them.",
    '',
  ]);
}

/** Sorts rows by size (100k, 1m, 3m), keeping each size's rows in their measured order. */
function sizeOrder(metric: string): number {
  const tag = /^rankings\.([0-9.]+)([km])\./.exec(metric);
  return tag ? Number(tag[1]) * (tag[2] === 'm' ? 1000 : 1) : 0;
}

export async function run(): Promise<void> {
  // The section is rewritten after each size, so a long run stopped early still leaves what it measured.
  for (const size of SIZES) {
    await measure(size);
    writeResults();
  }
}
