// The central ranking, staff-only visits with their outcomes, the demand ledger and the archive filter as the console
// shows them, in a real browser against the real API and workers: a
// `central` user lands on the central ranking (部属 / 部省合建 marked) equal to the API's and opens a university from it;
// the visit form records a staff-only visit with a place kind, new positions, hired and majors, and the university's
// outreach figures follow (equal to the API's progress); the demand ledger downloads as .xlsx from the province page
// and the national overview; 兵团 is listed beside the map; the notices archive filters by kind. Screenshots as the
// other browser tests leave them.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../console/src/components/format.ts';
import type {
  NoticeList,
  Progress,
  Ranking,
  UniversityRankingRow,
  VisitPage,
} from '../../console/src/services/types.ts';
import { createUser } from '../../shared/use-cases/manage-users.ts';
import { insertUniversities } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';
import {
  launchBrowser,
  logIn,
  openContext,
  pageErrors,
  screenshot,
  seriousViolations,
  type UserPage,
} from './helpers/browser.ts';
import { ensureConsoleBuilt } from './helpers/console-build.ts';
import { buildConsoleWorld, CAMPAIGN, PASSWORD, U, USERS } from './helpers/console-world.ts';

const s = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false' },
  workers: { env: { RESOLVE_MATCH_THRESHOLD: '0.9', RESOLVE_REVIEW_THRESHOLD: '0.75', WORKER_CONCURRENCY: '4' } },
});

const CENTRAL_USER = { name: 'moe-central-office', scope: 'central' };
const BINGTUAN_UNIVERSITY = '4166000001';

let browser: Browser;
const opened: UserPage[] = [];
const asOf = CAMPAIGN.end;
const c = `/v1/campaigns/${CAMPAIGN.id}`;

beforeAll(async () => {
  await ensureConsoleBuilt();
  await buildConsoleWorld(s.db, s.api);
  // 部属 and 部省合建 universities (the import marks them from the authority and the joint list), and one of 兵团's.
  await s.db.updateTable('universities').set({ central: 'ministry' }).where('code', '=', U.GD1).execute();
  await s.db.updateTable('universities').set({ central: 'joint' }).where('code', '=', U.BJ1).execute();
  await insertUniversities(s.db, [{ code: BINGTUAN_UNIVERSITY, name: '石河子示范大学', provinceCode: '660000' }]);
  await createUser(s.db, { ...CENTRAL_USER, password: PASSWORD });
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  for (const u of opened) await u.context.close().catch(() => {});
  await browser?.close();
});

async function as(name: string): Promise<UserPage> {
  const u = await openContext(browser, s.api.url);
  opened.push(u);
  await logIn(u.page, name, PASSWORD);
  return u;
}

const eventually = <T>(probe: () => Promise<T> | T, timeout = 20_000) => expect.poll(probe, { timeout, interval: 100 });
const tableRows = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] tbody tr.ant-table-row`);
const text = (l: Locator) => l.innerText();
const SIDEWAYS = 'document.documentElement.scrollWidth - window.innerWidth';
const KINDS = { ministry: '部属', joint: '部省合建' } as const;

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
  expect(await page.evaluate<number>(SIDEWAYS)).toBeLessThanOrEqual(0);
}

/** Picks an option of the antd Select labelled `label` (inside `scope`: the page or a dialog). */
async function choose(page: Page, scope: Page | Locator, label: string, option: string): Promise<void> {
  await scope.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

/** An .xlsx download's answer: 200, the spreadsheet type, a zip (PK) body. */
async function expectXlsx(u: UserPage, href: string | null): Promise<void> {
  expect(href).toMatch(/employer-demand\?.*format=xlsx/);
  const res = await u.context.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('spreadsheetml');
  expect(res.headers()['content-disposition']).toContain('attachment');
  const body = await res.body();
  expect(body.subarray(0, 2).toString('latin1')).toBe('PK');
}

describe('the console after issue 15', () => {
  it('lands a central user on the central ranking, equal to the API, 部属 and 部省合建 marked, each row opening the university', async () => {
    const u = await as(CENTRAL_USER.name);
    const { page, apiGet } = u;
    await page.waitForSelector('[data-page="central"]');
    expect(page.url()).toContain('/console/central');
    const api = await apiGet<Ranking<UniversityRankingRow>>(`${c}/rankings?scope=central&asOf=${asOf}&withFlags=1`);
    expect(api.status).toBe(200);
    expect(api.body.rows.map((r) => r.universityCode).sort()).toEqual([U.BJ1, U.GD1].sort());
    // The kind each row carries is the one stored for the university.
    expect(Object.fromEntries(api.body.rows.map((r) => [r.universityCode, r.flags?.central]))).toEqual({
      [U.GD1]: 'ministry',
      [U.BJ1]: 'joint',
    });

    const rows = tableRows(page, 'central-ranking');
    await eventually(() => rows.count()).toBe(api.body.rows.length);
    for (const [i, r] of api.body.rows.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells[0]).toBe(String(r.rank));
      expect(cells[2]).toBe(r.universityName);
      expect(cells[3]).toBe(KINDS[r.flags!.central!]);
      expect(cells.slice(8, 10)).toEqual([formatNumber(r.employersVisited), formatNumber(r.positions)]);
    }
    await screenshot(page, 'central-ranking');
    await expectAccessible(page);

    // The demand ledger of the central universities.
    await expectXlsx(u, await page.getByTestId('demand-ledger').getAttribute('href'));

    // A row opens the university's page, which a central user may read (its central rank shown).
    await page.getByRole('link', { name: '华南示范大学' }).click();
    await page.waitForSelector('[data-page="university"]');
    const p = (await apiGet<Progress>(`${c}/universities/${U.GD1}/progress?asOf=${asOf}`)).body;
    expect(p.central?.kind).toBe('ministry');
    await eventually(() => text(page.locator('[data-measure="centralRank"]'))).toContain(
      `第 ${formatNumber(p.central!.rank)} 名`,
    );
    expect(pageErrors(page)).toEqual([]);
  }, 180_000);

  it('offers national users the central ranking in the menu, the national demand ledger, and lists 兵团 beside the map', async () => {
    const u = await as(USERS.national.name);
    const { page } = u;
    await page.waitForSelector('[data-page="overview"]');
    await expectXlsx(u, await page.getByTestId('demand-ledger').getAttribute('href'));
    await eventually(() => text(page.getByTestId('off-map'))).toContain('新疆生产建设兵团');
    await page.getByRole('menuitem', { name: '部属和部省合建高校' }).click();
    await page.waitForSelector('[data-page="central"]');
    await eventually(() => tableRows(page, 'central-ranking').count()).toBe(2);
  }, 120_000);

  it('downloads a province’s demand ledger as .xlsx from its page', async () => {
    const u = await as(USERS.province.name);
    await u.page.waitForSelector('[data-page="province"]');
    const href = await u.page.getByTestId('demand-ledger').getAttribute('href');
    expect(href).toContain(encodeURIComponent('province:440000'));
    await expectXlsx(u, href);
  }, 120_000);

  it('records a staff-only visit with a place kind through the visit form, and the university’s figures follow the API', async () => {
    const { page, apiGet } = await as(USERS.university.name);
    await page.waitForSelector('[data-page="university"]');
    const progressOf = async () =>
      (await apiGet<Progress>(`${c}/universities/${U.GD1}/progress?asOf=${asOf}`)).body.measures;
    const before = await progressOf();

    await page.getByTestId('new-visit').click();
    const dialog = page.getByRole('dialog');
    // No leader and no staff: refused by the form (the API's rule), nothing sent.
    await dialog.getByRole('button', { name: '删除此校领导 1' }).click();
    await dialog.getByLabel('用人单位名称').fill('石河子开发区管理委员会');
    await dialog.getByTestId('visit-submit').click();
    await eventually(() => text(dialog)).toContain('请至少填写一位校领导，或（教职工单独走访）至少一位教职工');

    await dialog.getByTestId('add-staff').click();
    await choose(page, dialog, '教职工类别 1', '辅导员');
    await dialog.getByLabel('教职工姓名 1').fill('陈辅导员');
    await dialog.getByTestId('add-staff').click();
    await choose(page, dialog, '走访场所类型', '园区');
    await dialog.getByLabel('提供岗位数').fill('12');
    await dialog.getByLabel('其中新增岗位数').fill('5');
    await dialog.getByLabel('录用毕业生数').fill('2');
    const majors = dialog.getByLabel('需求专业或技能');
    await majors.fill('机械工程');
    await majors.press('Enter');
    await majors.fill('电气自动化');
    await majors.press('Enter');
    await screenshot(page, 'visit-form-staff-only', false);
    await dialog.getByTestId('visit-submit').click();
    await eventually(() => dialog.getByTestId('visit-answer').getAttribute('data-answer'), 60_000).toBe('success');
    await dialog.getByRole('button', { name: /取\s*消/ }).click();

    // The API's figures: one more staff-only visit to a park, the new positions and hired added.
    const after = await progressOf();
    const o = after.outreach!;
    const o0 = before.outreach!;
    expect(o.staffOnlyVisits).toBe(o0.staffOnlyVisits + 1);
    expect(o.staffVisits).toBe(o0.staffVisits + 1);
    expect(o.staffParticipants).toBe(o0.staffParticipants + 2);
    expect(o.placeKinds.park.visits).toBe(o0.placeKinds.park.visits + 1);
    expect(o.newPositions).toBe(o0.newPositions + 5);
    expect(o.hired).toBe(o0.hired + 2);
    expect(after.principalEmployers).toBe(before.principalEmployers);

    // The page shows the same figures.
    for (const key of ['staffOnlyVisits', 'staffVisits', 'staffParticipants', 'newPositions', 'hired'] as const)
      await eventually(() => text(page.locator(`[data-outreach="${key}"]`))).toBe(formatNumber(o[key]));
    expect(await text(page.locator('[data-outreach="placeKinds"]'))).toContain(
      `园区 ${formatNumber(o.placeKinds.park.visits)} 次`,
    );

    // The ledger: the visit marked staff-only, its place kind shown, as the API stores it.
    const ledger = (await apiGet<VisitPage>(`${c}/universities/${U.GD1}/visits?q=${encodeURIComponent('石河子')}`))
      .body;
    expect(ledger.rows).toHaveLength(1);
    const v = ledger.rows[0]!;
    expect(v.leaders).toEqual([]);
    expect(v.staff).toEqual([{ role: 'counsellor', name: '陈辅导员' }, { role: 'teacher' }]);
    expect(v.placeKind).toBe('park');
    expect(v.majors).toEqual(['机械工程', '电气自动化']);
    expect(v.outcomes).toMatchObject({ positions: 12, newPositions: 5, hired: 2 });
    const row = tableRows(page, 'visits').filter({ hasText: v.ref });
    await eventually(() => row.count()).toBe(1);
    expect(await row.locator('[data-staff-only="true"]').count()).toBe(1);
    expect(await text(row)).toContain('园区');
    await screenshot(page, 'university-outreach');
    await expectAccessible(page);
  }, 180_000);

  it('shows each notice’s kind in the archive and filters by it', async () => {
    const { page, apiGet } = await as(USERS.national.name);
    await page.getByRole('menuitem', { name: '通报' }).click();
    await page.waitForSelector('[data-page="notices"]');
    const periodic = (await apiGet<NoticeList>(`${c}/notices?kind=periodic`)).body.notices;
    const summary = (await apiGet<NoticeList>(`${c}/notices?kind=summary`)).body.notices;
    expect(periodic.length).toBeGreaterThan(0);
    const rows = tableRows(page, 'notices');
    await eventually(() => rows.count()).toBe(Math.min(32, periodic.length + summary.length));
    expect(await rows.first().locator('[data-kind]').getAttribute('data-kind')).toBe('periodic');
    await choose(page, page, '类型', '总结');
    await eventually(() => rows.count()).toBe(summary.length);
    await choose(page, page, '类型', '定期通报');
    await eventually(() => rows.count()).toBe(Math.min(32, periodic.length));
    await expectAccessible(page);
  }, 120_000);
});
