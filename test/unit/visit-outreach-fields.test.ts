// Issue 15's optional visit fields: the event schema (staff, staff-only visits, place kind, new positions ≤ positions,
// hired, majors), the ledger cells and columns that carry them, and the notice block that reports their figures.
import { describe, expect, it } from 'vitest';
import { parseVisitEvent } from '../../shared/domain/visit-event.schema.ts';
import { parseMajors, parsePlaceKind, parseStaff } from '../../shared/domain/visit-ledger/cells.ts';
import { matchHeader, readHeaderRow } from '../../shared/domain/visit-ledger/columns.ts';
import { mapRow } from '../../shared/domain/visit-ledger/rows.ts';
import { TEMPLATE_COLUMNS } from '../../shared/domain/visit-ledger/template.ts';
import { buildProvinceNotice } from '../../shared/domain/notices/notice-content.ts';
import { renderHtml } from '../../shared/domain/notices/render-html.ts';
import { renderMarkdown } from '../../shared/domain/notices/render-markdown.ts';
import { renderText } from '../../shared/domain/notices/render-text.ts';
import { noOutreach } from '../../shared/domain/outreach.ts';
import { CAMPAIGN, sampleRankings, totals } from '../helpers/notices-factories.ts';

const base = {
  eventId: 'e-1',
  type: 'visit.recorded',
  occurredAt: '2022-04-02T10:00:00+08:00',
  campaignId: '2022',
  visit: {
    ref: 'v-1',
    universityCode: '4144010001',
    visitedOn: '2022-04-02',
    mode: 'onsite',
    leaders: [{ role: 'secretary', name: '张三' }],
    employer: { name: '华为技术有限公司' },
  },
};
const withVisit = (visit: Record<string, unknown>) => ({ ...base, visit: { ...base.visit, ...visit } });
const errorsOf = (body: unknown) => {
  const r = parseVisitEvent(body);
  return r.ok ? [] : r.errors;
};

describe('the event schema', () => {
  it('accepts an event without any of the new fields, as before', () => {
    expect(parseVisitEvent(base).ok).toBe(true);
  });

  it('accepts staff, a place kind, new positions, hires and majors', () => {
    const r = parseVisitEvent(
      withVisit({
        staff: [{ role: 'teacher', name: '李四' }, { role: 'counsellor' }, { role: 'administrator', name: '王五' }],
        placeKind: 'park',
        outcomes: { positions: 30, newPositions: 30, hired: 4 },
        majors: ['计算机科学与技术', '数控技术'],
      }),
    );
    expect(r.ok).toBe(true);
    if (r.ok && r.event.type !== 'visit.retracted') {
      expect(r.event.visit.staff).toHaveLength(3);
      expect(r.event.visit.placeKind).toBe('park');
      expect(r.event.visit.outcomes).toMatchObject({ newPositions: 30, hired: 4 });
      expect(r.event.visit.majors).toEqual(['计算机科学与技术', '数控技术']);
    }
  });

  it('accepts a visit by staff alone (no leader), with leaders empty or absent', () => {
    expect(parseVisitEvent(withVisit({ leaders: [], staff: [{ role: 'counsellor', name: '赵六' }] })).ok).toBe(true);
    const { leaders: _none, ...noLeaders } = base.visit;
    expect(parseVisitEvent({ ...base, visit: { ...noLeaders, staff: [{ role: 'teacher' }] } }).ok).toBe(true);
  });

  it('refuses a visit with neither a leader nor staff', () => {
    expect(errorsOf(withVisit({ leaders: [] }))).toEqual([
      expect.objectContaining({ path: '/visit/leaders', message: expect.stringContaining('at least 1 leader') }),
    ]);
    expect(errorsOf(withVisit({ leaders: [], staff: [] }))[0]?.path).toBe('/visit/leaders');
  });

  it('refuses new positions beyond the positions, unknown roles and kinds, and too many entries', () => {
    expect(errorsOf(withVisit({ outcomes: { positions: 5, newPositions: 6 } }))[0]?.path).toBe(
      '/visit/outcomes/newPositions',
    );
    expect(errorsOf(withVisit({ outcomes: { newPositions: 1 } }))[0]?.path).toBe('/visit/outcomes/newPositions');
    expect(errorsOf(withVisit({ outcomes: { hired: -1 } }))[0]?.path).toBe('/visit/outcomes/hired');
    expect(errorsOf(withVisit({ staff: [{ role: 'student' }] }))[0]?.path).toBe('/visit/staff/0/role');
    expect(errorsOf(withVisit({ placeKind: 'factory' }))[0]?.path).toBe('/visit/placeKind');
    expect(errorsOf(withVisit({ majors: ['  '] }))[0]?.path).toBe('/visit/majors/0');
    expect(errorsOf(withVisit({ majors: Array.from({ length: 51 }, (_, i) => `专业${i}`) }))[0]?.path).toBe(
      '/visit/majors',
    );
    expect(errorsOf(withVisit({ staff: Array.from({ length: 51 }, () => ({ role: 'teacher' })) }))[0]?.path).toBe(
      '/visit/staff',
    );
  });
});

describe('ledger cells and columns', () => {
  it('reads staff with names and roles, or roles alone', () => {
    expect(parseStaff('王五（辅导员）；赵六(专任教师)、行政人员')).toEqual({
      ok: true,
      value: [{ role: 'counsellor', name: '王五' }, { role: 'teacher', name: '赵六' }, { role: 'administrator' }],
    });
    expect(parseStaff('')).toEqual({ ok: true, value: [] });
    expect(parseStaff('王五')).toMatchObject({ ok: false, message: expect.stringContaining('身份') });
    expect(parseStaff('王五（学生）')).toMatchObject({ ok: false });
  });

  it('reads the kind of place, blank as not stated', () => {
    expect(parsePlaceKind('企业')).toEqual({ ok: true, value: 'enterprise' });
    expect(parsePlaceKind('工业园区')).toEqual({ ok: true, value: 'park' });
    expect(parsePlaceKind('行业协会')).toEqual({ ok: true, value: 'association' });
    expect(parsePlaceKind('事业单位')).toEqual({ ok: true, value: 'institution' });
    expect(parsePlaceKind('其他')).toEqual({ ok: true, value: 'other' });
    expect(parsePlaceKind('')).toEqual({ ok: true, value: undefined });
    expect(parsePlaceKind('工厂')).toMatchObject({ ok: false });
  });

  it('reads majors as a list', () => {
    expect(parseMajors('计算机科学与技术、电子信息工程；数控')).toEqual({
      ok: true,
      value: ['计算机科学与技术', '电子信息工程', '数控'],
    });
    expect(parseMajors('x'.repeat(101))).toMatchObject({ ok: false });
  });

  it('recognises the new headers, and the template carries them', () => {
    for (const [h, key] of [
      ['参与教职工', 'staff'],
      ['走访单位类型', 'placeKind'],
      ['新增岗位数', 'newPositions'],
      ['录用毕业生人数', 'hired'],
      ['需求专业或技能', 'majors'],
    ] as const) {
      expect(matchHeader(h)).toMatchObject({ key });
      expect(TEMPLATE_COLUMNS.map((c) => c.header)).toContain(h);
    }
  });

  const ctx = { campaign: { id: '2022', start: '2022-03-01', end: '2022-08-31' }, defaultUniversityCode: '4144010001' };
  const header = readHeaderRow(1, [
    '走访编号',
    '走访日期',
    '走访形式',
    '带队校领导',
    '用人单位名称',
    '提供岗位数',
    '参与教职工',
    '走访单位类型',
    '新增岗位数',
    '录用毕业生人数',
    '需求专业或技能',
  ]);

  it('maps a row with the new columns, and a staff-only row without leaders', () => {
    const row = mapRow(
      2,
      ['V-1', '2022-04-01', '实地走访', '', '甲公司', 40, '王五（辅导员）', '园区', 10, 2, '数控'],
      header,
      ctx,
    );
    expect(row?.errors).toEqual([]);
    expect(row?.visit).toMatchObject({
      leaders: [],
      staff: [{ role: 'counsellor', name: '王五' }],
      placeKind: 'park',
      outcomes: { positions: 40, newPositions: 10, hired: 2 },
      majors: ['数控'],
    });
    expect(parseVisitEvent({ ...base, visit: row!.visit }).ok).toBe(true);
  });

  it('refuses a row with neither leaders nor staff, and new positions beyond the positions', () => {
    const none = mapRow(2, ['V-2', '2022-04-01', '实地走访', '', '甲公司', 40, '', '', '', '', ''], header, ctx);
    expect(none?.errors.map((e) => e.column)).toEqual(['带队校领导']);
    const over = mapRow(
      2,
      ['V-3', '2022-04-01', '实地走访', '张三（书记）', '甲公司', 5, '', '', 6, '', ''],
      header,
      ctx,
    );
    expect(over?.errors).toEqual([expect.objectContaining({ column: '新增岗位数' })]);
  });
});

describe('the notice block', () => {
  it('shows staff, place kinds, new positions and hires in every form, as a block of its own', () => {
    const outreach = noOutreach();
    Object.assign(outreach, { allEmployersReached: 1001, staffVisits: 40, staffOnlyVisits: 12, staffParticipants: 75 });
    Object.assign(outreach, { newPositions: 4567, hired: 89 });
    outreach.placeKinds.enterprise = { visits: 900, employers: 800 };
    outreach.placeKinds.park = { visits: 30, employers: 25 };
    const s = sampleRankings();
    const ranking = {
      ...s.guangdong,
      rows: s.guangdong.rows.map((r, i) => ({
        ...r,
        outreach: { ...noOutreach(), newPositions: 10 * (i + 1), hired: i },
      })),
    };
    const model = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking,
      provinces: s.provinces,
      totals: totals({ outreach }),
      planFiledOn: '2022-03-15',
    });
    const top = ranking.rows[ranking.rows.length - 1]!;
    for (const text of [
      renderText(model),
      renderMarkdown(model),
      renderMarkdown(model, { flavor: 'robot' }),
      renderHtml(model),
    ]) {
      expect(text).toContain('全员联动与走访成效');
      expect(text).toContain('无校领导参加的走访12次');
      expect(text).toContain('全校覆盖用人单位（含教职工走访，去重）1,001家');
      expect(text).toContain('企业900次、800家');
      expect(text).toContain('园区30次、25家');
      expect(text).toContain('新增岗位4,567个');
      expect(text).toContain('录用毕业生89人');
      expect(text).toContain(`${top.universityName}（新增岗位${10 * ranking.rows.length}个`);
    }
  });

  it('leaves the block out of a notice whose totals predate these figures', () => {
    const s = sampleRankings();
    const model = buildProvinceNotice({
      campaign: CAMPAIGN,
      period: '2022-W14',
      provinceCode: '440000',
      provinceName: '广东省',
      ranking: s.guangdong,
      provinces: s.provinces,
      totals: totals(),
      planFiledOn: '2022-03-15',
    });
    expect(renderText(model)).not.toContain('全员联动与走访成效');
  });
});
