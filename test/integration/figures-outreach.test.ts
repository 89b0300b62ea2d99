// Issue 15's figures (staff, staff-only visits, place kinds, new positions, hired) through the worker: after every kind
// of write (record, amend, retract, a staff-only visit) the trigger-kept figures equal a plain aggregate over the
// visits, the hand-computed values, and the campaign totals a count(distinct) over the visits; the leader measures
// never move for a visit without a leader.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/job.ts';
import { processVisitEvents } from '../../jobs/process-visit-events.job.ts';
import { loadConfig } from '../../shared/config.ts';
import { rootLogger } from '../../shared/log.ts';
import {
  campaignTotals,
  universityFigures,
  universityFiguresFromVisits,
} from '../../shared/repositories/measures.repository.ts';
import { getVisit } from '../../shared/repositories/visit.repository.ts';
import { pageUniversityVisits } from '../../shared/repositories/visit-ledger.repository.ts';
import { createReferenceData, insertInboxEvents, visitEvent, type VisitEventBody } from '../helpers/factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
const UNI = '4144000077';
let ctx: JobContext;
let ref: Awaited<ReturnType<typeof createReferenceData>>;
const C = { id: '', startDate: '2022-03-01', endDate: '2022-08-31' };

beforeAll(async () => {
  ctx = {
    db: services.db,
    producer: services.producer,
    config: loadConfig(services.env),
    log: rootLogger.child({ test: 'outreach' }),
  };
  ref = await createReferenceData(services.db, { universityCode: UNI });
  const c = await services.db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', ref.campaignId)
    .executeTakeFirstOrThrow();
  Object.assign(C, { id: c.id, startDate: c.start_date, endDate: c.end_date });
});

async function apply(events: VisitEventBody[]) {
  const ids = await insertInboxEvents(services.db, ref.clientId, events);
  const result = await processVisitEvents(ctx, ids);
  expect(result.processed).toBe(events.length);
}

/** The figures, checked: derived tables = plain aggregate; totals' distinct counts = count(distinct) over visits. */
async function figures(asOf = '2022-08-31') {
  const derived = await universityFigures(services.db, C, asOf, { universityCode: UNI });
  const direct = await universityFiguresFromVisits(services.db, C.id, asOf, { universityCode: UNI });
  expect(derived.get(UNI)).toEqual(direct.get(UNI));
  const totals = await campaignTotals(services.db, C.id, asOf);
  const { rows } = await sql<Record<string, number>>`
    SELECT count(DISTINCT employer_id)::int AS reached,
      count(DISTINCT employer_id) FILTER (WHERE has_leader)::int AS employers,
      count(DISTINCT employer_id) FILTER (WHERE place_kind = 'enterprise')::int AS enterprise,
      count(DISTINCT employer_id) FILTER (WHERE place_kind = 'park')::int AS park,
      count(DISTINCT employer_id) FILTER (WHERE place_kind = 'association')::int AS association,
      coalesce(sum(new_positions), 0)::int AS new_positions, coalesce(sum(hired), 0)::int AS hired,
      count(*) FILTER (WHERE NOT has_leader)::int AS staff_only
    FROM visits WHERE campaign_id = ${C.id} AND state = 'active' AND visited_on <= ${asOf}`.execute(services.db);
  const scratch = rows[0]!;
  expect(totals.employers).toBe(scratch.employers);
  expect(totals.outreach).toMatchObject({
    allEmployersReached: scratch.reached,
    newPositions: scratch.new_positions,
    hired: scratch.hired,
    staffOnlyVisits: scratch.staff_only,
    placeKinds: {
      enterprise: { employers: scratch.enterprise },
      park: { employers: scratch.park },
      association: { employers: scratch.association },
    },
  });
  return derived.get(UNI)!;
}

const at = (day: number, h = 10) => `2022-05-${String(day).padStart(2, '0')}T${h}:00:00+08:00`;

describe('staff, place kinds and incremental outcomes in the figures', () => {
  it('follows every kind of write, and a staff-only visit never moves the leader measures', async () => {
    // record: two leader visits (one with staff), different places, new positions and hires
    await apply([
      visitEvent(ref, {
        occurredAt: at(1),
        visit: {
          ref: 'o-1',
          visitedOn: '2022-04-01',
          employer: { name: '甲科技有限公司' },
          placeKind: 'enterprise',
          staff: [{ role: 'counsellor', name: '王五' }, { role: 'teacher' }],
          outcomes: { positions: 50, newPositions: 20, hired: 3 },
          majors: ['计算机科学与技术', '电子信息工程'],
        },
      }),
      visitEvent(ref, {
        occurredAt: at(1),
        visit: {
          ref: 'o-2',
          visitedOn: '2022-04-02',
          employer: { name: '乙园区管理委员会' },
          placeKind: 'park',
          outcomes: { positions: 10 },
        },
      }),
    ]);
    let f = await figures();
    expect(f).toMatchObject({ visits: 2, employersVisited: 2, principalEmployers: 2, newEmployers: 2, positions: 60 });
    expect(f.outreach).toMatchObject({
      allEmployersReached: 2,
      staffVisits: 1,
      staffOnlyVisits: 0,
      staffParticipants: 2,
      newPositions: 20,
      hired: 3,
      placeKinds: { enterprise: { visits: 1, employers: 1 }, park: { visits: 1, employers: 1 } },
    });

    // staff-only visit to a third employer: coverage and sums move, the leader measures do not
    await apply([
      visitEvent(ref, {
        occurredAt: at(2),
        visit: {
          ref: 'o-3',
          visitedOn: '2022-04-03',
          leaders: [],
          staff: [{ role: 'administrator', name: '赵六' }],
          employer: { name: '丙行业协会' },
          placeKind: 'association',
          outcomes: { positions: 7, newPositions: 7, hired: 1 },
        },
      }),
    ]);
    f = await figures();
    expect(f).toMatchObject({ visits: 3, employersVisited: 2, principalEmployers: 2, newEmployers: 2, positions: 67 });
    expect(f.outreach).toMatchObject({
      allEmployersReached: 3,
      staffVisits: 2,
      staffOnlyVisits: 1,
      staffParticipants: 3,
      newPositions: 27,
      hired: 4,
      placeKinds: { association: { visits: 1, employers: 1 } },
    });
    expect((await getVisit(services.db, UNI, 'o-3'))!.has_leader).toBe(false);

    // amend: o-1 becomes staff-only at another kind of place, with other outcomes
    await apply([
      visitEvent(ref, {
        type: 'visit.amended',
        occurredAt: at(3),
        visit: {
          ref: 'o-1',
          visitedOn: '2022-04-01',
          leaders: [],
          staff: [{ role: 'teacher', name: '钱七' }],
          employer: { name: '甲科技有限公司' },
          placeKind: 'park',
          outcomes: { positions: 5, newPositions: 1, hired: 0 },
        },
      }),
    ]);
    f = await figures();
    expect(f).toMatchObject({ visits: 3, employersVisited: 1, principalEmployers: 1, newEmployers: 1, positions: 22 });
    expect(f.outreach).toMatchObject({
      allEmployersReached: 3,
      staffVisits: 2,
      staffOnlyVisits: 2,
      staffParticipants: 2,
      newPositions: 8,
      hired: 1,
      placeKinds: {
        enterprise: { visits: 0, employers: 0 },
        park: { visits: 2, employers: 2 },
        association: { visits: 1, employers: 1 },
      },
    });

    // a leader visit to the staff-only employer: it enters the leader measures from that day only
    await apply([
      visitEvent(ref, {
        occurredAt: at(4),
        visit: { ref: 'o-4', visitedOn: '2022-06-01', employer: { name: '丙行业协会' } },
      }),
    ]);
    expect(await figures('2022-05-31')).toMatchObject({ employersVisited: 1, visits: 3 });
    f = await figures();
    expect(f).toMatchObject({ employersVisited: 2, newEmployers: 2, visits: 4 });
    expect(f.outreach?.allEmployersReached).toBe(3);

    // retract: the staff-only o-3 and the park visit o-2 leave every figure
    await apply([
      { eventId: 'o-r-3', type: 'visit.retracted', occurredAt: at(5), visit: { ref: 'o-3', universityCode: UNI } },
      { eventId: 'o-r-2', type: 'visit.retracted', occurredAt: at(5), visit: { ref: 'o-2', universityCode: UNI } },
    ]);
    f = await figures();
    expect(f).toMatchObject({ visits: 2, employersVisited: 1, principalEmployers: 1, positions: 15 });
    expect(f.outreach).toMatchObject({
      allEmployersReached: 2,
      staffVisits: 1,
      staffOnlyVisits: 1,
      newPositions: 1,
      hired: 0,
      placeKinds: { park: { visits: 1, employers: 1 }, association: { visits: 0, employers: 0 } },
    });
  });

  it('stores the majors asked for and shows the new fields on the visit read', async () => {
    await apply([
      visitEvent(ref, {
        occurredAt: at(6),
        visit: {
          ref: 'o-9',
          visitedOn: '2022-04-09',
          employer: { name: '丁制造有限公司' },
          placeKind: 'enterprise',
          staff: [{ role: 'counsellor', name: '孙八' }],
          outcomes: { positions: 9, newPositions: 4, hired: 2 },
          majors: ['机械设计制造及其自动化', '数控技术'],
        },
      }),
    ]);
    const page = await pageUniversityVisits(services.db, { campaignId: C.id, universityCode: UNI, q: 'o-9' }, 1, 10);
    expect(page.rows).toHaveLength(1);
    expect(page.rows[0]).toMatchObject({
      staff: [{ role: 'counsellor', name: '孙八' }],
      placeKind: 'enterprise',
      majors: ['机械设计制造及其自动化', '数控技术'],
      outcomes: { positions: 9, newPositions: 4, hired: 2 },
    });
  });
});
