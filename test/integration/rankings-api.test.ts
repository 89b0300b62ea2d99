// GET /v1/campaigns/{id}/rankings and /universities/{code}/progress over the hand-computed world, their scope rules,
// and `ledger rankings run --json` printing the same JSON as the endpoint.
import { noOutreach } from '../../shared/domain/outreach.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../helpers/api.ts';
import { jsonOut, runLedger } from '../helpers/cli.ts';
import { buildRankingWorld, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
const keys: Record<string, string> = {};

beforeAll(async () => {
  await buildRankingWorld(services.db);
  keys.national = await createApiKey(services.db, 'national');
  keys.admin = await createApiKey(services.db, 'admin');
  keys.gd = await createApiKey(services.db, 'province:440000');
  keys.bj = await createApiKey(services.db, 'province:110000');
  keys.g2 = await createApiKey(services.db, `university:${W.G2}`);
  keys.g1 = await createApiKey(services.db, `university:${W.G1}`);
});

const get = (path: string, key = keys.national) => services.api.request('GET', path, { key });

describe('GET /v1/campaigns/{id}/rankings', () => {
  it('ranks every university nationally by completion, employers, positions, with 1,2,2,4-style ties', async () => {
    const res = await get('/v1/campaigns/2022/rankings?scope=national&asOf=2022-04-10');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ campaignId: '2022', asOf: '2022-04-10', scope: 'national' });
    const rows = res.body.rows as Array<Record<string, unknown>>;
    expect(rows.map((x) => [x.rank, x.universityCode, x.completion])).toEqual([
      [1, W.G1, 1],
      [2, W.B2, 0.75],
      [3, W.G2, 0.75],
      [4, W.B1, 0.5],
      [5, W.G3, 0.03],
      [5, W.G5, 0.03],
      [7, W.G4, 0],
    ]);
    expect(rows[2]).toEqual({
      rank: 3,
      universityCode: W.G2,
      universityName: `大学${W.G2}`,
      provinceCode: '440000',
      completion: 0.75,
      employersVisited: 2,
      principalEmployers: 2,
      newEmployers: 2,
      positions: 20,
      onsiteShare: 1,
      onsiteFlag: false,
      behind: false,
      targets: { principal: 4, new: 2 },
      visits: 2,
      outreach: { ...noOutreach(), allEmployersReached: 2 },
    });
    expect(rows[3]).toMatchObject({
      universityCode: W.B1,
      principalEmployers: 1,
      newEmployers: 1,
      targets: { principal: 2, new: 2 },
    });
    expect(rows[4]).toMatchObject({ universityCode: W.G3, targets: { principal: null, new: null }, behind: true });
    expect(rows[6]).toMatchObject({ universityCode: W.G4, employersVisited: 0, onsiteShare: null, behind: true });
  });

  it('counts a visit from the day after the cut-off on', async () => {
    const res = await get('/v1/campaigns/2022/rankings?scope=province:440000&asOf=2022-04-11');
    const g5 = res.body.rows.find((x: { universityCode: string }) => x.universityCode === W.G5);
    expect(g5).toMatchObject({ rank: 3, employersVisited: 4, completion: 0.04 });
  });

  it('ranks provinces by share meeting targets, mean completion, positions; provinces without universities tie last', async () => {
    const res = await get('/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-10');
    expect(res.status).toBe(200);
    const rows = res.body.rows as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(32); // the 32 reporting units
    expect(rows[0]).toEqual({
      rank: 1,
      provinceCode: '440000',
      provinceName: '广东省',
      universities: 5,
      meetingTargets: 1,
      shareMeeting: 0.2,
      meanCompletion: 0.362,
      positions: 120,
      planFiledOn: null,
    });
    expect(rows[1]).toMatchObject({
      rank: 2,
      provinceCode: '110000',
      universities: 2,
      meetingTargets: 0,
      shareMeeting: 0,
      meanCompletion: 0.625,
      positions: 95,
    });
    expect(rows.slice(2).every((x) => x.rank === 3 && x.universities === 0)).toBe(true);
    expect(rows[2]!.provinceCode).toBe('120000');
  });

  it('lets a province key read its own province and the provinces ranking, nothing else', async () => {
    expect((await get('/v1/campaigns/2022/rankings?scope=province:440000&asOf=2022-04-10', keys.gd)).status).toBe(200);
    expect((await get('/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-10', keys.gd)).status).toBe(200);
    expect((await get('/v1/campaigns/2022/rankings?scope=province:110000', keys.gd)).status).toBe(403);
    expect((await get('/v1/campaigns/2022/rankings?scope=national', keys.gd)).status).toBe(403);
    // without a scope a province key gets its own province
    expect((await get('/v1/campaigns/2022/rankings?asOf=2022-04-10', keys.gd)).body.scope).toBe('province:440000');
    expect((await get('/v1/campaigns/2022/rankings?scope=province:440000', keys.g2)).status).toBe(403);
    expect((await get('/v1/campaigns/2022/rankings?scope=provinces', keys.admin)).status).toBe(200);
    expect((await services.api.request('GET', '/v1/campaigns/2022/rankings')).status).toBe(401);
  });

  it('answers 400 for a bad scope or date, 404 for an unknown campaign', async () => {
    const bad = await get('/v1/campaigns/2022/rankings?scope=city:440100');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await get('/v1/campaigns/2022/rankings?scope=province:999999')).status).toBe(400);
    expect((await get('/v1/campaigns/2022/rankings?asOf=2022-02-30')).status).toBe(400);
    expect((await get('/v1/campaigns/2022/rankings?asOf=yesterday')).status).toBe(400);
    expect((await get('/v1/campaigns/1999/rankings?scope=national')).status).toBe(404);
  });

  it('defaults asOf to today in Asia/Shanghai', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect((await get('/v1/campaigns/2022/rankings?scope=national')).body.asOf).toBe(today);
  });
});

describe('GET /v1/campaigns/{id}/universities/{code}/progress', () => {
  it('gives a university its measures, targets, rank in its province and latest visits', async () => {
    const res = await get(`/v1/campaigns/2022/universities/${W.G2}/progress?asOf=2022-04-10`, keys.g2);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      campaignId: '2022',
      asOf: '2022-04-10',
      university: { code: W.G2, provinceCode: '440000' },
      rankInProvince: 2,
      universitiesInProvince: 5,
      measures: {
        employersVisited: 2,
        principalEmployers: 2,
        newEmployers: 2,
        targets: { principal: 4, new: 2 },
        ratios: { principal: 0.5, new: 1 },
        completion: 0.75,
        behind: false,
      },
    });
    expect(res.body.recentVisits).toHaveLength(2);
  });

  it('is readable by that university, its province, national and admin keys only', async () => {
    const path = `/v1/campaigns/2022/universities/${W.G2}/progress`;
    expect((await get(path, keys.gd)).status).toBe(200);
    expect((await get(path, keys.admin)).status).toBe(200);
    expect((await get(path, keys.g1)).status).toBe(403);
    expect((await get(path, keys.bj)).status).toBe(403);
    expect((await get('/v1/campaigns/2022/universities/4199999999/progress')).status).toBe(404);
    expect((await get(`/v1/campaigns/1999/universities/${W.G2}/progress`)).status).toBe(404);
  });
});

describe('ledger rankings run --json', () => {
  it('prints the same JSON as the endpoint, for national, a province and provinces', async () => {
    const env = {
      DATABASE_URL: services.database.url,
      REDIS_URL: services.queue.url,
      QUEUE_PREFIX: services.queue.prefix,
    };
    for (const scope of ['national', 'province:110000', 'provinces']) {
      const cli = await runLedger(
        [
          'rankings',
          'run',
          '--campaign',
          '2022',
          '--as-of',
          '2022-04-10',
          '--period',
          '2022-W14',
          '--scope',
          scope,
          '--json',
        ],
        env,
      );
      expect(cli.code, cli.stderr).toBe(0);
      const http = await get(`/v1/campaigns/2022/rankings?scope=${scope}&asOf=2022-04-10`);
      expect(jsonOut(cli)).toEqual(http.body);
    }
  });

  it('refuses an unknown campaign and a bad period with one line', async () => {
    const env = { DATABASE_URL: services.database.url };
    const unknown = await runLedger(['rankings', 'run', '--campaign', '1999', '--as-of', '2022-04-10'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown campaign "1999": create it first with ledger campaign create');
    const bad = await runLedger(
      ['rankings', 'run', '--campaign', '2022', '--as-of', '2022-04-10', '--period', '2022-W60'],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('not a period');
  });
});
