// The scheduler only enqueues, with job ids per (campaign, period): two scheduler processes (here: two instances with
// their own connections) produce one ranking run per period, through real cron ticks, start-up catch-up and workers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QUEUES } from '../../jobs/catalogue.ts';
import { computeRankingsJob } from '../../jobs/compute-rankings.job.ts';
import { defineJob } from '../../jobs/job.ts';
import { noticesJobId, rankingsJobId } from '../../jobs/producer.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { dateIn, periodDueAt } from '../../shared/domain/periods.ts';
import { SUMMARY_PERIOD } from '../../shared/domain/notices/summary-block.ts';
import { generateSummary } from '../../shared/use-cases/generate-summary.ts';
import { listSnapshots } from '../../shared/repositories/snapshot.repository.ts';
import { startScheduler } from '../../services/scheduler/index.ts';
import { startWorkers } from '../../services/workers/index.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { buildRankingWorld, insertCampaign } from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
let config: Config;
const open: Array<{ close(): Promise<void> }> = [];
const runs: string[] = [];
const runsOf = (campaign: string) => runs.filter((r) => r.startsWith(`${campaign}/`));

// The real job, counting its runs.
const countingJob = defineJob({
  queue: QUEUES.rankings,
  async handle(payload, ctx, job) {
    runs.push(`${payload.campaignId}/${payload.period}`);
    return computeRankingsJob.handle(payload, ctx, job);
  },
});

const env = (extra: Record<string, string> = {}) => ({
  ...services.env,
  LOG_LEVEL: 'warn',
  SCHEDULE_LOOKBACK_DAYS: '14',
  ...extra,
});

/** Not a wait for a condition: a window in which a wrong (repeated) run would show up, and nothing to poll for. */
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

beforeAll(async () => {
  await buildRankingWorld(services.db);
  config = loadConfig(env());
});

// Each test starts from empty queues (the file's prefix), whatever ran before it.
beforeEach(async () => {
  for (const name of Object.values(QUEUES)) await services.producer.queue(name).obliterate({ force: true });
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close().catch(() => {});
});

// Wednesday 2022-04-13, 10:00 in Shanghai.
const WEDNESDAY = new Date('2022-04-13T02:00:00Z');

describe('scheduler', () => {
  it('runs each period once however many schedulers tick, and again only when an operator asks', async () => {
    // Step: on start, two schedulers enqueue each recent period without a snapshot once.
    // Schedules that never fire during the test: only the catch-up and explicit ticks act.
    const quiet = loadConfig(env({ SCHEDULE_WEEKLY: '0 9 * * 1', SCHEDULE_MONTHLY: '0 9 1 * *' }));
    const [a, b] = await Promise.all([
      startScheduler(quiet, { now: () => WEDNESDAY }),
      startScheduler(quiet, { now: () => WEDNESDAY }),
    ]);
    open.push(a, b);
    const q = services.producer.queue(QUEUES.rankings);
    const jobs = await q.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual([
      rankingsJobId('2022', '2022-03'),
      rankingsJobId('2022', '2022-W13'),
      rankingsJobId('2022', '2022-W14'),
    ]);
    expect(jobs.find((j) => j.id === rankingsJobId('2022', '2022-W14'))?.data).toEqual({
      campaignId: '2022',
      period: '2022-W14',
      asOf: '2022-04-10',
    });

    // Step: two ticks for the same period add nothing while the run waits.
    const monday = new Date('2022-04-11T01:00:00Z'); // 09:00 in Shanghai
    const [x, y] = await Promise.all([a.tick('week', monday), b.tick('week', monday)]);
    expect(x.map((d) => d.period.id)).toEqual(['2022-W14']);
    expect(y).toEqual(x);
    expect(await services.producer.queue(QUEUES.rankings).count()).toBe(3);

    // Step: the workers run each period once, store its snapshots and enqueue its notices.
    const workers = await startWorkers(config, { modules: [countingJob], sweepIntervalMs: 0, db: services.db });
    open.push(workers);
    await waitFor(async () => (await services.producer.queue(QUEUES.rankings).getJobCounts('completed')).completed, {
      what: 'three ranking runs completed',
      until: (completed) => completed === 3,
      timeoutMs: 20_000,
    });
    expect(runsOf('2022').sort()).toEqual(['2022/2022-03', '2022/2022-W13', '2022/2022-W14']);
    expect((await listSnapshots(services.db, '2022', '2022-W14')).length).toBe(35); // national, provinces, the 32 reporting units, central
    const notices = await services.producer.queue(QUEUES.notices).getJobs(['waiting']);
    // The summary's catch-up, when its test ran first, leaves notice jobs of August and the summary beside these.
    expect(notices.map((j) => j.id)).toEqual(
      expect.arrayContaining([
        noticesJobId('2022', '2022-03'),
        noticesJobId('2022', '2022-W13'),
        noticesJobId('2022', '2022-W14'),
      ]),
    );

    // Step: a completed run is not repeated by later ticks or a restart, but an operator re-run runs it again.
    await Promise.all([a.tick('week', monday), b.tick('week', monday)]);
    expect(await b.catchUp(WEDNESDAY)).toEqual([]); // every recent period has its snapshots
    await sleep(500);
    expect(runsOf('2022')).toHaveLength(3);
    await services.producer.enqueueRankings('2022', '2022-W14', '2022-04-10', { rerun: true });
    await waitFor(() => runsOf('2022'), { what: 'the re-run', until: (done) => done.length === 4, timeoutMs: 20_000 });
    expect(runsOf('2022')[3]).toBe('2022/2022-W14');

    // Step: ledger rankings run --queue re-runs a finished period through the workers.
    const cli = await runLedger(
      ['rankings', 'run', '--campaign', '2022', '--as-of', '2022-04-10', '--period', '2022-W14', '--queue', '--json'],
      env(),
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(jsonOut(cli)).toEqual({
      enqueued: rankingsJobId('2022', '2022-W14'),
      campaignId: '2022',
      period: '2022-W14',
      asOf: '2022-04-10',
    });
    await waitFor(() => runsOf('2022'), {
      what: 'the re-run from the CLI',
      until: (done) => done.length === 5,
      timeoutMs: 20_000,
    });
    expect(runsOf('2022')[4]).toBe('2022/2022-W14');
    await Promise.all([workers.close(), a.close(), b.close()]);
  });

  it('real cron ticks of two schedulers run the previous week once', async () => {
    // A campaign active now, schedules firing every second, no catch-up.
    const today = dateIn(new Date(), 'Asia/Shanghai');
    await insertCampaign(services.db, {
      id: 'now',
      start: `${today.slice(0, 4)}-01-01`,
      end: `${today.slice(0, 4)}-12-31`,
    });
    const everySecond = loadConfig(
      env({ SCHEDULE_WEEKLY: '* * * * * *', SCHEDULE_MONTHLY: '0 0 1 1 *', SCHEDULE_LOOKBACK_DAYS: '0' }),
    );
    const workers = await startWorkers(config, { modules: [countingJob], sweepIntervalMs: 0, db: services.db });
    open.push(workers);
    const [c, d] = await Promise.all([startScheduler(everySecond), startScheduler(everySecond)]);
    open.push(c, d);
    const week = periodDueAt('week', today).id;
    await waitFor(() => [...runs], {
      what: `the run of ${week} from the cron ticks`,
      until: (done) => done.includes(`now/${week}`),
      timeoutMs: 20_000,
    });
    await sleep(3000); // six more ticks
    await Promise.all([c.close(), d.close()]);
    await workers.close();
    expect(runs.filter((x) => x === `now/${week}`)).toHaveLength(1);
  });

  it('after a campaign ends, the catch-up enqueues its summary (总结) once, and never again once it exists', async () => {
    const saturday = new Date('2022-09-03T02:00:00Z'); // three days after the 2022 campaign's end (2022-08-31)
    const quiet = loadConfig(env({ SCHEDULE_WEEKLY: '0 9 * * 1', SCHEDULE_MONTHLY: '0 9 1 * *' }));
    const [a, b] = await Promise.all([
      startScheduler(quiet, { now: () => WEDNESDAY }),
      startScheduler(quiet, { now: () => WEDNESDAY }),
    ]);
    open.push(a, b);
    const [first, second] = await Promise.all([a.recover(saturday), b.recover(saturday)]);
    expect(first.summaries).toEqual(['2022']);
    expect(second.summaries).toEqual(['2022']);
    const q = services.producer.queue(QUEUES.notices);
    const summaryJobs = (await q.getJobs(['waiting', 'active', 'completed', 'failed'])).filter(
      (j) => j.id === noticesJobId('2022', SUMMARY_PERIOD),
    );
    expect(summaryJobs).toHaveLength(1); // one job id, however many schedulers
    expect(summaryJobs[0]!.data).toMatchObject({ campaignId: '2022', period: SUMMARY_PERIOD });
    // The job's work: the summary is stored; later catch-ups leave the campaign alone, and one past the lookback too.
    await generateSummary(services.db, { campaignId: '2022', today: '2022-09-03' });
    expect((await a.recover(saturday)).summaries).toEqual([]);
    await services.db.deleteFrom('notices').where('period', '=', SUMMARY_PERIOD).execute();
    expect((await a.recover(new Date('2022-10-31T02:00:00Z'))).summaries).toEqual([]); // 61 days on: past 14
    await Promise.all([a.close(), b.close()]);
  });
});
