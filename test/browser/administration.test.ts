// An administrator's work in the console, in a real browser against the real API and workers (issue 13, points 5-7):
// merging two employers and splitting a spelling off again, each with a reason (the university's counts and the audit
// trail follow, as the API has them); resending a notice (its deliveries show the new send, delivered through an SMTP
// sink); replaying a dead letter (it leaves the dead letters and the workers process its event). Every test leaves a
// screenshot in test-output/screenshots/.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink } from '../../services/demo/smtp-sink.ts';
import { formatNumber } from '../../console/src/components/format.ts';
import type { EmployerDetail, EmployerSearchPage, NoticeList, Progress } from '../../console/src/services/types.ts';
import { upsertDeadLetter } from '../../shared/repositories/dead-letter.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { insertInboxEvents, type VisitEventBody } from '../helpers/factories.ts';
import { waitFor } from '../helpers/poll.ts';
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

// The notices are mailed to a local sink, so a resent notice ends up delivered.
const sink = await startSmtpSink(await mkdtemp(join(tmpdir(), 'ledger-console-mail-')));
const s = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false' },
  workers: {
    env: {
      RESOLVE_MATCH_THRESHOLD: '0.9',
      RESOLVE_REVIEW_THRESHOLD: '0.75',
      WORKER_CONCURRENCY: '4',
      SMTP_URL: sink.url,
    },
  },
});

let browser: Browser;
let admin: UserPage;
const asOf = CAMPAIGN.end;
const c = `/v1/campaigns/${CAMPAIGN.id}`;

beforeAll(async () => {
  await ensureConsoleBuilt();
  await buildConsoleWorld(s.db, s.api);
  browser = await launchBrowser();
  admin = await openContext(browser, s.api.url);
  await logIn(admin.page, USERS.admin.name, PASSWORD);
}, 600_000);

afterAll(async () => {
  await admin?.context.close().catch(() => {});
  await browser?.close();
  await sink.close();
});

const text = (l: Locator) => l.innerText();
const eventually = <T>(probe: () => Promise<T> | T, timeout = 20_000) => expect.poll(probe, { timeout, interval: 100 });
const tableRows = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] tbody tr.ant-table-row`);
const measureText = (page: Page, key: string) => page.locator(`[data-measure="${key}"]`).innerText();

/** How far the page scrolls sideways (evaluated in the page: this file is compiled without the DOM's types). */
const SIDEWAYS = 'document.documentElement.scrollWidth - window.innerWidth';

/** No serious axe-core violation, no browser error, and the page fits the 1366×768 screen's width. */
async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(pageErrors(page)).toEqual([]);
  expect(await page.evaluate<number>(SIDEWAYS)).toBeLessThanOrEqual(0);
}

/** The one employer the API finds by this name. */
async function employerNamed(name: string): Promise<EmployerSearchPage['rows'][number]> {
  const found = (await admin.apiGet<EmployerSearchPage>(`/v1/admin/employers?q=${encodeURIComponent(name)}`)).body;
  const row = found.rows.find((r) => r.canonicalName === name);
  if (!row) throw new Error(`no employer named ${name}: ${JSON.stringify(found)}`);
  return row;
}

const detailOf = async (id: number) => (await admin.apiGet<EmployerDetail>(`/v1/admin/employers/${id}`)).body;
const progressOf = async (code: string) =>
  (await admin.apiGet<Progress>(`${c}/universities/${code}/progress?asOf=${asOf}`)).body;

/** Opens 用人单位 → 查询与维护, searches for `name` and opens that employer's drawer. */
async function openEmployer(page: Page, name: string, id: number): Promise<Locator> {
  await page.goto('/console/employers');
  await page.waitForSelector('[data-page="employers"]');
  await page.getByRole('tab', { name: '查询与维护' }).click();
  const search = page.getByLabel('按名称（任意写法）或统一社会信用代码搜索');
  await search.fill(name);
  await search.press('Enter');
  const row = tableRows(page, 'employer-search').filter({ hasText: name });
  await eventually(() => row.count()).toBe(1);
  expect(await text(row.locator('td').first())).toBe(String(id));
  await row.getByRole('link', { name }).click();
  const drawer = page.locator('.ant-drawer');
  await eventually(() => text(drawer.locator('.ant-drawer-title'))).toBe(`用人单位：${name}`);
  return drawer;
}

/** The university page shows the API's employers visited for the university. */
async function universityShows(page: Page, code: string): Promise<Progress> {
  const p = await progressOf(code);
  await page.goto(`/console/universities/${code}`);
  await eventually(() => measureText(page, 'employersVisited')).toBe(formatNumber(p.measures.employersVisited));
  expect(await measureText(page, 'visits')).toBe(formatNumber(p.measures.visits));
  return p;
}

/** Fills the reason (and the employer to merge into) in the decision dialog and confirms it. */
async function decide(page: Page, reason: string, into?: number): Promise<void> {
  const dialog = page.getByRole('dialog').filter({ has: page.getByLabel('理由') });
  if (into !== undefined) await dialog.getByLabel('合并到单位编号').fill(String(into));
  await dialog.getByLabel('理由').fill(reason);
  await dialog.getByRole('button', { name: /确\s*定/ }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('an administrator in the console', () => {
  it('merges one employer into another and splits its spelling off again, each with a reason: the university’s counts and the audit trail follow the API', async () => {
    const { page } = admin;
    // 华南示范大学 visited both: merged, they count as one employer; split again, as two.
    const huawei = await employerNamed('华为技术有限公司');
    const byd = await employerNamed('比亚迪股份有限公司');
    const before = await universityShows(page, U.GD1);

    // Merge 比亚迪 into 华为 from 比亚迪's drawer.
    let drawer = await openEmployer(page, '比亚迪股份有限公司', byd.id);
    expect(await text(drawer.getByTestId('employer-visits'))).toBe(formatNumber(byd.visits));
    await drawer.getByRole('button', { name: '合并到另一单位' }).click();
    await decide(page, '同一集团的两个名称，经核实为同一单位', huawei.id);
    // The drawer moves to the employer merged into, with the API's visits and the merge in its audit trail.
    await eventually(() => text(drawer.locator('.ant-drawer-title'))).toBe('用人单位：华为技术有限公司');
    const merged = await detailOf(huawei.id);
    expect(merged.visits).toBe(huawei.visits + byd.visits);
    expect((await detailOf(byd.id)).status).toBe('merged');
    await eventually(() => text(drawer.getByTestId('employer-visits'))).toBe(formatNumber(merged.visits));
    const audit = drawer.getByTestId('audit');
    const mergeEntry = merged.audit.find((a) => a.action === 'merge')!;
    expect(mergeEntry.reason).toBe('同一集团的两个名称，经核实为同一单位');
    await eventually(() => text(audit)).toContain('同一集团的两个名称，经核实为同一单位');
    expect(await text(audit)).toContain('合并');
    expect(await text(audit)).toContain(mergeEntry.actor);
    await expectAccessible(page);
    await screenshot(page, 'employers-after-merge', false);
    const afterMerge = await universityShows(page, U.GD1);
    expect(afterMerge.measures.employersVisited).toBe(before.measures.employersVisited - 1);
    expect(afterMerge.measures.visits).toBe(before.measures.visits);

    // Split 比亚迪's spelling off 华为 again: a new employer with its visit, and the university counts two again.
    drawer = await openEmployer(page, '华为技术有限公司', huawei.id);
    const spelling = drawer.locator('tr.ant-table-row').filter({ hasText: '比亚迪股份有限公司' });
    await spelling.getByRole('button', { name: '拆分为新单位' }).click();
    await decide(page, '拆分：比亚迪是另一家单位');
    const afterSplit = await detailOf(huawei.id);
    expect(afterSplit.visits).toBe(huawei.visits);
    expect(afterSplit.spellings.map((x) => x.spelling)).not.toContain('比亚迪股份有限公司');
    const splitEntry = afterSplit.audit.find((a) => a.action === 'split')!;
    expect(splitEntry.reason).toBe('拆分：比亚迪是另一家单位');
    await eventually(() => text(drawer.getByTestId('employer-visits'))).toBe(formatNumber(afterSplit.visits));
    await eventually(() => text(drawer.getByTestId('audit'))).toContain('拆分：比亚迪是另一家单位');
    expect(await text(drawer.getByTestId('audit'))).toContain('拆分');
    await screenshot(page, 'employers-after-split', false);
    const split = await employerNamed('比亚迪股份有限公司');
    expect(split.id).not.toBe(byd.id);
    expect(split.visits).toBe(byd.visits);
    const afterSplitProgress = await universityShows(page, U.GD1);
    expect(afterSplitProgress.measures.employersVisited).toBe(before.measures.employersVisited);
  }, 240_000);

  it('resends a notice from the archive, and its deliveries show the new send once it is delivered', async () => {
    const { page } = admin;
    const list = async () => (await admin.apiGet<NoticeList>(`${c}/notices`)).body.notices;
    const notice = (await list()).find((n) => n.scope === 'national')!;
    expect(notice).toBeDefined();
    await addRecipient(s.db, { scope: 'national', kind: 'email', address: 'jiuye@moe.example.cn' });
    const sent = sink.received();

    await page.goto('/console/notices');
    await page.waitForSelector('[data-page="notices"]');
    const row = tableRows(page, 'notices').filter({ hasText: notice.subject });
    await eventually(() => text(row.locator('[data-delivery="delivered"]'))).toBe(
      `已送达 ${formatNumber(notice.deliveries.delivered)}`,
    );
    await row.getByRole('button', { name: `重发 ${notice.subject}` }).click();
    // The confirmation is shown for three seconds: every message shown from before the click on is recorded in the
    // page, so a busy machine cannot let it come and go between two looks.
    await page.evaluate(`(() => {
      const seen = (window.shownMessages = []);
      new MutationObserver(() => {
        for (const n of document.querySelectorAll('.ant-message-notice')) {
          const t = n.textContent ?? '';
          if (!seen.includes(t)) seen.push(t);
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    })()`);
    // The popconfirm opens with a zoom, and a click while it runs can be lost on a busy machine: wait for it to end.
    // (Polled with evaluate: waitForFunction's string predicates need eval, which the console's CSP forbids.)
    await waitFor(
      () =>
        page.evaluate<boolean>(
          "(() => { const p = document.querySelector('.ant-popconfirm'); return p !== null && !/zoom/.test(p.className); })()",
        ),
      { what: 'the popconfirm open', until: (open) => open, timeoutMs: 30_000, intervalMs: 50 },
    );
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/v1/notices/${notice.id}/resend`), { timeout: 60_000 }),
      page
        .locator('.ant-popconfirm')
        .getByRole('button', { name: /重\s*发/ })
        .click(),
    ]);
    expect(answer.status()).toBe(202);
    await waitFor(() => page.evaluate<string[]>('window.shownMessages ?? []'), {
      what: 'the confirmation 已重新排队发送 1 份 shown',
      until: (shown) => shown.some((t) => t.includes('已重新排队发送 1 份')),
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    // The workers deliver it through the sink; the archive then shows the API's counts, one more delivered.
    const after = await waitFor(async () => (await list()).find((n) => n.id === notice.id)!, {
      what: 'the resent notice delivered',
      until: (n) => n.deliveries.delivered === notice.deliveries.delivered + 1,
      timeoutMs: 60_000,
    });
    expect(sink.received()).toBe(sent + 1);
    await page.reload();
    await page.waitForSelector('[data-page="notices"]');
    for (const state of ['delivered', 'pending', 'sending', 'failed'] as const) {
      const label = { delivered: '已送达', pending: '待发送', sending: '发送中', failed: '失败' }[state];
      await eventually(() => text(row.locator(`[data-delivery="${state}"]`))).toBe(
        `${label} ${formatNumber(after.deliveries[state])}`,
      );
    }
    await screenshot(page, 'notices-after-resend');
    await expectAccessible(page);
  }, 120_000);

  it('replays a dead letter from the operations page: it leaves the dead letters and the workers process its event', async () => {
    const { page } = admin;
    // An event for 粤海学院 (no visits yet) that failed permanently: a dead letter.
    const client = await s.db
      .selectFrom('api_clients')
      .select('id')
      .where('name', '=', 'world-loader')
      .executeTakeFirstOrThrow();
    const event: VisitEventBody = {
      eventId: 'dead-letter-1',
      type: 'visit.recorded',
      occurredAt: '2022-04-21T10:00:00+08:00',
      campaignId: CAMPAIGN.id,
      visit: {
        ref: 'DL-1',
        universityCode: U.GD4,
        visitedOn: '2022-04-21',
        mode: 'onsite',
        leaders: [{ role: 'secretary', name: '陈书记' }],
        employer: { name: '珠海格力电器股份有限公司' },
        outcomes: { positions: 12, internshipBase: true, recruitmentInvite: false, demandSurvey: true },
      },
    };
    const [inboxId] = await insertInboxEvents(s.db, client.id, [event]);
    await s.db
      .updateTable('inbox_events')
      .set({ status: 'rejected', error: 'database unavailable' })
      .where('id', '=', inboxId!)
      .execute();
    await upsertDeadLetter(s.db, { inboxId: inboxId!, reason: 'database unavailable', attempts: 5 });
    const before = await progressOf(U.GD4);
    expect(before.measures.visits).toBe(0);

    await page.goto('/console/operations');
    await page.waitForSelector('[data-page="operations"]');
    await page.getByRole('tab', { name: '死信' }).click();
    const letters = (
      await admin.apiGet<{ deadLetters: Array<{ id: number; eventId: string }> }>('/v1/admin/dead-letters')
    ).body.deadLetters;
    const rows = tableRows(page, 'dead-letters');
    await eventually(() => rows.count()).toBe(letters.length);
    const row = rows.filter({ hasText: 'dead-letter-1' });
    expect(await text(row)).toContain('database unavailable');
    await screenshot(page, 'operations-dead-letters');
    await expectAccessible(page);
    // With the keyboard: the replay button takes the focus and Enter presses it.
    await row.getByRole('button', { name: /重\s*放/ }).focus();
    await page.keyboard.press('Enter');

    // It leaves the list (the page and the API), and the workers process the event: the university has its visit.
    await eventually(() => row.count()).toBe(0);
    expect((await admin.apiGet<{ deadLetters: unknown[] }>('/v1/admin/dead-letters')).body.deadLetters).toHaveLength(
      letters.length - 1,
    );
    await waitFor(
      async () =>
        (await s.db.selectFrom('inbox_events').select('status').where('id', '=', inboxId!).executeTakeFirstOrThrow())
          .status,
      { what: 'the replayed event processed', until: (st) => st === 'processed', timeoutMs: 60_000 },
    );
    await screenshot(page, 'operations-dead-letter-replayed');
    const after = await universityShows(page, U.GD4);
    expect(after.measures.visits).toBe(1);
    expect(after.measures.positions).toBe(12);
  }, 120_000);

  it('shows the auditor the audit trail as the API lists it, filtered by action, with its CSV export', async () => {
    const auditor = await openContext(browser, s.api.url);
    try {
      await logIn(auditor.page, USERS.auditor.name, PASSWORD);
      const { page } = auditor;
      await page.waitForSelector('[data-page="audit"]');
      expect(new URL(page.url()).pathname).toBe('/console/audit');
      type Entries = { entries: Array<{ seq: number; action: string }> };
      const first = (await auditor.apiGet<Entries>('/v1/audit?limit=50')).body.entries;
      const rows = tableRows(page, 'audit');
      await eventually(() => rows.count()).toBe(first.length);
      expect(await text(rows.first().locator('td').first())).toBe(String(first[0]!.seq));
      await screenshot(page, 'audit');
      await expectAccessible(page);
      // The merge made in the first test, found by its action.
      await page.getByLabel('操作', { exact: true }).fill('employers.merge');
      await page.getByRole('button', { name: /查\s*询/ }).click();
      const merges = (await auditor.apiGet<Entries>('/v1/audit?action=employers.merge&limit=50')).body.entries;
      expect(merges.length).toBeGreaterThan(0);
      await eventually(() => rows.count()).toBe(merges.length);
      expect(await text(rows.first())).toContain('employers.merge');
      const csv = page.getByRole('link', { name: /导出 CSV/ });
      expect(await csv.getAttribute('href')).toBe('/v1/audit.csv?action=employers.merge');
      const download = await auditor.context.request.get(`${s.api.url}/v1/audit.csv?action=employers.merge`);
      expect(download.status()).toBe(200);
      expect((await download.text()).split('\n').filter((l) => l.includes('employers.merge'))).toHaveLength(
        merges.length,
      );
    } finally {
      await auditor.context.close();
    }
  }, 120_000);
});
