// Every list of a notice in its stated order (list-order.ts), each order computed here from the rows themselves, and
// the national behind list cut to the worst ones with "列出 N 所，共 M 所" in every form.
import { describe, expect, it } from 'vitest';
import { NOTICE_LIST_ROWS } from '../../shared/domain/notices/format.ts';
import { improvedUniversities, modelEmployers } from '../../shared/domain/notices/model-cases.ts';
import {
  buildCentralNotice,
  buildNationalNotice,
  buildProvinceNotice,
  type NationalNotice,
} from '../../shared/domain/notices/notice-content.ts';
import { buildOfficialDocument, type Issuer } from '../../shared/domain/notices/official-document.ts';
import { nationalPeople, provincePeople } from '../../shared/domain/notices/people-section.ts';
import { renderHtml } from '../../shared/domain/notices/render-html.ts';
import { renderMarkdown } from '../../shared/domain/notices/render-markdown.ts';
import { renderText } from '../../shared/domain/notices/render-text.ts';
import type { ProvinceRankRow, UniversityRankRow } from '../../shared/domain/ranking.types.ts';
import { CAMPAIGN, provinceRow, totals, universityRow } from '../helpers/notices-factories.ts';

/** A small deterministic generator (mulberry32: the rows are the same on every run). */
function random(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

const PROVINCES = ['110000', '440000', '510000'];
const NAMES: Record<string, string> = { '110000': '北京市', '440000': '广东省', '510000': '四川省' };

/**
 * `n` universities over three provinces with many ties in completion, ranked by the ranking's keys (completion desc,
 * employers desc, positions desc, code; equal keys share a rank); behind below 0.4.
 */
function world(n: number): UniversityRankRow[] {
  const rnd = random(20220301);
  const rows = Array.from({ length: n }, (_, i) => {
    const code = `41${String(1000000 + ((i * 7919) % 9000000)).padStart(8, '0')}`;
    const completion = rnd(21) / 20;
    return universityRow({
      universityCode: code,
      universityName: `测序大学${code}`,
      provinceCode: PROVINCES[rnd(3)]!,
      completion,
      employersVisited: rnd(4),
      positions: rnd(3) * 10,
      onsiteShare: rnd(5) === 0 ? null : rnd(10) / 10,
      behind: completion < 0.4,
      targets: { principal: 100, new: null },
      onsiteFlag: undefined,
    });
  });
  const keys = (a: UniversityRankRow, b: UniversityRankRow) =>
    b.completion - a.completion || b.employersVisited - a.employersVisited || b.positions - a.positions;
  rows.sort((a, b) => keys(a, b) || (a.universityCode < b.universityCode ? -1 : 1));
  rows.forEach((r, i) => (r.rank = i > 0 && keys(rows[i - 1]!, r) === 0 ? rows[i - 1]!.rank : i + 1));
  // shuffled: the builders must not rely on the order they are given
  return rows
    .map((r) => [rnd(1000), r] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, r]) => r);
}

const code = (r: { universityCode: string }) => r.universityCode;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** Worst first, by the keys themselves: lowest completion, fewest employers visited, fewest positions, then code. */
const worstFirst = (rows: UniversityRankRow[]) =>
  [...rows].sort(
    (a, b) =>
      a.completion - b.completion ||
      a.employersVisited - b.employersVisited ||
      a.positions - b.positions ||
      cmp(a.universityCode, b.universityCode),
  );
const byRank = (rows: UniversityRankRow[]) =>
  [...rows].sort((a, b) => a.rank - b.rank || cmp(a.universityCode, b.universityCode));

function provinceRanking(rows: UniversityRankRow[]): ProvinceRankRow[] {
  return PROVINCES.map((p, i) => {
    const mine = rows.filter((r) => r.provinceCode === p);
    return provinceRow({
      rank: [2, 1, 3][i]!,
      provinceCode: p,
      provinceName: NAMES[p]!,
      universities: mine.length,
      meanCompletion: 0.5 - i / 10,
    });
  }).reverse();
}

function national(n: number): { model: NationalNotice; rows: UniversityRankRow[] } {
  const rows = world(n);
  const model = buildNationalNotice({
    campaign: CAMPAIGN,
    period: '2022-W14',
    national: { campaignId: '2022', asOf: '2022-04-10', scope: 'national', rows },
    provinces: { campaignId: '2022', asOf: '2022-04-10', scope: 'provinces', rows: provinceRanking(rows) },
    totals: totals(),
    plans: [
      { provinceCode: '510000', provinceName: '四川省', filedOn: null },
      { provinceCode: '110000', provinceName: '北京市', filedOn: null },
      { provinceCode: '440000', provinceName: '广东省', filedOn: '2022-03-20' },
    ],
    rules: { behindFactor: 0.8, onsiteShareFlag: 0.5, planDeadline: '2022-03-15' },
  });
  return { model, rows };
}

/** The university codes a rendered text names, in the order it names them. */
const codesIn = (text: string) => [...text.matchAll(/测序大学(\d{10})/g)].map((m) => m[1]!);
const section = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to));

const ISSUER: Issuer = { mark: '教育部高校学生司文件', office: '教育部高校学生司', abbreviation: '教学司', cc: [] };

describe('the national notice lists universities behind worst first, at most NOTICE_LIST_ROWS, saying how many of how many', () => {
  const { model, rows } = national(600);
  const behind = worstFirst(rows.filter((r) => r.behind));
  const shown = behind.slice(0, NOTICE_LIST_ROWS).map(code);
  const note = `按完成度由低到高列出${NOTICE_LIST_ROWS}所，共${behind.length}所，完整名单见附件《电子台账》`;

  it('holds every university behind in the model, worst first', () => {
    expect(behind.length).toBeGreaterThan(NOTICE_LIST_ROWS);
    expect(model.behind.map(code)).toEqual(behind.map(code));
    // the least behind (highest completion among them) are past the cut
    expect(behind.at(-1)!.completion).toBeGreaterThan(behind[NOTICE_LIST_ROWS - 1]!.completion);
    expect(shown).not.toContain(code(behind.at(-1)!));
  });

  it('shows the worst ones in HTML, Markdown, text and the official document, with the N of M sentence', () => {
    const html = renderHtml(model);
    expect(codesIn(section(html, '四、进度落后高校', '五、典型'))).toEqual(shown);
    expect(html).toContain(note);
    const md = renderMarkdown(model);
    expect(codesIn(section(md, '## 四、进度落后高校', '## 五、典型'))).toEqual(shown);
    expect(md).toContain(note);
    const text = renderText(model);
    expect(codesIn(section(text, '四、进度落后高校', '五、典型'))).toEqual(shown);
    expect(text).toContain(note);
    const doc = buildOfficialDocument(model, ISSUER, []);
    const table = doc.blocks.find((b) => b.kind === 'table' && b.role === 'universities');
    expect(table?.kind === 'table' && table.rows.map((r) => r[2]!.replace('测序大学', ''))).toEqual(shown);
    expect(doc.blocks.some((b) => b.kind === 'paragraph' && b.text.includes(note))).toBe(true);
    // its rank column reads from the bottom of the ranking
    const ranks = table?.kind === 'table' ? table.rows.map((r) => Number(r[0])) : [];
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it('lists everything else in its stated order', () => {
    expect(model.provinces.map((p) => p.rank)).toEqual([1, 2, 3]);
    expect(model.plansMissing.map((p) => p.provinceCode)).toEqual(['110000', '510000']);
    expect(model.plansLate.map((p) => p.provinceCode)).toEqual(['440000']);
    const perProvince = PROVINCES.map((p) => ({ p, n: behind.filter((r) => r.provinceCode === p).length })).sort(
      (a, b) => b.n - a.n || cmp(a.p, b.p),
    );
    expect(model.behindByProvince.map((b) => [b.provinceCode, b.behind])).toEqual(perProvince.map((x) => [x.p, x.n]));
    const visited = byRank(rows.filter((r) => r.employersVisited > 0));
    expect(model.examples.universities.map(code)).toEqual(visited.slice(0, 10).map(code));
    const leaders = ['440000', '110000', '510000'].map((p) => visited.find((r) => r.provinceCode === p)!);
    expect(model.examples.provinceLeaders.map(code)).toEqual(leaders.map(code));
  });

  it('shows the whole list, and no sentence, when it is short', () => {
    const small = national(60).model;
    expect(small.behind.length).toBeLessThan(NOTICE_LIST_ROWS);
    expect(codesIn(section(renderHtml(small), '四、进度落后高校', '五、典型'))).toEqual(small.behind.map(code));
    expect(renderText(small)).not.toContain('按完成度由低到高列出');
  });
});

describe('province and central notices', () => {
  const rows = world(150).map((r) => ({ ...r, provinceCode: '440000' }));
  const input = {
    campaign: CAMPAIGN,
    period: '2022-W14',
    ranking: { campaignId: '2022', asOf: '2022-04-10', scope: 'province:440000' as const, rows },
    totals: totals(),
  };
  const province = buildProvinceNotice({ ...input, provinceCode: '440000', provinceName: '广东省', planFiledOn: null });
  const central = buildCentralNotice({ ...input, ranking: { ...input.ranking, scope: 'central' } });

  it('rank the universities, list 达标 by rank, behind worst first and low on-site share lowest first', () => {
    for (const m of [province, central]) {
      expect(m.ranking.map(code)).toEqual(byRank(rows).map(code));
      expect(m.meeting.map(code)).toEqual(byRank(rows.filter((r) => r.completion >= 1)).map(code));
      expect(m.behind.map(code)).toEqual(worstFirst(rows.filter((r) => r.behind)).map(code));
      const flagged = byRank(rows.filter((r) => r.onsiteShare !== null && r.onsiteShare < 0.5)).sort(
        (a, b) => a.onsiteShare! - b.onsiteShare!,
      );
      expect(m.onsiteFlagged.map(code)).toEqual(flagged.map(code));
      const text = renderText(m);
      expect(codesIn(section(text, '四、进度落后高校', '五、'))).toEqual(m.behind.map(code));
    }
  });
});

describe('people, model cases and outreach', () => {
  it('people: plans by university code, low coverage lowest first, provinces by code', () => {
    const plans = ['4144000003', '4111000002', '4144000001', '4151000001'].map((c) => ({
      universityCode: c,
      universityName: `测序大学${c}`,
      provinceCode: `${c.slice(2, 4)}0000`,
      filedOn: c.endsWith('1') ? '2022-03-20' : null,
    }));
    const teams = [
      { universityCode: '4144000003', rosterSize: 4, withVisits: 1, withoutVisits: ['甲', '乙', '丙'] },
      { universityCode: '4111000002', rosterSize: 4, withVisits: 0, withoutVisits: ['丁'] },
      { universityCode: '4144000001', rosterSize: 5, withVisits: 1, withoutVisits: ['戊'] },
    ];
    const input = { asOf: '2022-04-10', planDeadline: '2022-03-15', plans, teams };
    const p = provincePeople(input);
    expect(p.plansMissing.map(code)).toEqual(['4111000002', '4144000003']);
    expect(p.plansLate.map(code)).toEqual(['4144000001', '4151000001']);
    expect(p.lowCoverage.map(code)).toEqual(['4111000002', '4144000001', '4144000003']); // 0, 0.2, 0.25
    const n = nationalPeople(input, new Map());
    expect(n.byProvince.map((x) => x.provinceCode)).toEqual(['110000', '440000', '510000']);
  });

  it('典型: employers by hired and by positions, universities by gain then rank', () => {
    const e = (employerId: number, hired: number, positions: number) => ({
      employerId,
      employerName: `单位${employerId}`,
      hired,
      positions,
      newPositions: 0,
      universities: 1,
    });
    const list = [e(3, 2, 10), e(1, 2, 10), e(2, 5, 1), e(4, 2, 30), e(5, 0, 50)];
    const m = modelEmployers(list, list);
    expect(m.byHired.map((x) => x.employerId)).toEqual([2, 4, 1, 3]);
    expect(m.byPositions.map((x) => x.employerId)).toEqual([5, 4, 1, 3, 2]);
    const rows = [
      universityRow({ rank: 2, universityCode: 'B', completion: 0.5 }),
      universityRow({ rank: 1, universityCode: 'A', completion: 0.75 }),
      universityRow({ rank: 3, universityCode: 'C', completion: 0.375 }),
    ];
    const gains = improvedUniversities(
      rows,
      new Map([
        ['A', 0.5],
        ['B', 0.25],
        ['C', 0],
      ]),
    );
    expect(gains.map(code)).toEqual(['C', 'A', 'B']); // 0.375, then 0.25 twice, by rank
  });
});
