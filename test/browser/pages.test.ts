// What console.test.ts leaves out of the reading pages (issue 13, points 2-4), in a real browser against the real API
// and workers: the overview's weekly trend and time elapsed against completion; the province page's 高职 filter and
// its sort; the university page's targets (measure / target, expected by today), its 任务到人 tally and its visits
// ledger filtered by search, mode and leader, each equal to the API's answer. Every test leaves a screenshot.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber, formatPercent } from '../../console/src/components/format.ts';
import type {
  LeaderTally,
  Overview,
  Progress,
  Ranking,
  Trend,
  UniversityRankingRow,
  VisitPage,
} from '../../console/src/services/types.ts';
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

let browser: Browser;
const opened: UserPage[] = [];
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

async function as(user: keyof typeof USERS): Promise<UserPage> {
  const u = await openContext(browser, s.api.url);
  opened.push(u);
  await logIn(u.page, USERS[user].name, PASSWORD);
  return u;
}

const text = (l: Locator) => l.innerText();
const eventually = <T>(probe: () => Promise<T> | T, timeout = 20_000) => expect.poll(probe, { timeout, interval: 100 });
const tableRows = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] tbody tr.ant-table-row`);
/** The university page's words (console/src/pages/university/strings.ts). */
const UNIVERSITY = {
  ofTarget: (measure: string, target: string) => `${measure} / ${target}`,
  expected: (share: string) => `时间进度 ${share}`,
  filters: { search: '搜索用人单位、信用代码、编号或备注', mode: '走访方式', leader: '校领导' },
};
const SIDEWAYS = 'document.documentElement.scrollWidth - window.innerWidth';

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
  expect(await page.evaluate<number>(SIDEWAYS)).toBeLessThanOrEqual(0);
}

/** Picks an option of the antd Select labelled `label`. */
async function choose(page: Page, label: string, option: string): Promise<void> {
  await page.getByLabel(label).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).click();
}

describe('the reading pages in a browser', () => {
  it('shows the national trend by week from the stored snapshots, and the time elapsed beside the mean completion', async () => {
    const { page, apiGet } = await as('national');
    const trend = (await apiGet<Trend>(`${c}/trend?scope=national`)).body;
    const o = (await apiGet<Overview>(`${c}/overview?scope=national&asOf=${asOf}`)).body;
    expect(trend.points.map((p) => p.period)).toEqual(['2022-W14', '2022-W15', '2022-W16']);
    const chart = page.getByTestId('trend');
    await eventually(() => chart.getAttribute('data-periods')).toBe(trend.points.map((p) => p.period).join(' '));
    await page.getByTestId('trend-chart').locator('canvas').first().waitFor({ state: 'visible' });
    expect(await text(page.locator('[data-figure="meanCompletion"] .figure-hint'))).toBe(
      `时间进度 ${formatPercent(o.expected)}`,
    );
    await screenshot(page, 'overview-trend');
  }, 120_000);

  it('filters a province’s universities to 高职 and sorts them by completion, as the API flags and ranks them', async () => {
    const { page, apiGet } = await as('province');
    const ranking = (
      await apiGet<Ranking<UniversityRankingRow>>(
        `${c}/rankings?scope=province:440000&asOf=${asOf}&withChanges=1&withFlags=1`,
      )
    ).body;
    const rows = tableRows(page, 'university-ranking');
    await eventually(() => rows.count()).toBe(ranking.rows.length);
    const vocational = ranking.rows.filter((r) => r.flags?.vocational);
    expect(vocational.length).toBeGreaterThan(0);
    await page.getByLabel('高职').check();
    await eventually(() => rows.count()).toBe(vocational.length);
    expect(await text(rows.first())).toContain(vocational[0]!.universityName);
    await page.getByLabel('高职').uncheck();
    await eventually(() => rows.count()).toBe(ranking.rows.length);

    await choose(page, '排序', '按完成率（低到高）');
    const byCompletion = [...ranking.rows].sort((a, b) => a.completion - b.completion).map((r) => r.completion);
    await eventually(async () => {
      const shown: string[] = [];
      for (let i = 0; i < (await rows.count()); i++) shown.push((await rows.nth(i).locator('td').allInnerTexts())[3]!);
      return shown.map((cell) => cell.split('\n')[0]);
    }).toEqual(byCompletion.map((x) => formatPercent(x)));
    await screenshot(page, 'province-sorted-by-completion');
    await expectAccessible(page);
  }, 120_000);

  it('shows a university its targets against the time elapsed, its 任务到人 tally and its ledger filtered by search, mode and leader, as the API answers', async () => {
    const { page, apiGet } = await as('university');
    const p = (await apiGet<Progress>(`${c}/universities/${U.GD1}/progress?asOf=${asOf}`)).body;
    const m = p.measures;
    expect(m.targets.principal).not.toBeNull();
    await eventually(() => text(page.locator('[data-figure="target-principal"] .figure-value'))).toBe(
      UNIVERSITY.ofTarget(formatNumber(m.principalEmployers), formatNumber(m.targets.principal!)),
    );
    expect(await text(page.locator('[data-figure="completion"] .figure-value'))).toBe(formatPercent(m.completion));
    expect(await text(page.locator('[data-figure="completion"] .figure-hint'))).toContain(
      UNIVERSITY.expected(formatPercent(m.expected)),
    );

    // 任务到人: one row per named leader, the API's order and figures.
    const tally = (await apiGet<LeaderTally>(`${c}/universities/${U.GD1}/leaders?asOf=${asOf}`)).body;
    const leaders = tableRows(page, 'leaders');
    await eventually(() => leaders.count()).toBe(tally.leaders.length);
    for (const [i, l] of tally.leaders.entries()) {
      const cells = await leaders.nth(i).locator('td').allInnerTexts();
      expect(cells[0]).toBe(l.name);
      expect(cells.slice(2)).toEqual(
        [l.visits, l.employersVisited, l.newEmployers, l.positions].map((n) => formatNumber(n)),
      );
    }
    await screenshot(page, 'university-targets-and-tally');

    // The ledger, filtered: the rows are the API's for the same filter.
    const visits = tableRows(page, 'visits');
    const ledger = async (query: string) =>
      (await apiGet<VisitPage>(`${c}/universities/${U.GD1}/visits?${query}`)).body.rows.map((r) => r.ref);
    const shownRefs = async () => {
      const refs: string[] = [];
      for (let i = 0; i < (await visits.count()); i++) refs.push((await visits.nth(i).innerText()).trim());
      return refs;
    };
    const expectShown = async (refs: string[]) => {
      expect(refs.length).toBeGreaterThan(0);
      await eventually(() => visits.count()).toBe(refs.length);
      const shown = await shownRefs();
      for (const [i, ref] of refs.entries()) expect(shown[i]).toContain(ref);
    };
    await expectShown(await ledger('page=1&pageSize=20'));

    await choose(page, UNIVERSITY.filters.leader, '王书记');
    await expectShown(await ledger(`leader=${encodeURIComponent('王书记')}`));
    await page.reload();
    await expectShown(await ledger('page=1&pageSize=20'));

    await choose(page, UNIVERSITY.filters.mode, '实地走访');
    await expectShown(await ledger('mode=onsite'));
    const search = page.getByLabel(UNIVERSITY.filters.search);
    await search.fill('华为');
    await search.press('Enter');
    const found = await ledger(`mode=onsite&q=${encodeURIComponent('华为')}`);
    expect(found).toHaveLength(1);
    await expectShown(found);
    await screenshot(page, 'university-ledger-filtered');
    await expectAccessible(page);
  }, 180_000);
});
