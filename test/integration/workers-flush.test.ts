// FLUSHALL on Redis after 1,000 events were accepted: the inbox is the record, the sweeper redelivers what the
// queue lost. Runs against a private redis-server, never the shared one.
import { describe, expect, it } from 'vitest';
import { createReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { startWorkerChild } from '../helpers/processes.ts';
import { useTestServices } from '../helpers/setup.ts';
import {
  acceptAndEnqueue,
  EXPECTED_TALLY,
  processedCount,
  tally,
  waitForProcessed,
  workload,
} from '../helpers/workload.ts';

const services = useTestServices({ poolSize: 3, redis: 'private', producer: true });

describe('Redis flushed', { timeout: 180_000 }, () => {
  it('processes every accepted event exactly once after FLUSHALL in the middle of 2,000 events', async () => {
    const ref = await createReferenceData(services.db);
    const events = workload(ref, 'flush');
    await acceptAndEnqueue(services.db, services.producer, ref.clientId, events.slice(0, 1000));
    const worker = await startWorkerChild(
      {
        ...services.env,
        DB_POOL_SIZE: '4',
        WORKER_CONCURRENCY: '8',
        INBOX_REDELIVERY_SECONDS: '2',
      },
      { lockDurationMs: 3000, stalledIntervalMs: 1000 },
    );
    services.closeAtEnd(async () => {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) return;
      worker.process.kill('SIGTERM');
      await worker.exited;
    });
    // Flush while the worker is busy: waiting jobs and the locks of running ones are gone.
    await waitFor(() => processedCount(services.db, ref.universityCode), {
      what: '100 events processed before the flush',
      until: (n) => n >= 100,
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    expect(await services.redis.flushall()).toBe('OK');
    expect(await processedCount(services.db, ref.universityCode)).toBeLessThan(1000);
    await acceptAndEnqueue(services.db, services.producer, ref.clientId, events.slice(1000));
    await waitForProcessed(services.db, ref.universityCode, 2000).catch((err: Error) => {
      throw new Error(`${err.message}; worker said: ${worker.output().slice(-3000)}`);
    });
    expect(await tally(services.db, ref.universityCode, 'flush')).toEqual(EXPECTED_TALLY);
  });
});
