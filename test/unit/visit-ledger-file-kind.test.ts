// What a file is, and the zip container checked before anything is inflated (shared/domain/visit-ledger/file-kind.ts,
// workbook-parts.ts).
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LedgerFileError } from '../../shared/domain/visit-ledger/file-errors.ts';
import { buildZip, readZipDirectory, sniffFile } from '../../shared/domain/visit-ledger/file-kind.ts';
import { readWorkbookParts, resolvePartPath, workbookPathOf } from '../../shared/domain/visit-ledger/workbook-parts.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof LedgerFileError ? err.code : `not a LedgerFileError: ${String(err)}`;
  }
};

describe('what a file is', () => {
  it('tells a zip from text', () => {
    expect(sniffFile(Buffer.from('PK\x03\x04rest', 'latin1'))).toBe('zip');
    expect(sniffFile(Buffer.from('走访编号,走访日期\n', 'utf8'))).toBe('text');
    expect(sniffFile(Buffer.from('\xff\xfe走', 'latin1'))).toBe('text');
  });

  it('refuses what cannot be a ledger', () => {
    expect(codeOf(() => sniffFile(Buffer.alloc(0)))).toBe('empty-ledger');
    expect(codeOf(() => sniffFile(Buffer.from('%PDF-1.4')))).toBe('not-a-spreadsheet');
    expect(codeOf(() => sniffFile(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])))).toBe('not-a-spreadsheet');
    expect(codeOf(() => sniffFile(Buffer.from('<html><table>')))).toBe('not-a-spreadsheet');
    expect(codeOf(() => sniffFile(Buffer.from([1, 2, 0, 3])))).toBe('not-a-spreadsheet');
    const cfb = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]);
    expect(codeOf(() => sniffFile(cfb))).toBe('legacy-xls');
    expect(codeOf(() => sniffFile(Buffer.concat([cfb, Buffer.from('EncryptedPackage', 'utf16le')])))).toBe(
      'encrypted-workbook',
    );
  });
});

const entry = (name: string, text: string) => {
  const raw = Buffer.from(text);
  return { name, method: 8 as const, crc32: 0, data: deflateRawSync(raw), uncompressedSize: raw.length };
};

describe('the zip container', () => {
  it('reads the entries of a zip it wrote', () => {
    const zip = buildZip([entry('a.xml', '<a/>'), entry('b/c.xml', 'x'.repeat(1000))]);
    const entries = readZipDirectory(zip);
    expect(entries.map((e) => [e.name, e.uncompressedSize])).toEqual([
      ['a.xml', 4],
      ['b/c.xml', 1000],
    ]);
    expect(zip.subarray(entries[0]!.dataOffset, entries[0]!.dataOffset + entries[0]!.compressedSize)).toEqual(
      deflateRawSync(Buffer.from('<a/>')),
    );
  });

  it('refuses declared sizes over the limits before inflating anything', () => {
    const limits = { maxEntries: 3, maxTotalUncompressed: 10_000, maxRatio: 10, ratioFloorBytes: 100 };
    expect(codeOf(() => readZipDirectory(buildZip([entry('a', 'x'.repeat(20_000))]), limits))).toBe('zip-bomb');
    expect(codeOf(() => readZipDirectory(buildZip([entry('a', 'x'.repeat(5000))]), limits))).toBe('zip-bomb'); // ratio
    const many = Array.from({ length: 4 }, (_, i) => entry(`e${i}`, 'abc'));
    expect(codeOf(() => readZipDirectory(buildZip(many), limits))).toBe('zip-bomb');
  });

  it('refuses encrypted entries and a cut archive', () => {
    const zip = buildZip([entry('a', 'abc')]);
    const encrypted = Buffer.from(zip);
    encrypted.writeUInt16LE(1, encrypted.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 8);
    expect(codeOf(() => readZipDirectory(encrypted))).toBe('encrypted-workbook');
    expect(codeOf(() => readZipDirectory(zip.subarray(0, zip.length - 10)))).toBe('damaged-file');
  });
});

describe('the workbook parts', () => {
  it('finds sheets, their hidden state, paths and the date system, whatever the prefixes', () => {
    const workbook = `<x:workbook xmlns:x="m" xmlns:r="r"><x:workbookPr date1904="1"/><x:sheets>
      <x:sheet name="旧台账" sheetId="1" state="hidden" r:id="rId2"/><x:sheet name="A&amp;B" sheetId="2" r:id="rId1"/></x:sheets></x:workbook>`;
    const rels = `<Relationships><Relationship Id="rId1" Type="http://x/worksheet" Target="/xl/worksheets/sheet2.xml"/>
      <Relationship Id="rId2" Type="http://x/worksheet" Target="worksheets/sheet1.xml"/>
      <Relationship Id="rId3" Type="http://x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`;
    expect(readWorkbookParts('xl/workbook.xml', workbook, rels)).toEqual({
      sheets: [
        { name: '旧台账', path: 'xl/worksheets/sheet1.xml', hidden: true },
        { name: 'A&B', path: 'xl/worksheets/sheet2.xml', hidden: false },
      ],
      sharedStringsPath: 'xl/sharedStrings.xml',
      date1904: true,
    });
  });

  it('resolves relationship targets and finds the workbook part', () => {
    expect(resolvePartPath('xl/', '../docProps/app.xml')).toBe('docProps/app.xml');
    expect(workbookPathOf(undefined)).toBe('xl/workbook.xml');
    expect(
      workbookPathOf(
        '<Relationships><Relationship Id="r" Type="http://x/officeDocument" Target="xl/wb.xml"/></Relationships>',
      ),
    ).toBe('xl/wb.xml');
  });
});
