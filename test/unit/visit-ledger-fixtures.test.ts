// The committed fixtures (written by openpyxl and Python, test/fixtures/visit-ledgers/make_fixtures.py) read through
// the streaming reader and the row rules, without services: every spelling of issue 14 point 3, and every bad file of
// point 5 refused for its reason. The same files go through HTTP in test/integration/visit-ledgers-api.test.ts.
import { describe, expect, it } from 'vitest';
import { LedgerFileError } from '../../shared/domain/visit-ledger/file-errors.ts';
import { mapRow, type LedgerVisit } from '../../shared/domain/visit-ledger/rows.ts';
import { findLedgerHeader } from '../../shared/use-cases/import-visit-ledger.ts';
import { openLedgerFile } from '../../shared/use-cases/read-visit-ledger.ts';
import { EXPECTED, fixture, U1 } from '../helpers/visit-ledgers.ts';

const campaign = { id: '2022', start: '2022-03-01', end: '2022-08-31' };

async function read(name: string) {
  const file = await openLedgerFile(fixture(name));
  const { sheet, header } = await findLedgerHeader(file);
  const visits = new Map<string, LedgerVisit>();
  const errors: string[] = [];
  for await (const { number, cells } of sheet.rows()) {
    if (number <= header.row) continue;
    const row = mapRow(number, cells, header, { campaign, date1904: file.date1904, defaultUniversityCode: U1 });
    if (row?.visit) visits.set(row.visit.ref, row.visit);
    else if (row) errors.push(`${row.row}: ${row.errors.map((e) => e.message).join('; ')}`);
  }
  return { file, sheet, header, visits, errors };
}

describe.each(['spellings.xlsx', 'spellings-gbk.csv', 'spellings-utf8.csv'] as const)('%s', (name) => {
  const expected = EXPECTED[name];

  it('finds the header under the title rows and reads every row', async () => {
    const { sheet, header, visits, errors, file } = await read(name);
    if (expected.sheet) expect(sheet.name).toBe(expected.sheet); // the visible sheet, not the hidden stale ledger
    if (expected.encoding) expect(file.encoding).toBe(expected.encoding);
    expect(header.row).toBe(expected.headerRow);
    expect(header.unread).toEqual([]);
    expect(errors).toEqual([]);
    expect([...visits.keys()]).toEqual(Object.keys(expected.visits)); // trailing empty rows are not rows
  });

  it.each(Object.keys(EXPECTED[name].visits))('reads %s as meant', async (ref) => {
    const { visits } = await read(name);
    const v = visits.get(ref)!;
    const want = expected.visits[ref]!;
    expect(v.visitedOn).toBe(want.visitedOn);
    expect(v.mode).toBe(want.mode);
    expect(v.leaders.map((l) => [l.role, l.name])).toEqual(want.leaders);
    expect(v.employer.name).toBe(expected.employers[ref]);
    if (want.creditCode) expect(v.employer.creditCode).toBe(want.creditCode);
    for (const k of [
      'positions',
      'internshipBase',
      'recruitmentInvite',
      'demandSurvey',
      'graduatesTracked',
      'satisfaction',
    ] as const)
      expect(v.outcomes[k], k).toBe(want[k]);
  });
});

describe('other layouts', () => {
  it('reads leaders from 书记 / 校长 / 其他校领导 columns', async () => {
    const { visits } = await read('leaders-in-columns.xlsx');
    for (const [ref, leaders] of Object.entries(EXPECTED['leaders-in-columns.xlsx'].leaders))
      expect(visits.get(ref)!.leaders.map((l) => [l.role, l.name])).toEqual(leaders);
  });

  it('reads dates of a workbook in the 1904 date system', async () => {
    const { visits, file } = await read('date1904.xlsx');
    expect(file.date1904).toBe(true);
    for (const [ref, date] of Object.entries(EXPECTED['date1904.xlsx'].visitedOn))
      expect(visits.get(ref)!.visitedOn).toBe(date);
  });

  it('reads a hidden sheet when no visible one holds a ledger', async () => {
    const { sheet, visits } = await read('hidden-only.xlsx');
    expect(sheet.name).toBe(EXPECTED['hidden-only.xlsx'].sheet);
    expect([...visits.keys()]).toEqual(EXPECTED['hidden-only.xlsx'].refs);
  });

  it('reads the template filled in by openpyxl, numbered leader columns included', async () => {
    const { visits, errors } = await read('template-filled.xlsx');
    expect(errors).toEqual([]);
    expect(visits.size).toBe(EXPECTED['template-filled.xlsx'].rows);
    expect(visits.get('RT-001')!.leaders).toEqual([
      { role: 'secretary', name: '张三' },
      { role: 'leader', name: '赵六' },
    ]);
  });
});

describe('bad files', () => {
  // too-many-rows.xlsx is refused while its rows are counted (the import use case), so it is read in full there.
  const refusedBeforeRows = Object.entries(EXPECTED.bad).filter(([name]) => name !== 'too-many-rows.xlsx');

  it.each(refusedBeforeRows)('refuses %s', async (name, [, code]) => {
    const error = await read(name).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(LedgerFileError);
    expect((error as LedgerFileError).code).toBe(code);
    expect((error as LedgerFileError).zh).toMatch(/[\u4e00-\u9fff]/);
  });
});
