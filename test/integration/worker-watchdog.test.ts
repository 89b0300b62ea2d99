// The worker watchdog on a real Redis: the workers reach Redis through a TCP proxy that can wedge the connection a
// worker blocks on (BZPOPMIN) while every other connection works, as a failover can leave it. A job then waits on a
// worker that says it is running; the watchdog replaces the worker and the job runs.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineJob } from '../../jobs/job.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { isWedged } from '../../services/workers/watchdog.ts';
import { loadConfig } from '../../shared/config.ts';
import { createRedis, type RedisClient } from '../../shared/redis.ts';
import { waitFor } from '../helpers/poll.ts';
import { startTcpProxy, viaProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

let database: TestDatabase;
let testRedis: TestRedis;
let proxy: TcpProxy;
let workers: Workers | undefined;
let direct: RedisClient;
let queue: Queue;
const ran: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase(2);
  testRedis = createTestRedis();
  const target = new URL(testRedis.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
  const rankings = defineJob({
    queue: 'rankings',
    async handle(payload) {
      ran.push(payload.period);
    },
  });
  workers = await startWorkers(
    loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: viaProxy(testRedis.url, proxy),
      QUEUE_PREFIX: testRedis.prefix,
      LOG_LEVEL: 'silent',
    }),
    { modules: [rankings], sweepIntervalMs: 0, watchdogMs: 3000 },
  );
  direct = createRedis(testRedis.url, 'cli');
  queue = new Queue('rankings', { connection: direct, prefix: testRedis.prefix });
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await queue?.close();
  direct?.disconnect();
  await proxy?.close();
  await database?.drop();
  await testRedis?.cleanup();
});

describe('the worker watchdog', () => {
  it('replaces a worker whose blocking connection is wedged, and the waiting job runs', async () => {
    await queue.add('rankings', { campaignId: '2022', period: 'before', asOf: '2022-04-10' });
    await waitFor(async () => ran.length, { what: 'the first job run', until: (n) => n === 1, timeoutMs: 30_000 });

    // The worker is idle again and blocks on BZPOPMIN: that connection is wedged, the rest go on.
    const wedged = await waitFor(async () => proxy.wedge(/BZPOPMIN/i), {
      what: 'the worker blocked on BZPOPMIN',
      until: (n) => n > 0,
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    expect(wedged).toBe(1);
    const enqueuedAt = Date.now();
    await queue.add('rankings', { campaignId: '2022', period: 'after', asOf: '2022-04-17' });
    // Nothing takes it while the worker is wedged…
    await new Promise((r) => setTimeout(r, 1500));
    expect(ran).toEqual(['before']);
    expect(await queue.getWaitingCount()).toBe(1);
    // …until the watchdog, 3 s after, replaces the worker: a new connection, and the job runs once.
    await waitFor(async () => ran, {
      what: 'the job run by the new worker',
      until: (r) => r.length === 2,
      timeoutMs: 60_000,
    });
    expect(ran).toEqual(['before', 'after']);
    expect(Date.now() - enqueuedAt).toBeGreaterThanOrEqual(3000);
    await waitFor(async () => queue.getCompletedCount(), { what: 'both jobs completed', until: (n) => n === 2 });
  }, 120_000);
});

describe('isWedged', () => {
  const now = 100_000;
  const look = { oldestWaitingAt: now - 5000, paused: false, running: 0, lastStartedAt: now - 5000 };
  it('holds when a ready job has waited past the limit on a worker idle as long', () => {
    expect(isWedged(look, now, 3000)).toBe(true);
  });
  it('does not hold for a busy worker, a paused queue, a recent start, a short wait or no waiting job', () => {
    expect(isWedged({ ...look, running: 1 }, now, 3000)).toBe(false);
    expect(isWedged({ ...look, paused: true }, now, 3000)).toBe(false);
    expect(isWedged({ ...look, lastStartedAt: now - 1000 }, now, 3000)).toBe(false);
    expect(isWedged({ ...look, oldestWaitingAt: now - 1000 }, now, 3000)).toBe(false);
    expect(isWedged({ ...look, oldestWaitingAt: undefined }, now, 3000)).toBe(false);
  });
});
