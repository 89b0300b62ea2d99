// Console API benchmark: every endpoint the console calls, over HTTP with an admin session cookie (the path people
// take: cookie → session lookup → route), on a campaign of the demo's size: 2,756 universities in 31 provinces,
// BENCH_CONSOLE_VISITS visits (default 300,000, the demo's), 50,000 employers with a spelling each, two named leaders
// per visit, 500 pending employer reviews, BENCH_CONSOLE_WEEKS weekly snapshots (default 12). Data is generated in SQL
// (generate_series) like the rankings bench, with the derived tables' triggers off during the bulk load and rebuilt
// afterwards. Each endpoint: a warm-up call, then BENCH_CONSOLE_RUNS calls (default 40) one after another; p50 and p95.
import { sql } from 'kysely';
import os from 'node:os';
import pg from 'pg';
import { loadConfig } from '../shared/config.ts';
import { createDb, type Db } from '../shared/db/database.ts';
import { migrateToLatest } from '../shared/db/migrate.ts';
import { createRedis } from '../shared/redis.ts';
import { rebuildRankingTables } from '../shared/repositories/measures.repository.ts';
import { createUser } from '../shared/use-cases/manage-users.ts';
import { takeSnapshots } from '../shared/use-cases/take-snapshots.ts';
import { initialDownload } from '../console/scripts/initial-size.ts';
import { recorder, writeSection } from './results.ts';

const base = loadConfig();
const DB_NAME = 'ledger_bench_console';
const dbUrl = (() => {
  const u = new URL(process.env.BENCH_DATABASE_URL ?? base.DATABASE_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
const VISITS = Number(process.env.BENCH_CONSOLE_VISITS ?? 300_000);
const WEEKS = Number(process.env.BENCH_CONSOLE_WEEKS ?? 12);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 40);
const UNIVERSITIES = 2756;
const EMPLOYERS = 50_000;
const AS_OF = '2022-08-28'; // the demo's cut-off
const GOAL_P95_MS = 200;

const { results, emit } = recorder();
const note = (s: string) => process.stderr.write(`  ${s}\n`);

async function freshDatabase(): Promise<Db> {
  const admin = new URL(dbUrl);
  admin.pathname = '/postgres';
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await c.end();
  await migrateToLatest(dbUrl);
  return createDb(dbUrl, { poolSize: 8, applicationName: 'ledger-bench-console' });
}

async function generate(db: Db): Promise<void> {
  await sql`SELECT setseed(0.13)`.execute(db);
  await sql`
    INSERT INTO universities (code, name, province_code, level, new_undergrad, vocational)
    SELECT lpad((4100000000 + g)::text, 10, '0'), '基准大学' || g, p.code,
           CASE WHEN g % 5 = 0 THEN '专科' ELSE '本科' END, g % 7 = 0, g % 5 = 0
    FROM generate_series(1, ${sql.lit(UNIVERSITIES)}) g
    JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM provinces) p ON p.i = g % 31`.execute(db);
  await sql`INSERT INTO campaigns (id, name, start_date, end_date, plan_deadline)
    VALUES ('2022', '2022 全国高校书记校长访企拓岗促就业专项行动', '2022-03-01', '2022-08-31', '2022-03-31')`.execute(
    db,
  );
  await sql`INSERT INTO province_plans (campaign_id, province_code, filed_on)
    SELECT '2022', code, date '2022-03-15' + (row_number() OVER (ORDER BY code))::int FROM provinces`.execute(db);
  await sql`INSERT INTO placement_rates (campaign_id, university_code, rate)
    SELECT '2022', code, round((0.7 + random() * 0.25)::numeric, 4) FROM universities`.execute(db);
  await sql`INSERT INTO employers (canonical_name, normalized_name, credit_code)
    SELECT '基准单位' || g || '有限公司', '基准单位' || g, NULL FROM generate_series(1, ${sql.lit(EMPLOYERS)}) g`.execute(
    db,
  );
  await sql`INSERT INTO employer_spellings (employer_id, spelling, normalized_name)
    SELECT id, canonical_name, normalized_name FROM employers`.execute(db);
  // 500 provisional employers, each in review against an established one.
  await sql`WITH p AS (
      INSERT INTO employers (canonical_name, normalized_name, status, candidate_id)
      SELECT '基准單位' || g || '有限公司', '基准單位' || g, 'provisional', g FROM generate_series(1, 500) g RETURNING id, candidate_id, canonical_name)
    INSERT INTO employer_reviews (employer_id, candidate_id, score, spelling) SELECT id, candidate_id, 0.8, canonical_name FROM p`.execute(
    db,
  );
  await sql`
    INSERT INTO prior_employers (university_code, employer_name, normalized_name, employer_id)
    SELECT u.code, '基准单位' || e, '基准单位' || e, e
    FROM universities u, LATERAL (SELECT 1 + floor(random() * ${sql.lit(EMPLOYERS)})::int + 0 * length(u.code) AS e FROM generate_series(1, 20)) x
    ON CONFLICT DO NOTHING`.execute(db);
  await db.connection().execute(async (c) => {
    await sql`SET session_replication_role = replica`.execute(c);
    await sql`
      INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode, leaders,
        has_principal, employer_id, employer_name, positions, internship_base, recruitment_invite, demand_survey,
        graduates_tracked, satisfaction, notes)
      SELECT lpad((4100000000 + 1 + (g::bigint * 7919) % ${sql.lit(UNIVERSITIES)})::text, 10, '0'), 'b' || g, '2022',
        CASE WHEN random() < 0.02 THEN 'retracted' ELSE 'active' END, now(), 'e' || g, g,
        date '2022-03-01' + floor(random() * 184)::int,
        (ARRAY['onsite', 'onsite', 'invited', 'online'])[1 + floor(random() * 4)::int],
        jsonb_build_array(
          jsonb_build_object('role', (ARRAY['secretary', 'president', 'leader'])[1 + g % 3], 'name', '领导' || (g % 6)),
          jsonb_build_object('role', 'leader', 'name', '干部' || (g % 11))),
        g % 3 <> 2, e.id, '基准单位' || e.id || '有限公司', floor(random() * 40)::int, random() < 0.2, random() < 0.3,
        random() < 0.3, floor(random() * 6)::int, CASE WHEN random() < 0.7 THEN 1 + floor(random() * 5)::int END,
        CASE WHEN random() < 0.1 THEN '座谈并签订实习基地协议' END
      FROM generate_series(1, ${sql.lit(VISITS)}) g,
        LATERAL (SELECT 1 + floor(power(random(), 1.5::float8) * ${sql.lit(EMPLOYERS)})::int + 0 * g AS id) e`.execute(
      c,
    );
    await sql`SET session_replication_role = origin`.execute(c);
  });
  await rebuildRankingTables(db);
  await sql`VACUUM ANALYZE`.execute(db);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Call {
  name: string;
  method?: 'GET' | 'POST';
  path: string | ((i: number) => string);
  body?: (i: number) => unknown;
  expect?: number;
}

export async function run(): Promise<void> {
  note(`generating ${VISITS} visits over ${UNIVERSITIES} universities`);
  const db = await freshDatabase();
  const prefix = `ledger_bench_console_${Date.now()}`;
  try {
    const t0 = performance.now();
    await generate(db);
    note(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; taking ${WEEKS} weekly snapshots`);
    for (let w = 0; w < WEEKS; w++) {
      const week = 35 - WEEKS + 1 + w;
      await takeSnapshots(db, { campaignId: '2022', period: `2022-W${String(week).padStart(2, '0')}` });
    }
    const password = 'bench console password';
    await createUser(db, { name: 'bench-admin', scope: 'admin', password });

    const { startApi } = await import('../services/api/index.ts');
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: dbUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      QUEUE_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '1000000',
      SESSION_COOKIE_SECURE: 'false',
    });
    const api = await startApi(config);
    try {
      const login = await fetch(`${api.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench-admin', password }),
      });
      if (login.status !== 200) throw new Error(`login answered ${login.status}`);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };

      const uni = '4100000100'; // any university: each has about VISITS / 2,756 visits
      const province = (
        await db.selectFrom('universities').select('province_code').where('code', '=', uni).executeTakeFirstOrThrow()
      ).province_code;
      const c = `/v1/campaigns/2022`;
      const calls: Call[] = [
        { name: 'session', path: '/v1/session' },
        { name: 'campaigns', path: '/v1/campaigns' },
        { name: 'overview_national', path: `${c}/overview?asOf=${AS_OF}` },
        { name: 'overview_province', path: `${c}/overview?scope=province:${province}&asOf=${AS_OF}` },
        { name: 'trend_national', path: `${c}/trend?scope=national` },
        { name: 'trend_province', path: `${c}/trend?scope=province:${province}` },
        { name: 'rankings_provinces_with_changes', path: `${c}/rankings?scope=provinces&asOf=${AS_OF}&withChanges=1` },
        {
          name: 'rankings_national_with_changes_flags',
          path: `${c}/rankings?scope=national&asOf=${AS_OF}&withChanges=1&withFlags=1`,
        },
        {
          name: 'rankings_province_with_changes_flags',
          path: `${c}/rankings?scope=province:${province}&asOf=${AS_OF}&withChanges=1&withFlags=1`,
        },
        { name: 'university_progress', path: `${c}/universities/${uni}/progress?asOf=${AS_OF}` },
        { name: 'university_visits_page', path: `${c}/universities/${uni}/visits?page=2&pageSize=20` },
        {
          name: 'university_visits_search',
          path: `${c}/universities/${uni}/visits?q=${encodeURIComponent('单位1')}&month=2022-05&mode=onsite`,
        },
        { name: 'university_leaders', path: `${c}/universities/${uni}/leaders?asOf=${AS_OF}` },
        { name: 'notices_archive', path: `${c}/notices` },
        { name: 'admin_employer_search', path: `/v1/admin/employers?q=${encodeURIComponent('基准单位123')}` },
        { name: 'admin_review_sides', path: '/v1/admin/employers/review/sides?limit=50' },
        { name: 'admin_clients', path: '/v1/admin/clients' },
        { name: 'admin_users', path: '/v1/admin/users' },
        { name: 'admin_recipients', path: '/v1/admin/recipients' },
        { name: 'admin_dead_letters', path: '/v1/admin/dead-letters' },
        { name: 'admin_queues', path: '/v1/admin/queues' },
        {
          name: 'visit_form_post',
          method: 'POST',
          path: '/v1/visit-events',
          expect: 202,
          body: (i) => ({
            eventId: `bench-form-${Date.now()}-${i}`,
            type: 'visit.recorded',
            occurredAt: '2022-08-20T10:00:00+08:00',
            campaignId: '2022',
            visit: {
              ref: `bench-form-${i}`,
              universityCode: uni,
              visitedOn: '2022-08-20',
              mode: 'onsite',
              leaders: [{ role: 'secretary', name: '张书记' }],
              employer: { name: '基准单位42有限公司' },
              outcomes: { positions: 12 },
            },
          }),
        },
      ];
      emit('console_api.load_average_1m_before', os.loadavg()[0]!, 'load');
      const slow: string[] = [];
      for (const call of calls) {
        let bytes = 0; // of the last answer
        const once = async (i: number) => {
          const path = typeof call.path === 'function' ? call.path(i) : call.path;
          const t = performance.now();
          const res = await fetch(`${api.url}${path}`, {
            method: call.method ?? 'GET',
            headers: {
              cookie,
              ...(call.body ? { 'content-type': 'application/json', 'x-csrf-token': csrfToken } : {}),
            },
            body: call.body ? JSON.stringify(call.body(i)) : undefined,
          });
          bytes = (await res.arrayBuffer()).byteLength;
          const ms = performance.now() - t;
          if (res.status !== (call.expect ?? 200)) throw new Error(`${call.name}: ${path} answered ${res.status}`);
          return ms;
        };
        await once(-1); // warm-up: plans and caches, as on a serving process
        const times: number[] = [];
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < RUNS; i++) times.push(await once(i));
        const cpu = process.cpuUsage(cpu0);
        times.sort((a, b) => a - b);
        emit(`console_api.${call.name}.p50_ms`, percentile(times, 50), 'ms');
        const p95 = emit(`console_api.${call.name}.p95_ms`, percentile(times, 95), 'ms');
        // What the machine's load does not change: this process's CPU (the API's and the client's, not PostgreSQL's).
        emit(`console_api.${call.name}.node_cpu_ms_per_call`, (cpu.user + cpu.system) / 1000 / RUNS, 'ms');
        // The answer's size: what the serialization, the socket and the client's parse scale with (uncompressed).
        emit(`console_api.${call.name}.response_kib`, bytes / 1024, 'KiB');
        if (p95.value > GOAL_P95_MS) slow.push(call.name);
      }
      emit('console_api.load_average_1m_after', os.loadavg()[0]!, 'load');
      // The console's first page as the browser downloads it (entry chunk and its static imports, CSS, index.html;
      // charts, the map and the other pages load on demand): goal ≤ 1 MB gzip. Needs `npm run build:console`.
      const first = await initialDownload().catch(() => undefined);
      if (first) {
        emit('console.initial_download_gzip_kib', first.gzipBytes / 1024, 'KiB');
        emit('console.initial_download_brotli_kib', first.brotliBytes / 1024, 'KiB');
        emit('console.initial_download_raw_kib', first.bytes / 1024, 'KiB');
      } else note('console not built (npm run build:console): its initial download size is not measured');
      const [l1, l5, l15] = os.loadavg().map((l) => l.toFixed(1));
      writeSection('console-api', [
        `Every console endpoint over HTTP with an admin session cookie, on ${VISITS.toLocaleString('en')} visits ` +
          `(${VISITS === 300_000 ? "the demo's size" : 'a reduced size'}) over ${UNIVERSITIES.toLocaleString('en')} universities, ` +
          `${EMPLOYERS.toLocaleString('en')} employers, ${WEEKS} weekly snapshots; ${RUNS} sequential calls per endpoint after a ` +
          `warm-up. Shared machine: the load average rows say how busy it was (with 2 cores, wall times grow with it); ` +
          '`node_cpu_ms_per_call` is the CPU the API process (and the bench client in it) spent per call, which the load ' +
          `does not change (PostgreSQL's share is not in it). Goal: p95 ≤ ${GOAL_P95_MS} ms` +
          (slow.length ? ` (above it here: ${slow.join(', ')}).` : ' (met by every endpoint here).'),
        '',
        '| metric | value | unit |',
        '|---|---|---|',
        ...results.map((r) => `| ${r.metric} | ${r.value} | ${r.unit} |`),
        '',
        `Load average at the end: ${l1} / ${l5} / ${l15} (1/5/15 min). ` +
          `Run: \`BENCH_CONSOLE_VISITS=${VISITS} BENCH_CONSOLE_WEEKS=${WEEKS} npm run bench -- console-api\`.`,
        '',
      ]);
    } finally {
      await api.close();
    }
  } finally {
    await db.destroy();
    const redis = createRedis(base.REDIS_URL, 'cli');
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }
}
