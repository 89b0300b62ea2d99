// The campaign's distinct employers (the national overview's 走访单位 and 新开拓单位, migration 0019): the trigger-kept
// campaign_employers table agrees with a count from scratch over the visits after every kind of write (new visits,
// amendments that change the employer or the date, retractions and revivals, prior lists, merges and splits of
// employers, a change of the campaign's window), and two transactions visiting one employer from different universities
// at once leave it exact.
import { sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { campaignTotals } from '../../shared/repositories/measures.repository.ts';
import { reassignEmployer, reassignVisitsByEmployerName } from '../../shared/repositories/visit.repository.ts';
import {
  addPriorEmployer,
  insertCampaign,
  insertEmployers,
  insertUniversities,
  insertVisits,
} from '../helpers/rankings-factories.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
const A = '4144000001';
const B = '4144000002';
const C = '4332000003'; // another province
const AS_OF = ['2022-02-28', '2022-03-01', '2022-04-15', '2022-06-30', '2022-08-31', '2022-12-31'];

beforeAll(async () => {
  await insertCampaign(services.db);
  await insertCampaign(services.db, { id: '2021', start: '2021-03-01', end: '2021-08-31' });
  await insertUniversities(services.db, [{ code: A }, { code: B }, { code: C, provinceCode: '430000' }]);
});

const KINDS = ['enterprise', 'park', 'association', 'institution', 'other'] as const;
type Firsts = Record<string, string | number | null>;

/**
 * Per employer of the campaign, from the visits: its first counted visit by anyone, its first with a leader, its first
 * with a leader by a university it was new to, and its first per kind of place.
 */
async function fromScratch(): Promise<Firsts[]> {
  const { rows } = await sql<Firsts>`
    SELECT x.employer_id::int AS employer_id, min(x.visited_on)::text AS first_reached_on,
           min(x.visited_on) FILTER (WHERE x.has_leader)::text AS first_on,
           min(x.visited_on) FILTER (WHERE x.has_leader AND NOT x.known_before)::text AS first_new_on,
           ${sql.join(KINDS.map((k) => sql`min(x.visited_on) FILTER (WHERE x.place_kind = ${k})::text AS ${sql.ref(`first_${k}_on`)}`))}
    FROM (
      SELECT v.employer_id, v.visited_on, v.has_leader, v.place_kind,
        (EXISTS (SELECT 1 FROM prior_employers pe WHERE pe.employer_id = v.employer_id AND pe.university_code = v.university_code)
         OR EXISTS (SELECT 1 FROM visits e WHERE e.employer_id = v.employer_id AND e.university_code = v.university_code
                    AND e.state = 'active' AND e.visited_on < c.start_date)) AS known_before
      FROM visits v JOIN campaigns c ON c.id = v.campaign_id
      WHERE v.campaign_id = '2022' AND v.state = 'active' AND v.employer_id IS NOT NULL
        AND v.visited_on BETWEEN c.start_date AND c.end_date) x
    GROUP BY x.employer_id ORDER BY x.employer_id`.execute(services.db);
  return rows;
}

/** The derived rows, every national total as of several dates, and each against a count from scratch. */
async function expectExact(): Promise<void> {
  const scratch = await fromScratch();
  const { rows: derived } = await sql<Firsts>`
    SELECT employer_id::int AS employer_id, first_reached_on::text, first_on::text, first_new_on::text,
           ${sql.join(KINDS.map((k) => sql`${sql.ref(`first_${k}_on`)}::text`))}
    FROM campaign_employers WHERE campaign_id = '2022' ORDER BY employer_id`.execute(services.db);
  expect(derived).toEqual(scratch);
  for (const asOf of AS_OF) {
    const totals = await campaignTotals(services.db, '2022', asOf);
    const reached = scratch.filter((r) => (r.first_reached_on as string) <= asOf);
    const by = (col: string) => reached.filter((r) => r[col] !== null && (r[col] as string) <= asOf).length;
    expect({
      asOf,
      employers: totals.employers,
      newEmployers: totals.newEmployers,
      reached: totals.outreach?.allEmployersReached,
      kinds: KINDS.map((k) => totals.outreach?.placeKinds[k].employers),
    }).toEqual({
      asOf,
      employers: by('first_on'),
      newEmployers: by('first_new_on'),
      reached: reached.length,
      kinds: KINDS.map((k) => by(`first_${k}_on`)),
    });
  }
}

describe('campaign_employers', () => {
  let e: number[];
  let refs: string[];

  it('counts an employer visited by several universities once, from its first visit by any', async () => {
    e = await insertEmployers(services.db, ['甲公司', '乙公司', '丙公司', '丁公司', '戊公司', '甲公司分部']);
    refs = await insertVisits(services.db, [
      { universityCode: A, employerId: e[0]!, visitedOn: '2022-05-01' },
      { universityCode: B, employerId: e[0]!, visitedOn: '2022-04-01' },
      { universityCode: C, employerId: e[0]!, visitedOn: '2022-06-01' },
      { universityCode: A, employerId: e[1]!, visitedOn: '2022-03-01' },
      { universityCode: B, employerId: e[2]!, visitedOn: '2022-08-31' },
      { universityCode: C, employerId: e[3]!, visitedOn: '2022-07-15' },
      { universityCode: A, employerId: e[5]!, visitedOn: '2022-04-20' },
    ]);
    await expectExact();
    const row = await services.db
      .selectFrom('campaign_employers')
      .select(sql<string>`first_on::text`.as('first_on'))
      .where('employer_id', '=', e[0]!)
      .executeTakeFirstOrThrow();
    expect(row.first_on).toBe('2022-04-01');
    expect(await campaignTotals(services.db, '2022', '2022-08-31')).toMatchObject({ employers: 5, newEmployers: 5 });
  });

  it('follows amendments (employer, date), retractions and revivals', async () => {
    // B's visit to 甲 moves later: 甲's first visit is now A's
    await services.db.updateTable('visits').set({ visited_on: '2022-07-01' }).where('ref', '=', refs[1]!).execute();
    await expectExact();
    // A's visit to 甲 is amended to another employer: 甲's first is B's again (now 07-01), C's 06-01 first
    await services.db.updateTable('visits').set({ employer_id: e[4]! }).where('ref', '=', refs[0]!).execute();
    await expectExact();
    // the only visit to 乙 is retracted, then revived
    await services.db.updateTable('visits').set({ state: 'retracted' }).where('ref', '=', refs[3]!).execute();
    await expectExact();
    expect(await campaignTotals(services.db, '2022', '2022-08-31')).toMatchObject({ employers: 5 });
    await services.db.updateTable('visits').set({ state: 'active' }).where('ref', '=', refs[3]!).execute();
    await expectExact();
    // a visit deleted outright
    await services.db.deleteFrom('visits').where('ref', '=', refs[5]!).execute();
    await expectExact();
  });

  it('follows staff-only visits (reached, not visited with a leader) and kinds of place', async () => {
    // A's visit to 甲分部 made by staff alone: reached, no longer a leader's visit
    await services.db.updateTable('visits').set({ has_leader: false }).where('ref', '=', refs[6]!).execute();
    await expectExact();
    await services.db.updateTable('visits').set({ place_kind: 'park' }).where('ref', '=', refs[4]!).execute();
    await services.db.updateTable('visits').set({ place_kind: 'enterprise' }).where('ref', '=', refs[2]!).execute();
    await expectExact();
    await services.db
      .updateTable('visits')
      .set({ has_leader: true, place_kind: 'association' })
      .where('ref', '=', refs[6]!)
      .execute();
    await expectExact();
  });

  it('counts an employer as newly developed while one university it was new to visited it', async () => {
    // 丙 is on B's prior list: B was its only visitor, so it is no longer new
    await addPriorEmployer(services.db, B, e[2]!);
    await expectExact();
    // visited by A before the campaign: 甲 stays new through B and C
    await insertVisits(services.db, [
      { universityCode: A, employerId: e[0]!, visitedOn: '2021-05-01', campaignId: '2021' },
    ]);
    await expectExact();
    await addPriorEmployer(services.db, C, e[0]!);
    await expectExact();
    await services.db.deleteFrom('prior_employers').where('employer_id', '=', e[2]!).execute();
    await expectExact();
  });

  it('follows merges and splits of employers', async () => {
    await reassignEmployer(services.db, [e[5]!], e[0]!); // 甲公司分部 merged into 甲公司
    await expectExact();
    expect(
      await services.db
        .selectFrom('campaign_employers')
        .select('employer_id')
        .where('employer_id', '=', e[5]!)
        .execute(),
    ).toEqual([]);
    await reassignVisitsByEmployerName(services.db, e[0]!, [`单位${e[5]}`], e[5]!); // and split off again
    await expectExact();
  });

  it('follows a change of the campaign window', async () => {
    await services.db
      .updateTable('campaigns')
      .set({ start_date: '2022-04-10', end_date: '2022-07-31' })
      .where('id', '=', '2022')
      .execute();
    await expectExact();
    await services.db
      .updateTable('campaigns')
      .set({ start_date: '2022-03-01', end_date: '2022-08-31' })
      .where('id', '=', '2022')
      .execute();
    await expectExact();
  });

  it('stays exact when two transactions visit one employer from different universities at once', async () => {
    const [x] = await insertEmployers(services.db, ['己公司']);
    const first = new pg.Client({ connectionString: services.database.url });
    const second = new pg.Client({ connectionString: services.database.url });
    await first.connect();
    await second.connect();
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      const secondPid = Number((await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
      // the earlier visit is written first; the later one, by a transaction that cannot see it yet, must not win
      await first.query(
        `INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode,
           leaders, has_principal, employer_id, employer_name)
         VALUES ($1, 'tx-1', '2022', 'active', now(), 'tx-e1', 900001, '2022-05-05', 'onsite', '[]', false, $2, '己公司')`,
        [A, x],
      );
      const later = second.query(
        `INSERT INTO visits (university_code, ref, campaign_id, state, occurred_at, event_id, inbox_id, visited_on, mode,
           leaders, has_principal, employer_id, employer_name)
         VALUES ($1, 'tx-2', '2022', 'active', now(), 'tx-e2', 900002, '2022-06-06', 'onsite', '[]', false, $2, '己公司')`,
        [C, x],
      );
      // The race happens: the second transaction's trigger waits for the first's lock on the employer's bucket (were
      // it not to wait, it would recompute without the earlier visit and the later date would win).
      const waiting = async () =>
        (
          await sql<{
            n: number;
          }>`SELECT count(*)::int AS n FROM pg_locks WHERE pid = ${secondPid} AND NOT granted`.execute(services.db)
        ).rows[0]!.n;
      await waitFor(waiting, {
        what: "the second transaction waiting for the first's lock",
        until: (n) => n > 0,
        timeoutMs: 30_000,
      });
      await first.query('COMMIT');
      await later;
      await second.query('COMMIT');
    } finally {
      await first.end();
      await second.end();
    }
    await expectExact();
    const row = await services.db
      .selectFrom('campaign_employers')
      .select(sql<string>`first_on::text`.as('first_on'))
      .where('employer_id', '=', x!)
      .executeTakeFirstOrThrow();
    expect(row.first_on).toBe('2022-05-05');
  });
});
