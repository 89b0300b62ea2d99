// The records of a zip archive (PKWARE APPNOTE): a local file header before each entry's data, the data descriptor
// after it when the sizes were not known in the header, the central directory and its end record. Names are UTF-8,
// times 1980-01-01 (the entries carry none worth keeping). No zip64: an entry and the archive stay below 4 GiB.
// Used by the buffered zip of an upload's checked entries (visit-ledger/file-kind.ts) and by the streaming .xlsx
// writer (xlsx-writer.ts).

export interface ZipRecordEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

const UTF8_NAMES = 0x0800;
/** General-purpose flag bit 3: CRC and sizes follow the data, in a data descriptor. */
const HAS_DESCRIPTOR = 0x0008;
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1; // 1980-01-01

const flagsOf = (descriptor: boolean) => UTF8_NAMES | (descriptor ? HAS_DESCRIPTOR : 0);

/** The local file header; with `descriptor`, CRC and sizes are written as 0 here and in the data descriptor after. */
export function localFileHeader(e: ZipRecordEntry, descriptor = false): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(flagsOf(descriptor), 6);
  b.writeUInt16LE(e.method, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  if (!descriptor) {
    b.writeUInt32LE(e.crc32 >>> 0, 14);
    b.writeUInt32LE(e.compressedSize, 18);
    b.writeUInt32LE(e.uncompressedSize, 22);
  }
  b.writeUInt16LE(name.length, 26);
  return Buffer.concat([b, name]);
}

export function dataDescriptor(e: ZipRecordEntry): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(e.crc32 >>> 0, 4);
  b.writeUInt32LE(e.compressedSize, 8);
  b.writeUInt32LE(e.uncompressedSize, 12);
  return b;
}

/** The entry's record in the central directory; `offset` is where its local header starts. */
export function centralDirectoryEntry(e: ZipRecordEntry, offset: number, descriptor = false): Buffer {
  const name = Buffer.from(e.name, 'utf8');
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(flagsOf(descriptor), 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(e.crc32 >>> 0, 16);
  b.writeUInt32LE(e.compressedSize, 20);
  b.writeUInt32LE(e.uncompressedSize, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt32LE(offset, 42);
  return Buffer.concat([b, name]);
}

/** The end of the central directory: `count` entries, the directory's size and where it starts. */
export function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}
