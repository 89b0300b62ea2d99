// Reference-data CSV files (universities, placement rates, provincial averages, prior employers): parsing and
// per-line validation, pure. The command refuses a file with any bad line, or imports only the good lines
// with --skip-invalid; either way every bad line is reported with its number and why.
import { parse } from 'csv-parse/sync';
import { isValidCreditCode, normalizeCreditCode } from './credit-code.ts';
import { centralKindOf, reportingUnitOf, type CentralKind } from './scope.ts';

/** A problem with one line of the file (line 1 is the header; a quoted field may span lines: its first line counts). */
export interface LineError {
  line: number;
  reason: string;
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

export interface ParsedCsv {
  header: string[];
  headerLine: number;
  records: CsvRecord[];
}

/** What a file turned into: valid rows (each with its line number), the bad lines, and whole-file problems. */
export interface Validated<T> {
  rows: Array<T & { line: number }>;
  errors: LineError[];
  /** Problems that make the file unusable whatever --skip-invalid says (unreadable CSV, wrong header). */
  fatal?: string;
}

export interface ProvinceRef {
  code: string;
  name: string;
  shortName: string;
}

export interface UniversityRow {
  code: string;
  name: string;
  provinceCode: string;
  city: string;
  authority: string;
  level: '本科' | '专科';
  private: boolean;
  /** null: the file has no value, so keep the stored one (a new university gets false). */
  newUndergrad: boolean | null;
  /** null: the file has no value, so keep the stored one (a new university gets level = 专科). */
  vocational: boolean | null;
  /** 部属 / 部省合建 (scope.ts centralKindOf), null for neither: derived from the code and the authority, not a column. */
  central: CentralKind | null;
}

export interface PlacementRateRow {
  universityCode: string;
  rate: number;
}

export interface ProvinceAverageRow {
  provinceCode: string;
  rate: number;
}

export interface PriorEmployerRow {
  universityCode: string;
  employerName: string;
  /** Normalised (upper case, no spaces), '' when none was given. */
  creditCode: string;
}

/** Whether a university code is in the database: checked by the command with one query, passed in here. */
export type KnownUniversity = (code: string) => boolean;

const LINE_BREAKS = /\r\n|\r|\n/g;

/**
 * Parses CSV text (UTF-8 BOM, quoted fields, CRLF or LF). Line numbers are physical lines of the file;
 * blank lines are skipped. Throws a one-line Error when the text is not valid CSV (e.g. an unclosed quote).
 */
export function parseCsv(text: string): ParsedCsv {
  let raw: Array<{ record: string[]; raw: string }>;
  try {
    raw = parse(text, {
      bom: true,
      raw: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof raw;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new Error(`not valid CSV${e.lines ? ` near line ${e.lines}` : ''}: ${e.message}`);
  }
  // csv-parse miscounts lines after a quoted CRLF, so count the line breaks of each raw record ourselves.
  let line = 1;
  const all: CsvRecord[] = [];
  for (const r of raw) {
    const blank = r.record.length === 1 && (r.record[0] ?? '').trim() === '';
    if (!blank) all.push({ line, fields: r.record.map((f) => f.trim()) });
    line += (r.raw.match(LINE_BREAKS) ?? []).length;
  }
  const [first, ...records] = all;
  return { header: first ? first.fields.map((h) => h.toLowerCase()) : [], headerLine: first?.line ?? 1, records };
}

/** Accepts a province by full name (北京市), short name (北京) or 6-digit code (110000). */
export function provinceLookup(provinces: ProvinceRef[]): (text: string) => string | undefined {
  const byKey = new Map<string, string>();
  for (const p of provinces) {
    byKey.set(p.code, p.code);
    byKey.set(p.name, p.code);
    byKey.set(p.shortName, p.code);
  }
  return (text) => byKey.get(text.trim());
}

// A Map, not an object literal: "constructor" must not look like a flag.
const FLAGS = new Map<string, boolean>([
  ['1', true],
  ['0', false],
  ['是', true],
  ['否', false],
  ['true', true],
  ['false', false],
  ['y', true],
  ['n', false],
  ['yes', true],
  ['no', false],
]);

function parseFlag(value: string): boolean | undefined {
  return FLAGS.get(value.trim().toLowerCase());
}

function parseRate(value: string): number | undefined {
  if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 0 && n <= 1 ? n : undefined;
}

const UNIVERSITY_CODE = /^\d{10}$/;

export interface ColumnSpec {
  required: string[];
  optional?: string[];
}

/** Checks the header; returns column positions, or the whole-file problem. */
function columns(parsed: ParsedCsv, spec: ColumnSpec): { index: Map<string, number> } | { fatal: string } {
  const expected = [...spec.required, ...(spec.optional ?? [])];
  const example = `header ${spec.required.join(',')}${spec.optional?.length ? ` (optionally ,${spec.optional.join(',')})` : ''}`;
  if (parsed.header.length === 0) return { fatal: `the file is empty: it needs a ${example}` };
  const index = new Map<string, number>();
  const problems: string[] = [];
  parsed.header.forEach((h, i) => {
    if (!expected.includes(h)) problems.push(`unknown column "${h}"`);
    else if (index.has(h)) problems.push(`column "${h}" appears twice`);
    else index.set(h, i);
  });
  const missing = spec.required.filter((c) => !index.has(c));
  if (missing.length) problems.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (problems.length)
    return { fatal: `line ${parsed.headerLine} (header): ${problems.join('; ')}; expected a ${example}` };
  return { index };
}

/** Runs `check` over every record of the right width; collects each line's reasons into one error. */
export function validate<T>(
  parsed: ParsedCsv,
  spec: ColumnSpec,
  check: (get: (column: string) => string | undefined, bad: (reason: string) => void) => T | undefined,
): Validated<T> {
  const cols = columns(parsed, spec);
  if ('fatal' in cols) return { rows: [], errors: [], fatal: cols.fatal };
  const width = parsed.header.length;
  const rows: Array<T & { line: number }> = [];
  const errors: LineError[] = [];
  for (const { line, fields } of parsed.records) {
    if (fields.length !== width) {
      errors.push({
        line,
        reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${width} (a comma inside a value needs "quotes")`,
      });
      continue;
    }
    const reasons: string[] = [];
    const get = (c: string) => {
      const i = cols.index.get(c);
      return i === undefined ? undefined : (fields[i] ?? '');
    };
    const row = check(get, (r) => reasons.push(r));
    if (reasons.length || row === undefined) errors.push({ line, reason: reasons.join('; ') });
    else rows.push({ ...row, line });
  }
  return { rows, errors };
}

/** Marks later lines that repeat an earlier line's key as bad (one statement cannot upsert a key twice). */
export function rejectDuplicates<T>(
  result: Validated<T>,
  key: (row: T) => string,
  describe: (row: T) => string,
): Validated<T> {
  const firstLine = new Map<string, number>();
  const rows: Array<T & { line: number }> = [];
  const errors = [...result.errors];
  for (const row of result.rows) {
    const k = key(row);
    const seen = firstLine.get(k);
    if (seen === undefined) {
      firstLine.set(k, row.line);
      rows.push(row);
    } else errors.push({ line: row.line, reason: `${describe(row)} is already on line ${seen}` });
  }
  errors.sort((a, b) => a.line - b.line);
  return { ...result, rows, errors };
}

export function checkUniversityCode(
  value: string,
  bad: (r: string) => void,
  known?: KnownUniversity,
): string | undefined {
  if (!UNIVERSITY_CODE.test(value)) {
    bad(value === '' ? 'university code is empty' : `university code "${value}" is not 10 digits`);
    return undefined;
  }
  if (known && !known(value)) {
    bad(`university ${value} is unknown: import it first with \`ledger import universities\``);
    return undefined;
  }
  return value;
}

function checkRate(value: string, bad: (r: string) => void): number | undefined {
  const rate = parseRate(value);
  if (rate === undefined) bad(`placement rate "${value}" is not a number from 0 to 1 (write 0.85 for 85%)`);
  return rate;
}

/**
 * Universities of the MOE list. The reporting unit replaces the province of a university whose authority is
 * 新疆生产建设兵团 (660000, RULES.md "Reporting units"); `jointCodes` are the 部省合建 universities
 * (data/central-joint-universities.csv), and a central authority makes a university 部属.
 */
export function validateUniversities(
  parsed: ParsedCsv,
  provinces: ProvinceRef[],
  jointCodes: ReadonlySet<string> = new Set(),
): Validated<UniversityRow> {
  const province = provinceLookup(provinces);
  const provinceNames = provinces.flatMap((p) => [p.name, p.shortName]);
  const spec = {
    required: ['code', 'name', 'province', 'city', 'authority', 'level', 'private'],
    optional: ['new_undergrad', 'vocational'],
  };
  const result = validate<UniversityRow>(parsed, spec, (get, bad) => {
    const code = get('code') ?? '';
    if (!UNIVERSITY_CODE.test(code)) bad(code === '' ? 'code is empty' : `code "${code}" is not 10 digits`);
    const name = get('name') ?? '';
    if (name === '') bad('name is empty');
    const provinceText = get('province') ?? '';
    const provinceCode = province(provinceText);
    if (!provinceCode)
      bad(
        provinceText === ''
          ? 'province is empty'
          : `province "${provinceText}" is unknown (use a name such as 北京市 or 北京, or a code such as 110000)`,
      );
    const level = get('level') ?? '';
    if (level !== '本科' && level !== '专科') bad(`level "${level}" is not 本科 or 专科`);
    const flag = (column: string, required: boolean): boolean | null => {
      const v = get(column);
      if (v === undefined || (v === '' && !required)) return null;
      const f = parseFlag(v);
      if (f === undefined) bad(`${column} "${v}" is not 1/0, 是/否 or true/false`);
      return f ?? null;
    };
    const isPrivate = flag('private', true);
    const newUndergrad = flag('new_undergrad', false);
    const vocational = flag('vocational', false);
    if (!provinceCode || (level !== '本科' && level !== '专科') || isPrivate === null) return undefined;
    const authority = get('authority') ?? '';
    return {
      code,
      name,
      provinceCode: reportingUnitOf(authority, provinceCode),
      city: get('city') ?? '',
      authority,
      level,
      private: isPrivate,
      newUndergrad,
      vocational,
      central: centralKindOf(code, authority, jointCodes, provinceNames),
    };
  });
  return rejectDuplicates(
    result,
    (r) => r.code,
    (r) => `code ${r.code}`,
  );
}

export function validatePlacementRates(parsed: ParsedCsv, known?: KnownUniversity): Validated<PlacementRateRow> {
  const result = validate<PlacementRateRow>(parsed, { required: ['university_code', 'placement_rate'] }, (get, bad) => {
    const universityCode = checkUniversityCode(get('university_code') ?? '', bad, known);
    const rate = checkRate(get('placement_rate') ?? '', bad);
    return universityCode === undefined || rate === undefined ? undefined : { universityCode, rate };
  });
  return rejectDuplicates(
    result,
    (r) => r.universityCode,
    (r) => `university ${r.universityCode}`,
  );
}

export function validateProvinceAverages(parsed: ParsedCsv, provinces: ProvinceRef[]): Validated<ProvinceAverageRow> {
  const province = provinceLookup(provinces);
  const result = validate<ProvinceAverageRow>(parsed, { required: ['province_code', 'placement_rate'] }, (get, bad) => {
    const text = get('province_code') ?? '';
    const provinceCode = province(text);
    if (!provinceCode)
      bad(
        text === ''
          ? 'province_code is empty'
          : `province "${text}" is unknown (use a 6-digit GB/T 2260 code such as 110000)`,
      );
    const rate = checkRate(get('placement_rate') ?? '', bad);
    return provinceCode === undefined || rate === undefined ? undefined : { provinceCode, rate };
  });
  return rejectDuplicates(
    result,
    (r) => r.provinceCode,
    (r) => `province ${r.provinceCode}`,
  );
}

export function validatePriorEmployers(parsed: ParsedCsv, known?: KnownUniversity): Validated<PriorEmployerRow> {
  const result = validate<PriorEmployerRow>(
    parsed,
    { required: ['university_code', 'employer_name', 'credit_code'] },
    (get, bad) => {
      const universityCode = checkUniversityCode(get('university_code') ?? '', bad, known);
      const employerName = get('employer_name') ?? '';
      if (employerName === '') bad('employer_name is empty');
      const given = get('credit_code') ?? '';
      const creditCode = given === '' ? '' : normalizeCreditCode(given);
      const codeOk = creditCode === '' || isValidCreditCode(creditCode);
      if (!codeOk)
        bad(
          `credit_code "${given}" is not a valid unified social credit code (18 characters with a correct check character; leave it empty when unknown)`,
        );
      return universityCode === undefined || employerName === '' || !codeOk
        ? undefined
        : { universityCode, employerName, creditCode };
    },
  );
  return rejectDuplicates(
    result,
    (r) => `${r.universityCode}\u0000${r.employerName}\u0000${r.creditCode}`,
    (r) => `employer "${r.employerName}"${r.creditCode ? ` (${r.creditCode})` : ''} of university ${r.universityCode}`,
  );
}

/** University codes mentioned by valid-looking lines: what the command asks the database about. */
export function universityCodesIn(parsed: ParsedCsv): string[] {
  const i = parsed.header.indexOf('university_code');
  if (i < 0) return [];
  return [...new Set(parsed.records.map((r) => r.fields[i] ?? '').filter((c) => UNIVERSITY_CODE.test(c)))];
}

/** "2, 5, 9" — or the first `max` and a count of the rest, for a one-line summary. */
export function lineList(errors: LineError[], max = 20): string {
  const lines = errors.map((e) => e.line);
  return lines.length <= max ? lines.join(', ') : `${lines.slice(0, max).join(', ')} and ${lines.length - max} more`;
}
