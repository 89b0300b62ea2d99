import { describe, expect, it } from 'vitest';
import { buildNationalNotice, buildProvinceNotice } from '../../shared/domain/notices/notice-content.ts';
import {
  HORIZONTAL_FROM,
  noticeCharts,
  provincesChart,
  shortProvinceName,
  universitiesChart,
} from '../../shared/domain/notices/chart-options.ts';
import * as fontkit from 'fontkit';
import {
  CHART_FONT_FILES,
  measureText,
  outlineText,
  renderChartPng,
  renderChartSvg,
} from '../../shared/adapters/charts.ts';
import { WITHOUT_CCMP } from '../../shared/adapters/fonts.ts';
import { CAMPAIGN, plans, sampleRankings, totals, universityRow } from '../helpers/notices-factories.ts';

const s = sampleRankings();
const national = buildNationalNotice({
  campaign: CAMPAIGN,
  period: '2022-W14',
  national: s.national,
  provinces: s.provinces,
  totals: totals(),
  plans: plans(),
});
function province(n: number, name = (i: number) => `广东省某某职业技术学院第${i + 1}分院`) {
  const rows = Array.from({ length: n }, (_, i) =>
    universityRow({
      rank: i + 1,
      universityCode: String(4144010000 + i),
      universityName: name(i),
      completion: 1 - i / n,
    }),
  );
  return buildProvinceNotice({
    campaign: CAMPAIGN,
    period: '2022-W14',
    provinceCode: '440000',
    provinceName: '广东省',
    ranking: { campaignId: '2022', asOf: '2022-04-10', scope: 'province:440000', rows },
    totals: totals(),
    planFiledOn: null,
  });
}
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];
type Axis = { data: string[]; axisLabel: { rotate?: number; interval: number } };

describe('notice charts (ECharts on the server)', () => {
  it('national: a bar per province named on the axis, the time-progress line and the title, in the SVG', () => {
    const spec = provincesChart(national, measureText);
    const svg = renderChartSvg(spec);
    for (const p of national.provinces) expect(svg).toContain(`>${shortProvinceName(p.provinceName)}<`);
    expect(svg).toContain('各省份高校平均完成度');
    expect(svg).toContain('时间进度 22.3%');
    expect(spec.option.xAxis).toMatchObject({ axisLabel: { interval: 0 } });
  });

  it('draws a PNG of the chart size at 2× with the text as outlines (no font needed by the rasteriser)', () => {
    const spec = provincesChart(national, measureText);
    const png = renderChartPng(spec);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(pngSize(png)).toEqual([spec.width * 2, spec.height * 2]);
    const outlined = outlineText(renderChartSvg(spec));
    expect(outlined).not.toContain('<text');
    expect(outlined).toMatch(/<path d="M[\d.-]+/);
  });

  it('national notices also get the China map, coloured by the provinces codes', () => {
    const charts = noticeCharts(national, measureText);
    expect(charts.map((c) => c.title)).toEqual(['各省份高校平均完成度', '各省份高校平均完成度分布']);
    const svg = renderChartSvg(charts[1]!);
    expect(svg.length).toBeGreaterThan(20_000); // the provinces' outlines
    expect(pngSize(renderChartPng(charts[1]!, 1))).toEqual([charts[1]!.width, charts[1]!.height]);
  });

  it('a few universities: vertical bars, long names turned and cut so they do not run into each other', () => {
    const spec = universitiesChart(province(12), measureText);
    const x = spec.option.xAxis as Axis;
    expect(x.data).toHaveLength(12);
    expect(x.axisLabel.interval).toBe(0);
    expect(x.axisLabel.rotate).toBeGreaterThan(0);
    for (const label of x.data) expect(measureText(label, 12)).toBeLessThanOrEqual(121);
    const short = universitiesChart(
      province(3, (i) => `学院${i}`),
      measureText,
    );
    expect((short.option.xAxis as Axis).axisLabel.rotate).toBe(0);
  });

  it('many universities: horizontal bars, one row each, the chart growing with them', () => {
    const spec = universitiesChart(province(HORIZONTAL_FROM + 20), measureText);
    const y = spec.option.yAxis as Axis;
    expect(y.data).toHaveLength(HORIZONTAL_FROM + 20);
    expect(spec.height).toBeGreaterThan((HORIZONTAL_FROM + 20) * 18);
    const svg = renderChartSvg(spec);
    expect(svg).toContain('广东省各高校完成度');
  });

  it('a tall chart is rasterised within the pixel budget, never below 1×; a normal one at 2×', () => {
    const tall = universitiesChart(province(160), measureText);
    expect(tall.width * tall.height * 4).toBeGreaterThan(1_500_000);
    expect(pngSize(renderChartPng(tall))).toEqual([tall.width, tall.height]);
    const normal = provincesChart(national, measureText);
    expect(pngSize(renderChartPng(normal))).toEqual([normal.width * 2, normal.height * 2]);
  });

  it('shaping without glyph composition gives the same glyphs and advances for Chinese text and figures', () => {
    const f = fontkit.openSync(CHART_FONT_FILES.regular.path, CHART_FONT_FILES.regular.face) as unknown as {
      layout(t: string, features?: object): { glyphs: Array<{ id: number }>; advanceWidth: number };
    };
    const text =
      '截至2022年8月28日，全国高校书记校长累计走访用人单位150,000家（完成率100%）；“内蒙古自治区”·新疆生产建设兵团。';
    const a = f.layout(text);
    const b = f.layout(text, WITHOUT_CCMP);
    expect(b.glyphs.map((g) => g.id)).toEqual(a.glyphs.map((g) => g.id));
    expect(b.advanceWidth).toBe(a.advanceWidth);
  });
});
