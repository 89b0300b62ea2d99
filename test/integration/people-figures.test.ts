// 任务到人 and universities' 实施方案 (issue 15, points 3 and 4), against the real API, workers and command line: after
// every kind of write (visit recorded, amended, retracted; roster replaced) each figure per leader and for the team is
// computed from scratch over the stored visits and compared with the progress endpoint, and the console's tally is the
// same figures; names not on the roster are accepted and flagged; late and missing university plans in the notices.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { leaderNameKey, TEAM_COVERAGE_FLAG } from '../../shared/domain/people.ts';
import { databaseNameKeys } from '../../shared/repositories/people.repository.ts';
import { getNotice } from '../../shared/repositories/notice.repository.ts';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { createApiKey } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { waitFor } from '../helpers/poll.ts';
import { insertCampaign, insertUniversities } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const services = useTestServices({ api: true, workers: true });
const U1 = '4144000001';
const U2 = '4144000002';
const U3 = '4111000001';
const AS_OF = '2022-04-30';
let key = '';
let u2Key = '';
let dir = '';

beforeAll(async () => {
  const db = services.db;
  await insertCampaign(db);
  await db.updateTable('campaigns').set({ plan_deadline: '2022-03-18' }).where('id', '=', '2022').execute();
  await insertUniversities(db, [
    { code: U1, provinceCode: '440000', name: '甲大学' },
    { code: U2, provinceCode: '440000', name: '乙学院' },
    { code: U3, provinceCode: '110000', name: '丙大学' },
  ]);
  key = await createApiKey(db, 'national');
  u2Key = await createApiKey(db, `university:${U2}`);
  dir = await mkdtemp(join(tmpdir(), 'people-'));
  // 乙有限公司 is in U1's prior list (resolved as the workers resolve visits): visiting it is not 新开拓.
  const prior = join(dir, 'prior.csv');
  await writeFile(prior, `university_code,employer_name,credit_code\n${U1},乙有限公司,\n`);
  const out = await runLedger(['import', 'prior-employers', '--file', prior], services.env);
  expect(out.code, out.stderr).toBe(0);
});

type Leader = { role: 'secretary' | 'president' | 'leader'; name: string };

let seq = 0;
let clock = Date.parse('2022-04-01T00:00:00+08:00');
async function send(type: string, visit: Record<string, unknown>): Promise<void> {
  const eventId = `p-${++seq}`;
  clock += 60_000;
  const res = await services.api.request('POST', '/v1/visit-events', {
    key,
    body: { eventId, type, occurredAt: new Date(clock).toISOString(), campaignId: '2022', visit },
  });
  expect(res.status, res.text).toBe(202);
  await waitFor(async () => (await services.api.request('GET', `/v1/visit-events/${eventId}`, { key })).body, {
    what: `event ${eventId} processed`,
    until: (b) => b?.status === 'processed',
  });
}

const record = (ref: string, day: string, leaders: Leader[], employer: string, positions: number) =>
  send('visit.recorded', {
    ref,
    universityCode: U1,
    visitedOn: day,
    mode: 'onsite',
    leaders,
    employer: { name: employer },
    outcomes: { positions },
  });

interface Figures {
  name: string;
  onRoster: boolean | null;
  visits: number;
  employersVisited: number;
  newEmployers: number;
  positions: number;
}

/** Every figure from scratch: the stored visits and roster, read plainly, counted here. */
async function fromScratch(code: string, asOf: string) {
  const db = services.db;
  const { rows: visits } = await sql<{ ref: string; employer_id: number; positions: number; leaders: Leader[] }>`
    SELECT v.ref, v.employer_id, v.positions, v.leaders FROM visits v JOIN campaigns c ON c.id = v.campaign_id
    WHERE v.campaign_id = '2022' AND v.university_code = ${code} AND v.state = 'active'
      AND v.visited_on BETWEEN c.start_date AND c.end_date AND v.visited_on <= ${asOf}::date`.execute(db);
  const prior = new Set(
    (await db.selectFrom('prior_employers').select('employer_id').where('university_code', '=', code).execute()).map(
      (r) => r.employer_id,
    ),
  );
  const roster = await db
    .selectFrom('leader_rosters')
    .select(['name'])
    .where('campaign_id', '=', '2022')
    .where('university_code', '=', code)
    .orderBy('position')
    .execute();
  const people = new Map<string, { name: string; refs: Set<string>; employers: Set<number>; positions: number }>();
  const person = (k: string, name: string) => {
    if (!people.has(k)) people.set(k, { name, refs: new Set(), employers: new Set(), positions: 0 });
    return people.get(k)!;
  };
  for (const r of roster) person(leaderNameKey(r.name), r.name);
  for (const v of visits)
    for (const k of new Set(v.leaders.map((l) => leaderNameKey(l.name)))) {
      const p = person(k, v.leaders.find((l) => leaderNameKey(l.name) === k)!.name);
      p.refs.add(v.ref);
      p.employers.add(v.employer_id);
      p.positions += v.positions;
    }
  const rosterKeys = new Set(roster.map((r) => leaderNameKey(r.name)));
  const figures: Figures[] = [...people].map(([k, p]) => ({
    name: p.name,
    onRoster: roster.length === 0 ? null : rosterKeys.has(k),
    visits: p.refs.size,
    employersVisited: p.employers.size,
    newEmployers: [...p.employers].filter((e) => !prior.has(e)).length,
    positions: p.positions,
  }));
  const onRoster = figures.filter((f) => f.onRoster);
  const withVisits = onRoster.filter((f) => f.visits > 0).length;
  return {
    figures: figures.sort((a, b) => a.name.localeCompare(b.name)),
    team: {
      rosterSize: roster.length,
      withVisits,
      coverage: roster.length ? Math.round((withVisits / roster.length) * 1e6) / 1e6 : null,
      coverageLow: roster.length > 0 && withVisits / roster.length < TEAM_COVERAGE_FLAG,
      withoutVisits: onRoster.filter((f) => f.visits === 0).map((f) => f.name),
      unknownNames: figures.filter((f) => f.onRoster === false).map((f) => f.name),
    },
  };
}

/** The progress endpoint's figures against the ones counted from scratch; the console's tally is the same. */
async function check(code = U1) {
  const res = await services.api.request('GET', `/v1/campaigns/2022/universities/${code}/progress?asOf=${AS_OF}`, {
    key,
  });
  expect(res.status, res.text).toBe(200);
  const expected = await fromScratch(code, AS_OF);
  const got = (res.body.leaders as Array<Figures & Record<string, unknown>>)
    .map(({ name, onRoster, visits, employersVisited, newEmployers, positions }) => ({
      name,
      onRoster,
      visits,
      employersVisited,
      newEmployers,
      positions,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  expect(got).toEqual(expected.figures);
  expect({
    ...res.body.team,
    withoutVisits: res.body.team.withoutVisits.map((w: { name: string }) => w.name).sort(),
    unknownNames: [...res.body.team.unknownNames].sort(),
  }).toEqual({
    ...expected.team,
    withoutVisits: [...expected.team.withoutVisits].sort(),
    unknownNames: [...expected.team.unknownNames].sort(),
  });
  const tally = await services.api.request('GET', `/v1/campaigns/2022/universities/${code}/leaders?asOf=${AS_OF}`, {
    key,
  });
  expect(tally.body.leaders).toEqual(res.body.leaders);
  expect(tally.body.team).toEqual(res.body.team);
  return res.body as { leaders: Array<Figures & { role: string | null; title: string | null }>; team: any };
}

async function ledgerFlags(ref: string): Promise<Array<{ name: string; onRoster: boolean | null }>> {
  const res = await services.api.request('GET', `/v1/campaigns/2022/universities/${U1}/visits?pageSize=200`, { key });
  expect(res.status, res.text).toBe(200);
  return res.body.rows
    .find((r: { ref: string }) => r.ref === ref)
    .leaders.map((l: { name: string; onRoster: boolean | null }) => ({ name: l.name, onRoster: l.onRoster }));
}

describe('leader names are matched to the roster', () => {
  it('by the same key in the database and in the rules (width, spaces, middle dots)', async () => {
    const names = [
      '张三',
      ' 李　四 ',
      'ＡＢＣ 王',
      '阿依古丽•买买提',
      '阿依古丽・买买提',
      '阿依古丽·买买提',
      'Li  Ming',
    ];
    expect(await databaseNameKeys(services.db, names)).toEqual(names.map(leaderNameKey));
    expect(new Set(names.slice(3, 6).map(leaderNameKey)).size).toBe(1);
    expect(leaderNameKey(' 李　四 ')).toBe('李四');
  });
});

describe('per-leader and team figures after every kind of write', () => {
  it('without a roster, every name is counted and none is flagged', async () => {
    await record('v0', '2022-04-01', [{ role: 'secretary', name: '张三' }], '丁公司', 3);
    const p = await check();
    expect(p.team).toMatchObject({ rosterSize: 0, coverage: null, unknownNames: [] });
    expect(p.leaders.map((l) => [l.name, l.onRoster])).toEqual([['张三', null]]);
  });

  it('replacing the roster through the API', async () => {
    const put = await services.api.request('PUT', `/v1/campaigns/2022/universities/${U1}/roster`, {
      key,
      body: {
        leaders: [
          { name: '张三', role: '党委书记' },
          { name: '李四', role: 'president' },
          { name: '王五', role: 'leader', title: '副校长' },
          { name: '阿依古丽·买买提', role: '校级领导' },
        ],
      },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.leaders[2]).toEqual({ name: '王五', role: 'leader', title: '副校长' });
    const p = await check();
    expect(p.team).toMatchObject({ rosterSize: 4, withVisits: 1, coverage: 0.25, coverageLow: true });
    expect(p.leaders.map((l) => l.name)).toEqual(['张三', '李四', '王五', '阿依古丽·买买提']);
  });

  it('a roster with the same person twice, or a role that is none, is refused whole', async () => {
    const res = await services.api.request('PUT', `/v1/campaigns/2022/universities/${U1}/roster`, {
      key,
      body: {
        leaders: [
          { name: '张三', role: 'secretary' },
          { name: '张 三', role: 'leader' },
          { name: '钱七', role: '处长' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['/leaders/1', '/leaders/2']);
    expect((await check()).team.rosterSize).toBe(4);
  });

  it('recording visits: names as typed match, an unknown name is accepted and flagged', async () => {
    await record(
      'v1',
      '2022-04-02',
      [
        { role: 'secretary', name: '张三' },
        { role: 'president', name: '李　四' },
      ],
      '甲公司',
      10,
    );
    await record(
      'v2',
      '2022-04-03',
      [
        { role: 'leader', name: '赵六' },
        { role: 'leader', name: '阿依古丽•买买提' },
      ],
      '乙有限公司',
      5,
    );
    const p = await check();
    expect(p.team).toMatchObject({ rosterSize: 4, withVisits: 3, coverage: 0.75, coverageLow: false });
    expect(p.team.unknownNames).toEqual(['赵六']);
    expect(p.team.withoutVisits).toEqual([{ name: '王五', role: 'leader', title: '副校长' }]);
    const zhao = p.leaders.find((l) => l.name === '赵六')!;
    expect(zhao).toMatchObject({ onRoster: false, role: null, visits: 1, employersVisited: 1, newEmployers: 0 });
    const ayi = p.leaders.find((l) => l.name === '阿依古丽·买买提')!;
    expect(ayi).toMatchObject({ onRoster: true, visits: 1, positions: 5, newEmployers: 0 });
    expect(p.leaders.find((l) => l.name === '张三')).toMatchObject({ visits: 2, employersVisited: 2, newEmployers: 2 });
    expect(await ledgerFlags('v2')).toEqual([
      { name: '赵六', onRoster: false },
      { name: '阿依古丽•买买提', onRoster: true },
    ]);
  });

  it('amending a visit', async () => {
    await send('visit.amended', {
      ref: 'v1',
      universityCode: U1,
      visitedOn: '2022-04-02',
      mode: 'onsite',
      leaders: [{ role: 'secretary', name: '张三' }],
      employer: { name: '甲公司' },
      outcomes: { positions: 20 },
    });
    const p = await check();
    expect(p.leaders.find((l) => l.name === '李四')).toMatchObject({ visits: 0, positions: 0 });
    expect(p.leaders.find((l) => l.name === '张三')).toMatchObject({ positions: 23 });
  });

  it('replacing the roster from a file (ledger import leaders): 赵六 joins, 王五 leaves', async () => {
    const file = join(dir, 'rosters.csv');
    await writeFile(
      file,
      'university_code,name,role,title\n' +
        `${U1},张三,党委书记,\n${U1},李四,校长,\n${U1},赵六,校级领导,副书记\n${U1},阿依古丽·买买提,leader,副校长\n` +
        `${U2},孙八,secretary,\n`,
    );
    const out = await runLedger(['import', 'leaders', '--campaign', '2022', '--file', file, '--json'], services.env);
    expect(out.code, out.stderr).toBe(0);
    expect(jsonOut(out)).toMatchObject({ imported: 5, universities: 2, replaced: 4 });
    const p = await check();
    expect(p.team.unknownNames).toEqual([]);
    expect(p.leaders.find((l) => l.name === '赵六')).toMatchObject({ onRoster: true, role: 'leader', title: '副书记' });
    expect(p.leaders.some((l) => l.name === '王五')).toBe(false);
    expect(await ledgerFlags('v2')).toEqual([
      { name: '赵六', onRoster: true },
      { name: '阿依古丽•买买提', onRoster: true },
    ]);
    await check(U2);
  });

  it('a roster file with a bad line is refused whole and names the line', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, `university_code,name,role\n${U2},周九,secretary\n${U2},吴十,主任\n`);
    const out = await runLedger(['import', 'rosters', file, '--campaign', '2022'], services.env);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/line 3: role "主任"/);
    expect((await check(U2)).team.rosterSize).toBe(1);
  });

  it('retracting a visit', async () => {
    await send('visit.retracted', { ref: 'v2', universityCode: U1 });
    const p = await check();
    expect(p.leaders.find((l) => l.name === '赵六')).toMatchObject({ visits: 0 });
    expect(p.team).toMatchObject({ rosterSize: 4, withVisits: 1, coverage: 0.25, coverageLow: true });
  });

  it('a university key keeps its own roster only', async () => {
    const own = await services.api.request('GET', `/v1/campaigns/2022/universities/${U2}/roster`, { key: u2Key });
    expect(own.body.leaders).toEqual([{ name: '孙八', role: 'secretary', title: null }]);
    const other = await services.api.request('PUT', `/v1/campaigns/2022/universities/${U1}/roster`, {
      key: u2Key,
      body: { leaders: [] },
    });
    expect(other.status).toBe(403);
  });
});

describe("universities' implementation plans", () => {
  it('are filed by the API and the command line, late against the campaign deadline', async () => {
    const put = await services.api.request('PUT', `/v1/campaigns/2022/universities/${U1}/plan`, {
      key,
      body: { filedOn: '2022-03-10', link: 'https://example.edu.cn/plan.pdf' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ filedOn: '2022-03-10', link: 'https://example.edu.cn/plan.pdf', late: false });
    const bad = await services.api.request('PUT', `/v1/campaigns/2022/universities/${U1}/plan`, {
      key,
      body: { filedOn: '2022-03-10', link: 'javascript:alert(1)' },
    });
    expect(bad.status).toBe(400);
    const cli = await runLedger(
      ['plans', 'file', '--campaign', '2022', '--university', U2, '--filed-on', '2022-03-25', '--json'],
      services.env,
    );
    expect(cli.code, cli.stderr).toBe(0);
    expect(jsonOut(cli)).toMatchObject({
      universityCode: U2,
      filedOn: '2022-03-25',
      deadline: '2022-03-18',
      late: true,
    });
    const list = await services.api.request('GET', '/v1/campaigns/2022/university-plans?scope=province:440000', {
      key,
    });
    expect(
      list.body.universities.map((u: { universityCode: string; late: boolean }) => [u.universityCode, u.late]),
    ).toEqual([
      [U1, false],
      [U2, true],
    ]);
    const progress = await services.api.request(
      'GET',
      `/v1/campaigns/2022/universities/${U2}/progress?asOf=2022-03-20`,
      {
        key,
      },
    );
    expect(progress.body.plan).toEqual({ filedOn: null, link: null, deadline: '2022-03-18', late: false });
  });

  it('notices list late and missing university plans and the teams with low coverage', async () => {
    const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-04' });
    const byScope = new Map(result.notices.map((n) => [n.scope, n.id]));
    const gd = (await getNotice(services.db, byScope.get('province:440000')!))!;
    const model = gd.model as any;
    expect(model.people).toMatchObject({
      kind: 'province',
      universities: 2,
      plansFiled: 2,
      plansLate: [{ universityCode: U2, universityName: '乙学院', filedOn: '2022-03-25' }],
      plansMissing: [],
      rosters: 2,
    });
    // 甲大学: 张三 only of 4 → 25 %; 乙学院: 孙八 made no visit → 0 %.
    expect(model.people.lowCoverage.map((t: any) => [t.universityCode, t.coverage, t.withoutVisits])).toEqual([
      [U2, 0, ['孙八']],
      [U1, 0.25, ['李四', '赵六', '阿依古丽·买买提']],
    ]);
    expect(gd.text).toContain('逾期报送的高校（1所）：乙学院（2022年3月25日报送）');
    expect(gd.text).toContain('甲大学（1/4，尚未走访：李四、赵六、阿依古丽·买买提）');
    expect(gd.html).toContain('附一、高校实施方案报送情况');
    expect(gd.markdown).toContain('## 附二、任务到人');
    const bj = (await getNotice(services.db, byScope.get('province:110000')!))!;
    expect(bj.text).toContain('尚未报送的高校（1所）：丙大学');
    const national = (await getNotice(services.db, byScope.get('national')!))!;
    expect((national.model as any).people).toMatchObject({
      plansFiled: 2,
      plansLate: 1,
      plansMissing: 1,
      lowCoverage: 2,
    });
    expect(national.text).toContain('广东省1/0所');
  });
});
