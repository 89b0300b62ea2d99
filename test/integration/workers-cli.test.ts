import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { processVisitEvents } from '../../jobs/process-visit-events.job.ts';
import { loadConfig } from '../../shared/config.ts';
import { rootLogger } from '../../shared/log.ts';
import { getVisit } from '../../shared/repositories/visit.repository.ts';
import { createReferenceData, insertInboxEvents, visitEvent, type ReferenceData } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
let ref: ReferenceData;

beforeAll(async () => {
  ref = await createReferenceData(services.db);
});

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...services.env,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '3',
    ...extra,
  };
}

function ledger(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/ledger.js', ...args], { env: env(extra) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('ledger dlq', () => {
  it('lists a dead-lettered event with its reason, and replays it once the cause is fixed', async () => {
    const ctx = { db: services.db, producer: services.producer, config: loadConfig(env()), log: rootLogger };
    const ev = visitEvent(ref, { campaignId: '2099', visit: { ref: 'dlq-1' } });
    const [id] = await insertInboxEvents(services.db, ref.clientId, [ev]);
    await processVisitEvents(ctx, [id!]);

    const list = await ledger(['dlq', 'list', '--json']);
    expect(list.code).toBe(0);
    const letters = JSON.parse(list.stdout) as Array<{ id: number; inboxId: number; reason: string }>;
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ inboxId: id });
    expect(letters[0]!.reason).toMatch(/campaign/);

    // The cause: the campaign did not exist. Fix it, then replay.
    await createReferenceData(services.db, {
      universityCode: ref.universityCode,
      campaignId: '2099',
      start: '2022-01-01',
      end: '2022-12-31',
    });
    const replay = await ledger(['dlq', 'replay', '--id', String(letters[0]!.id), '--json']);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: 1, inboxIds: [id], enqueued: true });
    const row = await services.db
      .selectFrom('inbox_events')
      .select(['status', 'error'])
      .where('id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'accepted', error: null });
    const dl = await services.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('inbox_id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(dl.replayed_at).toBeInstanceOf(Date);
    expect(await services.producer.queue('visit-events').getJob(`ev-${id}`)).toBeDefined();

    // The job it enqueued is processed by a worker now that the campaign exists.
    await processVisitEvents(ctx, [id!]);
    expect(await getVisit(services.db, ref.universityCode, 'dlq-1')).toMatchObject({
      state: 'active',
      campaign_id: '2099',
    });
    const empty = await ledger(['dlq', 'list', '--json']);
    expect(JSON.parse(empty.stdout)).toEqual([]);
  });

  it('refuses to replay an unknown dead letter with a one-line reason', async () => {
    const res = await ledger(['dlq', 'replay', '--id', '999999']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n').at(-1)).toMatch(/^ledger: no dead letter 999999/);
  });
});

describe('ledger serve', () => {
  it('processes queued events with --workers and exits 0 within 10 s of SIGTERM', async () => {
    const evs = Array.from({ length: 50 }, (_, i) => visitEvent(ref, { visit: { ref: `serve-${i}` } }));
    const ids = await insertInboxEvents(services.db, ref.clientId, evs);
    await services.producer.enqueueVisitEvents(ids);
    const child = spawn(process.execPath, ['bin/ledger.js', 'serve', '--workers', '--concurrency', '4'], {
      env: env(),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    services.closeAtEnd(() => child.kill('SIGKILL')); // a no-op once it has exited
    await waitFor(
      async () => {
        const { n } = await services.db
          .selectFrom('inbox_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('id', 'in', ids)
          .where('status', '=', 'processed')
          .executeTakeFirstOrThrow();
        return Number(n);
      },
      {
        what: `the ${ids.length} queued events processed`,
        until: (n) => n === ids.length,
        intervalMs: 200,
        timeoutMs: 90_000,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; serve said: ${stderr}`);
    });
    const sent = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
  }, 120_000); // a process starting on a busy machine: seconds to load, then 50 events
});
