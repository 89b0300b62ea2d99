// Reads that may lag go to a streaming replica (DATABASE_READ_URL) while it is within DATABASE_READ_MAX_LAG_SECONDS;
// writes, and the reads that must see them, stay on the primary; the lag is exported, and a replica paused past the
// limit is not read. The primary and the replica are the test's own (initdb + pg_basebackup -R, own ports).
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { createDb, type Db } from '../../shared/db/database.ts';
import { migrateToLatest } from '../../shared/db/migrate.ts';
import { openDatabases, type Databases } from '../../shared/db/read-routing.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { createReferenceData, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { startReplicaPair, type ReplicaPair } from '../helpers/replica-pair.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

const MAX_LAG = 2;
let pair: ReplicaPair;
let queue: TestRedis;
let primary: Db;
let replica: pg.Client;
let databases: Databases;
let api: TestApi;
let workers: Workers;
let ref: ReferenceData;

const env = () => ({
  DATABASE_URL: pair.primaryUrl('ledger'),
  DATABASE_READ_URL: pair.replicaUrl('ledger'),
  DATABASE_READ_MAX_LAG_SECONDS: String(MAX_LAG),
  REDIS_URL: queue.url,
  QUEUE_PREFIX: queue.prefix,
  LOG_LEVEL: 'warn',
});

const servedByReplica = async (db: Db) =>
  (await sql<{ r: boolean }>`SELECT pg_is_in_recovery() AS r`.execute(db)).rows[0]!.r;

async function metrics(): Promise<{ lag: number; replica: number; primary: number }> {
  const text = (await api.request('GET', '/metrics')).text;
  const value = (pattern: RegExp) => Number(text.match(pattern)?.[1] ?? 'NaN');
  return {
    lag: value(/^ledger_db_replica_lag_seconds (\S+)$/m),
    replica: value(/^ledger_db_reads_total\{served_by="replica"\} (\S+)$/m),
    primary: value(/^ledger_db_reads_total\{served_by="primary"\} (\S+)$/m) || 0,
  };
}

const progress = async () => {
  const res = await api.request(
    'GET',
    `/v1/campaigns/${ref.campaignId}/universities/${ref.universityCode}/progress?asOf=2022-08-31`,
    { key: ref.apiKey },
  );
  expect(res.status).toBe(200);
  return res.body.measures.visits as number;
};

async function postAndProcess(): Promise<void> {
  const event = visitEvent(ref);
  const res = await api.request('POST', '/v1/visit-events', { key: ref.apiKey, body: event });
  expect(res.status).toBe(202);
  // Reading its own write: the event's state comes from the primary at once, never a 404 from a replica behind.
  const seen = await api.request('GET', `/v1/visit-events/${event.eventId}`, { key: ref.apiKey });
  expect(seen.status).toBe(200);
  await waitFor(
    async () => (await api.request('GET', `/v1/visit-events/${event.eventId}`, { key: ref.apiKey })).body.status,
    { what: `event ${event.eventId} processed`, until: (s) => s === 'processed' },
  );
}

beforeAll(async () => {
  pair = await startReplicaPair();
  queue = createTestRedis();
  await migrateToLatest(pair.primaryUrl('ledger'));
  primary = createDb(pair.primaryUrl('ledger'), { poolSize: 2 });
  ref = await createReferenceData(primary, { scope: 'national' });
  replica = new pg.Client({ connectionString: pair.replicaUrl('ledger') });
  await waitFor(() => replica.connect().then(() => true), { what: 'the replica has the migrated database' });
  const config = loadConfig(env());
  databases = openDatabases(config, {
    role: 'api',
    poolSize: 2,
    applicationName: 'ledger-test',
    lagCheckIntervalMs: 200,
  });
  api = await startTestApi({ databaseUrl: config.DATABASE_URL, redisUrl: queue.url, prefix: queue.prefix, env: env() });
  workers = await startWorkers(loadConfig({ ...env(), DB_POOL_SIZE: '2', WORKER_CONCURRENCY: '4' }));
}, 180_000);

afterAll(async () => {
  await workers?.close();
  await api?.close();
  await databases?.destroy();
  await primary?.destroy();
  await replica?.end().catch(() => {});
  await queue?.cleanup();
  await pair?.stop();
});

describe('a streaming read replica', () => {
  it('serves the lag-tolerant reads from the replica, and writes and the reads of their own writes from the primary', async () => {
    await waitFor(() => databases.replica!.sample(), { what: 'the replica caught up', until: (lag) => lag === 0 });
    expect(await servedByReplica(databases.reads)).toBe(true);
    expect(await servedByReplica(databases.db)).toBe(false);

    await waitFor(async () => (await metrics()).lag, {
      what: 'the API sees the replica caught up',
      until: (l) => l === 0,
    });
    await postAndProcess();
    const before = await metrics();
    expect(await waitFor(progress, { what: 'the visit on the replica', until: (n) => n === 1 })).toBe(1);
    const after = await metrics();
    expect(after.replica).toBeGreaterThan(before.replica);
    // The API's read connections are open on the replica, by name.
    const { rows } = await replica.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ledger-api-reads'`,
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it('exports the lag, and reads the primary while the replica is further behind than the limit', async () => {
    await replica.query('SELECT pg_wal_replay_pause()');
    await waitFor(async () => (await replica.query(`SELECT pg_get_wal_replay_pause_state() AS s`)).rows[0].s, {
      what: 'replay paused',
      until: (s) => s === 'paused',
    });
    // Within the limit the replica is still read, stale: a write just made on the primary is not there yet.
    const name = `written-while-paused-${Date.now()}`;
    await primary
      .insertInto('api_clients')
      .values({ name, scope: 'national', key_hash: `h-${name}` })
      .execute();
    const staleRead = await databases.reads.transaction().execute(async (trx) => ({
      replica: await servedByReplica(trx as unknown as Db),
      found: (await trx.selectFrom('api_clients').select('id').where('name', '=', name).execute()).length,
    }));
    expect(staleRead).toEqual({ replica: true, found: 0 });

    // Past the limit: the primary answers, with the write.
    await waitFor(() => databases.replica!.lagSeconds, { what: 'lag past the limit', until: (l) => l > MAX_LAG });
    expect(await servedByReplica(databases.reads)).toBe(false);
    expect(
      await databases.reads.selectFrom('api_clients').select('id').where('name', '=', name).execute(),
    ).toHaveLength(1);

    // The API falls back too: a visit processed now is counted at once, though the replica has not replayed it.
    await postAndProcess();
    const before = await metrics();
    expect(before.lag).toBeGreaterThan(MAX_LAG);
    // The API samples the lag every second: within about a second it reads the primary.
    expect(await waitFor(progress, { what: 'the API reads the primary', until: (n) => n === 2, timeoutMs: 5000 })).toBe(
      2,
    );
    const during = await metrics();
    expect(during.primary).toBeGreaterThan(before.primary);
    const onReplica = await replica.query<{ n: number }>('SELECT count(*)::int AS n FROM visits');
    expect(onReplica.rows[0]!.n).toBe(1);

    // Replay resumed: caught up, and read again.
    await replica.query('SELECT pg_wal_replay_resume()');
    await waitFor(() => databases.replica!.sample(), { what: 'caught up again', until: (lag) => lag === 0 });
    expect(await servedByReplica(databases.reads)).toBe(true);
    await waitFor(async () => (await metrics()).lag, { what: 'the API sees it caught up', until: (l) => l === 0 });
  });
});
