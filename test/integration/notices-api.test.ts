// The notice archive over the real API: listing scoped by key, one notice as JSON, HTML, Markdown, text and the
// ledger .xlsx streamed from the visits (read back with exceljs).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { VISITS_SHEET } from '../../shared/domain/notices/ledger-xlsx.ts';
import { createApiKey } from '../helpers/api.ts';
import { runLedger } from '../helpers/cli.ts';
import { buildRankingWorld, WORLD as W } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices({ api: true });
const keys: Record<string, string> = {};
let ids: Record<string, number>;

beforeAll(async () => {
  await buildRankingWorld(services.db);
  const result = await generateNotices(services.db, { campaignId: '2022', period: '2022-W14' });
  ids = Object.fromEntries(result.notices.map((n) => [n.scope, n.id]));
  keys.national = await createApiKey(services.db, 'national');
  keys.gd = await createApiKey(services.db, 'province:440000');
  keys.uni = await createApiKey(services.db, `university:${W.G1}`);
}, 120_000);

describe('notice archive API', () => {
  it('lists every notice of the period for a national key and only its own for a province key', async () => {
    const all = await services.api.request('GET', '/v1/campaigns/2022/notices?period=2022-W14', { key: keys.national });
    expect(all.status).toBe(200);
    expect(all.body.notices.map((n: { scope: string }) => n.scope)).toEqual([
      'national',
      'province:110000',
      'province:440000',
    ]);
    expect(all.body.notices[0].links.xlsx).toBe(`/v1/notices/${ids.national}?format=xlsx`);
    const gd = await services.api.request('GET', '/v1/campaigns/2022/notices', { key: keys.gd });
    expect(gd.body.notices.map((n: { scope: string }) => n.scope)).toEqual(['province:440000']);
    expect((await services.api.request('GET', '/v1/campaigns/2022/notices', { key: keys.uni })).status).toBe(403);
    expect((await services.api.request('GET', '/v1/campaigns/2022/notices')).status).toBe(401);
    expect((await services.api.request('GET', '/v1/campaigns/nope/notices', { key: keys.national })).status).toBe(404);
    expect(
      (await services.api.request('GET', '/v1/campaigns/2022/notices?period=W14', { key: keys.national })).status,
    ).toBe(400);
  });

  it("serves one notice as JSON, HTML (chart inlined as data: URI), Markdown and text; 403 outside the key's scope", async () => {
    const json = await services.api.request('GET', `/v1/notices/${ids['province:440000']}`, { key: keys.gd });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      scope: 'province:440000',
      period: '2022-W14',
      asOf: '2022-04-10',
      subject: expect.stringContaining('广东省'),
    });
    expect(json.body.markdown).toContain('| 1 |');
    expect(json.body.model.ranking).toHaveLength(5);
    const html = await services.api.request('GET', `/v1/notices/${ids['province:440000']}?format=html`, {
      key: keys.gd,
    });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toContain('src="data:image/png;base64,');
    expect(html.text).not.toContain('cid:');
    const md = await services.api.request('GET', `/v1/notices/${ids['province:440000']}`, {
      key: keys.gd,
      headers: { accept: 'text/markdown' },
    });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(md.text.startsWith('# 关于广东省')).toBe(true);
    const text = await services.api.request('GET', `/v1/notices/${ids['province:440000']}?format=text`, {
      key: keys.gd,
    });
    expect(text.text).toContain('一、总体进展');
    expect((await services.api.request('GET', `/v1/notices/${ids.national}`, { key: keys.gd })).status).toBe(403);
    expect((await services.api.request('GET', `/v1/notices/${ids['province:110000']}`, { key: keys.gd })).status).toBe(
      403,
    );
    expect((await services.api.request('GET', '/v1/notices/999999', { key: keys.national })).status).toBe(404);
    expect(
      (await services.api.request('GET', `/v1/notices/${ids.national}?format=doc`, { key: keys.national })).status,
    ).toBe(400);
  });

  it("streams the ledger .xlsx with the visits of the notice's scope", async () => {
    const res = await fetch(`${services.api.url}/v1/notices/${ids['province:110000']}?format=xlsx`, {
      headers: { authorization: `Bearer ${keys.national}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('电子台账-2022-2022-W14-北京市.xlsx'));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const visits = wb.getWorksheet(VISITS_SHEET)!;
    expect(visits.rowCount).toBe(1 + 77); // B1 2, B2 75
    expect(visits.getRow(2).getCell(1).value).toBe(W.B1);
  });

  it('ledger notices show --out writes the HTML (chart beside it), Markdown, text, PNG and the ledger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notices-show-'));
    try {
      const res = await runLedger(['notices', 'show', '--id', String(ids['province:440000']), '--out', dir], {
        DATABASE_URL: services.database.url,
      });
      expect(res.code, res.stderr).toBe(0);
      const id = ids['province:440000']!;
      expect(readFileSync(join(dir, `notice-${id}.html`), 'utf8')).toContain(`src="notice-${id}.png"`);
      expect(
        readFileSync(join(dir, `notice-${id}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      expect(readFileSync(join(dir, `notice-${id}.md`), 'utf8').startsWith('# 关于广东省')).toBe(true);
      expect(existsSync(join(dir, '电子台账-2022-2022-W14-广东省.xlsx'))).toBe(true);
      expect(
        readFileSync(join(dir, `notice-${id}.docx`))
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');
      expect(
        readFileSync(join(dir, `notice-${id}.pdf`))
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
