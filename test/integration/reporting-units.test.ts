// Issue 15 points 1 and 2 over the real MOE list: 新疆生产建设兵团 as its own reporting unit (ranked within it, 32 units
// in the province ranking, its own notice and recipients, the `bingtuan` scope for keys and users), and the `central`
// scope of the 部属 and 部省合建 universities (their own ranking and notice, beside their unit's ranking).
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { signedIn } from '../helpers/console-session.ts';
import { insertCampaign, insertEmployers, insertVisits } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });

// The list itself, read here without the project's code: what the rankings must hold.
const LIST = parse(readFileSync('data/universities.csv', 'utf8'), { columns: true }) as Array<Record<string, string>>;
const JOINT = (
  parse(readFileSync('data/central-joint-universities.csv', 'utf8'), { columns: true }) as Array<{
    code: string;
  }>
).map((r) => r.code);
const BINGTUAN = LIST.filter((u) => u.authority === '新疆生产建设兵团').map((u) => u.code!);
const XINJIANG = LIST.filter((u) => u.province === '新疆维吾尔自治区' && u.authority !== '新疆生产建设兵团').map(
  (u) => u.code!,
);
const PROVINCE_NAMES = [...new Set(LIST.map((u) => u.province!))];
// 部属: an authority that is not a province (alone, or its 教育厅 / 教委, or first in a joint authority) nor 兵团.
const isLocal = (authority: string) => {
  const first = authority.split(' ')[0]!;
  return (
    first === '新疆生产建设兵团' ||
    PROVINCE_NAMES.some((p) => first === p || first === `${p}教育厅` || first === `${p}教委`)
  );
};
const MINISTRY = LIST.filter((u) => !isLocal(u.authority!)).map((u) => u.code!);
const CENTRAL = [...new Set([...MINISTRY, ...JOINT])].sort();

const SHIHEZI = '4165010759'; // 石河子大学: 兵团, 部省合建
const TARIM = '4165010757'; // 塔里木大学: 兵团
const XJU = '4165010755'; // 新疆大学: 新疆, 部省合建
const PKU = '4111010001'; // 北京大学: 教育部
const LOCAL = '4113010076'; // a 河北省 university that is neither

const keys: Record<string, string> = {};
const get = (path: string, key: string) => services.api.request('GET', path, { key });
const ledger = (args: string[]) => runLedger(args, services.env);

beforeAll(async () => {
  const imported = await ledger(['import', 'universities', '--file', 'data/universities.csv', '--json']);
  expect(imported.code, imported.stderr).toBe(0);
  await insertCampaign(services.db);
  const [e1, e2, e3] = await insertEmployers(services.db, ['甲公司', '乙公司', '丙公司']);
  await insertVisits(services.db, [
    { universityCode: SHIHEZI, employerId: e1!, visitedOn: '2022-04-01', roles: ['secretary'], positions: 30 },
    { universityCode: SHIHEZI, employerId: e2!, visitedOn: '2022-04-02', roles: ['president'], positions: 10 },
    { universityCode: TARIM, employerId: e1!, visitedOn: '2022-04-03', positions: 5 },
    { universityCode: XJU, employerId: e3!, visitedOn: '2022-04-03', positions: 7 },
    { universityCode: PKU, employerId: e3!, visitedOn: '2022-04-04', positions: 1 },
  ]);
  for (const [name, scope] of [
    ['bingtuan', 'bingtuan'],
    ['central', 'central'],
    ['xinjiang', 'province:650000'],
    ['national', 'national'],
  ] as const) {
    const made = await ledger(['clients', 'create', '--name', `key-${name}`, '--scope', scope, '--json']);
    expect(made.code, made.stderr).toBe(0);
    keys[name] = jsonOut<{ key: string }>(made).key;
  }
});

describe('the reference import', () => {
  it('puts 兵团’s 8 universities in unit 660000 and marks exactly the 部属 and 部省合建 ones central; a second import changes nothing', async () => {
    const rows = await services.db.selectFrom('universities').select(['code', 'province_code', 'central']).execute();
    expect(
      rows
        .filter((r) => r.province_code === '660000')
        .map((r) => r.code)
        .sort(),
    ).toEqual([...BINGTUAN].sort());
    expect(BINGTUAN).toHaveLength(8);
    expect(
      rows
        .filter((r) => r.central === 'joint')
        .map((r) => r.code)
        .sort(),
    ).toEqual([...JOINT].sort());
    expect(
      rows
        .filter((r) => r.central !== null)
        .map((r) => r.code)
        .sort(),
    ).toEqual(CENTRAL);
    expect(MINISTRY.length).toBeGreaterThan(110);
    const again = jsonOut<{ inserted: number; updated: number }>(
      await ledger(['import', 'universities', '--file', 'data/universities.csv', '--json']),
    );
    expect([again.inserted, again.updated]).toEqual([0, 0]);
  });
});

describe('rankings', () => {
  it('ranks 32 reporting units, 兵团 among them with its own 8 universities', async () => {
    const res = await get('/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-30', keys.national!);
    expect(res.status).toBe(200);
    const rows = res.body.rows as Array<{ provinceCode: string; provinceName: string; universities: number }>;
    expect(rows).toHaveLength(32);
    expect(rows.find((r) => r.provinceCode === '660000')).toMatchObject({
      provinceName: '新疆生产建设兵团',
      universities: 8,
      positions: 45,
    });
    expect(rows.find((r) => r.provinceCode === '650000')).toMatchObject({
      universities: XINJIANG.length,
      positions: 7,
    });
  });

  it('ranks 兵团’s universities within 兵团 (scope bingtuan = province:660000), not within 新疆', async () => {
    const bt = await get('/v1/campaigns/2022/rankings?scope=bingtuan&asOf=2022-04-30', keys.bingtuan!);
    expect(bt.status).toBe(200);
    expect(bt.body.scope).toBe('province:660000');
    const codes = (bt.body.rows as Array<{ universityCode: string; rank: number }>).map((r) => r.universityCode);
    expect([...codes].sort()).toEqual([...BINGTUAN].sort());
    expect(codes.slice(0, 2)).toEqual([SHIHEZI, TARIM]);
    const same = await get('/v1/campaigns/2022/rankings?scope=province:660000&asOf=2022-04-30', keys.bingtuan!);
    expect(same.body).toEqual(bt.body);
    const xj = await get('/v1/campaigns/2022/rankings?scope=province:650000&asOf=2022-04-30', keys.xinjiang!);
    expect(xj.status).toBe(200);
    const xjCodes = (xj.body.rows as Array<{ universityCode: string }>).map((r) => r.universityCode);
    expect([...xjCodes].sort()).toEqual([...XINJIANG].sort());
    expect(xjCodes[0]).toBe(XJU);
  });

  it('ranks exactly the 部属 and 部省合建 universities in scope central, each also in its unit’s ranking', async () => {
    const res = await get('/v1/campaigns/2022/rankings?scope=central&asOf=2022-04-30', keys.central!);
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('central');
    const rows = res.body.rows as Array<{ universityCode: string; rank: number; provinceCode: string }>;
    expect(rows.map((r) => r.universityCode).sort()).toEqual(CENTRAL);
    expect(rows.slice(0, 3).map((r) => [r.rank, r.universityCode])).toEqual([
      [1, SHIHEZI],
      [2, XJU],
      [3, PKU],
    ]);
    expect(rows.find((r) => r.universityCode === SHIHEZI)?.provinceCode).toBe('660000');
    const progress = await get(`/v1/campaigns/2022/universities/${SHIHEZI}/progress?asOf=2022-04-30`, keys.national!);
    expect(progress.body).toMatchObject({
      rankInProvince: 1,
      universitiesInProvince: 8,
      central: { kind: 'joint', rank: 1, universities: CENTRAL.length },
    });
    const local = await get(`/v1/campaigns/2022/universities/${LOCAL}/progress?asOf=2022-04-30`, keys.national!);
    expect(local.body.central).toBeUndefined();
  });
});

describe('access', () => {
  it('a bingtuan key reads 兵团 and the unit ranking, and gets 403 for 新疆, national, central and non-兵团 universities', async () => {
    const k = keys.bingtuan!;
    expect((await get('/v1/campaigns/2022/rankings', k)).body.scope).toBe('province:660000');
    expect((await get('/v1/campaigns/2022/rankings?scope=provinces', k)).status).toBe(200);
    for (const scope of ['province:650000', 'national', 'central'])
      expect((await get(`/v1/campaigns/2022/rankings?scope=${scope}`, k)).status).toBe(403);
    expect((await get(`/v1/campaigns/2022/universities/${TARIM}/progress`, k)).status).toBe(200);
    expect((await get(`/v1/campaigns/2022/universities/${XJU}/progress`, k)).status).toBe(403);
    // and 新疆's key no longer covers 兵团's universities
    expect((await get(`/v1/campaigns/2022/universities/${TARIM}/progress`, keys.xinjiang!)).status).toBe(403);
    expect((await get('/v1/campaigns/2022/rankings?scope=bingtuan', keys.xinjiang!)).status).toBe(403);
  });

  it('a bingtuan key submits for 兵团’s universities only', async () => {
    const event = (code: string, id: string) => ({
      eventId: id,
      type: 'visit.recorded',
      occurredAt: '2022-04-05T10:00:00+08:00',
      campaignId: '2022',
      visit: {
        ref: id,
        universityCode: code,
        visitedOn: '2022-04-05',
        mode: 'onsite',
        leaders: [{ role: 'secretary', name: '张三' }],
        employer: { name: '丁公司' },
      },
    });
    const post = (body: unknown, key: string) => services.api.request('POST', '/v1/visit-events', { key, body });
    expect((await post(event(TARIM, 'bt-1'), keys.bingtuan!)).status).toBe(202);
    expect((await post(event(XJU, 'bt-2'), keys.bingtuan!)).status).toBe(403);
    expect((await post(event(PKU, 'ct-1'), keys.central!)).status).toBe(403);
  });

  it('a bingtuan console user sees 兵团 only; a central user the central universities only', async () => {
    const made = await ledger(['users', 'create', '--name', 'bt-edu', '--scope', 'bingtuan', '--json']);
    expect(made.code, made.stderr).toBe(0);
    expect(jsonOut<{ scope: string }>(made).scope).toBe('province:660000');
    const bt = await signedIn(services.api, services.db, 'bingtuan');
    expect((await bt.request('GET', '/v1/campaigns/2022/rankings')).body.scope).toBe('province:660000');
    expect((await bt.request('GET', '/v1/campaigns/2022/overview?scope=bingtuan&asOf=2022-04-30')).status).toBe(200);
    expect((await bt.request('GET', '/v1/campaigns/2022/overview?scope=province:650000')).status).toBe(403);
    expect((await bt.request('GET', `/v1/campaigns/2022/universities/${XJU}/visits`)).status).toBe(403);
    expect((await bt.request('GET', `/v1/campaigns/2022/universities/${SHIHEZI}/visits`)).status).toBe(200);

    const ct = await signedIn(services.api, services.db, 'central');
    expect((await ct.request('GET', '/v1/campaigns/2022/rankings')).body.scope).toBe('central');
    expect((await ct.request('GET', '/v1/campaigns/2022/rankings?scope=national')).status).toBe(403);
    expect((await ct.request('GET', '/v1/campaigns/2022/rankings?scope=provinces')).status).toBe(403);
    expect((await ct.request('GET', `/v1/campaigns/2022/universities/${PKU}/progress`)).status).toBe(200);
    expect((await ct.request('GET', `/v1/campaigns/2022/universities/${SHIHEZI}/visits`)).status).toBe(200);
    expect((await ct.request('GET', `/v1/campaigns/2022/universities/${LOCAL}/progress`)).status).toBe(403);
    expect((await ct.request('GET', '/v1/campaigns/2022/overview')).status).toBe(403);
  });
});

describe('notices', () => {
  it('generates 兵团’s notice and the central notice, each delivered to its own recipients', async () => {
    for (const [scope, email] of [
      ['bingtuan', 'jyc@bingtuan.example.cn'],
      ['central', 'xss@moe.example.cn'],
      ['province:650000', 'jyc@xinjiang.example.cn'],
    ]) {
      const added = await ledger(['recipients', 'add', '--scope', scope!, '--email', email!, '--json']);
      expect(added.code, added.stderr).toBe(0);
    }
    const listed = jsonOut<Array<{ scope: string; address: string }>>(await ledger(['recipients', 'list', '--json']));
    expect(listed.map((r) => [r.scope, r.address]).sort()).toEqual([
      ['central', 'xss@moe.example.cn'],
      ['province:650000', 'jyc@xinjiang.example.cn'],
      ['province:660000', 'jyc@bingtuan.example.cn'],
    ]);
    const run = await ledger(['notices', 'run', '--campaign', '2022', '--period', '2022-W14', '--json']);
    expect(run.code, run.stderr).toBe(0);

    const notices = await services.db.selectFrom('notices').select(['id', 'scope', 'subject', 'model']).execute();
    const bt = notices.find((n) => n.scope === 'province:660000');
    const central = notices.find((n) => n.scope === 'central');
    expect(bt?.subject).toContain('新疆生产建设兵团');
    expect(central?.subject).toContain('部属和部省合建');
    const btModel = bt!.model as { ranking: Array<{ universityCode: string }> };
    expect(btModel.ranking.map((r) => r.universityCode).sort()).toEqual([...BINGTUAN].sort());
    const xjModel = notices.find((n) => n.scope === 'province:650000')!.model as typeof btModel;
    expect(xjModel.ranking.some((r) => BINGTUAN.includes(r.universityCode))).toBe(false);
    const centralModel = central!.model as typeof btModel & { totals: { positions: number } };
    expect(centralModel.ranking.map((r) => r.universityCode).sort()).toEqual(CENTRAL);
    // 石河子 40 + 新疆大学 7 + 北京大学 1 (塔里木 is not central); the W14 cut-off is 2022-04-10
    expect(centralModel.totals.positions).toBe(48);

    const deliveries = await services.db
      .selectFrom('notice_deliveries as d')
      .innerJoin('notice_recipients as r', 'r.id', 'd.recipient_id')
      .innerJoin('notices as n', 'n.id', 'd.notice_id')
      .select(['n.scope', 'r.address'])
      .execute();
    expect(deliveries.map((d) => [d.scope, d.address]).sort()).toEqual([
      ['central', 'xss@moe.example.cn'],
      ['province:650000', 'jyc@xinjiang.example.cn'],
      ['province:660000', 'jyc@bingtuan.example.cn'],
    ]);

    // Each key lists its own notice only.
    const mine = async (key: string) =>
      ((await get('/v1/campaigns/2022/notices', key)).body.notices as Array<{ scope: string }>).map((n) => n.scope);
    expect(await mine(keys.bingtuan!)).toEqual(['province:660000']);
    expect(await mine(keys.central!)).toEqual(['central']);
    expect((await get(`/v1/notices/${central!.id}`, keys.bingtuan!)).status).toBe(403);
    expect((await get(`/v1/notices/${central!.id}?format=text`, keys.central!)).status).toBe(200);
  }, 180_000); // five CLI processes and a notice run, beside the whole suite on two cores
});
