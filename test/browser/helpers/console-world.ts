// A small campaign for the console's browser tests, made the way the real one is: reference rows and users in the
// database, visits sent as events through the API and processed by the workers (employer resolution included: one
// pair of spellings lands in the review queue), weekly snapshots for the trend and rank changes, a plan filed, notices
// generated.
import type { Db } from '../../../shared/db/database.ts';
import { filePlan } from '../../../shared/repositories/plan.repository.ts';
import { generateNotices } from '../../../shared/use-cases/generate-notices.ts';
import { createUser } from '../../../shared/use-cases/manage-users.ts';
import { takeSnapshots } from '../../../shared/use-cases/take-snapshots.ts';
import { createApiKey, type TestApi } from '../../helpers/api.ts';
import { waitFor } from '../../helpers/poll.ts';
import { insertCampaign, insertUniversities, setPlacementRates } from '../../helpers/rankings-factories.ts';

export const CAMPAIGN = { id: '2022', start: '2022-03-01', end: '2022-04-30' };

export const U = {
  GD1: '4144000001', // 新建本科: principal target
  GD2: '4144000002', // 专科 (高职): principal target
  GD3: '4144000003', // placement below 广东's mean: new-employer target
  GD4: '4144000004', // no visits
  BJ1: '4111000001',
  BJ2: '4111000002', // 新建本科
  JS1: '4132000001', // 专科: principal target
} as const;

export const PASSWORD = 'console-test-password-2022';

/** One account per kind of user (and a second province, for the 403). */
export const USERS = {
  admin: { name: 'ops-admin', scope: 'admin' },
  security: { name: 'sec-admin', scope: 'security' },
  auditor: { name: 'audit-officer', scope: 'auditor' },
  national: { name: 'moe-official', scope: 'national' },
  province: { name: 'gd-education', scope: 'province:440000' },
  otherProvince: { name: 'bj-education', scope: 'province:110000' },
  university: { name: 'scut-demo-office', scope: `university:${U.GD1}` },
} as const;

/** The pair of spellings the resolver puts in review (one character apart), each visited once. */
export const REVIEW_PAIR = ['广东恒申美达新材料股份公司', '广东恒申美大新材料股份公司'] as const;

type Leader = { role: 'secretary' | 'president' | 'leader'; name: string };

let seq = 0;
function event(universityCode: string, employer: string, visitedOn: string, leaders: Leader[], positions = 10) {
  const n = ++seq;
  return {
    eventId: `world-${n}`,
    type: 'visit.recorded' as const,
    occurredAt: `${visitedOn}T10:00:00+08:00`,
    campaignId: CAMPAIGN.id,
    visit: {
      ref: `W-${universityCode}-${n}`,
      universityCode,
      visitedOn,
      mode: n % 3 === 0 ? ('invited' as const) : ('onsite' as const),
      leaders,
      employer: { name: employer },
      outcomes: {
        positions,
        internshipBase: n % 2 === 0,
        recruitmentInvite: n % 4 === 0,
        demandSurvey: true,
        graduatesTracked: 2,
        satisfaction: 4,
      },
    },
  };
}

const SECRETARY: Leader = { role: 'secretary', name: '王书记' };
const PRESIDENT: Leader = { role: 'president', name: '李校长' };
const VICE: Leader = { role: 'leader', name: '赵副校长' };

async function sendAndProcess(api: TestApi, db: Db, key: string, events: ReturnType<typeof event>[]): Promise<void> {
  const res = await api.request('POST', '/v1/visit-events/batch', { key, body: { events } });
  const bad = (res.body?.results ?? []).filter((r: { status: string }) => r.status !== 'accepted');
  if (res.status !== 200 || bad.length)
    throw new Error(`the world's events were refused: ${res.status} ${JSON.stringify(bad ?? res.body)}`);
  const ids = events.map((e) => e.eventId);
  await waitFor(
    async () => {
      const rows = await db.selectFrom('inbox_events').select('status').where('event_id', 'in', ids).execute();
      return rows.filter((r) => r.status === 'processed').length;
    },
    { what: `${ids.length} world events processed`, until: (n) => n === ids.length, timeoutMs: 60_000 },
  );
}

export async function buildConsoleWorld(db: Db, api: TestApi): Promise<void> {
  await insertCampaign(db, {
    id: CAMPAIGN.id,
    start: CAMPAIGN.start,
    end: CAMPAIGN.end,
    principalTarget: 4,
    newTarget: 3,
  });
  await insertUniversities(db, [
    { code: U.GD1, name: '华南示范大学', newUndergrad: true },
    { code: U.GD2, name: '岭南职业技术学院', level: '专科', vocational: true },
    { code: U.GD3, name: '珠江大学' },
    { code: U.GD4, name: '粤海学院' },
    { code: U.BJ1, name: '京华大学', provinceCode: '110000' },
    { code: U.BJ2, name: '燕山学院', provinceCode: '110000', newUndergrad: true },
    { code: U.JS1, name: '金陵职业技术学院', provinceCode: '320000', level: '专科', vocational: true },
  ]);
  await setPlacementRates(db, CAMPAIGN.id, {
    [U.GD1]: 0.9,
    [U.GD2]: 0.85,
    [U.GD3]: 0.6,
    [U.GD4]: 0.95,
    [U.BJ1]: 0.9,
    [U.BJ2]: 0.5,
  });
  await filePlan(db, CAMPAIGN.id, '440000', '2022-03-20');
  await filePlan(db, CAMPAIGN.id, '110000', '2022-04-08');
  for (const u of Object.values(USERS)) await createUser(db, { name: u.name, scope: u.scope, password: PASSWORD });

  const key = await createApiKey(db, 'national', 'world-loader');
  // Week 14 (2022-04-04 … 04-10).
  await sendAndProcess(api, db, key, [
    event(U.GD1, '华为技术有限公司', '2022-04-05', [SECRETARY]),
    event(U.GD1, '腾讯科技（深圳）有限公司', '2022-04-06', [PRESIDENT, VICE], 25),
    event(U.GD2, '美的集团股份有限公司', '2022-04-06', [SECRETARY]),
    event(U.GD3, REVIEW_PAIR[0], '2022-04-07', [VICE]),
    event(U.GD3, '广州地铁集团有限公司', '2022-04-08', [VICE], 5),
    event(U.JS1, '苏宁易购集团股份有限公司', '2022-04-07', [PRESIDENT]),
  ]);
  await takeSnapshots(db, { campaignId: CAMPAIGN.id, period: '2022-W14' });
  // Week 15 (04-11 … 04-17): GD2 and BJ1 move up.
  await sendAndProcess(api, db, key, [
    event(U.GD1, '比亚迪股份有限公司', '2022-04-12', [SECRETARY]),
    event(U.GD2, '格力电器股份有限公司', '2022-04-12', [PRESIDENT]),
    event(U.GD2, '广汽集团股份有限公司', '2022-04-13', [SECRETARY], 40),
    event(U.BJ1, '京东方科技集团股份有限公司', '2022-04-12', [SECRETARY]),
    event(U.BJ1, '联想集团有限公司', '2022-04-14', [PRESIDENT]),
  ]);
  await takeSnapshots(db, { campaignId: CAMPAIGN.id, period: '2022-W15' });
  // Week 16 (04-18 … 04-24): the second spelling of the review pair, and more for GD1 (meets its target).
  await sendAndProcess(api, db, key, [
    event(U.BJ2, REVIEW_PAIR[1], '2022-04-19', [SECRETARY]),
    event(U.GD1, '中国南方电网有限责任公司', '2022-04-19', [PRESIDENT]),
    event(U.GD3, '广州汽车工业集团有限公司', '2022-04-20', [VICE], 8),
  ]);
  await takeSnapshots(db, { campaignId: CAMPAIGN.id, period: '2022-W16' });
  await generateNotices(db, { campaignId: CAMPAIGN.id, period: '2022-W16' });
  // After the last snapshot: JS1 meets its target, so 江苏 moves to the top of the provinces (rank changes to show).
  await sendAndProcess(api, db, key, [
    event(U.JS1, '南京银行股份有限公司', '2022-04-26', [SECRETARY]),
    event(U.JS1, '徐工集团工程机械股份有限公司', '2022-04-26', [PRESIDENT]),
    event(U.JS1, '江苏恒瑞医药股份有限公司', '2022-04-27', [SECRETARY]),
  ]);
}
