// How people type a ledger's cells, read the way they meant it (shared/domain/visit-ledger/cells.ts).
import { describe, expect, it } from 'vitest';
import {
  cellProblem,
  cellText,
  excelSerialToDate,
  parseCount,
  parseDate,
  parseLeaders,
  splitBracket,
  splitColon,
  parseMode,
  parseRole,
  parseSatisfaction,
  parseYesNo,
  toHalfWidth,
  type DateContext,
} from '../../shared/domain/visit-ledger/cells.ts';

const ctx = { years: [2022] };
const date = (cell: Parameters<typeof parseDate>[0], context: DateContext = ctx) => {
  const r = parseDate(cell, context);
  return r.ok ? r.value : `error: ${r.message}`;
};

describe('dates', () => {
  it.each([
    [44652, '2022-04-01'],
    [44652.75, '2022-04-01'],
    [20220401, '2022-04-01'],
    ['2022/4/1', '2022-04-01'],
    ['2022-04-01', '2022-04-01'],
    ['2022.4.1', '2022-04-01'],
    ['2022年4月1日', '2022-04-01'],
    ['2022 年 4 月 1 日', '2022-04-01'],
    ['2022年4月1', '2022-04-01'],
    ['4月1日', '2022-04-01'],
    ['4/1', '2022-04-01'],
    ['２０２２－０４－０１', '2022-04-01'],
    ['２０２２年４月１日', '2022-04-01'],
    ['20220401', '2022-04-01'],
    ['44652', '2022-04-01'],
    ['2022-04-01 10:30', '2022-04-01'],
    ['2022-04-01T10:30:00', '2022-04-01'],
    [new Date(Date.UTC(2022, 3, 1)), '2022-04-01'],
  ])('reads %j as %s', (cell, iso) => {
    expect(date(cell)).toBe(iso);
  });

  it('counts 1904-system serials from 1904-01-01', () => {
    expect(date(43190, { years: [2022], date1904: true })).toBe('2022-04-01');
    expect(excelSerialToDate(43190, true)).toBe('2022-04-01');
  });

  it('gives a date without a year the campaign year in which it exists', () => {
    expect(date('2月29日', { years: [2023, 2024] })).toBe('2024-02-29');
  });

  it.each([['abc'], ['2022-02-30'], ['2022/13/1'], [12], [true], ['4月31日'], [null]])(
    'refuses %j with a Chinese message',
    (cell) => {
      expect(date(cell)).toMatch(/^error: .*(日期|请写成)/);
    },
  );
});

describe('yes / no', () => {
  it.each([
    ['是', true],
    ['否', false],
    ['Y', true],
    ['n', false],
    ['√', true],
    ['×', false],
    [1, true],
    [0, false],
    ['1', true],
    ['TRUE', true],
    ['false', false],
    [true, true],
    ['有', true],
    ['无', false],
    ['Ｙ', true],
  ])('reads %j as %s', (cell, value) => {
    expect(parseYesNo(cell)).toEqual({ ok: true, value });
  });

  it('reads blank as not stated, and refuses anything else', () => {
    expect(parseYesNo('  ')).toEqual({ ok: true, value: undefined });
    expect(parseYesNo('也许')).toMatchObject({ ok: false, message: expect.stringContaining('是/否') });
    expect(parseYesNo(2)).toMatchObject({ ok: false });
  });
});

describe('numbers', () => {
  it('reads whole numbers in full width, with thousands separators and a unit', () => {
    expect(parseCount('１２０', 0, 100)).toMatchObject({ ok: false }); // 120 > 100
    expect(parseCount('１２０', 0, 1000)).toEqual({ ok: true, value: 120 });
    expect(parseCount('1,200', 0, 10_000)).toEqual({ ok: true, value: 1200 });
    expect(parseCount('3人', 0, 10)).toEqual({ ok: true, value: 3 });
    expect(parseCount(12, 0, 100)).toEqual({ ok: true, value: 12 });
    expect(parseCount('', 0, 100)).toEqual({ ok: true, value: undefined });
  });

  it('refuses fractions, negatives and words', () => {
    expect(parseCount(1.5, 0, 100)).toMatchObject({ ok: false, message: expect.stringContaining('整数') });
    expect(parseCount(-1, 0, 100)).toMatchObject({ ok: false, message: expect.stringContaining('超出范围') });
    expect(parseCount('很多', 0, 100)).toMatchObject({ ok: false, message: expect.stringContaining('不是数字') });
  });

  it('reads satisfaction as 1–5 or in words', () => {
    expect(parseSatisfaction('非常满意')).toEqual({ ok: true, value: 5 });
    expect(parseSatisfaction('基本满意')).toEqual({ ok: true, value: 3 });
    expect(parseSatisfaction(4)).toEqual({ ok: true, value: 4 });
    expect(parseSatisfaction(7)).toMatchObject({ ok: false, message: expect.stringContaining('1 到 5') });
  });
});

describe('closed choices', () => {
  it.each([
    ['实地走访', 'onsite'],
    ['上门走访', 'onsite'],
    ['实地', 'onsite'],
    ['请进来', 'invited'],
    ['邀请来校', 'invited'],
    ['线上', 'online'],
    ['视频会议', 'online'],
    ['online', 'online'],
  ])('reads the mode %s as %s', (text, mode) => {
    expect(parseMode(text)).toEqual({ ok: true, value: mode });
  });

  it('refuses an unknown mode and a blank one', () => {
    expect(parseMode('开会')).toMatchObject({
      ok: false,
      message: expect.stringContaining('实地走访、请进来 或 线上'),
    });
    expect(parseMode('')).toMatchObject({ ok: false, message: expect.stringContaining('请填写走访形式') });
  });

  it.each([
    ['书记', 'secretary'],
    ['党委书记', 'secretary'],
    ['校党委书记', 'secretary'],
    ['校长', 'president'],
    ['院长', 'president'],
    ['副书记', 'leader'],
    ['党委副书记', 'leader'],
    ['副校长', 'leader'],
    ['纪委书记', 'leader'],
    ['校领导', 'leader'],
    ['leader', 'leader'],
  ])('reads the role %s as %s', (text, role) => {
    expect(parseRole(text)).toBe(role);
  });
});

describe('leaders in one cell', () => {
  const leaders = (text: string, role?: 'secretary' | 'president' | 'leader') => {
    const r = parseLeaders(text, role);
    return r.ok ? r.value.map((l) => `${l.name}/${l.role}`) : `error: ${r.message}`;
  };

  it.each([
    ['张三（书记）；李四（校长）', ['张三/secretary', '李四/president']],
    ['张三(党委书记)、李四(副校长)', ['张三/secretary', '李四/leader']],
    ['张三【书记】,李四【校长】', ['张三/secretary', '李四/president']],
    ['书记：张三，校长：李四', ['张三/secretary', '李四/president']],
    ['校领导：王五、赵六', ['王五/leader', '赵六/leader']],
    ['张三 书记\n李四 校长', ['张三/secretary', '李四/president']],
    ['张三（书记）；', ['张三/secretary']],
  ])('reads %j', (text, expected) => {
    expect(leaders(text)).toEqual(expected);
  });

  it('takes a column’s role for bare names, and keeps a role written in brackets', () => {
    expect(leaders('王五、赵六', 'leader')).toEqual(['王五/leader', '赵六/leader']);
    expect(leaders('王五（副书记）', 'leader')).toEqual(['王五/leader']);
  });

  it('refuses a bare name where the role decides the figures, and a role without a name', () => {
    expect(leaders('张三')).toMatch(/^error: 没有注明“张三”的职务/);
    expect(leaders('张三（主任）')).toMatch(/^error: “主任”不是职务/);
    expect(leaders('书记')).toMatch(/^error: /);
  });
});

describe('cells', () => {
  it('folds full width to half width and reads numbers as written', () => {
    expect(toHalfWidth('ＡＢＣ１２３（）　')).toBe('ABC123() ');
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText(120)).toBe('120');
  });

  it('names an Excel error value and a formula without a result', () => {
    expect(cellProblem({ error: '#REF!' })).toContain('#REF!');
    expect(cellProblem({ formulaWithoutValue: 'A1+1' })).toContain('公式');
    expect(cellProblem('x')).toBeUndefined();
  });
});

describe('brackets and colons, read by a scanner', () => {
  it.each([
    ['张三（书记）', { name: '张三', note: '书记' }],
    ['张三 ( 党委书记 )', { name: '张三', note: '党委书记' }],
    ['李四(小)(校长)', { name: '李四(小)', note: '校长' }],
    ['王五【副校长]', { name: '王五', note: '副校长' }],
    ['王五((校长)', { name: '王五', note: '(校长' }],
    ['(书记)', undefined],
    ['张三()', undefined],
    ['张三', undefined],
    ['张三(书记', undefined],
  ])('%j', (entry, expected) => {
    expect(splitBracket(entry)).toEqual(expected);
  });

  it('splits at the first colon, both sides non-empty', () => {
    expect(splitColon('书记：张三')).toEqual({ before: '书记', after: '张三' });
    expect(splitColon('书记 : 张三:李四')).toEqual({ before: '书记', after: '张三:李四' });
    expect(splitColon('：张三')).toBeUndefined();
    expect(splitColon('书记：')).toBeUndefined();
  });
});
