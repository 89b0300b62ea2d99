// The console's read endpoints (issue 13, points 2-4) on the hand-computed ranking world: each figure equals the
// rankings or progress endpoint, a stored snapshot, or a direct count; scopes are enforced for sessions; the visit form
// (POST /v1/visit-events with the cookie and CSRF token) records, amends and retracts, and the figures follow.
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { filePlan } from '../../shared/repositories/plan.repository.ts';
import { grantProxy } from '../../shared/use-cases/proxy-grants.ts';
import { takeSnapshots } from '../../shared/use-cases/take-snapshots.ts';
import { signedIn, type ConsoleSession } from '../helpers/console-session.ts';
import { waitFor } from '../helpers/poll.ts';
import { buildRankingWorld, insertVisits, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: { SESSION_COOKIE_SECURE: 'false' }, workers: true });
let employers: number[];
let national: ConsoleSession;
let guangdong: ConsoleSession;
let g1: ConsoleSession;
let admin: ConsoleSession;

type Row = Record<string, any>;

beforeAll(async () => {
  const db = services.db;
  ({ employers } = await buildRankingWorld(db));
  await db.updateTable('campaigns').set({ plan_deadline: '2022-03-31' }).where('id', '=', '2022').execute();
  await filePlan(db, '2022', '440000', '2022-03-20');
  await filePlan(db, '2022', '110000', '2022-04-02');
  // Week 14 as of 2022-04-10, then five visits of G4's (0 → 0.05) that move it up, then week 15 as of 2022-04-17.
  await takeSnapshots(db, { campaignId: '2022', period: '2022-W14', asOf: '2022-04-10' });
  await insertVisits(
    db,
    [20, 21, 22, 23, 24].map((i) => ({
      universityCode: W.G4,
      employerId: employers[i]!,
      visitedOn: '2022-04-12',
      positions: 5,
    })),
  );
  await takeSnapshots(db, { campaignId: '2022', period: '2022-W15', asOf: '2022-04-17' });
  national = await signedIn(services.api, db, 'national');
  guangdong = await signedIn(services.api, db, 'province:440000');
  g1 = await signedIn(services.api, db, `university:${W.G1}`);
  admin = await signedIn(services.api, db, 'admin');
});

const count = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(services.db)).rows[0]!.n;

describe('the OpenAPI document', () => {
  it('describes every console endpoint with a summary', async () => {
    const doc = (await services.api.request('GET', '/docs/json')).body;
    const paths = [
      ['post', '/v1/session'],
      ['get', '/v1/session'],
      ['delete', '/v1/session'],
      ['get', '/v1/me'],
      ['get', '/v1/campaigns'],
      ['get', '/v1/campaigns/{id}/overview'],
      ['get', '/v1/campaigns/{id}/trend'],
      ['get', '/v1/campaigns/{id}/universities/{code}/visits'],
      ['get', '/v1/campaigns/{id}/universities/{code}/leaders'],
      ['get', '/v1/admin/employers'],
      ['get', '/v1/admin/employers/review/sides'],
      ['get', '/v1/admin/clients'],
      ['post', '/v1/admin/clients'],
      ['post', '/v1/admin/clients/{id}/revoke'],
      ['get', '/v1/admin/users'],
      ['post', '/v1/admin/users'],
      ['post', '/v1/admin/users/{id}/disable'],
      ['post', '/v1/admin/users/{id}/reset-password'],
      ['get', '/v1/admin/recipients'],
      ['post', '/v1/admin/recipients'],
      ['delete', '/v1/admin/recipients/{id}'],
      ['get', '/v1/admin/dead-letters'],
      ['post', '/v1/admin/dead-letters/{id}/replay'],
      ['get', '/v1/admin/queues'],
      ['post', '/v1/notices/{id}/resend'],
    ];
    for (const [method, path] of paths)
      expect([method, path, doc.paths[path!]?.[method!]?.summary]).toEqual([method, path, expect.any(String)]);
    expect(doc.paths['/v1/campaigns/{id}/rankings'].get.parameters.map((p: Row) => p.name)).toEqual(
      expect.arrayContaining(['withChanges', 'withFlags']),
    );
    expect(doc.components.securitySchemes.session).toMatchObject({
      type: 'apiKey',
      in: 'cookie',
      name: 'ledger_session',
    });
  });
});

describe('GET /v1/campaigns', () => {
  it('lists every campaign with its dates and plan deadline', async () => {
    const res = await g1.request('GET', '/v1/campaigns');
    expect(res.status).toBe(200);
    expect(res.body.campaigns).toEqual([
      { id: '2022', name: '2022 访企拓岗', start: '2022-03-01', end: '2022-08-31', planDeadline: '2022-03-31' },
    ]);
  });
});

describe('GET /v1/campaigns/{id}/overview', () => {
  it("nationally: the universities' figures equal the rankings, the totals a direct count", async () => {
    const res = await national.request('GET', '/v1/campaigns/2022/overview?asOf=2022-04-10');
    expect(res.status).toBe(200);
    const rows: Row[] = (await national.request('GET', '/v1/campaigns/2022/rankings?scope=national&asOf=2022-04-10'))
      .body.rows;
    const provinces: Row[] = (
      await national.request('GET', '/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-10')
    ).body.rows;
    expect(res.body.universities).toEqual({
      total: rows.length,
      meetingTargets: provinces.reduce((s, p) => s + p.meetingTargets, 0),
      behind: rows.filter((r) => r.behind).length,
      shareMeeting: Math.round((1 / 7) * 1e6) / 1e6,
    });
    expect(res.body.universities.meetingTargets).toBe(rows.filter((r) => r.completion === 1).length);
    expect(res.body.meanCompletion).toBeCloseTo(rows.reduce((s, r) => s + r.completion, 0) / rows.length, 6);
    const visits = await count(sql<{ n: number }>`SELECT count(*)::int AS n FROM visits
      WHERE campaign_id = '2022' AND state = 'active' AND visited_on BETWEEN '2022-03-01' AND '2022-04-10'`);
    const positions = await count(sql<{ n: number }>`SELECT coalesce(sum(positions), 0)::int AS n FROM visits
      WHERE campaign_id = '2022' AND state = 'active' AND visited_on BETWEEN '2022-03-01' AND '2022-04-10'`);
    const distinct = await count(sql<{ n: number }>`SELECT count(DISTINCT employer_id)::int AS n FROM visits
      WHERE campaign_id = '2022' AND state = 'active' AND visited_on BETWEEN '2022-03-01' AND '2022-04-10'`);
    expect(res.body.totals).toMatchObject({ visits, positions, employers: distinct });
    const progress = await national.request('GET', `/v1/campaigns/2022/universities/${W.G1}/progress?asOf=2022-04-10`);
    expect(res.body.expected).toBe(progress.body.measures.expected);
    expect(res.body.planDeadline).toBe('2022-03-31');
    expect(res.body.plans).toHaveLength(32); // 31 provinces and 兵团
    expect(res.body.plans).toEqual(
      expect.arrayContaining([
        { provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-20', late: false },
        { provinceCode: '110000', provinceName: '北京市', filedOn: '2022-04-02', late: true },
      ]),
    );
  });

  it('for a province: its own row of the provinces ranking, exactly; a province caller gets its own by default', async () => {
    const provinces: Row[] = (
      await national.request('GET', '/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-10')
    ).body.rows;
    const gd = provinces.find((p) => p.provinceCode === '440000')!;
    const res = await guangdong.request('GET', '/v1/campaigns/2022/overview?asOf=2022-04-10');
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('province:440000');
    expect(res.body.universities).toMatchObject({
      total: gd.universities,
      meetingTargets: gd.meetingTargets,
      shareMeeting: gd.shareMeeting,
    });
    expect(res.body.meanCompletion).toBe(gd.meanCompletion);
    expect(res.body.totals.positions).toBe(gd.positions);
    expect(res.body.plans).toEqual([
      { provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-20', late: false },
    ]);
  });

  it('answers 400 for a bad scope or date and 404 for an unknown campaign', async () => {
    expect((await national.request('GET', '/v1/campaigns/2022/overview?scope=provinces')).status).toBe(400);
    const bad = await national.request('GET', '/v1/campaigns/2022/overview?asOf=2022-02-30');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/asOf');
    expect((await national.request('GET', '/v1/campaigns/2099/overview')).status).toBe(404);
  });
});

describe('GET /v1/campaigns/{id}/trend', () => {
  it("reads each week from the stored snapshots: a province's row as stored, the country as the provinces' sums", async () => {
    const res = await national.request('GET', '/v1/campaigns/2022/trend?scope=national');
    expect(res.status).toBe(200);
    expect(res.body.points.map((p: Row) => [p.period, p.asOf])).toEqual([
      ['2022-W14', '2022-04-10'],
      ['2022-W15', '2022-04-17'],
    ]);
    const stored = await services.db
      .selectFrom('ranking_snapshots')
      .select(['period', 'rows'])
      .where('scope', '=', 'provinces')
      .orderBy('period')
      .execute();
    for (const [i, snap] of stored.entries()) {
      const rows = snap.rows as Row[];
      const point = res.body.points[i];
      expect(point.universities).toBe(rows.reduce((s, r) => s + r.universities, 0));
      expect(point.meetingTargets).toBe(rows.reduce((s, r) => s + r.meetingTargets, 0));
    }
    const gd = await guangdong.request('GET', '/v1/campaigns/2022/trend');
    const storedGd = (stored[1]!.rows as Row[]).find((r) => r.provinceCode === '440000')!;
    expect(gd.body.scope).toBe('province:440000');
    expect(gd.body.points[1]).toEqual({
      period: '2022-W15',
      asOf: '2022-04-17',
      universities: storedGd.universities,
      meetingTargets: storedGd.meetingTargets,
      shareMeeting: storedGd.shareMeeting,
      meanCompletion: storedGd.meanCompletion,
      rank: storedGd.rank,
    });
  });
});

describe('rankings withChanges and withFlags', () => {
  it('gives each row its rank change since the latest weekly snapshot before asOf', async () => {
    const res = await national.request(
      'GET',
      '/v1/campaigns/2022/rankings?scope=national&asOf=2022-04-12&withChanges=1',
    );
    expect(res.status).toBe(200);
    expect(res.body.changesSince).toEqual({ period: '2022-W14', asOf: '2022-04-10' });
    const snapshot = await services.db
      .selectFrom('ranking_snapshots')
      .select('rows')
      .where('period', '=', '2022-W14')
      .where('scope', '=', 'national')
      .executeTakeFirstOrThrow();
    const before = new Map((snapshot.rows as Row[]).map((r) => [r.universityCode, r.rank]));
    for (const row of res.body.rows as Row[]) expect(row.rankChange).toBe(before.get(row.universityCode) - row.rank);
    const g4 = (res.body.rows as Row[]).find((r) => r.universityCode === W.G4)!;
    expect(g4.rankChange).toBeGreaterThan(0); // its visits of 2022-04-12 moved it up
    const first = await national.request(
      'GET',
      '/v1/campaigns/2022/rankings?scope=provinces&asOf=2022-04-10&withChanges=1',
    );
    expect(first.body.changesSince).toBeNull();
    expect((first.body.rows as Row[]).every((r) => r.rankChange === null)).toBe(true);
  });

  it('flags 新建本科, 高职 and below-average placement, and leaves the rows as they were without the parameters', async () => {
    const res = await guangdong.request('GET', '/v1/campaigns/2022/rankings?asOf=2022-04-10&withFlags=1');
    const byCode = new Map((res.body.rows as Row[]).map((r) => [r.universityCode, r.flags]));
    expect(byCode.get(W.G1)).toEqual({ newUndergrad: true, vocational: false, belowAveragePlacement: false });
    expect(byCode.get(W.G2)).toEqual({ newUndergrad: false, vocational: true, belowAveragePlacement: true });
    expect(byCode.get(W.G3)).toEqual({ newUndergrad: false, vocational: false, belowAveragePlacement: false });
    const plain = await guangdong.request('GET', '/v1/campaigns/2022/rankings?asOf=2022-04-10');
    expect(Object.keys(plain.body)).toEqual(['campaignId', 'asOf', 'scope', 'rows']);
    expect((plain.body.rows as Row[]).some((r) => 'flags' in r || 'rankChange' in r)).toBe(false);
  });
});

describe("a university's visits ledger and leader tally", () => {
  it('pages the active visits newest first, with the total a direct count gives', async () => {
    const all = await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/visits?pageSize=200`);
    expect(all.status).toBe(200);
    const direct = await count(
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM visits WHERE university_code = ${W.G1} AND campaign_id = '2022' AND state = 'active'`,
    );
    expect(all.body.total).toBe(direct);
    expect(all.body.rows).toHaveLength(direct);
    const page = await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/visits?page=2&pageSize=3`);
    expect(page.body).toMatchObject({ total: direct, page: 2, pageSize: 3 });
    expect(page.body.rows.map((r: Row) => r.ref)).toEqual(all.body.rows.slice(3, 6).map((r: Row) => r.ref));
    expect(all.body.rows[0]).toMatchObject({
      mode: 'onsite',
      counted: true,
      employer: { name: expect.any(String) },
      outcomes: { positions: 10 },
    });
  });

  it('filters by text, month, mode and leader, and refuses bad filters with the parameter named', async () => {
    const base = `/v1/campaigns/2022/universities/${W.G1}/visits`;
    const byName = await g1.request('GET', `${base}?q=${encodeURIComponent('单位001')}`);
    expect(byName.body.rows.map((r: Row) => r.employer.id)).toEqual([employers[1]]);
    expect((await g1.request('GET', `${base}?month=2022-04`)).body.total).toBe(4);
    expect((await g1.request('GET', `${base}?month=2022-05`)).body.total).toBe(0);
    expect((await g1.request('GET', `${base}?mode=online`)).body.total).toBe(0);
    expect((await g1.request('GET', `${base}?leader=${encodeURIComponent('领导1')}`)).body.total).toBe(1);
    const bad = await g1.request('GET', `${base}?month=2022-13&pageSize=500`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: Row) => e.path).sort()).toEqual(['/month', '/pageSize']);
  });

  it('tallies employers, new employers and positions per named leader', async () => {
    const res = await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/leaders?asOf=2022-04-10`);
    expect(res.status).toBe(200);
    expect(res.body.leaders).toEqual([
      {
        name: '领导0',
        roles: ['president', 'secretary'],
        visits: 4,
        employersVisited: 4,
        newEmployers: 4,
        positions: 40,
        // No roster imported (issue 15): nothing to check the names against.
        role: null,
        title: null,
        onRoster: null,
      },
      {
        name: '领导1',
        roles: ['leader'],
        visits: 1,
        employersVisited: 1,
        newEmployers: 1,
        positions: 10,
        role: null,
        title: null,
        onRoster: null,
      },
    ]);
    expect(res.body.team).toMatchObject({ rosterSize: 0, coverage: null, unknownNames: [] });
    // B1 visited one employer of its prior list: not new, as the progress endpoint counts it.
    const b1 = await national.request('GET', `/v1/campaigns/2022/universities/${W.B1}/leaders?asOf=2022-04-10`);
    const progress = await national.request('GET', `/v1/campaigns/2022/universities/${W.B1}/progress?asOf=2022-04-10`);
    const total = (b1.body.leaders as Row[]).find((l) => l.name === '领导0')!;
    expect(total).toMatchObject({
      employersVisited: progress.body.measures.employersVisited,
      newEmployers: progress.body.measures.newEmployers,
    });
  });
});

describe('scope enforcement for sessions', () => {
  it('answers 403 to a province user asking for another province', async () => {
    for (const path of [
      '/v1/campaigns/2022/overview?scope=province:110000',
      '/v1/campaigns/2022/trend?scope=province:110000',
      '/v1/campaigns/2022/overview?scope=national',
      '/v1/campaigns/2022/rankings?scope=province:110000',
      `/v1/campaigns/2022/universities/${W.B1}/visits`,
      `/v1/campaigns/2022/universities/${W.B1}/leaders`,
      `/v1/campaigns/2022/universities/${W.B1}/progress`,
    ])
      expect([path, (await guangdong.request('GET', path)).status]).toEqual([path, 403]);
  });

  it('answers 403 to a university user asking for another university or for overviews', async () => {
    for (const path of [
      `/v1/campaigns/2022/universities/${W.G2}/visits`,
      `/v1/campaigns/2022/universities/${W.G2}/leaders`,
      `/v1/campaigns/2022/universities/${W.G2}/progress`,
      '/v1/campaigns/2022/overview',
      '/v1/campaigns/2022/trend',
      '/v1/campaigns/2022/rankings?scope=province:440000',
    ])
      expect([path, (await g1.request('GET', path)).status]).toEqual([path, 403]);
  });

  it('answers 403 to anyone but an admin on the system routes, and the accounts and keys to the security administrator only', async () => {
    const paths = [
      '/v1/admin/employers',
      '/v1/admin/employers/review/sides',
      '/v1/admin/recipients',
      '/v1/admin/dead-letters',
      '/v1/admin/queues',
      '/v1/admin/employers/review',
    ];
    const accounts = ['/v1/admin/clients', '/v1/admin/users'];
    const security = await signedIn(services.api, services.db, 'security');
    const auditor = await signedIn(services.api, services.db, 'auditor');
    for (const s of [national, guangdong, g1, auditor])
      for (const path of [...paths, ...accounts])
        expect([path, (await s.request('GET', path)).status]).toEqual([path, 403]);
    for (const path of paths) expect([path, (await admin.request('GET', path)).status]).toEqual([path, 200]);
    for (const path of paths) expect([path, (await security.request('GET', path)).status]).toEqual([path, 403]);
    // 三员分立: the system administrator manages neither accounts nor keys; the security administrator does.
    for (const path of accounts) {
      const refused = await admin.request('GET', path);
      expect([path, refused.status]).toEqual([path, 403]);
      expect(refused.body.detail).toContain('security administrator');
      expect([path, (await security.request('GET', path)).status]).toEqual([path, 200]);
    }
    // The security and audit roles are given at the host only.
    for (const scope of ['security', 'auditor']) {
      expect((await security.request('POST', '/v1/admin/users', { body: { name: `x-${scope}`, scope } })).status).toBe(
        403,
      );
      expect(
        (await security.request('POST', '/v1/admin/clients', { body: { name: `k-${scope}`, scope } })).status,
      ).toBe(403);
    }
    expect(
      (await national.request('POST', '/v1/admin/clients', { body: { name: 'x', scope: 'national' } })).status,
    ).toBe(403);
    expect((await national.request('POST', '/v1/notices/1/resend', { body: {} })).status).toBe(403);
  });
});

describe('the visit form (POST /v1/visit-events with the session)', () => {
  const ledger = (s: ConsoleSession, code: string) =>
    s.request('GET', `/v1/campaigns/2022/universities/${code}/visits?pageSize=200`);
  const processed = (s: ConsoleSession, eventId: string) =>
    waitFor(async () => (await s.request('GET', `/v1/visit-events/${eventId}`)).body, {
      what: `event ${eventId} processed`,
      until: (b) => b?.status === 'processed',
    });

  it('records, amends and retracts a visit for a university user; the ledger and figures follow', async () => {
    const before = (await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/progress?asOf=2022-04-30`)).body
      .measures;
    const visit = {
      ref: 'console-1',
      universityCode: W.G1,
      visitedOn: '2022-04-20',
      mode: 'online',
      leaders: [{ role: 'secretary', name: '王书记' }],
      employer: { name: '深圳市腾讯计算机系统有限公司' },
      outcomes: { positions: 30 },
    };
    const recorded = await g1.request('POST', '/v1/visit-events', {
      body: {
        eventId: 'c-1',
        type: 'visit.recorded',
        occurredAt: '2022-04-20T09:00:00+08:00',
        campaignId: '2022',
        visit,
      },
    });
    expect(recorded.status).toBe(202);
    const again = await g1.request('POST', '/v1/visit-events', {
      body: {
        eventId: 'c-1',
        type: 'visit.recorded',
        occurredAt: '2022-04-20T09:00:00+08:00',
        campaignId: '2022',
        visit,
      },
    });
    expect(again.status).toBe(200);
    await processed(g1, 'c-1');
    let row = (await ledger(g1, W.G1)).body.rows.find((r: Row) => r.ref === 'console-1');
    expect(row).toMatchObject({
      mode: 'online',
      leaders: [{ role: 'secretary', name: '王书记' }],
      outcomes: { positions: 30 },
    });
    const after = (await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/progress?asOf=2022-04-30`)).body
      .measures;
    expect(after.visits).toBe(before.visits + 1);
    expect(after.positions).toBe(before.positions + 30);

    const amended = await g1.request('POST', '/v1/visit-events', {
      body: {
        eventId: 'c-2',
        type: 'visit.amended',
        occurredAt: new Date(Date.parse(row.occurredAt) + 60_000).toISOString(),
        campaignId: '2022',
        visit: { ...visit, outcomes: { positions: 45 } },
      },
    });
    expect(amended.status).toBe(202);
    await processed(g1, 'c-2');
    row = (await ledger(g1, W.G1)).body.rows.find((r: Row) => r.ref === 'console-1');
    expect(row.outcomes.positions).toBe(45);

    const retracted = await g1.request('POST', '/v1/visit-events', {
      body: {
        eventId: 'c-3',
        type: 'visit.retracted',
        occurredAt: '2022-04-21T09:00:00+08:00',
        visit: { ref: 'console-1', universityCode: W.G1 },
      },
    });
    expect(retracted.status).toBe(202);
    await processed(g1, 'c-3');
    expect((await ledger(g1, W.G1)).body.rows.some((r: Row) => r.ref === 'console-1')).toBe(false);
    const end = (await g1.request('GET', `/v1/campaigns/2022/universities/${W.G1}/progress?asOf=2022-04-30`)).body
      .measures;
    expect(end).toMatchObject({ visits: before.visits, positions: before.positions });
  });

  it("lets a province user record for its province's universities only", async () => {
    const event = (code: string, eventId: string) => ({
      eventId,
      type: 'visit.recorded',
      occurredAt: '2022-04-20T09:00:00+08:00',
      campaignId: '2022',
      visit: {
        ref: eventId,
        universityCode: code,
        visitedOn: '2022-04-20',
        mode: 'onsite',
        leaders: [{ role: 'president', name: '李校长' }],
        employer: { name: '广州某某有限公司' },
      },
    });
    // 代录: without a grant the province's person may not write for its universities; with one it may.
    expect((await guangdong.request('POST', '/v1/visit-events', { body: event(W.G3, 'p-0') })).status).toBe(403);
    const me = (await guangdong.request('GET', '/v1/session')).body.user.name as string;
    await grantProxy(services.db, me, { province: '440000' });
    expect((await guangdong.request('POST', '/v1/visit-events', { body: event(W.G3, 'p-1') })).status).toBe(202);
    expect((await guangdong.request('POST', '/v1/visit-events', { body: event(W.B1, 'p-2') })).status).toBe(403);
    await processed(guangdong, 'p-1');
    const rows = (await ledger(guangdong, W.G3)).body.rows as Row[];
    expect(rows.some((r) => r.ref === 'p-1')).toBe(true);
  });
});
