// The campaign summary (总结) of the central universities (部属 and 部省合建, scope `central`): generated beside the
// national and unit summaries, over those universities only, in every form (HTML, Markdown, text, chart, .docx and
// .pdf), and delivered to the central recipients once.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config.ts';
import { getNotice } from '../../shared/repositories/notice.repository.ts';
import { addRecipient } from '../../shared/repositories/recipient.repository.ts';
import { deliver, deliverySettings } from '../../shared/use-cases/deliver-notices.ts';
import { generateSummary } from '../../shared/use-cases/generate-summary.ts';
import { noticeDocument } from '../../shared/use-cases/notice-documents.ts';
import { insertCampaign, insertEmployers, insertUniversities, insertVisits } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';

const services = useTestServices();
const GD1 = '4144000011';
const GD2 = '4144000012';
const BJ1 = '4111000011';
const BJ2 = '4111000012';
let server: Server;
const hits: Array<{ url: string; body: string }> = [];

beforeAll(async () => {
  await insertCampaign(services.db, { principalTarget: 4, newTarget: 4 });
  await insertUniversities(services.db, [
    { code: GD1, newUndergrad: true },
    { code: GD2, newUndergrad: true },
    { code: BJ1, provinceCode: '110000', newUndergrad: true },
    { code: BJ2, provinceCode: '110000', newUndergrad: true },
  ]);
  await services.db.updateTable('universities').set({ central: 'ministry' }).where('code', '=', BJ1).execute();
  await services.db.updateTable('universities').set({ central: 'joint' }).where('code', '=', GD2).execute();
  const e = await insertEmployers(services.db, ['总结甲', '总结乙', '总结丙', '总结丁']);
  const visit = (universityCode: string, i: number, positions: number) => ({
    universityCode,
    employerId: e[i]!,
    visitedOn: '2022-06-0' + (i + 1),
    roles: ['secretary' as const],
    positions,
  });
  await insertVisits(services.db, [
    visit(GD1, 0, 100),
    visit(GD2, 0, 10),
    visit(GD2, 1, 10),
    visit(BJ1, 0, 7),
    visit(BJ1, 1, 7),
    visit(BJ1, 2, 7),
    visit(BJ2, 3, 1000),
  ]);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
}, 120_000);

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the central summary (总结)', () => {
  it('is made for the central universities only, in every form, and delivered to the central recipients once', async () => {
    const { port } = server.address() as { port: number };
    await addRecipient(services.db, {
      scope: 'central',
      kind: 'webhook',
      address: `http://127.0.0.1:${port}/central`,
      format: 'json',
    });
    await addRecipient(services.db, {
      scope: 'national',
      kind: 'webhook',
      address: `http://127.0.0.1:${port}/national`,
      format: 'json',
    });
    const first = await generateSummary(services.db, { campaignId: '2022', today: '2022-09-01' });
    expect(first.notices.map((n) => n.scope)).toEqual(['national', 'province:110000', 'province:440000', 'central']);
    expect(first.deliveriesCreated).toBe(2);

    const id = first.notices.find((n) => n.scope === 'central')!.id;
    const notice = (await getNotice(services.db, id))!;
    expect(notice.period).toBe('summary');
    expect(notice.subject).toBe('关于部属和部省合建高校2022 访企拓岗工作情况的总结通报');
    const m = notice.model;
    expect(m.kind === 'province' && m.scope).toBe('central');
    expect(m.kind === 'province' && m.ranking.map((r) => r.universityCode)).toEqual([BJ1, GD2]);
    // the central universities' own figures: five visits, three employers, 41 positions
    expect(m.totals).toMatchObject({ visits: 5, employers: 3, positions: 41, universitiesWithVisits: 2 });
    expect(m.summary?.weeks.length).toBe(27);
    expect(m.summary?.weeks.at(-1)?.meanCompletion).toBeCloseTo((3 / 4 + 2 / 4) / 2);
    for (const form of [notice.html, notice.markdown, notice.text]) {
      expect(form).toContain('专项行动总结：全程走势与对比');
      expect(form).toContain(`大学${BJ1}`);
      expect(form).not.toContain(`大学${BJ2}`);
    }
    expect(notice.chartPng.subarray(1, 4).toString()).toBe('PNG');
    const docx = await noticeDocument(notice, 'docx');
    expect(docx.fileName).toBe('部属和部省合建-2022-总结.docx');
    expect(docx.body.subarray(0, 2).toString()).toBe('PK');
    const pdf = await noticeDocument(notice, 'pdf');
    expect(pdf.body.subarray(0, 5).toString()).toBe('%PDF-');

    const settings = deliverySettings(loadConfig(services.env));
    for (const d of first.pendingDeliveryIds) await deliver(services.db, d, settings, { finalAttempt: false });
    const central = hits.filter((h) => h.url === '/central');
    expect(central).toHaveLength(1);
    const sent = JSON.parse(central[0]!.body) as { notice: { scope: string; period: string } };
    expect(sent.notice).toMatchObject({ scope: 'central', period: 'summary' });

    const again = await generateSummary(services.db, { campaignId: '2022', today: '2022-09-02' });
    expect(again.deliveriesCreated).toBe(0);
    expect(again.pendingDeliveryIds).toEqual([]);
  });
});
