// The scheduler part: node-cron ticks (weekly: the previous ISO week; monthly: the previous month, in
// SCHEDULE_TIMEZONE) that only enqueue ranking runs, with job ids derived from (campaign, period), so any number of
// scheduler processes produce one run per period. On start, and then every SCHEDULE_CATCHUP_SECONDS, it catches up
// from PostgreSQL with whatever Redis may have lost (DESIGN.md, principle 9): recent periods without a snapshot get
// their ranking run, periods with snapshots but no notices their notices job (the job chain breaks when the queue
// loses the notices job between the two), and deliveries still pending or stuck 'sending' are queued again.
import cron, { type ScheduledTask } from 'node-cron';
import { createProducer, type Producer } from '../../jobs/producer.ts';
import type { Config } from '../../shared/config.ts';
import { createDb, dbOptionsFor, type Db } from '../../shared/db/database.ts';
import {
  dateIn,
  daysBetween,
  runsForCatchUp,
  runsForTick,
  type DueRun,
  type PeriodKind,
} from '../../shared/domain/periods.ts';
import { SUMMARY_PERIOD } from '../../shared/domain/notices/summary-block.ts';
import { moduleLogger } from '../../shared/log.ts';
import { createRedis, type RedisClient } from '../../shared/redis.ts';
import { recoverDeliveries, type DeliveryRecovery } from '../../shared/use-cases/deliver-notices.ts';
import { listCampaignDates, periodsWithNotices, periodsWithSnapshots } from '../../shared/use-cases/campaigns.ts';

export interface SchedulerOverrides {
  db?: Db;
  producer?: Producer;
  /** Clock for the catch-up (tests). */
  now?: () => Date;
}

export interface Recovery {
  /** Recent periods with snapshots but no notices: their notices job was enqueued (again). */
  notices: DueRun[];
  /** Campaigns that ended within the lookback and have no summary (总结) yet: their summary job was enqueued. */
  summaries: string[];
  deliveries: DeliveryRecovery;
}

export interface Scheduler {
  /** What a tick of the given schedule at instant `at` enqueues (the cron tasks call this). */
  tick(kind: PeriodKind, at: Date): Promise<DueRun[]>;
  /** The ranking part of the catch-up at instant `at`: recent periods without a snapshot, enqueued and returned. */
  catchUp(at: Date): Promise<DueRun[]>;
  /**
   * The notice part of the catch-up: recent periods without notices, recently ended campaigns without a summary, and
   * deliveries the queue lost or left stuck.
   */
  recover(at: Date): Promise<Recovery>;
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
  const db =
    overrides.db ??
    createDb(config.DATABASE_URL, {
      poolSize: 2,
      applicationName: 'ledger-scheduler',
      ...dbOptionsFor(config, 'background'),
    });
  let redis: RedisClient | undefined;
  let producer = overrides.producer;
  if (!producer) {
    redis = createRedis(config.REDIS_URL, 'scheduler');
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
    async recover(at) {
      const campaigns = await listCampaignDates(db);
      const due = runsForCatchUp(dateIn(at, tz), config.SCHEDULE_LOOKBACK_DAYS, campaigns);
      const notices: DueRun[] = [];
      for (const c of campaigns) {
        const periods = due.filter((r) => r.campaignId === c.id).map((r) => r.period.id);
        const ranked = await periodsWithSnapshots(db, c.id, periods);
        const noticed = await periodsWithNotices(db, c.id, periods);
        notices.push(
          ...due.filter((r) => r.campaignId === c.id && ranked.has(r.period.id) && !noticed.has(r.period.id)),
        );
      }
      // `rerun`: a notices job that failed for good (an outage through all its attempts) is replaced; a waiting or
      // running one is left alone, and a second generation would send nothing twice anyway.
      for (const r of notices) await queue.enqueueNotices(r.campaignId, r.period.id, { rerun: true });
      // The summary, once after the end: a campaign ended within the lookback without one gets its job (the same
      // job id however many schedulers run; its notices then exist, so no later catch-up enqueues it again).
      const today = dateIn(at, tz);
      const summaries: string[] = [];
      for (const c of campaigns) {
        if (!(c.endDate < today) || daysBetween(c.endDate, today) > config.SCHEDULE_LOOKBACK_DAYS) continue;
        if ((await periodsWithNotices(db, c.id, [SUMMARY_PERIOD])).size > 0) continue;
        await queue.enqueueNotices(c.id, SUMMARY_PERIOD, { rerun: true });
        summaries.push(c.id);
      }
      const deliveries = await recoverDeliveries(db, queue, { leaseSeconds: config.DELIVERY_LEASE_SECONDS });
      return { notices, summaries, deliveries };
    },
    async close() {
      closed = true;
      if (catchUpTimer) clearTimeout(catchUpTimer);
      await catchingUp;
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
            log.error({ err, schedule: kind }, 'could not enqueue the scheduled ranking runs; the next catch-up will');
          }
        },
        { timezone: tz, name: `rankings-${kind}`, noOverlap: true },
      ),
    );
  }

  const now = overrides.now ?? (() => new Date());
  const runName = (r: DueRun) => `${r.campaignId}/${r.period.id}`;
  async function catchUpAll(when: 'start' | 'periodic'): Promise<void> {
    try {
      const runs = await scheduler.catchUp(now());
      const { notices, summaries, deliveries } = await scheduler.recover(now());
      const found =
        runs.length + notices.length + summaries.length + deliveries.recorded.length + deliveries.queued.length;
      if (when === 'start' || found + deliveries.failed.length > 0) {
        log.info(
          { when, rankings: runs.map(runName), notices: notices.map(runName), summaries, deliveries },
          when === 'start' ? 'scheduler started' : 'caught up',
        );
      }
    } catch (err) {
      log.error({ err, when }, 'catch-up failed; the schedules still run, and the next catch-up tries again');
    }
  }
  // The periodic catch-up: lost jobs are found within SCHEDULE_CATCHUP_SECONDS, not only at the next restart.
  let closed = false;
  let catchUpTimer: NodeJS.Timeout | undefined;
  let catchingUp: Promise<void> | undefined;
  function scheduleCatchUp(): void {
    if (closed || config.SCHEDULE_CATCHUP_SECONDS === 0) return;
    catchUpTimer = setTimeout(() => {
      catchingUp = catchUpAll('periodic').finally(() => {
        catchingUp = undefined;
        scheduleCatchUp();
      });
    }, config.SCHEDULE_CATCHUP_SECONDS * 1000);
    catchUpTimer.unref();
  }

  log.info({ timezone: tz, weekly: config.SCHEDULE_WEEKLY, monthly: config.SCHEDULE_MONTHLY }, 'scheduler starting');
  await catchUpAll('start');
  scheduleCatchUp();
  return scheduler;
}
