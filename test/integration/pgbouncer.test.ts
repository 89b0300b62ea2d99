// The ledger through PgBouncer in transaction mode (Debian's 1.18, which carries no protocol-level prepared
// statements and refuses the startup `options`): with DATABASE_PREPARED_STATEMENTS=off and
// DATABASE_SESSION_SETTINGS=transaction, the API stores posted events, the workers resolve and apply them, the figures
// answer, and the rankings job stores its snapshots, all over a few shared server connections.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { createDb, dbOptionsFor, type Db } from '../../shared/db/database.ts';
import { computeRanking } from '../../shared/use-cases/compute-rankings.ts';
import { createEmployerResolver } from '../../shared/use-cases/resolve-employer.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
const POOLED = { DATABASE_PREPARED_STATEMENTS: 'off', DATABASE_SESSION_SETTINGS: 'transaction' };
const SERVER_CONNECTIONS = 2;

let bouncer: PgBouncer;
let api: TestApi;
let workers: Workers;
let ref: ReferenceData;
const opened: Db[] = [];

const pooledUrl = () => bouncer.url(services.database.name);
const pooledConfig = (env: Record<string, string> = {}) =>
  loadConfig({ ...services.env, DATABASE_URL: pooledUrl(), LOG_LEVEL: 'warn', ...POOLED, ...env });
const open = (db: Db) => (opened.push(db), db);

beforeAll(async () => {
  bouncer = await startPgBouncer({ poolMode: 'transaction', poolSize: SERVER_CONNECTIONS });
  ref = await createReferenceData(services.db, { scope: 'national' });
  api = await startTestApi({
    databaseUrl: pooledUrl(),
    redisUrl: services.queue.url,
    prefix: services.queue.prefix,
    env: POOLED,
  });
  workers = await startWorkers(pooledConfig({ DB_POOL_SIZE: '4', WORKER_CONCURRENCY: '16' }));
});

afterAll(async () => {
  await workers?.close();
  await api?.close();
  for (const db of opened) await db.destroy();
  await bouncer?.stop();
});

describe('PgBouncer 1.18 in transaction mode', () => {
  it('refuses the startup options the ledger sends by default, and carries no prepared statement between clients', async () => {
    const byDefault = open(createDb(pooledUrl(), { poolSize: 1 }));
    await expect(sql`SELECT 1`.execute(byDefault)).rejects.toThrow(/unsupported startup parameter: options/);

    // One server connection for two clients: the second client's PARSE of a statement the first prepared there fails
    // (42P05); the pool detects it, warns, and runs that statement unnamed from then on.
    const single = await startPgBouncer({ poolMode: 'transaction', poolSize: 1 });
    try {
      const url = single.url(services.database.name);
      const options = { poolSize: 1, sessionSettings: 'transaction' as const };
      const first = createDb(url, options);
      const second = createDb(url, options);
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.message);
      process.on('warning', onWarning);
      try {
        const resolver = createEmployerResolver({ matchThreshold: 0.88, reviewThreshold: 0.75 });
        const created = await resolver.resolve(first, { name: '连接池测试科技有限公司' });
        const failed = await resolver.resolve(second, { name: '连接池测试科技有限公司' }).catch((e: unknown) => e);
        expect((failed as { code?: string }).code).toMatch(/^(42P05|26000)$/);
        const again = await resolver.resolve(second, { name: '连接池测试科技有限公司' });
        expect(again).toMatchObject({ employerId: created.employerId, decision: 'matched' });
        await waitFor(() => warnings.some((w) => w.includes('DATABASE_PREPARED_STATEMENTS=off')), {
          what: 'the warning naming DATABASE_PREPARED_STATEMENTS=off',
        });
      } finally {
        process.off('warning', onWarning);
        await first.destroy();
        await second.destroy();
      }
    } finally {
      await single.stop();
    }
  });

  it('applies the session settings inside each transaction (SET LOCAL), where a plain SET would leak to other clients', async () => {
    const db = open(createDb(pooledUrl(), { poolSize: 2, ...dbOptionsFor(pooledConfig(), 'api') }));
    const inside = await db.transaction().execute(async (trx) => ({
      timeout: (await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(trx)).rows[0]!
        .statement_timeout,
      jit: (await sql<{ jit: string }>`SHOW jit`.execute(trx)).rows[0]!.jit,
    }));
    expect(inside).toEqual({ timeout: '5s', jit: 'off' });
    // Outside a transaction the server's (or the pooler's connect_query / the role's) settings hold: README says so.
    const outside = (await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(db)).rows[0]!;
    expect(outside.statement_timeout).toBe('0');
  });

  it('stores posted events, resolves and applies them in the workers, and answers the figures, all through the pooler', async () => {
    const spellings = [
      '华为技术有限公司',
      '華為技術有限公司',
      '华为技术 有限公司',
      '腾讯科技（深圳）有限公司',
      '腾讯科技(深圳)有限公司',
    ];
    const events = Array.from({ length: 60 }, (_, i) =>
      visitEvent(ref, {
        visit: {
          employer: { name: i < 50 ? spellings[i % spellings.length]! : `池化新单位${i}有限公司` },
          visitedOn: '2022-04-02',
        },
      }),
    );
    const singles = await Promise.all(
      events.slice(0, 20).map((e) => api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: e })),
    );
    expect(singles.map((r) => r.status)).toEqual(Array(20).fill(202));
    const batch = await api.request('POST', '/v1/visit-events/batch', {
      key: ref.apiKey,
      body: { events: events.slice(20) },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.results.map((r: { status: string }) => r.status)).toEqual(Array(40).fill('accepted'));

    await waitFor(
      async () =>
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbox_events WHERE status = 'processed'`.execute(
            services.db,
          )
        ).rows[0]!.n,
      { what: 'all 60 events processed', until: (n) => n === 60, timeoutMs: 60_000 },
    );
    const direct = await sql<{ employers: number; visits: number }>`
      SELECT count(DISTINCT employer_id)::int AS employers, count(*)::int AS visits FROM visits`.execute(services.db);
    expect(direct.rows[0]).toEqual({ employers: 12, visits: 60 }); // 2 spelled five ways each + 10 new

    const progress = await api.request(
      'GET',
      `/v1/campaigns/${ref.campaignId}/universities/${ref.universityCode}/progress?asOf=2022-08-31`,
      { key: ref.apiKey },
    );
    expect(progress.status).toBe(200);
    expect(progress.body.measures).toMatchObject({ employersVisited: 12, visits: 60 });

    // The pooler multiplexed the ledger's client connections over its few server connections.
    const pools = await bouncer.admin<{
      database: string;
      cl_active: number;
      cl_waiting: number;
      sv_active: number;
      sv_idle: number;
      sv_used: number;
    }>('SHOW POOLS');
    const ours = pools.find((p) => p.database === services.database.name)!;
    expect(Number(ours.sv_active) + Number(ours.sv_idle) + Number(ours.sv_used)).toBeLessThanOrEqual(
      SERVER_CONNECTIONS,
    );
    const clients = await bouncer.admin<{ database: string }>('SHOW CLIENTS');
    expect(clients.filter((c) => c.database === services.database.name).length).toBeGreaterThan(SERVER_CONNECTIONS);
  });

  it('computes and stores the rankings in the workers through the pooler, equal to a direct computation', async () => {
    await services.producer.enqueueRankings(ref.campaignId, '2022-W14', '2022-04-10');
    const stored = await waitFor(
      () =>
        services.db
          .selectFrom('ranking_snapshots')
          .select(['scope', 'rows'])
          .where('campaign_id', '=', ref.campaignId)
          .where('period', '=', '2022-W14')
          .execute(),
      {
        what: 'the rankings job stored the snapshots of 2022-W14',
        until: (rows) => rows.length >= 3,
        timeoutMs: 60_000,
      },
    );
    const national = stored.find((s) => s.scope === 'national')!;
    const direct = await computeRanking(services.db, ref.campaignId, 'national', '2022-04-10');
    const rows = national.rows as Array<{ universityCode: string; employersVisited: number; rank: number }>;
    const mine = rows.find((r) => r.universityCode === ref.universityCode)!;
    const expected = direct.rows.find((r) => 'universityCode' in r && r.universityCode === ref.universityCode)!;
    expect(mine).toMatchObject({ employersVisited: 12, rank: (expected as { rank: number }).rank });
    expect(rows.length).toBe(direct.rows.length);
  });
});
