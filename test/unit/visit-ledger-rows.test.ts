// Headers as people write them, and one row → one visit or its reasons (shared/domain/visit-ledger/columns.ts, rows.ts,
// answers.ts).
import { describe, expect, it } from 'vitest';
import { columnLetter, roadError, rowResult } from '../../shared/domain/visit-ledger/answers.ts';
import {
  isHeaderCandidate,
  matchHeader,
  missingColumns,
  readHeaderRow,
} from '../../shared/domain/visit-ledger/columns.ts';
import { mapRow, type RowContext } from '../../shared/domain/visit-ledger/rows.ts';
import { TEMPLATE_COLUMNS } from '../../shared/domain/visit-ledger/template.ts';

describe('headers', () => {
  it.each([
    ['走访编号', 'ref'],
    [' 走 访 编 号 ', 'ref'],
    ['走　访　编　号', 'ref'],
    ['走访编号*', 'ref'],
    ['走访编号（必填）', 'ref'],
    ['走访日期(YYYY-MM-DD)', 'visitedOn'],
    ['走访方式', 'mode'],
    ['带队校领导（姓名及职务）', 'leaders'],
    ['用人单位（填报）', 'employerName'],
    ['统一社会信用代码', 'creditCode'],
    ['提供岗位数（个）', 'positions'],
    ['社会需求调查', 'demandSurvey'],
    ['书记', 'secretaries'],
  ])('reads %j as %s', (header, key) => {
    expect(matchHeader(header)).toMatchObject({ key });
  });

  it('reads numbered leader columns and ignores the columns it must not read', () => {
    expect(matchHeader('带队校领导2姓名')).toMatchObject({ key: 'leaderName', n: 2 });
    expect(matchHeader('带队校领导2职务')).toMatchObject({ key: 'leaderRole', n: 2 });
    expect(matchHeader('职务3')).toMatchObject({ key: 'leaderRole', n: 3 });
    expect(matchHeader('状态')).toBe('ignored');
    expect(matchHeader('用人单位（归并后）')).toBe('ignored');
    expect(matchHeader('联系电话')).toBeUndefined();
  });

  it('knows every column of its own template', () => {
    const header = readHeaderRow(
      1,
      TEMPLATE_COLUMNS.map((c) => c.header),
    );
    expect(header.columns).toHaveLength(TEMPLATE_COLUMNS.length);
    expect(missingColumns(header)).toEqual([]);
  });

  it('prefers an exact header over a loose one for the same field, whatever the order', () => {
    const header = readHeaderRow(1, ['用人单位（归并后）', '走访编号', '用人单位(单位全称)', '用人单位名称']);
    expect(header.columns.find((c) => c.key === 'employerName')?.header).toBe('用人单位名称');
  });

  it('does not take a title row for the header, and names the required columns a header lacks', () => {
    expect(isHeaderCandidate(readHeaderRow(1, ['XX大学2022年走访台账']))).toBe(false);
    const partial = readHeaderRow(3, ['走访编号', '走访日期', '用人单位名称']);
    expect(isHeaderCandidate(partial)).toBe(true);
    expect(missingColumns(partial)).toEqual(['走访形式', expect.stringContaining('带队校领导')]);
  });
});

const context: RowContext = {
  campaign: { id: '2022', start: '2022-03-01', end: '2022-08-31' },
  defaultUniversityCode: '4144010001',
};
const header = readHeaderRow(1, [
  '序号',
  '走访编号',
  '走访日期',
  '走访形式',
  '带队校领导',
  '用人单位名称',
  '统一社会信用代码',
  '提供岗位数',
  '建立实习实践基地',
  '备注',
]);

describe('a row', () => {
  it('becomes a visit', () => {
    const row = mapRow(
      2,
      [
        1,
        ' V-01 ',
        '2022/4/1',
        '实地走访',
        '张三（书记）',
        '华为技术有限公司',
        '9144 0300 1922 0382 16',
        '１２０',
        '是',
        '签约',
      ],
      header,
      context,
    );
    expect(row).toEqual({
      row: 2,
      ref: 'V-01',
      universityCode: '4144010001',
      errors: [],
      visit: {
        ref: 'V-01',
        universityCode: '4144010001',
        visitedOn: '2022-04-01',
        mode: 'onsite',
        leaders: [{ role: 'secretary', name: '张三' }],
        employer: { name: '华为技术有限公司', creditCode: '914403001922038216' },
        outcomes: { positions: 120, internshipBase: true },
        notes: '签约',
      },
    });
  });

  it('is nothing when only unread or blank cells are filled (trailing rows, a 序号 only)', () => {
    expect(mapRow(9, [9, '  ', null, undefined, ''], header, context)).toBeUndefined();
    expect(mapRow(9, [], header, context)).toBeUndefined();
    expect(mapRow(9, [null, { formulaWithoutValue: 'IF(A1="","",1)' }], header, context)).toBeUndefined();
  });

  it('collects every error with its column, cell and kind', () => {
    const row = mapRow(
      5,
      [null, 'V-02', '2022-09-30', '开会', '张三', '', '914403001922038217', -1, '也许'],
      header,
      context,
    )!;
    expect(row.visit).toBeUndefined();
    expect(row.errors.map((e) => [e.column, e.kind])).toEqual([
      ['走访日期', 'unprocessable'],
      ['走访形式', 'invalid'],
      ['带队校领导', 'invalid'],
      ['用人单位名称', 'invalid'],
      ['统一社会信用代码', 'unprocessable'],
      ['提供岗位数', 'invalid'],
      ['建立实习实践基地', 'invalid'],
    ]);
    const result = rowResult(row.row, row.ref, row.universityCode, 'invalid', row.errors);
    expect(result.errors![0]).toMatchObject({ column: '走访日期', cell: 'C5' });
  });

  it('needs a university: its 高校代码 cell, else the upload’s', () => {
    const withCode = readHeaderRow(1, ['高校代码', '走访编号', '走访日期', '走访形式', '带队校领导', '用人单位名称']);
    const { defaultUniversityCode: _none, ...province } = context;
    const row = (code: unknown) =>
      mapRow(2, [code as string, 'V', '2022-04-01', '线上', '张三（书记）', 'X公司'], withCode, province)!;
    expect(row(4144010002).universityCode).toBe('4144010002');
    expect(row('４１４４０１０００２').universityCode).toBe('4144010002');
    expect(row('12345').errors[0]).toMatchObject({ column: '高校代码', message: expect.stringContaining('10 位') });
    expect(row('').errors[0]).toMatchObject({ column: '高校代码', message: expect.stringContaining('请填写高校代码') });
  });

  it('reads numbered leader pairs, several names against one role, and says when they do not match', () => {
    const pairs = readHeaderRow(1, [
      '走访编号',
      '走访日期',
      '走访形式',
      '带队校领导1姓名',
      '带队校领导1职务',
      '带队校领导2姓名',
      '带队校领导2职务',
      '用人单位名称',
    ]);
    const row = (cells: unknown[]) =>
      mapRow(2, ['V', '2022-04-01', '线上', ...cells, 'X公司'] as never[], pairs, context)!;
    expect(row(['张三', '书记', '李四', '副校长']).visit?.leaders).toEqual([
      { name: '张三', role: 'secretary' },
      { name: '李四', role: 'leader' },
    ]);
    expect(row(['王五、赵六', '校领导', null, null]).visit?.leaders).toHaveLength(2);
    expect(row(['张三', null, null, null]).errors[0]).toMatchObject({ column: '带队校领导1职务' });
    expect(row([null, '书记', null, null]).errors[0]).toMatchObject({ column: '带队校领导1姓名' });
    expect(row(['张三、李四', '书记、校长、校领导', null, null]).errors[0]?.message).toContain('一一对应');
    expect(row([null, null, null, null]).errors[0]?.message).toContain('请填写带队校领导');
  });
});

describe('answers of the shared road', () => {
  it('are said in Chinese on the column their path names', () => {
    const withCode = readHeaderRow(1, ['高校代码', '走访编号', '走访日期', '走访形式', '带队校领导', '用人单位名称']);
    expect(
      roadError('forbidden', { path: '/visit/universityCode', message: 'outside' }, withCode, '4111010003'),
    ).toMatchObject({
      column: '高校代码',
      index: 1,
      kind: 'unprocessable',
      message: expect.stringContaining('不在本账号的范围内'),
    });
    expect(
      roadError(
        'unprocessable',
        { path: '/visit/universityCode', message: 'unknown university 4199999999: import it' },
        withCode,
        '4199999999',
      ),
    ).toMatchObject({ message: expect.stringContaining('未知的高校代码') });
    expect(roadError('invalid', { path: '/', message: 'x' }, withCode, 'u')).toMatchObject({
      column: '整行',
      kind: 'invalid',
    });
  });

  it('name cells by column letters', () => {
    expect([1, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});

describe('cells of any length', () => {
  const row = (leaders: string, notes = '') =>
    [1, 'V-01', '2022/4/1', '实地走访', leaders, '华为技术有限公司', '', '', '', notes] as const;

  it('refuses an over-long cell by its column before reading it, and says nothing else about that cell', () => {
    const mapped = mapRow(2, [...row('张三（'.repeat(5_000) + '书记）')], header, context)!;
    expect(mapped.visit).toBeUndefined();
    expect(mapped.errors).toEqual([
      {
        kind: 'invalid',
        column: '带队校领导',
        index: 5,
        message: expect.stringMatching(/^“带队校领导”列的内容过长：超过 6000 个字（现有 15003 个）/),
      },
    ]);
  });

  it('reads the worst cell within the bound in linear time', () => {
    // The old pattern's lazy name and lazy note backtracked cubically: 6,000 characters took minutes.
    for (const worst of ['(((((('.repeat(1_000), '张三(' + ' '.repeat(5_990) + 'x', '书记'.repeat(2_999) + '：)']) {
      const started = performance.now();
      mapRow(2, [...row(worst)], header, context);
      expect(performance.now() - started).toBeLessThan(200);
    }
  });

  it('keeps the long-notes message for notes under the bound and refuses them over it', () => {
    const long = mapRow(2, [...row('张三（书记）', '记'.repeat(2_500))], header, context)!;
    expect(long.errors.map((e) => e.message)).toEqual([expect.stringContaining('超过 2000 个字')]);
    const over = mapRow(2, [...row('张三（书记）', '记'.repeat(4_001))], header, context)!;
    expect(over.errors.map((e) => e.message)).toEqual([expect.stringContaining('“备注”列的内容过长')]);
  });
});
