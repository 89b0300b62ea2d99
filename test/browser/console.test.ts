// The console in a real browser (Debian's chromium through playwright-core) against the real API and workers on a
// small campaign: each kind of user lands on the page of their scope and sees the API's own figures; scope is enforced
// (another province's page shows 403); the visit form's events go through ingestion and the figures follow; a review
// decision changes the counts; the map colours 31 provinces; axe-core finds no serious or critical violation; the
// first page stays under 1 MB compressed. Every test leaves a screenshot in test-output/screenshots/.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate, formatNumber, formatPercent } from '../../console/src/components/format.ts';
import type {
  NoticeList,
  Overview,
  Progress,
  ProvinceRankingRow,
  Ranking,
  ReviewItem,
  UniversityRankingRow,
  VisitPage,
} from '../../console/src/services/types.ts';
import { waitFor } from '../helpers/poll.ts';
import { useTestServices } from '../helpers/setup.ts';
import {
  DESKTOP,
  launchBrowser,
  logIn,
  openContext,
  pageErrors,
  PHONE,
  screenshot,
  seriousViolations,
  type UserPage,
} from './helpers/browser.ts';
import { ensureConsoleBuilt } from './helpers/console-build.ts';
import { buildConsoleWorld, CAMPAIGN, PASSWORD, U, USERS } from './helpers/console-world.ts';

const s = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false' },
  workers: { env: { RESOLVE_MATCH_THRESHOLD: '0.9', RESOLVE_REVIEW_THRESHOLD: '0.75', WORKER_CONCURRENCY: '8' } },
});

let browser: Browser;
const opened: UserPage[] = [];
// Today is past the campaign, so the console shows the figures as of its last day.
const asOf = CAMPAIGN.end;
const c = `/v1/campaigns/${CAMPAIGN.id}`;

beforeAll(async () => {
  await ensureConsoleBuilt();
  await buildConsoleWorld(s.db, s.api);
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  for (const u of opened) await u.context.close().catch(() => {});
  await browser?.close();
});

async function as(user: keyof typeof USERS, viewport = DESKTOP): Promise<UserPage> {
  const u = await openContext(browser, s.api.url, viewport);
  opened.push(u);
  await logIn(u.page, USERS[user].name, PASSWORD);
  return u;
}

const text = (l: Locator) => l.innerText();
/** expect.poll with room for a loaded machine (its default gives up after one second). */
const eventually = <T>(probe: () => Promise<T> | T, timeout = 20_000) => expect.poll(probe, { timeout, interval: 100 });
/** The visit form's answer as `<type>: <words>`, so a refusal shows its reason when the test fails. */
const answerOf = async (dialog: Locator) => {
  const a = dialog.getByTestId('visit-answer');
  return (await a.count()) ? `${await a.getAttribute('data-answer')}: ${await a.innerText()}` : 'no answer yet';
};
/** How far the page scrolls sideways (evaluated in the page: this file is compiled without the DOM's types). */
const SIDEWAYS = 'document.documentElement.scrollWidth - window.innerWidth';
const figureText = (page: Page, key: string) => page.locator(`[data-figure="${key}"] .figure-value`).innerText();
const measureText = (page: Page, key: string) => page.locator(`[data-measure="${key}"]`).innerText();
const tableRows = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] tbody tr.ant-table-row`);

/** No serious axe-core violation, no browser error, and the page fits its screen's width (1366×768 or a phone's). */
async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
  expect(await page.evaluate<number>(SIDEWAYS)).toBeLessThanOrEqual(0);
}

describe('the console in a browser', () => {
  it('signs a national user in with the keyboard onto the overview, whose figures, ranking and plans are the API’s and whose map colours 31 provinces', async () => {
    const u = await openContext(browser, s.api.url);
    opened.push(u);
    const { page } = u;
    await page.goto('/');
    await eventually(() => page.url()).toContain('/console/login');
    await page.getByLabel('用户名').focus();
    await page.keyboard.type(USERS.national.name);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-page="overview"]');
    expect(new URL(page.url()).pathname).toBe('/console/overview');

    const o = (await u.apiGet<Overview>(`${c}/overview?scope=national&asOf=${asOf}`)).body;
    const provinces = (
      await u.apiGet<Ranking<ProvinceRankingRow>>(`${c}/rankings?scope=provinces&asOf=${asOf}&withChanges=1`)
    ).body;
    await page.waitForSelector('[data-figure="visits"]');
    expect(await figureText(page, 'visits')).toBe(formatNumber(o.totals.visits));
    expect(await figureText(page, 'employers')).toBe(formatNumber(o.totals.employers));
    expect(await figureText(page, 'positions')).toBe(formatNumber(o.totals.positions));
    expect(await figureText(page, 'meetingTargets')).toBe(
      `${formatNumber(o.universities.meetingTargets)} / ${formatNumber(o.universities.total)}`,
    );
    expect(await figureText(page, 'behind')).toBe(formatNumber(o.universities.behind));
    expect(await figureText(page, 'meanCompletion')).toBe(formatPercent(o.meanCompletion));
    expect(await page.locator('.page-title-sub').innerText()).toBe(`截至${formatDate(asOf)}`);

    // The province ranking: 32 rows (31 provinces and 兵团) in the API's order, with its shares and rank changes.
    const rows = tableRows(page, 'province-ranking');
    await eventually(() => rows.count()).toBe(32); // 31 provinces and 兵团
    for (const [i, r] of provinces.rows.slice(0, 5).entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells[0]).toBe(String(r.rank));
      expect(cells[2]).toBe(r.provinceName);
      expect(cells[5]).toBe(formatPercent(r.shareMeeting));
    }
    // 实施方案: the filed dates as the API has them.
    const gdPlan = o.plans.find((p) => p.provinceCode === '440000')!;
    expect(await page.locator('.ant-card', { hasText: '实施方案报送情况' }).innerText()).toContain(
      formatDate(gdPlan.filedOn),
    );

    // The map: 31 provinces coloured; hovering 广东 shows its figures, clicking opens its page.
    const map = page.locator('[data-testid="china-map"]');
    await waitFor(async () => (await map.getAttribute('data-coloured-provinces')) === '31', {
      what: 'the map drawn with 31 provinces',
    });
    const points = await waitFor(
      async () =>
        JSON.parse((await map.getAttribute('data-province-points')) ?? '{}') as Record<string, [number, number]>,
      { what: 'the provinces placed on the map', until: (p) => Object.keys(p).length >= 31 },
    );
    await screenshot(page, 'overview-national');
    const box = (await map.locator('.chart').boundingBox())!;
    const [x, y] = points['440000']!;
    await page.mouse.move(box.x + x, box.y + y);
    const gd = provinces.rows.find((r) => r.provinceCode === '440000')!;
    await eventually(() => page.locator('body').innerText()).toContain(`达标率：${formatPercent(gd.shareMeeting)}`);
    await screenshot(page, 'overview-map-hover');
    await expectAccessible(page);
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForURL('**/console/provinces/440000');
    await page.waitForSelector('[data-page="province"]');
  }, 180_000);

  it('lands a province user on its province page with the API’s ranking, filters and export, and shows 403 on another province’s pages', async () => {
    const u = await as('province');
    const { page } = u;
    expect(new URL(page.url()).pathname).toBe('/console/provinces/440000');
    const ranking = (
      await u.apiGet<Ranking<UniversityRankingRow>>(
        `${c}/rankings?scope=province:440000&asOf=${asOf}&withChanges=1&withFlags=1`,
      )
    ).body;
    const rows = tableRows(page, 'university-ranking');
    await eventually(() => rows.count()).toBe(ranking.rows.length);
    for (const [i, r] of ranking.rows.entries()) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells[0]).toBe(String(r.rank));
      expect(cells[2]).toContain(r.universityName);
      expect(cells[3]).toContain(formatPercent(r.completion));
    }
    await screenshot(page, 'province-guangdong');
    await expectAccessible(page);

    // Filters narrow the list to the API's flags.
    await page.getByRole('switch', { name: '只看进度滞后' }).click();
    await eventually(() => rows.count()).toBe(ranking.rows.filter((r) => r.behind).length);
    await page.getByRole('switch', { name: '只看进度滞后' }).click();
    await page.getByLabel('新建本科').check();
    await eventually(() => rows.count()).toBe(ranking.rows.filter((r) => r.flags?.newUndergrad).length);
    await page.getByLabel('新建本科').uncheck();
    await page.getByLabel('就业率低于本省平均').check();
    await eventually(() => rows.count()).toBe(ranking.rows.filter((r) => r.flags?.belowAveragePlacement).length);
    await page.getByLabel('就业率低于本省平均').uncheck();
    await page.getByLabel('搜索高校名称或代码').fill('职业');
    await eventually(() => rows.count()).toBe(ranking.rows.filter((r) => r.universityName.includes('职业')).length);

    // The export is the latest notice's ledger, as .xlsx.
    const href = await page.getByTestId('export').getAttribute('href');
    expect(href).toMatch(/^\/v1\/notices\/\d+\?format=xlsx$/);
    const xlsx = await u.context.request.get(href!);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toContain('spreadsheetml');

    // Another province: the API refuses, and the page says so.
    await page.goto('/console/provinces/110000');
    await eventually(() => text(page.getByTestId('forbidden'))).toContain('403');
    await screenshot(page, 'province-other-403');
    await page.goto(`/console/universities/${U.BJ1}`);
    await eventually(() => text(page.getByTestId('forbidden'))).toContain('403');
  }, 180_000);

  it('lands a university user on its page with the API’s progress, and its visit form creates, amends and retracts a visit while the figures follow', async () => {
    const u = await as('university');
    const { page } = u;
    expect(new URL(page.url()).pathname).toBe(`/console/universities/${U.GD1}`);
    const progress = async () => (await u.apiGet<Progress>(`${c}/universities/${U.GD1}/progress?asOf=${asOf}`)).body;
    const shows = async (p: Progress) => {
      await eventually(() => measureText(page, 'employersVisited')).toBe(formatNumber(p.measures.employersVisited));
      expect(await measureText(page, 'positions')).toBe(formatNumber(p.measures.positions));
      expect(await measureText(page, 'visits')).toBe(formatNumber(p.measures.visits));
      expect(await measureText(page, 'principalEmployers')).toBe(formatNumber(p.measures.principalEmployers));
      expect(await measureText(page, 'rankInProvince')).toContain(formatNumber(p.rankInProvince));
    };
    const before = await progress();
    await shows(before);
    const ledger = (await u.apiGet<VisitPage>(`${c}/universities/${U.GD1}/visits?page=1&pageSize=20`)).body;
    await eventually(() => tableRows(page, 'visits').count()).toBe(ledger.rows.length);
    await screenshot(page, 'university-before');
    await expectAccessible(page);

    // New visit: a new employer with 30 positions.
    await page.getByTestId('new-visit').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('姓名 1').fill('王书记');
    await dialog.getByLabel('用人单位名称').fill('深圳市大疆创新科技有限公司');
    await dialog.getByLabel('提供岗位数').fill('30');
    await screenshot(page, 'university-visit-form', false);
    await dialog.getByTestId('visit-submit').click();
    await eventually(() => answerOf(dialog), 30_000).toMatch(/^success/);
    const created = await progress();
    expect(created.measures.employersVisited).toBe(before.measures.employersVisited + 1);
    expect(created.measures.positions).toBe(before.measures.positions + 30);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await shows(created);

    // Amend it: 50 positions instead of 30.
    const row = tableRows(page, 'visits').filter({ hasText: '深圳市大疆创新科技有限公司' });
    await eventually(() => row.count()).toBe(1);
    await row.getByRole('button', { name: /^修改/ }).click();
    await dialog.getByLabel('提供岗位数').fill('50');
    await dialog.getByTestId('visit-submit').click();
    await eventually(() => answerOf(dialog), 30_000).toMatch(/^success/);
    await eventually(async () => (await progress()).measures.positions).toBe(before.measures.positions + 50);
    const amended = await progress();
    expect(amended.measures.employersVisited).toBe(created.measures.employersVisited);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await shows(amended);

    // Retract it: the figures are back where they were.
    await row.getByRole('button', { name: /^撤回/ }).click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /撤\s*回/ })
      .click();
    await eventually(async () => (await progress()).measures.positions).toBe(before.measures.positions);
    const retracted = await progress();
    expect(retracted.measures.employersVisited).toBe(before.measures.employersVisited);
    await shows(retracted);
    await eventually(() => row.count()).toBe(0);
    await screenshot(page, 'university-after-retraction');
  }, 240_000);

  it('lets an administrator confirm a review item, after which the queue and the candidate’s visits change', async () => {
    const u = await as('admin');
    const { page } = u;
    expect(new URL(page.url()).pathname).toBe('/console/overview');
    const queue = async () =>
      (await u.apiGet<{ reviews: ReviewItem[] }>('/v1/admin/employers/review/sides')).body.reviews;
    const before = await queue();
    expect(before.length).toBeGreaterThan(0);
    const item = before[0]!;
    const candidateBefore = (await u.apiGet<{ visits: number }>(`/v1/admin/employers/${item.candidate_id}`)).body
      .visits;

    await page.getByRole('menuitem', { name: '用人单位' }).click();
    await page.waitForSelector('[data-page="employers"]');
    await eventually(() => text(page.getByTestId('queue-count'))).toBe(`待审核 ${formatNumber(before.length)} 条`);
    const card = page.locator(`[data-review="${item.id}"]`);
    expect(await text(card.getByTestId('candidate').locator('[data-visits]'))).toBe(
      formatNumber(item.candidate!.visits),
    );
    expect(await text(card.getByTestId('provisional').locator('[data-visits]'))).toBe(
      formatNumber(item.employer!.visits),
    );
    await screenshot(page, 'employers-review');
    await expectAccessible(page);

    await card.getByRole('button', { name: '确认为同一单位（合并）' }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /确\s*定/ })
      .click();
    await eventually(() => text(page.getByTestId('queue-count'))).toBe(`待审核 ${formatNumber(before.length - 1)} 条`);
    expect((await queue()).length).toBe(before.length - 1);
    const candidateAfter = (await u.apiGet<{ visits: number }>(`/v1/admin/employers/${item.candidate_id}`)).body.visits;
    expect(candidateAfter).toBe(candidateBefore + item.employer!.visits);

    // The candidate, searched for, shows its new count and the decision in its audit trail.
    await page.getByRole('tab', { name: '查询与维护' }).click();
    await page.getByLabel('按名称（任意写法）或统一社会信用代码搜索').fill(item.candidate_name);
    await page.getByLabel('按名称（任意写法）或统一社会信用代码搜索').press('Enter');
    const found = tableRows(page, 'employer-search').filter({ hasText: String(item.candidate_id) });
    await eventually(() => text(found.locator('td').last())).toBe(formatNumber(candidateAfter));
    await found.getByRole('link').click();
    await eventually(() => text(page.getByTestId('audit'))).toContain('审核确认');
    await screenshot(page, 'employers-after-confirm');
  }, 180_000);

  it('shows the notices the API lists with their deliveries, one of them with its chart, and offers its ledger', async () => {
    const u = await as('national');
    const { page } = u;
    const list = (await u.apiGet<NoticeList>(`${c}/notices`)).body;
    expect(list.notices.length).toBeGreaterThan(0);
    await page.getByRole('menuitem', { name: '通报' }).click();
    await page.waitForSelector('[data-page="notices"]');
    const rows = tableRows(page, 'notices');
    await eventually(() => rows.count()).toBe(list.notices.length);
    const first = list.notices[0]!;
    expect(await text(rows.first())).toContain(first.subject);
    expect(await text(rows.first().locator('[data-delivery="delivered"]'))).toBe(
      `已送达 ${formatNumber(first.deliveries.delivered)}`,
    );
    await expectAccessible(page);
    await rows.first().getByRole('button', { name: /^查看/ }).click();
    const frame = page.frameLocator('[data-testid="notice-frame"]');
    await frame.locator('img[src^="data:image/png"]').first().waitFor({ state: 'visible' });
    await screenshot(page, 'notices-view', false);
  }, 120_000);

  it('shows the system administrator the queues and inbox lag, the security administrator the accounts, and makes an account that can sign in', async () => {
    const a = await as('admin');
    const state = (await a.apiGet<{ queues: Array<{ name: string }>; inbox: { accepted: number } }>('/v1/admin/queues'))
      .body;
    await a.page.getByRole('menuitem', { name: '运维' }).click();
    await a.page.waitForSelector('[data-page="operations"]');
    await eventually(() => tableRows(a.page, 'queues').count()).toBe(state.queues.length);
    expect(await figureText(a.page, 'inboxAccepted')).toBe(formatNumber(state.inbox.accepted));
    await screenshot(a.page, 'operations-queues');
    await expectAccessible(a.page);
    // 三员分立: accounts and keys are not the system administrator's.
    expect(await a.page.getByRole('tab', { name: '用户' }).count()).toBe(0);
    expect(await a.page.getByRole('tab', { name: 'API 密钥' }).count()).toBe(0);

    const u = await as('security');
    const { page } = u;
    await page.waitForSelector('[data-page="operations"]');
    expect(new URL(page.url()).pathname).toBe('/console/operations');
    expect(await page.getByRole('tab', { name: '队列与收件箱' }).count()).toBe(0);
    await page.getByRole('tab', { name: '用户' }).click();
    const users = (await u.apiGet<{ users: unknown[] }>('/v1/admin/users')).body.users;
    await eventually(() => tableRows(page, 'users').count()).toBe(users.length);

    // A new account for 江苏's department: its password is shown once, and it signs in onto its province's page.
    await page.locator('#user_name').fill('js-education');
    await page.locator('#user_scope').fill('province:320000');
    await page.getByRole('button', { name: '新建用户' }).click();
    const secret = page.getByTestId('one-time-secret');
    await secret.waitFor({ state: 'visible' });
    const password = (await secret.innerText()).trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    await eventually(() => tableRows(page, 'users').count()).toBe(users.length + 1);
    await screenshot(page, 'operations-new-user', false);
    const fresh = await openContext(browser, s.api.url);
    opened.push(fresh);
    // The password the administrator saw is temporary: the first page asks for a new one, then the province's page.
    await logIn(fresh.page, 'js-education', password);
    await fresh.page.waitForSelector('[data-page="password"]');
    await expectAccessible(fresh.page);
    await screenshot(fresh.page, 'password-forced', false);
    await fresh.page.getByLabel('当前密码').fill(password);
    await fresh.page.getByLabel('新密码', { exact: true }).fill('Jiangsu-Jiuye-2026!');
    await fresh.page.getByLabel('确认新密码').fill('Jiangsu-Jiuye-2026!');
    await fresh.page.getByRole('button', { name: '修改密码' }).click();
    await fresh.page.waitForURL('**/console/provinces/320000');
    await fresh.page.waitForSelector('[data-page="province"]');
  }, 120_000);

  it('fits a phone-width screen: no page scrolls sideways and the menu opens from its button', async () => {
    const u = await as('university', PHONE);
    const { page } = u;
    await page.waitForSelector('[data-measure="employersVisited"]');
    const overflow = () => page.evaluate<number>(SIDEWAYS);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, 'university-phone');
    await page.getByRole('button', { name: '打开菜单' }).click();
    await page.getByRole('menuitem', { name: '本校台账' }).waitFor({ state: 'visible' });
    const n = await as('national', PHONE);
    await n.page.waitForSelector('[data-testid="china-map"]');
    expect(await n.page.evaluate<number>(SIDEWAYS)).toBeLessThanOrEqual(0);
    await screenshot(n.page, 'overview-phone');
    await expectAccessible(n.page);
  }, 120_000);

  it('keeps the first page under 1 MB compressed, loading the charts and the map only when a page needs them', async () => {
    const u = await openContext(browser, s.api.url);
    opened.push(u);
    const { page } = u;
    const sizes: Array<{ url: string; bytes: number; encoding: string | undefined }> = [];
    page.on('requestfinished', (req) => {
      void req.sizes().then(async (sz) => {
        const res = await req.response();
        sizes.push({
          url: req.url(),
          bytes: sz.responseBodySize + sz.responseHeadersSize,
          encoding: res?.headers()['content-encoding'],
        });
      });
    });
    await page.goto('/console/');
    await page.waitForSelector('form');
    await page.waitForLoadState('networkidle');
    const total = sizes.reduce((n, x) => n + x.bytes, 0);
    console.log(`console first page: ${sizes.length} requests, ${(total / 1024).toFixed(1)} KiB transferred`);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
    expect(sizes.some((x) => /echarts|china/.test(x.url))).toBe(false);
    // React's production build: its development runtime is several times larger.
    expect(sizes.some((x) => /dev-runtime/.test(x.url))).toBe(false);
    expect(sizes.filter((x) => x.url.endsWith('.js')).every((x) => x.encoding === 'br' || x.encoding === 'gzip')).toBe(
      true,
    );
    await screenshot(page, 'login');
    await expectAccessible(page);
  }, 60_000);
});
