// The spreadsheet ledger on the university page, in a real browser against the real API and workers: a university
// user downloads the template (an .xlsx), uploads a small CSV written here (two good rows, one bad), sees the answer
// row by row (2 已新增, 1 有误 with its column and message) and its page's visits grow by the two once processed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatNumber } from '../../console/src/components/format.ts';
import type { Progress } from '../../console/src/services/types.ts';
import { useTestServices } from '../helpers/setup.ts';
import { launchBrowser, logIn, openContext, pageErrors, screenshot, type UserPage } from './helpers/browser.ts';
import { ensureConsoleBuilt } from './helpers/console-build.ts';
import { buildConsoleWorld, CAMPAIGN, PASSWORD, U, USERS } from './helpers/console-world.ts';

const s = useTestServices({
  api: { SESSION_COOKIE_SECURE: 'false' },
  workers: { env: { RESOLVE_MATCH_THRESHOLD: '0.9', RESOLVE_REVIEW_THRESHOLD: '0.75', WORKER_CONCURRENCY: '8' } },
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

const eventually = <T>(probe: () => Promise<T> | T, timeout = 30_000) => expect.poll(probe, { timeout, interval: 100 });
const measureText = (page: Page, key: string) => page.locator(`[data-measure="${key}"]`).innerText();

describe('the spreadsheet ledger in a browser', () => {
  it('lets a university user download the template and upload a CSV: 2 rows accepted, 1 invalid, and its visits grow by 2', async () => {
    const u = await openContext(browser, s.api.url);
    opened.push(u);
    const { page } = u;
    await logIn(page, USERS.university.name, PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/console/universities/${U.GD1}`);
    const progress = async () => (await u.apiGet<Progress>(`${c}/universities/${U.GD1}/progress?asOf=${asOf}`)).body;
    const before = await progress();
    await eventually(() => measureText(page, 'visits')).toBe(formatNumber(before.measures.visits));

    // The template, with the session: an .xlsx (a zip: "PK").
    const card = page.getByTestId('ledger-sheet');
    const href = await card.getByTestId('ledger-template').getAttribute('href');
    expect(href).toBe('/v1/visit-ledgers/template.xlsx');
    const template = await u.context.request.get(href!);
    expect(template.status()).toBe(200);
    expect(template.headers()['content-type']).toContain('spreadsheetml');
    expect((await template.body()).subarray(0, 2).toString('latin1')).toBe('PK');

    // A small CSV: two good rows and one with a date that is not one.
    const dir = await mkdtemp(join(tmpdir(), 'ledger-upload-'));
    const file = join(dir, '走访台账.csv');
    await writeFile(
      file,
      [
        '走访编号,走访日期,走访形式,带队校领导,用人单位名称',
        'SHEET-001,2022-04-20,实地走访,王书记（书记）,广州表格上传科技有限公司',
        'SHEET-002,2022/4/21,线上,李校长（校长）,深圳表格上传电子有限公司',
        'SHEET-003,不是日期,实地走访,王书记（书记）,佛山表格上传机械有限公司',
      ].join('\n'),
      'utf8',
    );
    await card.getByRole('radio', { name: '追加' }).check();
    await card.locator('input[type="file"]').setInputFiles(file);

    const rows = card.locator('[data-testid="ledger-rows"] tbody tr.ant-table-row');
    await eventually(() => rows.count()).toBe(3);
    expect(await card.locator('[data-status="accepted"]').allInnerTexts()).toEqual(['已新增', '已新增']);
    expect(await card.locator('[data-status="invalid"]').allInnerTexts()).toEqual(['有误']);
    const bad = rows.filter({ hasText: 'SHEET-003' });
    expect(await bad.innerText()).toContain('列 走访日期');
    expect(await card.getByTestId('ledger-summary').innerText()).toContain('共 3 行，新增 2');
    const annotated = await card.getByTestId('ledger-annotated').getAttribute('href');
    expect(annotated).toMatch(/^\/v1\/visit-ledgers\/.+\/annotated\.xlsx$/);
    expect((await u.context.request.get(annotated!)).status()).toBe(200);

    // Once the workers processed the rows, the page shows two more visits.
    await eventually(async () => (await progress()).measures.visits).toBe(before.measures.visits + 2);
    await eventually(() => measureText(page, 'visits')).toBe(formatNumber(before.measures.visits + 2));
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'university-ledger-upload');
    expect(pageErrors(page)).toEqual([]);
  }, 240_000);
});
