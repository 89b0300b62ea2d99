// Several worker processes, a worker killed with SIGKILL, PostgreSQL connections cut: every accepted event ends
// processed exactly once and counted once.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceData } from '../helpers/factories.ts';
import { startWorkerChild, type Child } from '../helpers/processes.ts';
import { waitFor } from '../helpers/poll.ts';
import { ADMIN_DATABASE_URL } from '../helpers/services.ts';
import { useTestServices } from '../helpers/setup.ts';
import {
  acceptAndEnqueue,
  EXPECTED_TALLY,
  processedCount,
  tally,
  waitForProcessed,
  workload,
} from '../helpers/workload.ts';

const services = useTestServices({ poolSize: 3, producer: true });
const children: Child[] = [];

// Short locks so that a killed worker's jobs are found stalled within seconds; a short redelivery for the sweeper.
const FAST = { lockDurationMs: 3000, stalledIntervalMs: 1000 };

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.process.exitCode === null && c.process.signalCode === null) {
      c.process.kill('SIGTERM');
      await c.exited;
    }
  }
});

const env = () => ({
  ...services.env,
  DB_POOL_SIZE: '4',
  WORKER_CONCURRENCY: '8',
  INBOX_REDELIVERY_SECONDS: '2',
});

async function start(overrides: object = FAST): Promise<Child> {
  const c = await startWorkerChild(env(), overrides);
  children.push(c);
  return c;
}

describe('worker faults', { timeout: 180_000 }, () => {
  it('two worker processes competing on one queue process 2,000 events exactly once', async () => {
    const ref = await createReferenceData(services.db);
    await Promise.all([start(), start()]);
    await acceptAndEnqueue(services.db, services.producer, ref.clientId, workload(ref, 'two'));
    await waitForProcessed(services.db, ref.universityCode, 2000);
    expect(await tally(services.db, ref.universityCode, 'two')).toEqual(EXPECTED_TALLY);
  });

  it('recovers every event after kill -9 of a worker in the middle of 2,000 events', async () => {
    const ref = await createReferenceData(services.db);
    const victim = await start();
    const accepting = acceptAndEnqueue(services.db, services.producer, ref.clientId, workload(ref, 'kill'));
    await waitFor(() => processedCount(services.db, ref.universityCode), {
      what: '400 events processed before the kill',
      until: (n) => n >= 400,
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    victim.process.kill('SIGKILL');
    await victim.exited;
    const killedAt = await processedCount(services.db, ref.universityCode);
    expect(killedAt).toBeLessThan(2000);
    await accepting;
    await start();
    await waitForProcessed(services.db, ref.universityCode, 2000);
    expect(await tally(services.db, ref.universityCode, 'kill')).toEqual(EXPECTED_TALLY);
  });

  it('recovers when PostgreSQL connections of the workers are terminated during processing', async () => {
    const ref = await createReferenceData(services.db);
    const worker = await start();
    const accepting = acceptAndEnqueue(services.db, services.producer, ref.clientId, workload(ref, 'cut'));
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    let terminated = 0;
    try {
      for (let i = 0; i < 6; i++) {
        // Not a wait for a condition: cutting the connections every 400 ms while the workers run is the fault injected.
        await new Promise((res) => setTimeout(res, 400));
        const res = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ledger-workers' AND pid <> pg_backend_pid()`,
          [services.database.name],
        );
        terminated += res.rowCount ?? 0;
      }
    } finally {
      await admin.end();
    }
    expect(terminated).toBeGreaterThan(0);
    await accepting;
    await waitForProcessed(services.db, ref.universityCode, 2000, 50_000).catch((err: Error) => {
      throw new Error(`${err.message}; worker said: ${worker.output().slice(-3000)}`);
    });
    expect(await tally(services.db, ref.universityCode, 'cut')).toEqual(EXPECTED_TALLY);
  });
});
