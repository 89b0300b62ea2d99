// The scheduler part: node-cron ticks (weekly: the previous ISO week; monthly: the previous month, in
// SCHEDULE_TIMEZONE) that only enqueue ranking runs, with job ids derived from (campaign, period), so any number of
// scheduler processes produce one run per period. On start it enqueues the recent periods that have no snapshot.
import cron, { type ScheduledTask } from 'node-cron';
import { Redis } from 'ioredis';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import type { Config } from '../../shared/config.ts';
import { createDb, type Db } from '../../shared/db/database.ts';
import { dateIn, runsForCatchUp, runsForTick, type DueRun, type PeriodKind } from '../../shared/domain/periods.ts';
import { moduleLogger } from '../../shared/log.ts';
import { listCampaignDates } from '../../shared/repositories/measures.repository.ts';
import { periodsWithSnapshots } from '../../shared/repositories/snapshot.repository.ts';

export interface SchedulerOverrides {
  db?: Db;
  producer?: Producer;
  /** Clock for the start-up catch-up (tests). */
  now?: () => Date;
}

export interface Scheduler {
  /** What a tick of the given schedule at instant `at` enqueues (the cron tasks call this). */
  tick(kind: PeriodKind, at: Date): Promise<DueRun[]>;
  /** The start-up catch-up at instant `at`: recent periods without a snapshot. */
  catchUp(at: Date): Promise<DueRun[]>;
  close(): Promise<void>;
}

const log = moduleLogger('scheduler');

export async function startScheduler(config: Config, overrides: SchedulerOverrides = {}): Promise<Scheduler> {
  const bad = (['SCHEDULE_WEEKLY', 'SCHEDULE_MONTHLY'] as const).filter((k) => !cron.validate(config[k]));
  if (bad.length)
    throw new Error(
      `${bad.map((k) => `${k}=${JSON.stringify(config[k])}`).join(', ')} is not a cron expression: set it like "0 9 * * 1" (minute hour day month weekday)`,
    );
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.SCHEDULE_TIMEZONE });
  } catch {
    throw new Error(
      `SCHEDULE_TIMEZONE=${JSON.stringify(config.SCHEDULE_TIMEZONE)} is not a time zone: set it like Asia/Shanghai`,
    );
  }
  const tz = config.SCHEDULE_TIMEZONE;
  const db = overrides.db ?? createDb(config.DATABASE_URL, { poolSize: 2, applicationName: 'ledger-scheduler' });
  let redis: Redis | undefined;
  let producer = overrides.producer;
  if (!producer) {
    redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3 });
    redis.on('error', () => {});
    producer = createProducer({ connection: redis, prefix: config.QUEUE_PREFIX });
  }
  const queue = producer;

  async function enqueue(runs: DueRun[]): Promise<void> {
    for (const r of runs) await queue.enqueueRankings(r.campaignId, r.period.id, r.asOf);
  }

  const scheduler: Scheduler = {
    async tick(kind, at) {
      const runs = runsForTick(kind, dateIn(at, tz), await listCampaignDates(db));
      await enqueue(runs);
      return runs;
    },
    async catchUp(at) {
      const campaigns = await listCampaignDates(db);
      const due = runsForCatchUp(dateIn(at, tz), config.SCHEDULE_LOOKBACK_DAYS, campaigns);
      const missing: DueRun[] = [];
      for (const c of campaigns) {
        const mine = due.filter((r) => r.campaignId === c.id);
        const done = await periodsWithSnapshots(
          db,
          c.id,
          mine.map((r) => r.period.id),
        );
        missing.push(...mine.filter((r) => !done.has(r.period.id)));
      }
      await enqueue(missing);
      return missing;
    },
    async close() {
      for (const t of tasks) await t.destroy();
      if (!overrides.producer) await queue.close().catch(() => {});
      redis?.disconnect();
      if (!overrides.db) await db.destroy();
    },
  };

  const tasks: ScheduledTask[] = [];
  for (const [kind, expression] of [
    ['week', config.SCHEDULE_WEEKLY],
    ['month', config.SCHEDULE_MONTHLY],
  ] as const) {
    tasks.push(
      cron.schedule(
        expression,
        async (context) => {
          try {
            const runs = await scheduler.tick(kind, context.date);
            log.info(
              { schedule: kind, runs: runs.map((r) => `${r.campaignId}/${r.period.id}`) },
              'scheduled ranking runs enqueued',
            );
          } catch (err) {
            log.error(
              { err, schedule: kind },
              'could not enqueue the scheduled ranking runs; the next start-up catch-up will',
            );
          }
        },
        { timezone: tz, name: `rankings-${kind}`, noOverlap: true },
      ),
    );
  }

  try {
    const runs = await scheduler.catchUp((overrides.now ?? (() => new Date()))());
    log.info(
      {
        timezone: tz,
        weekly: config.SCHEDULE_WEEKLY,
        monthly: config.SCHEDULE_MONTHLY,
        caughtUp: runs.map((r) => `${r.campaignId}/${r.period.id}`),
      },
      'scheduler started',
    );
  } catch (err) {
    log.error({ err }, 'start-up catch-up failed; the schedules still run');
  }
  return scheduler;
}
