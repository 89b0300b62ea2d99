// Measures from real rows, hand-computed: each RULES.md counting rule, and the trigger-kept figures agreeing with a
// plain count(distinct) over the visits after every kind of write (amend, retract, merge, split, prior import).
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../jobs/job.ts';
import { processVisitEvents } from '../../jobs/process-visit-events.job.ts';
import { loadConfig } from '../../shared/config.ts';
import { rootLogger } from '../../shared/log.ts';
import { measuresAsOf } from '../../shared/use-cases/compute-rankings.ts';
import {
  campaignTotals,
  rebuildRankingTables,
  universityFigures,
  universityFiguresFromVisits,
} from '../../shared/repositories/measures.repository.ts';
import { reassignEmployer, reassignVisitsByEmployerName } from '../../shared/repositories/visit.repository.ts';
import { createReferenceData, insertInboxEvents, visitEvent } from '../helpers/factories.ts';
import {
  addPriorEmployer,
  insertCampaign,
  insertEmployers,
  insertUniversities,
  insertVisits,
} from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ producer: true });
const C = { id: '2022', startDate: '2022-03-01', endDate: '2022-08-31' };

beforeAll(async () => {
  await insertCampaign(services.db);
  await insertCampaign(services.db, { id: '2021', start: '2021-03-01', end: '2021-08-31' });
});

async function figuresOf(code: string, asOf = '2022-08-31') {
  const derived = await universityFigures(services.db, C, asOf, { universityCode: code });
  const direct = await universityFiguresFromVisits(services.db, C.id, asOf, { universityCode: code });
  // The derived tables must say exactly what a plain aggregate over the visits says.
  expect(derived.get(code)).toEqual(direct.get(code));
  return derived.get(code);
}

describe('measures per university', () => {
  it('counts distinct employers, and principal employers only from visits with the secretary or the president', async () => {
    await insertUniversities(services.db, [{ code: '4144000001', newUndergrad: true }]);
    const [e1, e2, e3] = await insertEmployers(services.db, ['甲公司', '乙公司', '丙公司']);
    await insertVisits(services.db, [
      { universityCode: '4144000001', employerId: e1!, visitedOn: '2022-04-01', roles: ['secretary'], positions: 10 },
      {
        universityCode: '4144000001',
        employerId: e2!,
        visitedOn: '2022-04-02',
        roles: ['leader'],
        positions: 5,
        mode: 'online',
      },
      {
        universityCode: '4144000001',
        employerId: e3!,
        visitedOn: '2022-04-03',
        roles: ['leader', 'president'],
        satisfaction: 5,
      },
      {
        universityCode: '4144000001',
        employerId: e3!,
        visitedOn: '2022-04-04',
        roles: ['leader'],
        satisfaction: 3,
        internshipBase: true,
      },
    ]);
    const f = await figuresOf('4144000001');
    expect(f).toMatchObject({
      employersVisited: 3,
      principalEmployers: 2,
      newEmployers: 3,
      visits: 4,
      onsiteVisits: 3,
      positions: 15,
      satisfactionSum: 8,
      satisfactionCount: 2,
      internshipBases: 1,
    });
  });

  it('counts as newly developed only employers neither in the prior list nor visited before the campaign start', async () => {
    await insertUniversities(services.db, [{ code: '4144000002' }]);
    const [prior, earlier, fresh, otherUni] = await insertEmployers(services.db, [
      '旧单位',
      '去年单位',
      '新单位',
      '别校旧单位',
    ]);
    await addPriorEmployer(services.db, '4144000002', prior!);
    await addPriorEmployer(services.db, '4144000001', otherUni!); // another university's prior list does not count
    await insertVisits(services.db, [
      { universityCode: '4144000002', employerId: earlier!, visitedOn: '2021-05-01', campaignId: '2021' },
    ]);
    await insertVisits(services.db, [
      { universityCode: '4144000002', employerId: prior!, visitedOn: '2022-03-10' },
      { universityCode: '4144000002', employerId: earlier!, visitedOn: '2022-03-11' },
      { universityCode: '4144000002', employerId: fresh!, visitedOn: '2022-03-12' },
      { universityCode: '4144000002', employerId: otherUni!, visitedOn: '2022-03-13' },
    ]);
    const f = await figuresOf('4144000002');
    expect(f).toMatchObject({ employersVisited: 4, newEmployers: 2 });
  });

  it('reacts to a prior list imported after the visits', async () => {
    const [e] = await services.db.selectFrom('employers').select('id').where('canonical_name', '=', '新单位').execute();
    await addPriorEmployer(services.db, '4144000002', e!.id, '新单位（导入）');
    expect(await figuresOf('4144000002')).toMatchObject({ employersVisited: 4, newEmployers: 1 });
    await services.db.deleteFrom('prior_employers').where('employer_name', '=', '新单位（导入）').execute();
    expect(await figuresOf('4144000002')).toMatchObject({ newEmployers: 2 });
  });

  it('ignores retracted visits and counts an amended visit as its latest version', async () => {
    await insertUniversities(services.db, [{ code: '4144000003' }]);
    const [a, b, c] = await insertEmployers(services.db, ['丁公司', '戊公司', '己公司']);
    const [keep, amend, retract] = await insertVisits(services.db, [
      { universityCode: '4144000003', employerId: a!, visitedOn: '2022-05-01', positions: 1 },
      { universityCode: '4144000003', employerId: b!, visitedOn: '2022-05-02', positions: 2, roles: ['secretary'] },
      { universityCode: '4144000003', employerId: c!, visitedOn: '2022-05-03', positions: 4 },
    ]);
    // amended: another employer (the same as the kept visit's), another leader, other positions
    await services.db
      .updateTable('visits')
      .set({ employer_id: a!, has_principal: false, positions: 20 })
      .where('ref', '=', amend!)
      .execute();
    await services.db.updateTable('visits').set({ state: 'retracted' }).where('ref', '=', retract!).execute();
    expect(await figuresOf('4144000003')).toMatchObject({
      employersVisited: 1,
      principalEmployers: 0,
      visits: 2,
      positions: 21,
    });
    expect(keep).toBeDefined();
    // a tombstone revived by a newer amendment counts again
    await services.db.updateTable('visits').set({ state: 'active' }).where('ref', '=', retract!).execute();
    expect(await figuresOf('4144000003')).toMatchObject({ employersVisited: 2, visits: 3, positions: 25 });
  });

  it('leaves out visits after the cut-off and counts the first and the last day of the campaign', async () => {
    await insertUniversities(services.db, [{ code: '4144000004' }]);
    const [a, b, c] = await insertEmployers(services.db, ['庚公司', '辛公司', '壬公司']);
    await insertVisits(services.db, [
      { universityCode: '4144000004', employerId: a!, visitedOn: '2022-03-01', positions: 1 },
      { universityCode: '4144000004', employerId: b!, visitedOn: '2022-04-11', positions: 2 },
      { universityCode: '4144000004', employerId: c!, visitedOn: '2022-08-31', positions: 4 },
      { universityCode: '4144000004', employerId: a!, visitedOn: '2022-08-31', positions: 8 },
    ]);
    expect(await figuresOf('4144000004', '2022-02-28')).toBeUndefined();
    expect(await figuresOf('4144000004', '2022-03-01')).toMatchObject({ employersVisited: 1, positions: 1 });
    expect(await figuresOf('4144000004', '2022-04-10')).toMatchObject({ employersVisited: 1, positions: 1 });
    expect(await figuresOf('4144000004', '2022-04-11')).toMatchObject({ employersVisited: 2, positions: 3 });
    expect(await figuresOf('4144000004', '2022-08-30')).toMatchObject({ employersVisited: 2, positions: 3 });
    expect(await figuresOf('4144000004', '2022-08-31')).toMatchObject({
      employersVisited: 3,
      visits: 4,
      positions: 15,
    });
  });

  it('follows an administrator merge and split of employers (visits repointed)', async () => {
    await insertUniversities(services.db, [{ code: '4144000005' }]);
    const [x, y] = await insertEmployers(services.db, ['癸公司', '癸公司分部']);
    await insertVisits(services.db, [
      { universityCode: '4144000005', employerId: x!, visitedOn: '2022-06-01', roles: ['president'] },
      { universityCode: '4144000005', employerId: y!, visitedOn: '2022-06-02' },
    ]);
    expect(await figuresOf('4144000005')).toMatchObject({ employersVisited: 2, principalEmployers: 1 });
    await reassignEmployer(services.db, [y!], x!);
    expect(await figuresOf('4144000005')).toMatchObject({ employersVisited: 1, principalEmployers: 1 });
    await reassignVisitsByEmployerName(services.db, x!, [`单位${y}`], y!);
    expect(await figuresOf('4144000005')).toMatchObject({ employersVisited: 2, principalEmployers: 1 });
  });

  it('lists universities without visits with zero measures', async () => {
    await insertUniversities(services.db, [{ code: '4144000099' }]);
    const { measures } = await measuresAsOf(services.db, '2022', '2022-08-31', '440000');
    const none = measures.find((m) => m.universityCode === '4144000099')!;
    expect(none).toMatchObject({ employersVisited: 0, visits: 0, completion: 0, onsiteShare: null, behind: true });
  });

  it('sums campaign totals with employers distinct across universities', async () => {
    const totals = await campaignTotals(services.db, '2022', '2022-08-31', '440000');
    const direct = await universityFiguresFromVisits(services.db, '2022', '2022-08-31');
    const visits = [...direct.values()].reduce((a, f) => a + f.visits, 0);
    const { rows } = await sql<{ n: number }>`
      SELECT count(DISTINCT employer_id)::int AS n FROM visits WHERE campaign_id = '2022' AND state = 'active' AND visited_on >= '2022-03-01'`.execute(
      services.db,
    );
    expect(totals.visits).toBe(visits);
    expect(totals.employers).toBe(rows[0]!.n);
    expect(totals.universitiesWithVisits).toBe(5);
  });

  it('rebuilding the derived tables from the visits changes nothing', async () => {
    const before = await universityFigures(services.db, C, '2022-06-15');
    await rebuildRankingTables(services.db);
    expect(await universityFigures(services.db, C, '2022-06-15')).toEqual(before);
    expect(await universityFigures(services.db, C, '2022-06-15')).toEqual(
      await universityFiguresFromVisits(services.db, C.id, '2022-06-15'),
    );
  });
});

describe('measures through the worker', () => {
  let ctx: JobContext;
  beforeAll(() => {
    ctx = {
      db: services.db,
      producer: services.producer,
      config: loadConfig(services.env),
      log: rootLogger.child({ test: 'rankings' }),
    };
  });

  it('counts two spellings of one employer once', async () => {
    const ref = await createReferenceData(services.db, { universityCode: '4144000010' });
    const events = [
      visitEvent(ref, { visit: { visitedOn: '2022-04-02', employer: { name: '华为技术有限公司' } } }),
      visitEvent(ref, { visit: { visitedOn: '2022-04-03', employer: { name: '華為技術有限公司' } } }),
      visitEvent(ref, { visit: { visitedOn: '2022-04-04', employer: { name: '华为技术 有限公司' } } }),
      visitEvent(ref, { visit: { visitedOn: '2022-04-05', employer: { name: '中兴通讯股份有限公司' } } }),
    ];
    const ids = await insertInboxEvents(services.db, ref.clientId, events);
    const result = await processVisitEvents(ctx, ids);
    expect(result.processed).toBe(4);
    const f = await figuresOf('4144000010');
    expect(f).toMatchObject({ visits: 4, employersVisited: 2, principalEmployers: 2 });
  });
});
