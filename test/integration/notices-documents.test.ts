// The notices as official documents (公文) over the real API, read back with readers that are not ours: the .docx
// unzipped (jszip) and its XML checked against GB/T 9704-2012's layout, the .pdf's text extracted with pdfjs-dist.
import JSZip from 'jszip';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateNotices } from '../../shared/use-cases/generate-notices.ts';
import { generateSummary } from '../../shared/use-cases/generate-summary.ts';
import { createApiKey } from '../helpers/api.ts';
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

async function download(id: number, format: string, key: string | undefined) {
  const res = await fetch(`${services.api.url}/v1/notices/${id}?format=${format}`, {
    headers: { authorization: `Bearer ${key ?? ''}` },
  });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

async function pdfText(body: Buffer): Promise<{ text: string; pages: number; fonts: string[] }> {
  const doc = await getDocument({ data: new Uint8Array(body), useSystemFonts: false, isEvalSupported: false }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text += content.items.map((it) => ('str' in it ? it.str : '')).join('') + '\n';
  }
  const pages = doc.numPages;
  await doc.destroy();
  // Embedded fonts are FontFile streams; their names carry the subset tag (ABCDEF+Name).
  const fonts = [...body.toString('latin1').matchAll(/\/BaseFont \/([A-Z]{6}\+[\w-]+)/g)].map((m) => m[1]!);
  return { text, pages, fonts: [...new Set(fonts)] };
}

describe('notices as official documents', () => {
  it('docx: A4, GB/T 9704 margins and grid, fonts by role, sizes, odd/even page numbers, the ranking as a table', async () => {
    const id = ids['province:440000']!;
    const { res, body } = await download(id, 'docx', keys.gd);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toContain(`filename="notice-${id}.docx"`);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent('广东省-2022-W14-通报.docx')}`);

    const zip = await JSZip.loadAsync(body);
    const document = await zip.file('word/document.xml')!.async('string');
    const styles = await zip.file('word/styles.xml')!.async('string');
    const settings = await zip.file('word/settings.xml')!.async('string');
    expect(document).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(document).toMatch(/<w:pgMar w:top="2098" w:right="1473" w:bottom="1984" w:left="1588"/);
    expect(document).toMatch(/<w:docGrid [^>]*w:linePitch="579"/);
    // Body 3号 仿宋_GB2312, title 2号 方正小标宋简体, headings 黑体 and 楷体_GB2312.
    expect(styles).toMatch(/<w:docDefaults>.*w:eastAsia="仿宋_GB2312".*<w:sz w:val="32"\/>.*<\/w:docDefaults>/s);
    expect(styles).toMatch(/w:styleId="Title".*?w:eastAsia="方正小标宋简体".*?<w:sz w:val="44"\/>/s);
    expect(styles).toMatch(/w:styleId="Heading1".*?w:eastAsia="黑体"/s);
    expect(styles).toMatch(/w:styleId="Heading2".*?w:eastAsia="楷体_GB2312"/s);
    expect(styles).toMatch(/<w:spacing [^>]*w:line="579" w:lineRule="exact"/);
    // The header of the document: the red mark, the 发文字号, the title.
    expect(document).toContain('广东省教育厅办公室文件');
    expect(document).toContain('粤教办〔2022〕14号');
    expect(document).toContain('关于广东省高校书记校长访企拓岗促就业专项行动进展情况的通报（2022年第14周）');
    expect(document).toContain('抄送：');
    expect(document).toContain('印发');
    // Different odd and even footers, each with the PAGE field: odd right, even left.
    expect(settings).toContain('<w:evenAndOddHeaders/>');
    const refs = [...document.matchAll(/<w:footerReference w:type="(\w+)" r:id="(\w+)"\/>/g)];
    const rels = await zip.file('word/_rels/document.xml.rels')!.async('string');
    const footer = async (type: string) => {
      const rid = refs.find((r) => r[1] === type)![2];
      const target =
        new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ??
        new RegExp(`Target="([^"]+)"[^>]*Id="${rid}"`).exec(rels)![1];
      return zip.file(`word/${target}`)!.async('string');
    };
    const odd = await footer('default');
    const even = await footer('even');
    for (const f of [odd, even]) {
      expect(f).toMatch(/<w:instrText[^>]*>PAGE<\/w:instrText>/);
      expect(f).toContain('— ');
      expect(f).toMatch(/w:eastAsia="宋体"/);
      expect(f).toContain('<w:sz w:val="28"/>');
    }
    expect(odd).toContain('<w:jc w:val="right"/>');
    expect(even).toContain('<w:jc w:val="left"/>');

    // The ranking table: a header row and one row per university of the API's ranking, in its order.
    const json = await services.api.request('GET', `/v1/notices/${id}`, { key: keys.gd });
    const ranking = json.body.model.ranking as Array<{ rank: number; universityName: string }>;
    const tables = [...document.matchAll(/<w:tbl>.*?<\/w:tbl>/gs)].map((m) => m[0]);
    const rankingTable = tables.find((t) => t.includes('书记校长走访数'))!;
    const rows = [...rankingTable.matchAll(/<w:tr>.*?<\/w:tr>/gs)].map((r) =>
      [...r[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]),
    );
    expect(rows[0]).toEqual(['序号', '学校', '书记校长走访数', '完成率', '新开拓', '岗位数']);
    expect(rows.slice(1).map((r) => [Number(r[0]), r[1]])).toEqual(ranking.map((r) => [r.rank, r.universityName]));
    // The chart as an embedded PNG.
    expect(Object.keys(zip.files).some((f) => f.startsWith('word/media/') && f.endsWith('.png'))).toBe(true);
  });

  it('pdf: the title, the 发文字号, every listed university and embedded font subsets', async () => {
    const id = ids['province:440000']!;
    const { res, body } = await download(id, 'pdf', keys.national);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${encodeURIComponent('广东省-2022-W14-通报.pdf')}`,
    );
    expect(body.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages, fonts } = await pdfText(body);
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain('粤教办〔2022〕14号');
    expect(flat).toContain('关于广东省高校书记校长访企拓岗促就业');
    expect(flat).toContain('广东省教育厅办公室');
    const json = await services.api.request('GET', `/v1/notices/${id}`, { key: keys.gd });
    for (const r of json.body.model.ranking as Array<{ universityName: string }>)
      expect(flat).toContain(r.universityName);
    expect(flat).toContain('—1—');
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(fonts.some((f) => f.includes('NotoSerifCJKsc'))).toBe(true);
    expect(fonts.some((f) => f.includes('NotoSansCJKsc'))).toBe(true);
    // The chart is drawn as vectors, its labels text in the chart font: its legend line (only the chart says it) is
    // found as text, and no picture is embedded.
    expect(flat).toContain('绿色为已达标，蓝色为不低于时间进度，橙色为低于时间进度');
    expect(body.toString('latin1')).not.toContain('/Subtype /Image');
  });

  it('national notice: its own issuer and number, the provinces in the text', async () => {
    const { res, body } = await download(ids.national!, 'pdf', keys.national);
    expect(res.status).toBe(200);
    const flat = (await pdfText(body)).text.replace(/\s+/g, '');
    expect(flat).toContain('教育部高校学生司文件');
    expect(flat).toContain('教学司〔2022〕14号');
    expect(flat).toContain('广东省');
    expect(flat).toContain('北京市');
  });

  it('the campaign summary (总结) comes in the same two forms, named as a summary', async () => {
    const summary = await generateSummary(services.db, { campaignId: '2022', today: '2022-09-01' });
    const id = summary.notices.find((n) => n.scope === 'province:440000')!.id;
    const pdf = await download(id, 'pdf', keys.gd);
    expect(pdf.res.status).toBe(200);
    expect(pdf.res.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.res.headers.get('content-disposition')).toContain(encodeURIComponent('广东省-2022-总结.pdf'));
    const flat = (await pdfText(pdf.body)).text.replace(/\s+/g, '');
    expect(flat).toContain('粤教办〔2022〕');
    expect(flat).toContain('总结');
    const docx = await download(id, 'docx', keys.gd);
    expect(docx.res.status).toBe(200);
    expect(docx.res.headers.get('content-disposition')).toContain(encodeURIComponent('广东省-2022-总结.docx'));
    const xml = await (await JSZip.loadAsync(docx.body)).file('word/document.xml')!.async('string');
    expect(xml).toContain('总结');
    expect(xml).toContain('w:pgSz w:w="11906" w:h="16838"');
  });

  it('the same scope checks as the archive: 403 outside the scope or for a university key, 404 when unknown', async () => {
    expect((await download(ids.national!, 'docx', keys.gd)).res.status).toBe(403);
    expect((await download(ids['province:110000']!, 'pdf', keys.gd)).res.status).toBe(403);
    expect((await download(ids['province:440000']!, 'pdf', keys.uni)).res.status).toBe(403);
    expect((await download(999_999, 'docx', keys.national!)).res.status).toBe(404);
    const listed = await services.api.request('GET', '/v1/campaigns/2022/notices?period=2022-W14', {
      key: keys.gd,
    });
    expect(listed.body.notices[0].links).toMatchObject({
      docx: `/v1/notices/${ids['province:440000']}?format=docx`,
      pdf: `/v1/notices/${ids['province:440000']}?format=pdf`,
    });
  });
});
