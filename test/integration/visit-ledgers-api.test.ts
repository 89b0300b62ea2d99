// Spreadsheet ledgers through HTTP (issue 14): the template, uploads of files written by openpyxl and Python's
// codecs, the answers per row, the annotated copy, idempotence (same file twice, a corrected file), whole mode's
// retractions with their confirmation, a province's ledger, and every bad file refused with nothing stored.
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../helpers/api.ts';
import { insertCampaign, insertUniversities } from '../helpers/rankings-factories.ts';
import { useTestServices } from '../helpers/setup.ts';
import {
  EXPECTED,
  fixture,
  readAnnotated,
  U1,
  U2,
  U3,
  uploadLedger,
  type SpellingsExpected,
} from '../helpers/visit-ledgers.ts';

const services = useTestServices({ api: true });
let uniKey: string;
let provinceKey: string;
let otherUniKey: string;
let wholeKey: string;
const U4 = '4144010004';

beforeAll(async () => {
  const { db } = services;
  await insertUniversities(db, [
    { code: U1, name: '测试大学一' },
    { code: U2, name: '测试大学二' },
    { code: U3, name: '北京测试大学', provinceCode: '110000' },
    { code: U4, name: '测试大学四', level: '专科' },
  ]);
  await insertCampaign(db);
  uniKey = await createApiKey(db, `university:${U1}`);
  otherUniKey = await createApiKey(db, `university:${U2}`);
  provinceKey = await createApiKey(db, 'province:440000');
  wholeKey = await createApiKey(db, `university:${U4}`);
});

const upload = (key: string, name: string, fields: Record<string, string> = {}, bytes = fixture(name)) =>
  uploadLedger(services.api.url, key, bytes, name, fields);

async function inboxCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbox_events`.execute(services.db);
  return rows[0]!.n;
}

/** The latest stored event of each visit of the university, by ref. */
async function storedVisits(universityCode: string): Promise<Map<string, any>> {
  const { rows } = await sql<{ visit_ref: string; raw_body: string }>`
    SELECT DISTINCT ON (visit_ref) visit_ref, raw_body FROM inbox_events
    WHERE university_code = ${universityCode} ORDER BY visit_ref, occurred_at DESC, event_id COLLATE "C" DESC`.execute(
    services.db,
  );
  return new Map(rows.map((r) => [r.visit_ref, JSON.parse(r.raw_body)]));
}

async function download(url: string, key: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(`${services.api.url}${url}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

function expectSpellings(stored: Map<string, any>, expected: SpellingsExpected) {
  for (const [ref, v] of Object.entries(expected.visits)) {
    const event = stored.get(ref);
    expect(event, ref).toBeDefined();
    const visit = event.visit;
    expect(visit.visitedOn, ref).toBe(v.visitedOn);
    expect(visit.mode, ref).toBe(v.mode);
    expect(
      visit.leaders.map((l: { role: string; name: string }) => [l.role, l.name]),
      ref,
    ).toEqual(v.leaders);
    expect(visit.employer.name, ref).toBe(expected.employers[ref]);
    if (v.creditCode) expect(visit.employer.creditCode, ref).toBe(v.creditCode);
    for (const k of [
      'positions',
      'internshipBase',
      'recruitmentInvite',
      'demandSurvey',
      'graduatesTracked',
      'satisfaction',
    ] as const)
      if (v[k] !== undefined) expect(visit.outcomes[k], `${ref} ${k}`).toBe(v[k]);
  }
}

describe('the template', () => {
  it('downloads as .xlsx with the 走访台账 sheet, the instructions sheet and drop-down lists', async () => {
    const got = await download('/v1/visit-ledgers/template.xlsx', uniKey);
    expect(got.status).toBe(200);
    expect(got.type).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(got.bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['走访台账', '填写说明']);
    const header = wb.getWorksheet('走访台账')!.getRow(1).values as unknown[];
    expect(header).toContain('走访编号');
    expect(header).toContain('带队校领导1职务');
    expect(wb.getWorksheet('走访台账')!.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('needs a key', async () => {
    const res = await fetch(`${services.api.url}/v1/visit-ledgers/template.xlsx`);
    expect(res.status).toBe(401);
  });
});

describe('uploading a ledger', () => {
  it('reads every spelling of an .xlsx written by openpyxl, and handing it in twice changes nothing', async () => {
    const before = await inboxCount();
    const first = await upload(uniKey, 'spellings.xlsx');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const expected = EXPECTED['spellings.xlsx'];
    expect(first.body.summary).toMatchObject({
      sheet: expected.sheet,
      headerRow: expected.headerRow,
      rows: 11,
      accepted: 11,
      invalid: 0,
      unprocessable: 0,
    });
    expect(first.body.rows.every((r: { status: string }) => r.status === 'accepted')).toBe(true);
    expect(first.body.rows.map((r: { ref: string }) => r.ref)).toEqual(Object.keys(expected.visits));
    expect(await inboxCount()).toBe(before + 11);
    expectSpellings(await storedVisits(U1), expected);

    const again = await upload(uniKey, 'spellings.xlsx');
    expect(again.status).toBe(200);
    expect(again.body.summary).toMatchObject({ rows: 11, duplicate: 11, accepted: 0, amended: 0 });
    expect(await inboxCount()).toBe(before + 11);
  });

  it('reads the same rows from GBK and UTF-8 CSV files: the same visits, so both answer duplicate', async () => {
    for (const name of ['spellings-gbk.csv', 'spellings-utf8.csv'] as const) {
      const res = await upload(uniKey, name);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.summary).toMatchObject({
        format: 'csv',
        encoding: EXPECTED[name].encoding,
        rows: 11,
        duplicate: 11,
      });
    }
  });

  it('amends exactly the rows a corrected file changes', async () => {
    const text = fixture('spellings-utf8.csv').toString('utf8');
    const corrected = text.replace('S-03,广东测试用人单位03有限公司,线上', 'S-03,广东测试用人单位03有限公司,实地走访');
    expect(corrected).not.toBe(text);
    const before = await inboxCount();
    const res = await upload(uniKey, 'corrected.csv', {}, Buffer.from(corrected, 'utf8'));
    expect(res.status).toBe(200);
    expect(res.body.summary).toMatchObject({ rows: 11, amended: 1, duplicate: 10, accepted: 0 });
    const amended = res.body.rows.find((r: { status: string }) => r.status === 'amended');
    expect(amended).toMatchObject({ ref: 'S-03', row: 4 });
    expect(amended.eventId).toMatch(/^sheet:4144010001:/);
    expect(await inboxCount()).toBe(before + 1);
    const stored = await storedVisits(U1);
    expect(stored.get('S-03')).toMatchObject({ type: 'visit.amended', visit: { mode: 'onsite' } });
    // and changing it back is a new amendment, not a conflict with the first event of that content
    const back = await upload(uniKey, 'spellings-utf8.csv');
    expect(back.body.summary).toMatchObject({ amended: 1, duplicate: 10 });
    expect((await storedVisits(U1)).get('S-03').visit.mode).toBe('online');
  });

  it('reads leaders in 书记 / 校长 / 其他校领导 columns, the 1904 date system and a ledger on a hidden sheet', async () => {
    const columns = await upload(uniKey, 'leaders-in-columns.xlsx');
    expect(columns.body.summary).toMatchObject({ rows: 4, accepted: 4 });
    const stored = await storedVisits(U1);
    for (const [ref, leaders] of Object.entries(EXPECTED['leaders-in-columns.xlsx'].leaders))
      expect(stored.get(ref).visit.leaders.map((l: { role: string; name: string }) => [l.role, l.name])).toEqual(
        leaders,
      );
    const mac = await upload(uniKey, 'date1904.xlsx');
    expect(mac.body.summary).toMatchObject({ rows: 2, accepted: 2 });
    const macStored = await storedVisits(U1);
    for (const [ref, date] of Object.entries(EXPECTED['date1904.xlsx'].visitedOn))
      expect(macStored.get(ref).visit.visitedOn).toBe(date);
    const hidden = await upload(uniKey, 'hidden-only.xlsx');
    expect(hidden.body.summary).toMatchObject({ sheet: EXPECTED['hidden-only.xlsx'].sheet, accepted: 1 });
  });

  it('answers each row with its status and Chinese errors by column, and the annotated copy marks the failing cells', async () => {
    const before = await inboxCount();
    const res = await upload(uniKey, 'row-errors.xlsx');
    expect(res.status).toBe(200);
    const expected = EXPECTED['row-errors.xlsx'].rows;
    expect(res.body.rows.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual(
      expected.map((r) => [r.row, r.status]),
    );
    for (const exp of expected) {
      const got = res.body.rows.find((r: { row: number }) => r.row === exp.row);
      expect(
        (got.errors ?? []).map((e: { column: string }) => e.column),
        `row ${exp.row}`,
      ).toEqual(exp.columns);
      for (const e of got.errors ?? []) expect(e.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await inboxCount()).toBe(before + 2);

    expect(res.body.annotated).toMatch(/^\/v1\/visit-ledgers\/[\w-]+\/annotated\.xlsx$/);
    const copy = await download(res.body.annotated, uniKey);
    expect(copy.status).toBe(200);
    const { cells } = await readAnnotated(copy.bytes);
    expect(cells.get('J1')?.value).toBe('状态');
    expect(cells.get('B2')).toMatchObject({ value: 'abc', red: true });
    expect(cells.get('B2')?.note).toContain('不是日期');
    expect(cells.get('J2')?.value).toBe('格式有误');
    expect(cells.get('F6')?.red).toBe(true); // the credit code with a wrong check character
    expect(cells.get('J6')?.value).toBe('未通过校验');
    expect(cells.get('A12')?.note).toContain('与第 11 行重复');
    expect(cells.get('J11')?.value).toBe('已接收');
    expect(cells.get('E11')?.red).toBe(false);
  });

  it('keeps the annotated copy to the uploader’s scope', async () => {
    const res = await upload(uniKey, 'row-errors.xlsx');
    expect((await download(res.body.annotated, otherUniKey)).status).toBe(404);
    expect((await download(res.body.annotated, provinceKey)).status).toBe(404);
    expect((await download(res.body.annotated, uniKey)).status).toBe(200);
    expect((await download('/v1/visit-ledgers/nosuchcopy0000/annotated.xlsx', uniKey)).status).toBe(404);
  });

  it('takes a raw .xlsx body with its options in the query', async () => {
    const res = await fetch(`${services.api.url}/v1/visit-ledgers?dryRun=true`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${uniKey}`,
        'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
      body: fixture('spellings.xlsx'),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: unknown }).summary).toMatchObject({ dryRun: true, rows: 11 });
  });
});

describe('a province’s ledger', () => {
  it('stores the rows of its own universities and refuses the others row by row', async () => {
    const res = await upload(provinceKey, 'province.xlsx');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const expected = EXPECTED['province.xlsx'].rows;
    expect(res.body.rows.map((r: { row: number; status: string }) => [r.row, r.status])).toEqual(
      expected.map((r) => [r.row, r.status]),
    );
    for (const exp of expected) {
      const got = res.body.rows.find((r: { row: number }) => r.row === exp.row);
      expect((got.errors ?? []).map((e: { column: string }) => e.column)).toEqual(exp.columns);
    }
    expect((await storedVisits(U2)).get('P-02')).toBeDefined();
    expect((await storedVisits(U3)).size).toBe(0);
  });

  it('answers another university’s rows alike whether or not that university holds the visit', async () => {
    const csv = (rows: Array<[string, string, string]>) =>
      Buffer.from(
        '\ufeff高校代码,走访日期,走访编号,用人单位名称,走访方式,带队校领导（姓名及职务）,提供岗位数（个）\n' +
          rows
            .map(([code, ref, employer]) => `${code},2022-04-06,${ref},${employer},实地走访,张三（书记）,10`)
            .join('\n') +
          '\n',
      );
    const own = await upload(uniKey, 'own.csv', {}, csv([[U1, 'ORACLE-1', '广东测试探查单位有限公司']]));
    expect(own.body.rows.map((r: { status: string }) => r.status)).toEqual(['accepted']);
    // Another university's key sends the very same row (which U1 holds) and a row U1 does not hold.
    const probe = await upload(
      otherUniKey,
      'probe.csv',
      {},
      csv([
        [U1, 'ORACLE-1', '广东测试探查单位有限公司'],
        [U1, 'ORACLE-2', '广东测试探查单位有限公司'],
      ]),
    );
    expect(probe.status, JSON.stringify(probe.body)).toBe(200);
    const [held, absent] = probe.body.rows as Array<{
      status: string;
      errors: Array<{ column: string; message: string; cell?: string }>;
    }>;
    expect(held!.status).toBe('unprocessable');
    expect(absent!.status).toBe(held!.status);
    const withoutCell = (errors: Array<{ cell?: string }>) => errors.map(({ cell: _cell, ...e }) => e);
    expect(withoutCell(absent!.errors)).toEqual(withoutCell(held!.errors));
    expect(held!.errors[0]!.message).toContain('不在本账号的范围内');
  });

  it('refuses a university key naming another university (403) and a province ledger without university codes (422)', async () => {
    const other = await upload(uniKey, 'spellings.xlsx', { universityCode: U2 });
    expect(other.status).toBe(403);
    const none = await upload(provinceKey, 'spellings.xlsx');
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('no-university');
  });
});

describe('whole ledger mode', () => {
  const ledger = (refs: string[]) =>
    Buffer.from(
      [
        '走访编号,走访日期,走访形式,带队校领导,用人单位名称',
        ...refs.map((r) => `${r},2022-05-01,实地走访,张三（书记）,整本单位${r}`),
      ].join('\n'),
      'utf8',
    );

  it('shows the count first, retracts only once confirmed with it, and touches nothing before', async () => {
    const first = await upload(wholeKey, 'whole.csv', {}, ledger(['W-1', 'W-2', 'W-3']));
    expect(first.body.summary).toMatchObject({ accepted: 3 });
    const before = await inboxCount();

    const unconfirmed = await upload(wholeKey, 'whole.csv', { mode: 'whole' }, ledger(['W-1', 'W-3']));
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body).toMatchObject({ code: 'confirm-retractions' });
    expect(unconfirmed.body.detail).toContain('confirm=1');
    expect(await inboxCount()).toBe(before);

    const preview = await upload(wholeKey, 'whole.csv', { mode: 'whole', dryRun: 'true' }, ledger(['W-1', 'W-3']));
    expect(preview.status).toBe(200);
    expect(preview.body.summary).toMatchObject({
      dryRun: true,
      retracted: 1,
      retractions: [{ universityCode: U4, ref: 'W-2' }],
    });
    expect(await inboxCount()).toBe(before);

    const wrong = await upload(wholeKey, 'whole.csv', { mode: 'whole', confirm: '2' }, ledger(['W-1', 'W-3']));
    expect(wrong.status).toBe(409);

    const applied = await upload(wholeKey, 'whole.csv', { mode: 'whole', confirm: '1' }, ledger(['W-1', 'W-3']));
    expect(applied.status).toBe(200);
    expect(applied.body.summary).toMatchObject({ retracted: 1, duplicate: 2 });
    expect((await storedVisits(U4)).get('W-2')).toMatchObject({ type: 'visit.retracted' });
    expect(await inboxCount()).toBe(before + 1);

    // Nothing left to retract: no confirmation needed.
    const again = await upload(wholeKey, 'whole.csv', { mode: 'whole' }, ledger(['W-1', 'W-3']));
    expect(again.body.summary).toMatchObject({ retracted: 0, duplicate: 2 });
  });
});

describe('bad files', () => {
  it.each(Object.entries(EXPECTED.bad))(
    'refuses %s with a clear problem and stores nothing',
    async (name, [status, code]) => {
      const before = await inboxCount();
      const copies = await services.db.selectFrom('visit_ledger_uploads').select('id').execute();
      const res = await upload(uniKey, name);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body).toMatchObject({ status, code });
      expect(res.body.detail.split(' / ')[0]).toMatch(/[\u4e00-\u9fff]/); // Chinese, then English
      expect(res.body.detail).toMatch(/ \/ [a-z]/i);
      expect(await inboxCount()).toBe(before);
      expect(await services.db.selectFrom('visit_ledger_uploads').select('id').execute()).toHaveLength(copies.length);
    },
  );

  it('refuses a file over 20 MB with 413', async () => {
    const big = Buffer.alloc(21 * 2 ** 20, 0x41);
    const res = await upload(uniKey, 'big.csv', {}, big);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'too-large' });
  });

  it('refuses an upload without a file, and bad options, with 400', async () => {
    const form = new FormData();
    form.append('mode', 'whole');
    const res = await fetch(`${services.api.url}/v1/visit-ledgers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${uniKey}` },
      body: form,
    });
    expect(res.status).toBe(400);
    const bad = await upload(uniKey, 'spellings.xlsx', { mode: 'replace' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/mode');
  });
});
