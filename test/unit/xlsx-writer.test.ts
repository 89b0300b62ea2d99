// The streaming .xlsx writer read back by a reader that is not ours (exceljs), and its zip checked entry by entry.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { columnName, excelSerial, XlsxWriter } from '../../shared/domain/xlsx-writer.ts';

async function workbook(build: (w: XlsxWriter) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await build(new XlsxWriter(out));
  return Buffer.concat(chunks);
}

describe('xlsx writer', () => {
  it('names columns like Excel and counts days like Excel', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
    expect(excelSerial(new Date('1900-03-01T00:00:00Z'))).toBe(61);
    expect(excelSerial(new Date('2022-08-31T00:00:00Z'))).toBe(44804);
  });

  it('writes typed cells, gaps, escaped and cleaned text, formats by column, several sheets', async () => {
    const body = await workbook(async (w) => {
      await w.startSheet('进度', [
        { header: '名称', width: 20 },
        { header: '完成度', width: 10, format: 'percent' },
        { header: '日期', width: 12, format: 'date' },
        { header: '数', width: 8 },
      ]);
      await w.addRow(['A&B <公司> "x"', 0.753, new Date('2022-04-02T00:00:00Z'), 12]);
      await w.addRow([' 前后空格 ', null, undefined, 0]);
      await w.addRow(['控制\u0001字符\u0007', Number.NaN, null, -3.5]);
      await w.startSheet('台账(2)', [{ header: '编号', width: 10 }]);
      for (let i = 0; i < 5000; i++) await w.addRow([`v-${i}`]);
      await w.finish();
    });
    const zip = await JSZip.loadAsync(body);
    expect(Object.keys(zip.files).sort()).toEqual(
      [
        '[Content_Types].xml',
        '_rels/.rels',
        'docProps/core.xml',
        'xl/_rels/workbook.xml.rels',
        'xl/styles.xml',
        'xl/workbook.xml',
        'xl/worksheets/sheet1.xml',
        'xl/worksheets/sheet2.xml',
      ].sort(),
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['进度', '台账(2)']);
    const ws = wb.getWorksheet('进度')!;
    expect(ws.getRow(1).values).toEqual([undefined, '名称', '完成度', '日期', '数']);
    expect(ws.getCell('A2').value).toBe('A&B <公司> "x"');
    expect(ws.getCell('B2').value).toBe(0.753);
    expect(ws.getCell('B2').numFmt).toBe('0.0%');
    expect((ws.getCell('C2').value as Date).toISOString()).toBe('2022-04-02T00:00:00.000Z');
    expect(ws.getCell('D2').value).toBe(12);
    expect(ws.getCell('A3').value).toBe(' 前后空格 ');
    expect(ws.getCell('B3').value).toBeNull();
    expect(ws.getCell('D3').value).toBe(0);
    expect(ws.getCell('A4').value).toBe('控制字符');
    expect(ws.getCell('B4').value).toBeNull();
    expect(ws.getCell('D4').value).toBe(-3.5);
    expect(ws.getColumn(1).width).toBe(20);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const second = wb.getWorksheet('台账(2)')!;
    expect(second.rowCount).toBe(5001);
    expect(second.getCell('A5001').value).toBe('v-4999');
  });
});
