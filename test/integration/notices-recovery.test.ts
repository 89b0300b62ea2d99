// Deliveries that must not be lost or sent twice (issue 11, points 14, 15 and 11's transport rules), against a real
// SMTP server (smtp-server), real HTTP servers, PostgreSQL, Redis and the real workers and scheduler: a row left
// 'sending' is taken back after its lease, a send the database will not record is never repeated, delivery state
// commits synchronously, the scheduler's catch-up finds notices and deliveries the queue lost, webhooks do not follow
// redirects and SMTP_REQUIRE_TLS refuses a server without STARTTLS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverNoticeJob } from '../../jobs/deliver-notice.job.ts';
import { generateNoticesJob } from '../../jobs/generate-notices.job.ts';
import { deliveryJobId } from '../../jobs/producer.ts';
import { startScheduler, type Scheduler } from '../../services/scheduler/index.ts';
import { startWorkers, type Workers } from '../../services/workers/index.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { deliver, deliverySettings, recoverDeliveries } from '../../shared/use-cases/deliver-notices.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { takeSnapshots } from '../../shared/use-cases/take-snapshots.ts';
import { claimDelivery, getDelivery, listDeliveries } from '../../shared/repositories/delivery.repository.ts';
import { listNotices } from '../../shared/repositories/notice.repository.ts';
import { addRecipient, removeRecipient } from '../../shared/repositories/recipient.repository.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { buildRankingWorld } from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

// ── a real SMTP server (no STARTTLS), counting what each address receives ────────────────────────────────────────
const mails = new Map<string, number>();
const rcpts = new Map<string, number>();
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onRcptTo(address, _session, callback) {
    rcpts.set(address.address, (rcpts.get(address.address) ?? 0) + 1);
    callback();
  },
  onData(stream, session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => {
      for (const to of session.envelope.rcptTo) mails.set(to.address, (mails.get(to.address) ?? 0) + 1);
      callback();
    });
  },
});

// ── a webhook endpoint that redirects, and the server it redirects to ───────────────────────────────────────────
const landed: string[] = [];
const landing: Server = createServer((req, res) => {
  landed.push(`${req.method} ${req.url}`);
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});
let landingUrl = '';
const redirecting: Server = createServer((req, res) => {
  req.resume();
  res.writeHead(302, { location: `${landingUrl}/stolen` }).end();
});

const services = useTestServices({ poolSize: 4, producer: true });
let smtpUrl: string;
let redirectUrl: string;

const LEASE_SECONDS = 2;
/** For the tests that are not about the lease: nothing is taken back while a slow machine sends. */
const LONG_LEASE = { DELIVERY_LEASE_SECONDS: '600' };
/** Not a wait for a condition: a window in which a second send, which must not happen, would arrive. */
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

function configWith(extra: Record<string, string> = {}): Config {
  return loadConfig({
    ...services.env,
    SMTP_URL: smtpUrl,
    LOG_LEVEL: 'silent',
    DB_POOL_SIZE: '4',
    DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS),
    ...extra,
  });
}

/** The real notice workers with their own (asynchronous-commit) pool, and the delivery sweeper every 300 ms. */
function notices(extra: Record<string, string> = {}, sweepIntervalMs = 300): Promise<Workers> {
  return startWorkers(configWith(extra), { modules: [generateNoticesJob, deliverNoticeJob], sweepIntervalMs });
}

/**
 * One recipient of a scope and its delivery of the period's notice, created as `ledger notices run` does (no job
 * queued). The recipient is removed again afterwards, so later periods do not include it.
 */
const added: number[] = [];
async function oneDelivery(period: string, address: string, scope = 'province:110000') {
  for (const id of added.splice(0)) await removeRecipient(services.db, id); // whatever an earlier test left behind
  const kind = address.startsWith('http') ? 'webhook' : 'email';
  const { recipient } = await addRecipient(services.db, {
    scope,
    kind,
    address,
    ...(kind === 'webhook' ? { secret: 'test-secret', format: 'json' as const } : {}),
  });
  added.push(recipient.id);
  const result = await generateNotices(services.db, { campaignId: '2022', period });
  const ds = await listDeliveries(services.db, { ids: result.pendingDeliveryIds });
  const delivery = ds.find((d) => d.recipientId === recipient.id)!;
  expect(ds).toHaveLength(1);
  return { id: delivery.id, done: () => removeRecipient(services.db, recipient.id) };
}

const backdate = (id: number, seconds: number) =>
  sql`UPDATE notice_deliveries SET claimed_at = now() - make_interval(secs => ${seconds}),
        updated_at = now() - make_interval(secs => ${seconds}) WHERE id = ${id}`.execute(services.db);

/** Makes PostgreSQL refuse the next `n` updates that mark a delivery delivered (a sequence: not rolled back). */
async function refuseDelivered(n: number): Promise<void> {
  await sql`UPDATE refuse_delivered SET remaining = ${n}`.execute(services.db);
  await sql`SELECT setval('refused_updates', 1, false)`.execute(services.db);
}

beforeAll(async () => {
  await buildRankingWorld(services.db);
  await new Promise<void>((res) => smtp.listen(0, '127.0.0.1', () => res()));
  await new Promise<void>((res) => landing.listen(0, '127.0.0.1', () => res()));
  await new Promise<void>((res) => redirecting.listen(0, '127.0.0.1', () => res()));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}/?ignoreTLS=true`;
  landingUrl = `http://127.0.0.1:${(landing.address() as AddressInfo).port}`;
  redirectUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hook`;
  // Fault injection inside PostgreSQL: refuse an update to 'delivered' while the sequence is below the limit, and
  // record the synchronous_commit in force for every change of a delivery.
  await sql`CREATE TABLE refuse_delivered (remaining int NOT NULL)`.execute(services.db);
  await sql`INSERT INTO refuse_delivered VALUES (0)`.execute(services.db);
  await sql`CREATE SEQUENCE refused_updates`.execute(services.db);
  await sql`CREATE TABLE delivery_commit_modes (delivery_id bigint, state text, synchronous_commit text)`.execute(
    services.db,
  );
  await sql`CREATE FUNCTION delivery_faults() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO delivery_commit_modes VALUES (NEW.id, NEW.state, current_setting('synchronous_commit'));
      IF NEW.state = 'delivered' AND nextval('refused_updates') <= (SELECT remaining FROM refuse_delivered) THEN
        RAISE EXCEPTION 'injected fault: the status update is refused';
      END IF;
      RETURN NEW;
    END $$`.execute(services.db);
  await sql`CREATE TRIGGER delivery_faults BEFORE UPDATE ON notice_deliveries FOR EACH ROW EXECUTE FUNCTION delivery_faults()`.execute(
    services.db,
  );
}, 120_000);

afterAll(async () => {
  await new Promise((res) => smtp.close(() => res(undefined)));
  await new Promise((res) => landing.close(() => res(undefined)));
  await new Promise((res) => redirecting.close(() => res(undefined)));
});

describe('a delivery stuck in sending', { timeout: 90_000 }, () => {
  it('is taken back after its lease and sent once, when its last retry found it still leased and gave up', async () => {
    const d = await oneDelivery('2022-W10', 'stuck@edu.example');
    // A worker claimed it and died mid-send; the job's last attempt then finds the row leased ('busy') and ends.
    expect(await claimDelivery(services.db, d.id, LEASE_SECONDS)).toMatchObject({ state: 'sending', attempts: 1 });
    await services.producer
      .queue('deliveries')
      .add('deliveries', { deliveryId: d.id }, { jobId: deliveryJobId(d.id), attempts: 1 });
    // Workers with a lease longer than the job's retries (as in production) run that last attempt...
    const before = await notices(LONG_LEASE);
    try {
      const job = await waitFor(() => services.producer.queue('deliveries').getJob(deliveryJobId(d.id)), {
        what: 'the last attempt to end',
        until: (j) => j?.finishedOn !== undefined,
        timeoutMs: 40_000,
      });
      expect(job?.returnvalue).toMatchObject({ outcome: 'busy' });
      expect(await getDelivery(services.db, d.id)).toMatchObject({ state: 'sending' }); // and nothing else would ever send it
    } finally {
      await before.close();
    }
    // ...and once the lease has expired, the delivery sweeper takes it back.
    const workers = await notices();
    try {
      await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery',
        until: (x) => x?.state === 'delivered',
        timeoutMs: 40_000,
      });
      await sleep(1000); // a second send would arrive now
      expect(mails.get('stuck@edu.example')).toBe(1);
      expect(await getDelivery(services.db, d.id)).toMatchObject({ state: 'delivered', attempts: 2 });
    } finally {
      await workers.close();
      await d.done();
    }
  });

  it('ends failed, unsent, once it has used the attempt cap', async () => {
    const d = await oneDelivery('2022-W11', 'doomed@edu.example');
    await claimDelivery(services.db, d.id, LEASE_SECONDS);
    await sql`UPDATE notice_deliveries SET attempts = 8 WHERE id = ${d.id}`.execute(services.db); // eighth claim, worker died
    const workers = await notices();
    try {
      const row = await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery to end',
        until: (x) => x?.state !== 'sending',
        timeoutMs: 40_000,
      });
      expect(row).toMatchObject({ state: 'failed', attempts: 8 });
      expect(row?.lastError).toContain('abandoned mid-send');
      expect(row?.lastError).toContain('gave up after 8 attempts');
      expect(mails.get('doomed@edu.example')).toBeUndefined();
    } finally {
      await workers.close();
      await d.done();
    }
  });

  it('shows in `ledger notices list` as stuck once its lease has expired', async () => {
    const d = await oneDelivery('2022-W12', 'shown@edu.example');
    await claimDelivery(services.db, d.id, LEASE_SECONDS);
    await backdate(d.id, 60);
    const env = {
      ...services.env,
      DELIVERY_LEASE_SECONDS: '30',
    };
    try {
      const json = await runLedger(['notices', 'list', '--campaign', '2022', '--period', '2022-W12', '--json'], env);
      expect(json.code, json.stderr).toBe(0);
      const row = jsonOut<Array<{ scope: string; deliveries: Record<string, number>; stuckDeliveries: number }>>(
        json,
      ).find((n) => n.scope === 'province:110000');
      expect(row).toMatchObject({ deliveries: { sending: 1 }, stuckDeliveries: 1 });
      const text = await runLedger(['notices', 'list', '--campaign', '2022', '--period', '2022-W12'], env);
      expect(text.stdout).toMatch(/province:110000.*sending 1 \(1 stuck\)/);
    } finally {
      await sql`UPDATE notice_deliveries SET state = 'failed' WHERE id = ${d.id}`.execute(services.db);
      await d.done();
    }
  });
});

describe('a send that succeeded is never repeated', { timeout: 90_000 }, () => {
  it('retries recording "delivered" when the database refuses it after the send, and sends once', async () => {
    const d = await oneDelivery('2022-W13', 'refused@edu.example');
    await refuseDelivered(3);
    const workers = await notices(LONG_LEASE);
    try {
      await services.producer.enqueueDeliveries([d.id]);
      await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery',
        until: (x) => x?.state === 'delivered',
        timeoutMs: 40_000,
      });
      await sleep(2500); // a retry of the job would send again now
      expect(mails.get('refused@edu.example')).toBe(1);
      expect(await getDelivery(services.db, d.id)).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      await refuseDelivered(0);
      await workers.close();
      await d.done();
    }
  });

  it('keeps the send in its job while the database refuses for longer, and records it later without sending again', async () => {
    const d = await oneDelivery('2022-W14', 'outage@edu.example');
    await refuseDelivered(1_000_000);
    const workers = await notices();
    try {
      await services.producer.enqueueDeliveries([d.id]);
      const kept = await waitFor(() => services.producer.sentDeliveryResponse(d.id), {
        what: 'the job to keep the send',
        until: (x) => x !== undefined,
        timeoutMs: 40_000,
      });
      expect(kept).toMatch(/^250/);
      // Not recorded yet. (With this test's 2 s lease the sweeper may meanwhile have put the row back to 'pending':
      // its job holds the send, so nothing is sent again either way.)
      expect((await getDelivery(services.db, d.id))?.state).not.toBe('delivered');
      await refuseDelivered(0); // the database is back
      await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery',
        until: (x) => x?.state === 'delivered',
        timeoutMs: 40_000,
      });
      expect(mails.get('outage@edu.example')).toBe(1);
      expect(rcpts.get('outage@edu.example')).toBe(1);
    } finally {
      await refuseDelivered(0);
      await workers.close();
      await d.done();
    }
  });

  it('the sweeper records a delivery from the send its job kept, instead of sending it again', async () => {
    const d = await oneDelivery('2022-W15', 'kept@edu.example');
    await claimDelivery(services.db, d.id, LEASE_SECONDS);
    await backdate(d.id, 60);
    await services.producer.keepSentDelivery(d.id, '250 2.0.0 kept by the job');
    try {
      const recovery = await recoverDeliveries(services.db, services.producer, { leaseSeconds: LEASE_SECONDS });
      expect(recovery.recorded).toEqual([d.id]);
      expect(await getDelivery(services.db, d.id)).toMatchObject({
        state: 'delivered',
        response: '250 2.0.0 kept by the job',
      });
      expect(mails.get('kept@edu.example')).toBeUndefined();
    } finally {
      await services.producer.queue('deliveries').remove(deliveryJobId(d.id));
      await d.done();
    }
  });

  it('commits delivery state synchronously, although the workers commit asynchronously otherwise', async () => {
    const d = await oneDelivery('2022-W16', 'durable@edu.example');
    const workers = await notices(LONG_LEASE);
    try {
      await services.producer.enqueueDeliveries([d.id]);
      await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery',
        until: (x) => x?.state === 'delivered',
        timeoutMs: 40_000,
      });
      const modes = await sql<{ state: string; synchronous_commit: string }>`
        SELECT state, synchronous_commit FROM delivery_commit_modes WHERE delivery_id = ${d.id}`.execute(services.db);
      expect(modes.rows.map((m) => m.state)).toEqual(['sending', 'delivered']);
      expect(modes.rows.every((m) => m.synchronous_commit === 'on')).toBe(true);
    } finally {
      await workers.close();
      await d.done();
    }
  });
});

describe('the scheduler catches up with what Redis lost', { timeout: 90_000 }, () => {
  it('generates and delivers the notices of a recent period that has snapshots but no notices', async () => {
    const { recipient } = await addRecipient(services.db, {
      scope: 'national',
      kind: 'email',
      address: 'moe@moe.example',
    });
    let workers: Workers | undefined;
    let scheduler: Scheduler | undefined;
    try {
      await takeSnapshots(services.db, { campaignId: '2022', period: '2022-W17' }); // the rankings job ran; its notices job was lost
      workers = await notices({}, 0); // no delivery sweeper here: the scheduler alone must find it
      // Wednesday 2022-05-04: W17 (to 1 May) is within the 14-day lookback. No cron tick fires during the test.
      scheduler = await startScheduler(configWith({ SCHEDULE_CATCHUP_SECONDS: '0' }), {
        now: () => new Date('2022-05-04T02:00:00Z'),
      });
      await waitFor(
        async () => {
          const ns = await listNotices(services.db, { campaignId: '2022', period: '2022-W17' });
          return ns.find((n) => n.scope === 'national')?.deliveries.delivered ?? 0;
        },
        { what: 'the W17 notices to be delivered', until: (n) => n === 1, timeoutMs: 40_000 },
      );
      await sleep(1000);
      expect(mails.get('moe@moe.example')).toBe(1);
    } finally {
      await scheduler?.close();
      await workers?.close();
      await removeRecipient(services.db, recipient.id);
      // The catch-up also queued ranking runs for the other due periods; no worker here takes them.
      await services.producer.queue('rankings').obliterate({ force: true });
    }
  });

  it('queues again a pending delivery whose job Redis lost, and it is sent once', async () => {
    const d = await oneDelivery('2022-W18', 'lost@edu.example');
    let workers: Workers | undefined;
    let scheduler: Scheduler | undefined;
    try {
      await backdate(d.id, 60); // created a minute ago; its job never reached the queue (or the queue was flushed)
      workers = await notices({}, 0);
      // Far after the campaign: no period is due, only deliveries are recovered.
      scheduler = await startScheduler(configWith({ SCHEDULE_CATCHUP_SECONDS: '0' }), {
        now: () => new Date('2030-01-09T02:00:00Z'),
      });
      await waitFor(() => getDelivery(services.db, d.id), {
        what: 'the delivery',
        until: (x) => x?.state === 'delivered',
        timeoutMs: 40_000,
      });
      await sleep(1000);
      expect(mails.get('lost@edu.example')).toBe(1);
    } finally {
      await scheduler?.close();
      await workers?.close();
      await d.done();
    }
  });
});

describe('transport rules', { timeout: 60_000 }, () => {
  it('does not follow a webhook redirect: a 302 fails the delivery and the target receives nothing', async () => {
    const d = await oneDelivery('2022-03', redirectUrl);
    try {
      const outcome = await deliver(services.db, d.id, deliverySettings(configWith()), { finalAttempt: false });
      expect(outcome).toMatchObject({ outcome: 'failed' });
      const row = await getDelivery(services.db, d.id);
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row?.lastError).toContain('302');
      expect(row?.lastError).toContain('redirects are not followed');
      expect(landed).toEqual([]);
    } finally {
      await d.done();
    }
  });

  it('with SMTP_REQUIRE_TLS, refuses an SMTP server without STARTTLS: failed at once with a clear error, nothing sent', async () => {
    const d = await oneDelivery('2022-04', 'plaintext@edu.example');
    try {
      const settings = deliverySettings(configWith({ SMTP_REQUIRE_TLS: 'true' }));
      const outcome = await deliver(services.db, d.id, settings, { finalAttempt: false });
      expect(outcome).toMatchObject({ outcome: 'failed' });
      const row = await getDelivery(services.db, d.id);
      expect(row).toMatchObject({ state: 'failed', attempts: 1 });
      expect(row?.lastError).toContain('did not start TLS and SMTP_REQUIRE_TLS is set');
      expect(rcpts.get('plaintext@edu.example')).toBeUndefined();
      expect(mails.get('plaintext@edu.example')).toBeUndefined();
    } finally {
      await d.done();
    }
  });
});
