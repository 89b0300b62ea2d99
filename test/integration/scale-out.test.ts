// Scale-out: the same campaign processed by one worker process and by two competing on one queue gives the same
// figures (rankings), whatever order the jobs run in.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProducer } from '../../jobs/producer.ts';
import type { Db } from '../../shared/db/database.ts';
import { generateEmployers, generateUniversities } from '../../services/demo/generators/campaign-generator.ts';
import { generateVisitEvents, type DemoEvent } from '../../services/demo/generators/visit-generator.ts';
import type { UniversityRanking } from '../../shared/domain/ranking.types.ts';
import { computeRanking } from '../../shared/use-cases/compute-rankings.ts';
import { typist } from '../../services/demo/campaign-setup.ts';
import { insertInboxEvents, type VisitEventBody } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { startWorkerChild, type Child } from '../helpers/processes.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.ts';
import { createTestRedis, type TestRedis } from '../helpers/test-redis.ts';

const universities = generateUniversities(5, 0.01); // one or two per province
const employers = generateEmployers(6, 300);
const events: DemoEvent[] = [
  ...generateVisitEvents(universities, employers, {
    campaignId: '2022',
    start: '2022-03-01',
    end: '2022-08-31',
    visits: 1500,
    seed: 7,
    typeEmployer: typist(),
  }),
];

const runs: Array<{ t: TestDatabase; r: TestRedis }> = [];

async function seed(db: Db): Promise<number> {
  await db
    .insertInto('universities')
    .values(
      universities.map((u) => ({
        code: u.code,
        name: u.name,
        province_code: u.provinceCode,
        city: u.city,
        authority: u.authority,
        level: u.level,
        private: u.private,
        new_undergrad: u.newUndergrad,
        vocational: u.vocational,
      })),
    )
    .execute();
  await db
    .insertInto('campaigns')
    .values({
      id: '2022',
      name: '2022',
      start_date: '2022-03-01',
      end_date: '2022-08-31',
      principal_target: 100,
      new_target: 100,
      behind_factor: 0.8,
    })
    .execute();
  await db
    .insertInto('placement_rates')
    .values(universities.map((u) => ({ campaign_id: '2022', university_code: u.code, rate: u.placementRate })))
    .execute();
  const client = await db
    .insertInto('api_clients')
    .values({ name: 'scale-out', scope: 'national', key_hash: `h-${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return client.id;
}

/** Accepts every event, runs `processes` worker processes until all are processed, returns the national ranking. */
async function processWith(processes: number) {
  const t = await createTestDatabase(3);
  const r = createTestRedis();
  runs.push({ t, r });
  const clientId = await seed(t.db);
  const redis = new Redis(r.url, { maxRetriesPerRequest: 3 });
  const producer = createProducer({ connection: redis, prefix: r.prefix, batchSize: 50 });
  const env = {
    DATABASE_URL: t.url,
    REDIS_URL: r.url,
    QUEUE_PREFIX: r.prefix,
    DB_POOL_SIZE: '4',
    WORKER_CONCURRENCY: '8',
  };
  const children: Child[] = await Promise.all(Array.from({ length: processes }, () => startWorkerChild(env)));
  try {
    const ids = await insertInboxEvents(t.db, clientId, events as unknown as VisitEventBody[]);
    await producer.enqueueVisitEvents(ids);
    await waitFor(
      async () => {
        const row = await t.db
          .selectFrom('inbox_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'accepted')
          .executeTakeFirstOrThrow();
        return Number(row.n);
      },
      { what: 'no inbox row left accepted', until: (accepted) => accepted === 0, timeoutMs: 120_000, intervalMs: 200 },
    );
    const rejected = await t.db
      .selectFrom('inbox_events')
      .select(['event_id', 'error'])
      .where('status', '<>', 'processed')
      .execute();
    expect(rejected).toEqual([]);
    return (await computeRanking(t.db, '2022', 'national', '2022-08-31')) as UniversityRanking;
  } finally {
    for (const c of children) {
      c.process.kill('SIGTERM');
      await c.exited;
    }
    await producer.close();
    redis.disconnect();
  }
}

afterAll(async () => {
  for (const { t, r } of runs) {
    await r.cleanup();
    await t.drop();
  }
});

describe('scale-out', { timeout: 240_000 }, () => {
  let one: Awaited<ReturnType<typeof processWith>>;
  beforeAll(async () => {
    one = await processWith(1);
  }, 240_000);

  it('two worker processes on one queue give the same rankings as one', async () => {
    const two = await processWith(2);
    expect(one.rows.length).toBe(universities.length);
    expect(one.rows.some((row) => row.employersVisited > 0)).toBe(true);
    expect(two.rows).toEqual(one.rows);
  });
});
