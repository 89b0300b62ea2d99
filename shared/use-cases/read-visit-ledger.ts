// Reading an uploaded ledger: .xlsx through exceljs's streaming reader (rows one at a time, so memory stays flat
// whatever the row count), CSV in UTF-8, UTF-16 or GBK. Before anything is inflated, the zip's central directory is
// checked against the limits (shared/domain/visit-ledger/file-kind.ts), and every part that will be read is inflated
// once with a byte counter that stops at its declared size: a zip bomb never gets past its first megabytes.
// The streaming reader is then given a small zip of its own holding only the checked parts of one sheet, in the order
// it needs, so that each sheet can be read (and read again for the annotated copy) on its own.
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { CellValue } from '../domain/visit-ledger/cells.ts';
import { LedgerFileError } from '../domain/visit-ledger/file-errors.ts';
import { buildZip, readZipDirectory, sniffFile, type ZipEntry } from '../domain/visit-ledger/file-kind.ts';
import {
  readWorkbookParts,
  workbookPathOf,
  workbookRelsPathOf,
  type SheetPart,
} from '../domain/visit-ledger/workbook-parts.ts';

export interface SheetRow {
  /** 1-based row number (Excel's; for CSV the record's number). */
  number: number;
  /** Cells by column, index 0 = column A. */
  cells: CellValue[];
}

export interface LedgerSheet {
  name: string;
  hidden: boolean;
  /** Reads the sheet's rows from the start; may be called again. */
  rows(): AsyncIterable<SheetRow>;
}

export interface LedgerFile {
  format: 'xlsx' | 'csv';
  /** Sheets in workbook order (one for CSV). */
  sheets: LedgerSheet[];
  date1904: boolean;
  /** How a CSV was decoded. */
  encoding?: string;
}

const DAMAGED = (en: string) =>
  new LedgerFileError(
    'damaged-file',
    '文件已损坏，无法读取：请在 Excel/WPS 中打开后重新保存再上传',
    `the file is damaged (${en}): open it in Excel, save it again and upload that`,
  );
const BOMB = (en: string) =>
  new LedgerFileError(
    'zip-bomb',
    '文件解压后过大或与声明的大小不符（疑似“压缩炸弹”），已拒绝：请上传正常保存的台账',
    `the archive inflates beyond what it declares (${en}): refused as a possible zip bomb`,
  );

/**
 * Inflates an entry only to count it: stops as soon as it passes its declared size, and fails when it ends short of
 * it. Output is dropped chunk by chunk, so memory stays at zlib's window.
 */
function checkInflatedSize(bytes: Buffer, entry: ZipEntry): Promise<void> {
  if (entry.method === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const inflate = zlib.createInflateRaw();
    let total = 0;
    let settled = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) {
        inflate.destroy();
        reject(err);
      } else resolve();
    };
    inflate.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > entry.uncompressedSize)
        settle(BOMB(`${entry.name} inflates past its declared ${entry.uncompressedSize} bytes`));
    });
    inflate.on('end', () =>
      settle(
        total === entry.uncompressedSize
          ? undefined
          : DAMAGED(`${entry.name} inflates to ${total}, not ${entry.uncompressedSize} bytes`),
      ),
    );
    inflate.on('error', (err) => settle(DAMAGED(`${entry.name}: ${err.message}`)));
    inflate.end(bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize));
  });
}

/** A small part (workbook, relationships) as text, inflated with a hard cap. */
function readSmallPart(bytes: Buffer, entry: ZipEntry | undefined, cap = 16 * 2 ** 20): string | undefined {
  if (!entry) return undefined;
  if (entry.uncompressedSize > cap) throw BOMB(`${entry.name} declares ${entry.uncompressedSize} bytes`);
  const data = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  try {
    const text = entry.method === 0 ? data : zlib.inflateRawSync(data, { maxOutputLength: entry.uncompressedSize + 1 });
    return text.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw BOMB(`${entry.name} inflates past its size`);
    throw DAMAGED(`${entry.name}: ${(err as Error).message}`);
  }
}

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const stored = (name: string, text: string) => {
  const data = Buffer.from(text, 'utf8');
  return { name, method: 0 as const, crc32: zlib.crc32(data), data, uncompressedSize: data.length };
};
const STUB_RELS = stored(
  'xl/_rels/workbook.xml.rels',
  `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
);
const STUB_WORKBOOK = stored(
  'xl/workbook.xml',
  `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets><sheet name="ledger" sheetId="1" r:id="rId1"/></sheets></workbook>`,
);
const EMPTY_SHARED_STRINGS = stored(
  'xl/sharedStrings.xml',
  `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS_MAIN}"/>`,
);

/** A formula cell by its cached result; none (not calculated when saved) is said as such. */
function formulaResult(result: unknown, formula: string | undefined): CellValue {
  if (result === undefined || result === null) return { formulaWithoutValue: formula ?? '' };
  // exceljs reads both an error result (t="e", e.g. #N/A) and an empty one (<v></v>, as openpyxl writes) as NaN
  if (typeof result === 'number' && !Number.isFinite(result)) return { formulaWithoutValue: formula ?? '' };
  if (typeof result === 'object' && !(result instanceof Date) && 'error' in result)
    return { error: String((result as { error: unknown }).error) };
  return toCell(result);
}

/** An exceljs cell value as what the importer reads: formulas by their cached result, rich text as plain text. */
function toCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : { error: '#VALUE!' };
  if (typeof value === 'string' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return (v.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('formula' in v || 'sharedFormula' in v)
      return formulaResult(v.result, String(v.formula ?? v.sharedFormula ?? ''));
    if ('error' in v) return { error: String(v.error) };
    if ('text' in v) return toCell(v.text); // hyperlink
  }
  return String(value);
}

async function* readSheetZip(zip: Buffer): AsyncIterable<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([zip]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  for await (const worksheet of reader) {
    for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
      if (!Number.isInteger(row.number) || row.number < 1) continue;
      const cells: CellValue[] = [];
      row.eachCell({ includeEmpty: false }, (cell, column) => {
        // A formula's value drops a falsy result (0, '', an error read as NaN): its result is read on its own.
        cells[column - 1] =
          cell.type === ExcelJS.ValueType.Formula
            ? formulaResult(cell.result, (cell.value as { formula?: string }).formula)
            : toCell(cell.value);
      });
      for (let i = 0; i < cells.length; i++) cells[i] ??= null;
      yield { number: row.number, cells };
    }
  }
}

async function openXlsx(bytes: Buffer): Promise<LedgerFile> {
  const entries = readZipDirectory(bytes);
  const byName = new Map(entries.map((e) => [e.name.replace(/^\//, ''), e]));
  const workbookPath = workbookPathOf(readSmallPart(bytes, byName.get('_rels/.rels')));
  const workbookXml = readSmallPart(bytes, byName.get(workbookPath));
  const workbookRels = readSmallPart(bytes, byName.get(workbookRelsPathOf(workbookPath)));
  if (workbookXml === undefined || workbookRels === undefined)
    throw new LedgerFileError(
      'not-a-spreadsheet',
      '上传的压缩文件不是 Excel 工作簿（找不到 workbook.xml）：请上传 .xlsx 文件',
      'the zip file is not an Excel workbook (no workbook part): upload an .xlsx file',
    );
  const parts = readWorkbookParts(workbookPath, workbookXml, workbookRels);
  const shared = parts.sharedStringsPath ? byName.get(parts.sharedStringsPath) : undefined;
  const sheetEntries = new Map<SheetPart, ZipEntry>();
  for (const sheet of parts.sheets) {
    const entry = byName.get(sheet.path);
    if (entry) sheetEntries.set(sheet, entry);
  }
  // Every part the reader will inflate, checked before any row is read.
  for (const entry of [...(shared ? [shared] : []), ...sheetEntries.values()]) await checkInflatedSize(bytes, entry);
  const partOf = (entry: ZipEntry, name: string) => ({
    name,
    method: entry.method,
    crc32: entry.crc32,
    data: bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize),
    uncompressedSize: entry.uncompressedSize,
  });
  return {
    format: 'xlsx',
    date1904: parts.date1904,
    sheets: [...sheetEntries].map(([sheet, entry]) => ({
      name: sheet.name,
      hidden: sheet.hidden,
      rows: () =>
        readSheetZip(
          buildZip([
            STUB_RELS,
            STUB_WORKBOOK,
            shared ? partOf(shared, 'xl/sharedStrings.xml') : EMPTY_SHARED_STRINGS,
            partOf(entry, 'xl/worksheets/sheet1.xml'),
          ]),
        ),
    })),
  };
}

/** UTF-8 (with or without BOM), UTF-16 with BOM, else GBK (GB18030, its superset): what Excel and WPS save. */
export function decodeText(bytes: Buffer): { text: string; encoding: string } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: iconv.decode(bytes.subarray(2), 'utf16le'), encoding: 'UTF-16LE' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: iconv.decode(bytes.subarray(2), 'utf16be'), encoding: 'UTF-16BE' };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'UTF-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'GBK' };
  }
}

/** Comma, tab or semicolon: whichever the first lines use most (Excel's "Unicode text" is tab-separated). */
function delimiterOf(text: string): string {
  const sample = text.slice(0, 20_000).split(/\r?\n/).slice(0, 10).join('\n');
  const counts = [',', '\t', ';'].map((d) => [d, sample.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

function openCsv(bytes: Buffer): LedgerFile {
  const { text, encoding } = decodeText(bytes);
  const delimiter = delimiterOf(text);
  const records = (): string[][] => {
    try {
      return parseCsv(text, {
        delimiter,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: false,
      }) as string[][];
    } catch (err) {
      throw new LedgerFileError(
        'damaged-file',
        `CSV 文件格式有误，无法读取（${(err as Error).message}）：请检查引号是否成对，或在 Excel 中另存为 .xlsx 后上传`,
        `the CSV file cannot be parsed (${(err as Error).message})`,
      );
    }
  };
  records(); // parse errors are the file's, found before anything is stored
  return {
    format: 'csv',
    date1904: false,
    encoding,
    sheets: [
      {
        name: 'CSV',
        hidden: false,
        async *rows() {
          let number = 0;
          for (const fields of records()) yield { number: ++number, cells: fields };
        },
      },
    ],
  };
}

/** Opens an upload as a ledger file, or throws the LedgerFileError that says why it cannot be one. */
export async function openLedgerFile(bytes: Buffer): Promise<LedgerFile> {
  return sniffFile(bytes) === 'zip' ? openXlsx(bytes) : openCsv(bytes);
}
