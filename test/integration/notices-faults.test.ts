// The fault test for notices (issue 11): Redis loses everything between the rankings job and the notices job, a
// worker process is killed with SIGKILL in the middle of an SMTP send, and Redis is flushed once more, so that only
// PostgreSQL remembers the half-sent delivery. Every recipient still gets each notice exactly once, counted at a real
// SMTP server. Runs against a redis-server of its own (FLUSHALL never touches the shared one), real worker processes,
// the real scheduler and PostgreSQL.
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeRankingsJob } from '../../jobs/compute-rankings.job.ts';
import { noticesJobId } from '../../jobs/producer.ts';
import { startScheduler, type Scheduler } from '../../services/scheduler/index.ts';
import { startWorkers } from '../../services/workers/index.ts';
import { loadConfig } from '../../shared/config.ts';
import { listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { listSnapshots } from '../../shared/repositories/snapshot.repository.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { waitFor } from '../helpers/poll.ts';
import { startWorkerChild, type Child } from '../helpers/processes.ts';
import { buildRankingWorld } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

// ── a real SMTP server: every accepted message by recipient and Message-ID; one recipient's first session stalls ──
const STALL = 'stall@edu.example';
const accepted: Array<{ to: string; messageId: string }> = [];
const rcptAttempts = new Map<string, number>();
let stalling = false;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    const n = (rcptAttempts.get(address.address) ?? 0) + 1;
    rcptAttempts.set(address.address, n);
    // The first send to STALL never gets an answer: the worker is killed while it waits, mid-send.
    if (address.address === STALL && n === 1) {
      stalling = true;
      return;
    }
    callback();
  },
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        for (const to of session.envelope.rcptTo) accepted.push({ to: to.address, messageId: mail.messageId ?? '' });
        callback();
      })
      .catch((err: Error) => callback(err));
  },
});

const RECIPIENTS = {
  national: ['ministry@moe.example', 'office@moe.example'],
  'province:440000': ['gd@edu.example', STALL],
  'province:110000': ['bj@edu.example'],
} as const;
const PERIOD = '2022-W14';
// Wednesday 2022-04-13, 10:00 in Shanghai; with a 3-day lookback only W14 (to 10 April) is due.
const WEDNESDAY = new Date('2022-04-13T02:00:00Z');

const services = useTestServices({ poolSize: 4, redis: 'private', producer: true });
let env: Record<string, string> & { DATABASE_URL: string };
const schedulers: Scheduler[] = [];
const children: Child[] = [];

async function periodDeliveries() {
  const notices = await listNotices(services.db, { campaignId: '2022', period: PERIOD });
  return notices.length ? listDeliveries(services.db, { noticeIds: notices.map((n) => n.id) }) : [];
}

beforeAll(async () => {
  await buildRankingWorld(services.db);
  for (const [scope, addresses] of Object.entries(RECIPIENTS)) {
    for (const address of addresses) await addRecipient(services.db, { scope, kind: 'email', address });
  }
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  env = {
    ...services.env,
    // No client timeouts: the stalled send waits until its worker is killed.
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`,
    DB_POOL_SIZE: '4',
    INBOX_REDELIVERY_SECONDS: '2',
    DELIVERY_LEASE_SECONDS: '3',
    SCHEDULE_LOOKBACK_DAYS: '3',
    SCHEDULE_CATCHUP_SECONDS: '1',
  };
}, 120_000);

afterAll(async () => {
  for (const s of schedulers) await s.close();
  for (const c of children) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill('SIGTERM');
      await c.exited;
    }
  }
  await new Promise((res) => smtp.close(() => res(undefined)));
});

describe('notices under faults', { timeout: 240_000 }, () => {
  it('a Redis flush between the rankings and notices jobs and a worker killed mid-send: every recipient gets each notice exactly once', async () => {
    // 1. The week's ranking run, as a cron tick enqueues it, taken by a worker that runs only rankings: it stores the
    //    snapshots and enqueues the notices job.
    await services.producer.enqueueRankings('2022', PERIOD, '2022-04-10');
    const rankingsOnly = await startWorkers(loadConfig({ ...env, LOG_LEVEL: 'silent' }), {
      modules: [computeRankingsJob],
      sweepIntervalMs: 0,
    });
    try {
      await waitFor(async () => (await services.producer.queue('notices').getJob(noticesJobId('2022', PERIOD)))?.id, {
        what: 'the notices job',
        until: (id) => id !== undefined,
        timeoutMs: 60_000,
      });
    } finally {
      await rankingsOnly.close();
    }
    expect((await listSnapshots(services.db, '2022', PERIOD)).length).toBeGreaterThan(0);

    // 2. Redis loses everything before the notices job runs.
    expect(await services.redis.flushall()).toBe('OK');
    expect(await services.producer.queue('notices').getJob(noticesJobId('2022', PERIOD))).toBeUndefined();
    expect(await listNotices(services.db, { campaignId: '2022', period: PERIOD })).toEqual([]);

    // 3. The scheduler's catch-up finds a period with snapshots but no notices; a worker process generates and sends.
    //    Both with a long lease, so that nothing takes the stalled send back while it waits to be killed.
    const longLease = { ...env, DELIVERY_LEASE_SECONDS: '600' };
    const before = await startScheduler(loadConfig({ ...longLease, LOG_LEVEL: 'silent' }), { now: () => WEDNESDAY });
    schedulers.push(before);
    const first = await startWorkerChild(longLease, { lockDurationMs: 3000, stalledIntervalMs: 1000 });
    children.push(first);
    const all = Object.values(RECIPIENTS).flat();
    await waitFor(
      async () => {
        const ds = await periodDeliveries();
        return {
          n: ds.length,
          delivered: ds.filter((d) => d.state === 'delivered').length,
          sending: ds.filter((d) => d.state === 'sending').length,
          stalling,
        };
      },
      {
        what: 'every delivery but the stalled one to be delivered, and the stalled one mid-send',
        until: (s) => s.n === all.length && s.delivered === all.length - 1 && s.sending === 1 && s.stalling,
        timeoutMs: 60_000,
      },
    );

    // 4. The worker dies mid-send (SIGKILL: no cleanup), and Redis loses its jobs once more: only PostgreSQL knows.
    await before.close();
    first.process.kill('SIGKILL');
    await first.exited;
    expect(await services.redis.flushall()).toBe('OK');

    // 5. Once its lease has expired, `ledger notices list` shows the delivery stuck.
    const list = await waitFor(
      async () => {
        const out = await runLedger(['notices', 'list', '--campaign', '2022', '--period', PERIOD, '--json'], {
          ...env,
          SCHEDULE_CATCHUP_SECONDS: '0',
        });
        return jsonOut<Array<{ scope: string; stuckDeliveries: number }>>(out);
      },
      {
        what: 'the stuck delivery in `ledger notices list`',
        until: (rows) => rows.some((n) => n.stuckDeliveries === 1),
        timeoutMs: 30_000,
      },
    );
    expect(list.find((n) => n.stuckDeliveries === 1)?.scope).toBe('province:440000');

    // 6. A new worker process and a scheduler's periodic catch-up (a 3 s lease) take the delivery back and send it.
    schedulers.push(await startScheduler(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { now: () => WEDNESDAY }));
    const second = await startWorkerChild(env, { lockDurationMs: 3000, stalledIntervalMs: 1000 });
    children.push(second);
    const deliveries = await waitFor(periodDeliveries, {
      what: 'every delivery to be delivered',
      until: (ds) => ds.length === all.length && ds.every((d) => d.state === 'delivered'),
      timeoutMs: 60_000,
    });
    // Nothing is left that could still send: no open delivery, no live job.
    const q = services.producer.queue('deliveries');
    await waitFor(() => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized'), {
      what: 'the delivery queue to be idle',
      until: (c) => Object.values(c).every((n) => n === 0),
      timeoutMs: 60_000,
    });

    // Each recipient received exactly one message, the notice of its scope, once.
    const notices = await listNotices(services.db, { campaignId: '2022', period: PERIOD });
    expect(notices.map((n) => n.scope).sort()).toEqual(['national', 'province:110000', 'province:440000']);
    for (const [scope, addresses] of Object.entries(RECIPIENTS)) {
      const notice = notices.find((n) => n.scope === scope)!;
      for (const address of addresses) {
        const got = accepted.filter((m) => m.to === address);
        expect(got, address).toHaveLength(1);
        expect(got[0]!.messageId, address).toMatch(new RegExp(`^<notice-${notice.id}-delivery-\\d+@ledger>$`));
      }
    }
    expect(accepted).toHaveLength(all.length);
    expect(rcptAttempts.get(STALL)).toBe(2); // the killed send, and the one after the lease
    const stalled = deliveries.find((d) =>
      accepted.some((m) => m.to === STALL && m.messageId.includes(`delivery-${d.id}@`)),
    );
    expect(stalled).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(deliveries.filter((d) => d !== stalled).every((d) => d.attempts === 1)).toBe(true);
  });
});
