// The whole pipeline on a Redis Cluster of this file's own (redis-server from Debian: 3 masters with a replica each,
// REDIS_URL=redis+cluster://…, QUEUE_PREFIX with a hash tag): API posts → inbox → BullMQ → workers, then the rankings
// job, the notices job it enqueues, and the deliveries. Then a master dies under load: the one that holds the queues'
// slot, after acknowledging writes its replica never received (the loss asynchronous replication allows, made
// certain here); its replica takes over, and every accepted event is counted once in the stored figures, the jobs
// the cluster lost coming back through the inbox sweeper.
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import type { UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { redisAnswers } from '../../services/demo/local-services.ts';
import { createRedis, deleteKeysWithPrefix, type RedisClient } from '../../shared/redis.ts';
import { listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { getSnapshot } from '../../shared/repositories/snapshot.repository.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { createReferenceData, type ReferenceData, type VisitEventBody } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { freePort } from '../helpers/processes.ts';
import { startRedisCluster, type TestRedisCluster } from '../helpers/redis-cluster.ts';
import { createTestDatabase, uniqueName, type TestDatabase } from '../helpers/test-db.ts';
import { EXPECTED_TALLY, processedCount, tally, workload } from '../helpers/workload.ts';

// The hash tag puts every key of every queue in one slot (and on one master).
const TAG = uniqueName('ledger_test');
const PREFIX = `{${TAG}}`;
/** An accepted event still unprocessed after this long is enqueued again; the sweeper looks every SWEEP_MS. */
const REDELIVERY_SECONDS = 2;
const SWEEP_MS = 500;
/** How long the dying master acknowledges writes that no replica receives. */
const UNREPLICATED_WINDOW_MS = 400;

let cluster: TestRedisCluster | undefined;
let database: TestDatabase | undefined;
let api: TestApi | undefined;
let workers: Workers | undefined;
let redis: RedisClient | undefined;
let producer: Producer;
let smtpUrl: string;
const mails: string[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    stream.on('end', () => {
      mails.push(text);
      callback();
    });
  },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const started = Date.now();
  [cluster, database] = await Promise.all([startRedisCluster({ nodeTimeoutMs: 1000 }), createTestDatabase(5)]);
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`;
  const env = { DATABASE_URL: database.url, REDIS_URL: cluster.url, QUEUE_PREFIX: PREFIX };
  api = await startTestApi({ databaseUrl: database.url, redisUrl: cluster.url, prefix: PREFIX });
  workers = await startWorkers(
    loadConfig({
      ...env,
      LOG_LEVEL: 'silent',
      DB_POOL_SIZE: '4',
      WORKER_CONCURRENCY: '16',
      INBOX_REDELIVERY_SECONDS: String(REDELIVERY_SECONDS),
      SMTP_URL: smtpUrl,
    }),
    // A job whose lock died with the master is taken up again within seconds (BullMQ's defaults: 30 s), and a worker
    // whose blocking connection the failover wedged is replaced after 10 s (default 60 s).
    { sweepIntervalMs: SWEEP_MS, lockDurationMs: 5000, stalledIntervalMs: 2000, watchdogMs: 10_000 },
  );
  redis = createRedis(cluster.url, 'producer');
  producer = createProducer({ connection: redis, prefix: PREFIX });
  await addRecipient(database.db, { scope: 'national', kind: 'email', address: 'moe@moe.example' });
  console.log(`redis-cluster: cluster, database, API and workers up in ${Date.now() - started} ms`);
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await api?.close();
  await producer?.close();
  redis?.disconnect();
  await new Promise((res) => smtp.close(() => res(undefined)));
  await database?.drop();
  await cluster?.stop();
});

/** Posts `events` through the API: a batch of `batch`, then the rest of each round one request each, `inFlight` at once. */
async function post(ref: ReferenceData, events: VisitEventBody[]): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  const batch = events.slice(0, Math.ceil(events.length / 2));
  const singles = events.slice(batch.length);
  const batchAnswer = api!.request('POST', '/v1/visit-events/batch', { key: ref.apiKey, body: { events: batch } });
  const singleAnswers = singles.map(async (ev) => {
    const res = await api!.request('POST', '/v1/visit-events', { key: ref.apiKey, body: ev });
    answers.set(ev.eventId, res.status === 202 ? 'accepted' : res.status === 200 ? res.body.status : `${res.status}`);
  });
  const res = await batchAnswer;
  expect(res.status, res.text).toBeLessThan(300);
  for (const r of res.body.results as Array<{ eventId: string; status: string }>) answers.set(r.eventId, r.status);
  await Promise.all(singleAnswers);
  return answers;
}

/** Posts `events` in rounds of `perRound`, one round every `everyMs`; `during(round)` runs alongside each round. */
async function postInRounds(
  ref: ReferenceData,
  events: VisitEventBody[],
  perRound: number,
  everyMs: number,
  during: (round: number) => Promise<void> = async () => {},
): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (let i = 0, round = 0; i < events.length; i += perRound, round++) {
    const pace = sleep(everyMs);
    const [got] = await Promise.all([post(ref, events.slice(i, i + perRound)), during(round), pace]);
    for (const [id, status] of got) if (!answers.has(id)) answers.set(id, status);
  }
  return answers;
}

async function nationalRow(period: string, universityCode: string): Promise<UniversityRankRow | undefined> {
  const snapshot = await getSnapshot(database!.db, '2022', period, 'national');
  return (snapshot?.rows as UniversityRankRow[] | undefined)?.find((r) => r.universityCode === universityCode);
}

/** Rankings job → notices job → the national notice's delivery, all through the workers on the cluster. */
async function runPeriod(period: string, asOf: string): Promise<void> {
  await producer.enqueueRankings('2022', period, asOf);
  await waitFor(
    async () => {
      const notices = await listNotices(database!.db, { campaignId: '2022', period });
      const ds = notices.length ? await listDeliveries(database!.db, { noticeIds: notices.map((n) => n.id) }) : [];
      return ds.map((d) => d.state);
    },
    {
      what: `the notice of ${period} delivered`,
      until: (states) => states.length === 1 && states[0] === 'delivered',
      // After a failover a worker blocked on the dead master's connection resumes once its reconnect finds the new
      // master: seconds on a quiet machine, much longer beside the rest of the suite on 2 cores.
      timeoutMs: 180_000,
      intervalMs: 200,
    },
  );
}

describe('on a Redis Cluster (3 masters, a replica each)', () => {
  let first: ReferenceData;

  it('runs ingestion, the rankings and notices jobs and the deliveries, with every queue key in the prefix’s one slot', async () => {
    first = await createReferenceData(database!.db);
    const answers = await postInRounds(first, workload(first, 'c1'), 500, 0);
    expect([...answers.values()].every((s) => s === 'accepted')).toBe(true);
    expect(answers.size).toBe(EXPECTED_TALLY.inbox.processed);
    await waitFor(() => processedCount(database!.db, first.universityCode), {
      what: 'every event of the first university processed',
      until: (n) => n === EXPECTED_TALLY.inbox.processed,
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(await tally(database!.db, first.universityCode, 'c1')).toEqual(EXPECTED_TALLY);

    await runPeriod('2022-W14', '2022-04-10');
    expect(await nationalRow('2022-W14', first.universityCode)).toMatchObject({
      employersVisited: EXPECTED_TALLY.distinctEmployers,
      positions: EXPECTED_TALLY.positions,
    });
    expect(mails.filter((m) => m.includes('moe@moe.example'))).toHaveLength(1);

    // BullMQ's keys (jobs, lists, locks, events of all four queues) live on the master of the tag's slot only.
    const slot = await cluster!.slotOf(PREFIX);
    const owner = await cluster!.masterOf(slot);
    const masters = (await cluster!.layout()).filter((n) => n.flags.includes('master'));
    expect(masters).toHaveLength(3);
    const keysOn = async (port: number) => {
      const [, keys] = await cluster!.node(port).scan('0', 'MATCH', `${PREFIX}*`, 'COUNT', 100_000);
      return keys;
    };
    const onOwner = await keysOn(owner);
    expect(onOwner.some((k) => k.startsWith(`${PREFIX}:visit-events:`))).toBe(true);
    expect(onOwner.some((k) => k.startsWith(`${PREFIX}:rankings:`))).toBe(true);
    expect(onOwner.some((k) => k.startsWith(`${PREFIX}:notices:`))).toBe(true);
    expect(onOwner.some((k) => k.startsWith(`${PREFIX}:deliveries:`))).toBe(true);
    for (const m of masters.filter((n) => n.port !== owner)) expect(await keysOn(m.port)).toEqual([]);
  }, 240_000);

  it('loses the master of the queues’ slot under load: a replica takes over and every accepted event counts once', async () => {
    const second = await createReferenceData(database!.db);
    const events = workload(second, 'c2');
    const slot = await cluster!.slotOf(PREFIX);
    const master = await cluster!.masterOf(slot);
    const layout = await cluster!.layout();
    const masterId = layout.find((n) => n.port === master)!.id;
    const replica = layout.find((n) => n.masterId === masterId)!.port;
    const replicaProcess = cluster!.nodes.find((n) => n.port === replica)!.process;
    const offset = async (port: number) =>
      Number(/master_repl_offset:(\d+)/.exec(await cluster!.node(port).info('replication'))![1]);
    let cutAt = new Date(0);
    let killedAt = new Date(0);
    let unreplicatedBytes = 0;
    let failover: Promise<number> | undefined;

    // 2,000 events in 20 rounds of 100, one round every 250 ms (≈ 5 s); the master dies during the fourth round.
    const answers = await postInRounds(second, events, 100, 250, async (round) => {
      if (round !== 3) return;
      // The replica stops reading (SIGSTOP) and the master drops its link: what the master acknowledges from now on
      // reaches no replica. Then the master dies and the replica, woken, finds it gone. Meanwhile the queue is paused,
      // as a backlog would leave jobs waiting: the jobs lost are ones no worker has run (the pause is lost with them).
      replicaProcess.kill('SIGSTOP');
      await cluster!.node(master).call('CLIENT', 'KILL', 'TYPE', 'replica');
      cutAt = new Date();
      await producer.queue('visit-events').pause();
      await sleep(UNREPLICATED_WINDOW_MS);
      const acknowledged = await offset(master);
      killedAt = new Date();
      await cluster!.kill(master);
      replicaProcess.kill('SIGCONT');
      unreplicatedBytes = acknowledged - (await offset(replica));
      failover = waitFor(
        async () =>
          (await cluster!.masterOf(slot).catch(() => master)) === replica ? Date.now() - killedAt.getTime() : 0,
        { what: `the replica on port ${replica} to take over slot ${slot}`, timeoutMs: 30_000, intervalMs: 50 },
      );
      failover.catch(() => {}); // awaited below; handled here should a failed expectation end the test first
    });
    const postedMs = Date.now() - killedAt.getTime();
    // Client retries of 100 events already answered (a lost answer, say): duplicates, counted nowhere.
    const again = await post(second, events.slice(0, 100));
    expect([...again.values()].every((s) => s === 'duplicate')).toBe(true);

    // Every event was accepted: the API's answer never depends on Redis.
    expect(answers.size).toBe(EXPECTED_TALLY.inbox.processed);
    expect([...answers.values()].filter((s) => s !== 'accepted')).toEqual([]);
    expect(unreplicatedBytes).toBeGreaterThan(0);

    const failoverMs = await failover!;
    await waitFor(() => processedCount(database!.db, second.universityCode), {
      what: 'every accepted event of the second university processed',
      until: (n) => n === EXPECTED_TALLY.inbox.processed,
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    const recoveredMs = Date.now() - killedAt.getTime();
    expect(await tally(database!.db, second.universityCode, 'c2')).toEqual(EXPECTED_TALLY);

    // What the sweeper brought back: all rows whose job the queue lost or never got (the API's enqueues fail while
    // the slot has no master), and among them those accepted while the master's writes went unreplicated.
    const swept = async (from: Date, to: Date) =>
      (
        await sql<{ accepted: number; swept: number; slowestMs: number | null }>`
          SELECT count(*)::int AS accepted, count(*) FILTER (WHERE redeliveries > 0)::int AS swept,
                 max(extract(epoch FROM processed_at - received_at) * 1000)
                   FILTER (WHERE redeliveries > 0)::int AS "slowestMs"
          FROM inbox_events
          WHERE university_code = ${second.universityCode} AND received_at BETWEEN ${from} AND ${to}`.execute(
          database!.db,
        )
      ).rows[0]!;
    const all = await swept(new Date(0), new Date());
    const unreplicated = await swept(cutAt, killedAt);
    expect(all.swept).toBeGreaterThan(0);
    // Which posts land inside the 400 ms window, and whether their enqueue reaches the old master before it dies or
    // the new one after, depends on the machine's load (beside the whole suite a post may commit before the cut or
    // enqueue after the failover): the window's own counts are bounded, not fixed. What holds whatever the timing:
    // acknowledged writes went unreplicated, jobs were lost and swept back, every accepted event counts exactly once.
    expect(unreplicated.swept).toBeLessThanOrEqual(unreplicated.accepted);
    expect(all.swept).toBeLessThanOrEqual(all.accepted);
    expect(all.accepted).toBe(answers.size);
    expect(all.slowestMs).toBeGreaterThan(0);
    expect(failoverMs).toBeLessThan(30_000);

    // The stored figures after the failover: rankings, notices job and delivery through the new master.
    await runPeriod('2022-W15', '2022-04-17');
    expect(await nationalRow('2022-W15', second.universityCode)).toMatchObject({
      employersVisited: EXPECTED_TALLY.distinctEmployers,
      positions: EXPECTED_TALLY.positions,
    });
    expect(await nationalRow('2022-W15', first.universityCode)).toMatchObject({
      employersVisited: EXPECTED_TALLY.distinctEmployers,
      positions: EXPECTED_TALLY.positions,
    });
    expect(mails.filter((m) => m.includes('moe@moe.example'))).toHaveLength(2);
    console.log(
      `redis-cluster failover: master :${master} killed with ${unreplicatedBytes} bytes of acknowledged writes ` +
        `unreplicated (${unreplicated.accepted} events accepted in those ${UNREPLICATED_WINDOW_MS} ms, ` +
        `${unreplicated.swept} of them swept back, slowest accepted → processed ${unreplicated.slowestMs} ms); ` +
        `replica :${replica} took over slot ${slot} ${failoverMs} ms after the kill; posting went on for ` +
        `${postedMs} ms; all ${answers.size} accepted events processed ${recoveredMs} ms after the kill, ` +
        `${all.swept} of them redelivered by the sweeper (slowest accepted → processed ${all.slowestMs} ms; ` +
        `INBOX_REDELIVERY_SECONDS=${REDELIVERY_SECONDS}, sweep every ${SWEEP_MS} ms)`,
    );
  }, 360_000);

  it('answers the demo’s start-up probe, and deletes a prefix’s keys on every master (the demo’s and tests’ cleanup)', async () => {
    expect(await redisAnswers(cluster!.url)).toBe(true);
    expect(await redisAnswers(`redis+cluster://127.0.0.1:${await freePort()}`)).toBe(false);
    // Without a hash tag the keys spread over the slots, so over the masters; one DEL of them all would be CROSSSLOT.
    const keys = Array.from({ length: 60 }, (_, i) => `${TAG}-scatter:${i}`);
    for (const key of keys) await redis!.set(key, '1');
    const masters = (await cluster!.layout()).filter((n) => n.flags.includes('master') && !n.flags.includes('fail'));
    const holding = await Promise.all(
      masters.map(async (m) => (await cluster!.node(m.port).scan('0', 'MATCH', `${TAG}-scatter:*`, 'COUNT', 1000))[1]),
    );
    expect(holding.filter((k) => k.length > 0).length).toBeGreaterThan(1);
    expect(await deleteKeysWithPrefix(redis!, `${TAG}-scatter:`)).toBe(keys.length);
    expect(await redis!.exists(...keys.slice(0, 1))).toBe(0);
    for (const m of masters)
      expect((await cluster!.node(m.port).scan('0', 'MATCH', `${TAG}-scatter:*`, 'COUNT', 1000))[1]).toEqual([]);
  });
});
