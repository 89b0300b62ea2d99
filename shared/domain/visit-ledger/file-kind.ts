// What an uploaded file is, from its first bytes, and the zip container of an .xlsx checked before anything is
// inflated: every entry's declared sizes against limits (a zip bomb is refused here), encrypted entries, and entries
// that are not where the central directory says. Pure: bytes in, a description or a LedgerFileError out.
import { centralDirectoryEntry, endOfCentralDirectory, localFileHeader } from '../zip-records.ts';
import { LedgerFileError } from './file-errors.ts';

export type FileKind = 'zip' | 'text';

const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

const NOT_A_SPREADSHEET = (what: string, en: string) =>
  new LedgerFileError(
    'not-a-spreadsheet',
    `上传的文件不是电子表格（${what}）：请上传 .xlsx 文件，或 UTF-8/GBK 编码的 .csv 文件`,
    `the file is not a spreadsheet (${en}): upload an .xlsx file, or a .csv file in UTF-8 or GBK`,
  );

/** The kind of file, or the reason it cannot be a ledger. */
export function sniffFile(bytes: Buffer): FileKind {
  if (bytes.length === 0)
    throw new LedgerFileError('empty-ledger', '上传的文件是空的', 'the file is empty: upload the ledger');
  if (bytes.subarray(0, 8).equals(CFB_SIGNATURE)) {
    if (bytes.indexOf(ENCRYPTED_PACKAGE) >= 0)
      throw new LedgerFileError(
        'encrypted-workbook',
        '工作簿设置了打开密码（已加密），无法读取：请在 Excel/WPS 中取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存再上传',
        'the workbook is encrypted (password to open): remove the password in Excel and save it again, then upload it',
      );
    throw new LedgerFileError(
      'legacy-xls',
      '这是旧版 Excel 97-2003 格式（.xls）或其他 Office 文档：请在 Excel/WPS 中另存为 .xlsx 后上传',
      'this is a legacy Excel 97-2003 (.xls) or other OLE document: save it as .xlsx and upload that',
    );
  }
  if (bytes.length >= 4 && (bytes.readUInt32LE(0) === 0x04034b50 || bytes.readUInt32LE(0) === 0x06054b50)) return 'zip';
  const head = bytes.subarray(0, 8);
  if (head.subarray(0, 4).toString('latin1') === '%PDF') throw NOT_A_SPREADSHEET('PDF 文件', 'a PDF');
  if (head.subarray(1, 4).toString('latin1') === 'PNG' || (head[0] === 0xff && head[1] === 0xd8))
    throw NOT_A_SPREADSHEET('图片', 'an image');
  const utf16 = (head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff);
  const sample = bytes.subarray(0, 8192);
  if (!utf16 && sample.includes(0)) throw NOT_A_SPREADSHEET('二进制文件', 'a binary file');
  const start = sample
    .toString(utf16 ? 'utf16le' : 'latin1')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 200)
    .toLowerCase();
  if (start.startsWith('<html') || start.startsWith('<!doctype') || start.startsWith('<table'))
    throw NOT_A_SPREADSHEET('网页 HTML 格式，常见于系统导出的“.xls”', 'HTML, as some systems export ".xls"');
  if (start.startsWith('<?xml'))
    throw NOT_A_SPREADSHEET('XML 格式（如 Excel 2003 XML 表格）', 'XML, such as Excel 2003 XML');
  return 'text';
}

// ── the zip container ───────────────────────────────────────────────────────────────────────────────────────
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's compressed bytes start in the file. */
  dataOffset: number;
}

export interface ZipLimits {
  /** Entries in the archive (an .xlsx has a few dozen). */
  maxEntries: number;
  /** All entries' declared uncompressed sizes together. */
  maxTotalUncompressed: number;
  /** An entry's uncompressed size over its compressed size, checked for entries above ratioFloorBytes. */
  maxRatio: number;
  ratioFloorBytes: number;
}

/**
 * 50,000 rows of 20 filled columns make a sheet of about 40 MB of XML; real workbooks compress 5–20×. The ratio is
 * Apache POI's default for the same check (ZipSecureFile: 1 % minimum inflate ratio).
 */
export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalUncompressed: 256 * 2 ** 20,
  maxRatio: 100,
  ratioFloorBytes: 2 ** 20,
};

const DAMAGED = (en: string) =>
  new LedgerFileError(
    'damaged-file',
    '文件已损坏或不是完整的 .xlsx（压缩包结构有误）：请在 Excel/WPS 中打开后重新保存再上传',
    `the .xlsx file is damaged (${en}): open it in Excel, save it again and upload that`,
  );

const BOMB = (en: string) =>
  new LedgerFileError(
    'zip-bomb',
    '文件解压后过大或压缩比异常（疑似“压缩炸弹”），已拒绝：请上传正常保存的台账',
    `the archive would unpack to too much data (${en}): refused as a possible zip bomb`,
  );

/** Reads the central directory and checks every entry against the limits, without inflating anything. */
export function readZipDirectory(bytes: Buffer, limits: ZipLimits = ZIP_LIMITS): ZipEntry[] {
  // End of central directory: 22 bytes plus a comment of up to 65,535, at the very end.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw DAMAGED('no end of central directory');
  const count = bytes.readUInt16LE(eocd + 10);
  const dirSize = bytes.readUInt32LE(eocd + 12);
  const dirOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff)
    throw BOMB('ZIP64 archive: an .xlsx ledger is never that large');
  if (bytes.readUInt16LE(eocd + 4) !== 0 || bytes.readUInt16LE(eocd + 6) !== 0) throw DAMAGED('multi-disk archive');
  if (count > limits.maxEntries) throw BOMB(`${count} entries, at most ${limits.maxEntries}`);
  if (dirOffset + dirSize > eocd) throw DAMAGED('central directory outside the file');

  const entries: ZipEntry[] = [];
  let total = 0;
  let at = dirOffset;
  for (let k = 0; k < count; k++) {
    if (at + 46 > eocd || bytes.readUInt32LE(at) !== 0x02014b50) throw DAMAGED('bad central directory entry');
    const flags = bytes.readUInt16LE(at + 8);
    const method = bytes.readUInt16LE(at + 10);
    const crc32 = bytes.readUInt32LE(at + 16);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const uncompressedSize = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localOffset = bytes.readUInt32LE(at + 42);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1)
      throw new LedgerFileError(
        'encrypted-workbook',
        '压缩包内的文件已加密，无法读取：请取消密码后另存为 .xlsx 再上传',
        'the archive entries are encrypted: remove the password and save as .xlsx again',
      );
    if (method !== 0 && method !== 8) throw DAMAGED(`entry ${name} uses compression method ${method}`);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localOffset === 0xffffffff)
      throw BOMB('ZIP64 entry');
    total += uncompressedSize;
    if (total > limits.maxTotalUncompressed)
      throw BOMB(`over ${limits.maxTotalUncompressed / 2 ** 20} MiB when unpacked`);
    if (uncompressedSize > limits.ratioFloorBytes && uncompressedSize > compressedSize * limits.maxRatio)
      throw BOMB(`entry ${name} inflates ${Math.round(uncompressedSize / Math.max(1, compressedSize))}×`);
    if (method === 0 && compressedSize !== uncompressedSize) throw DAMAGED(`stored entry ${name} changes size`);
    if (localOffset + 30 > dirOffset || bytes.readUInt32LE(localOffset) !== 0x04034b50)
      throw DAMAGED(`entry ${name} has no local header`);
    const dataOffset = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    if (dataOffset + compressedSize > dirOffset) throw DAMAGED(`entry ${name} runs past the archive`);
    entries.push({ name, method, crc32, compressedSize, uncompressedSize, dataOffset });
  }
  return entries;
}

/**
 * A new zip holding exactly these entries, in this order, with sizes in every local header. The streaming reader
 * reads local headers one after another; giving it this archive instead of the upload means it sees only entries
 * whose sizes were checked, in the order it needs (shared strings before sheets).
 */
export function buildZip(
  entries: Array<{ name: string; method: 0 | 8; crc32: number; data: Buffer; uncompressedSize: number }>,
): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const record = { ...e, compressedSize: e.data.length };
    const local = localFileHeader(record); // sizes in this header, no data descriptor
    parts.push(local, e.data);
    central.push(centralDirectoryEntry(record, offset));
    offset += local.length + e.data.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  return Buffer.concat([...parts, ...central, endOfCentralDirectory(entries.length, dirSize, offset)]);
}
