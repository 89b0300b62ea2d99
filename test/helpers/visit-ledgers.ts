// Spreadsheet-ledger tests: the committed fixtures (test/fixtures/visit-ledgers, made by make_fixtures.py with
// openpyxl) with what each must give, uploads as a browser or a script sends them, and reading an annotated copy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';

export const FIXTURES = fileURLToPath(new URL('../fixtures/visit-ledgers/', import.meta.url));

export const fixture = (name: string): Buffer => readFileSync(`${FIXTURES}${name}`);

/** What each fixture must give (written by make_fixtures.py beside the files). */
export const EXPECTED = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as {
  'template-filled.xlsx': {
    rows: number;
    employersVisited: number;
    principalEmployers: number;
    positions: number;
    onsiteShare: number;
  };
  'spellings.xlsx': SpellingsExpected;
  'spellings-gbk.csv': SpellingsExpected;
  'spellings-utf8.csv': SpellingsExpected;
  'leaders-in-columns.xlsx': { leaders: Record<string, Array<[string, string]>> };
  'date1904.xlsx': { visitedOn: Record<string, string> };
  'hidden-only.xlsx': { sheet: string; refs: string[] };
  'row-errors.xlsx': { rows: ExpectedRow[] };
  'province.xlsx': {
    universities: { inProvince: string[]; otherProvince: string; unknown: string };
    rows: ExpectedRow[];
  };
  bad: Record<string, [number, string]>;
};

export interface SpellingsExpected {
  sheet?: string;
  headerRow: number;
  encoding?: string;
  visits: Record<string, SpelledVisit>;
  employers: Record<string, string>;
}

export interface SpelledVisit {
  visitedOn: string;
  mode: string;
  leaders: Array<[string, string]>;
  positions?: number;
  internshipBase?: boolean;
  recruitmentInvite?: boolean;
  demandSurvey?: boolean;
  graduatesTracked?: number;
  satisfaction?: number;
  creditCode?: string;
}

export interface ExpectedRow {
  row: number;
  ref: string | null;
  status: string;
  columns: string[];
}

/** The fixtures' universities: U1 uploads; U2 is in the same province; U3 is in another. */
export const U1 = '4144010001';
export const U2 = '4144010002';
export const U3 = '4111010003';

export interface UploadResponse {
  status: number;
  body: any;
}

/** POST /v1/visit-ledgers as multipart/form-data: the file in `file`, the options as fields. */
export async function uploadLedger(
  baseUrl: string,
  key: string,
  bytes: Buffer,
  fileName: string,
  fields: Record<string, string> = {},
): Promise<UploadResponse> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([bytes]), fileName);
  const res = await fetch(`${baseUrl}/v1/visit-ledgers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface AnnotatedCell {
  value: unknown;
  red: boolean;
  note?: string;
}

/** An annotated copy read back: cells by address ("E5"), with whether each is filled red and its comment. */
export async function readAnnotated(bytes: Buffer): Promise<{ sheet: string; cells: Map<string, AnnotatedCell> }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const cells = new Map<string, AnnotatedCell>();
  ws.eachRow({ includeEmpty: false }, (row) =>
    row.eachCell({ includeEmpty: true }, (cell) => {
      const fill = cell.fill as { fgColor?: { argb?: string } } | undefined;
      const note = cell.note;
      const text =
        typeof note === 'string' ? note : note ? note.texts?.map((t: { text: string }) => t.text).join('') : undefined;
      cells.set(cell.address, {
        value: cell.value,
        red: fill?.fgColor?.argb === 'FFFFC7CE',
        ...(text !== undefined ? { note: text } : {}),
      });
    }),
  );
  return { sheet: ws.name, cells };
}
