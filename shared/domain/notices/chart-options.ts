// The notices' charts as ECharts options: provinces' completion (national notice), a province's universities'
// completion (province and central notice), week by week (summary) and a China map of the provinces. Pure: text is
// measured by the `measure` the caller passes (the adapter measures with the font the chart is drawn in), so long
// names are rotated, shortened or laid out as horizontal bars before ECharts would draw them over each other. The
// renderer (shared/adapters/charts.ts) turns an option into SVG and PNG.
import type { EChartsOption } from 'echarts';
import { chartSeries, type NationalNotice, type NoticeModel, type ProvinceNotice } from './notice-content.ts';

/** Width in pixels of `text` set at `fontSize` px. */
export type Measure = (text: string, fontSize: number) => number;

export interface ChartSpec {
  /** What the chart shows, as a caption under it in documents. */
  title: string;
  width: number;
  height: number;
  option: EChartsOption;
}

export const CHART_FONT = 'Noto Sans CJK SC';
const LABEL_SIZE = 12;
const MET = '#2e7d32';
const ON_TRACK = '#1e88e5';
const LATE = '#fb8c00';
const EXPECTED = '#c62828';
/** Above this many universities the bars lie horizontally, one name per row. */
export const HORIZONTAL_FROM = 30;

const pct = (x: number) => Math.round(x * 1000) / 10;

export function barColor(value: number, expected: number): string {
  if (value >= 1) return MET;
  return value >= expected ? ON_TRACK : LATE;
}

/** The province's name as a chart labels it: 广西壮族自治区 → 广西, 新疆生产建设兵团 → 兵团. */
export function shortProvinceName(name: string): string {
  if (name.includes('兵团')) return '兵团';
  return name.replace(/(壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$/, '') || name;
}

/** `text` cut (with …) until it is at most `max` px wide. */
export function fitText(text: string, max: number, measure: Measure, size = LABEL_SIZE): string {
  if (measure(text, size) <= max) return text;
  const chars = [...text];
  while (chars.length > 1 && measure(`${chars.join('')}…`, size) > max) chars.pop();
  return `${chars.join('')}…`;
}

function base(title: string, subtitle: string): EChartsOption {
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT },
    title: {
      text: title,
      subtext: subtitle,
      left: 'center',
      top: 8,
      textStyle: { fontSize: 16, fontWeight: 'bold', color: '#222222' },
      subtextStyle: { fontSize: 12, color: '#666666' },
    },
  };
}

const expectedLine = (expected: number, horizontal: boolean) => ({
  silent: true,
  symbol: 'none',
  lineStyle: { color: EXPECTED, type: 'dashed' as const, width: 1.5 },
  label: { formatter: `时间进度 ${pct(expected)}%`, color: EXPECTED, fontSize: LABEL_SIZE, position: 'end' as const },
  data: [horizontal ? { xAxis: pct(expected) } : { yAxis: pct(expected) }],
});

/**
 * Vertical bars named on the category axis: labels straight when they fit their slot, else turned 45° (or 90° when
 * even that would run into the next), and cut to what the room under the plot allows.
 */
function verticalBars(
  title: string,
  subtitle: string,
  names: string[],
  values: number[],
  expected: number,
  measure: Measure,
  width: number,
): ChartSpec {
  const left = 48;
  const right = 96;
  const slot = (width - left - right) / Math.max(1, names.length);
  const widest = Math.max(0, ...names.map((n) => measure(n, LABEL_SIZE)));
  const rotate = widest <= slot - 4 ? 0 : slot >= LABEL_SIZE * 1.6 ? 45 : 90;
  const maxLabel = rotate === 0 ? slot - 4 : 120;
  const labels = names.map((n) => fitText(n, maxLabel, measure));
  const labelRoom =
    rotate === 0
      ? LABEL_SIZE + 8
      : Math.max(...labels.map((l) => measure(l, LABEL_SIZE)), 0) * (rotate === 45 ? 0.72 : 1) + 12;
  // A turned label reaches left of its bar by about its width × cos 45°: the first one needs that room.
  const firstReach = rotate === 45 && labels[0] ? measure(labels[0], LABEL_SIZE) * 0.72 - slot / 2 + 8 : 0;
  const plotHeight = 260;
  const height = Math.round(72 + plotHeight + labelRoom + 16);
  return {
    title,
    width,
    height,
    option: {
      ...base(title, subtitle),
      grid: { left: Math.max(left, Math.ceil(firstReach)), right, top: 72, bottom: labelRoom + 16 },
      xAxis: {
        type: 'category',
        data: labels,
        axisLabel: { interval: 0, rotate, fontSize: LABEL_SIZE, color: '#333333' },
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%', fontSize: LABEL_SIZE } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 36,
          data: values.map((v) => ({ value: pct(Math.min(1, v)), itemStyle: { color: barColor(v, expected) } })),
          markLine: expectedLine(expected, false),
        },
      ],
    },
  };
}

/** Horizontal bars, one row per name, first at the top; the names' column as wide as the widest (cut at 14 chars). */
function horizontalBars(
  title: string,
  subtitle: string,
  names: string[],
  values: number[],
  expected: number,
  measure: Measure,
  width: number,
): ChartSpec {
  const room = measure('国'.repeat(14), LABEL_SIZE);
  const labels = names.map((n) => fitText(n, room, measure));
  const left = Math.ceil(Math.max(0, ...labels.map((l) => measure(l, LABEL_SIZE)))) + 16;
  const row = 18;
  const height = 88 + names.length * row + 40;
  return {
    title,
    width,
    height,
    option: {
      ...base(title, subtitle),
      grid: { left, right: 40, top: 88, bottom: 40 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: labels,
        axisLabel: { interval: 0, fontSize: LABEL_SIZE, color: '#333333' },
      },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%', fontSize: LABEL_SIZE } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 14,
          data: values.map((v) => ({ value: pct(Math.min(1, v)), itemStyle: { color: barColor(v, expected) } })),
          markLine: {
            ...expectedLine(expected, true),
            label: { ...expectedLine(expected, true).label, position: 'start' },
          },
        },
      ],
    },
  };
}

const LEGEND = '绿色为已达标，蓝色为不低于时间进度，橙色为低于时间进度';

/** National notice: each province's mean completion, in rank order, with the time-progress line. */
export function provincesChart(m: NationalNotice, measure: Measure, width = 720): ChartSpec {
  return verticalBars(
    '各省份高校平均完成度',
    `截至${m.asOfText}，按排名；${LEGEND}`,
    m.provinces.map((p) => shortProvinceName(p.provinceName)),
    m.provinces.map((p) => p.meanCompletion),
    m.expectedProgress,
    measure,
    width,
  );
}

/** Province (or central) notice: each university's completion in rank order; horizontal bars when there are many. */
export function universitiesChart(m: ProvinceNotice, measure: Measure, width = 720): ChartSpec {
  const names = m.ranking.map((r) => r.universityName);
  const values = m.ranking.map((r) => r.completion);
  const title = `${m.provinceName}各高校完成度`;
  const subtitle = `截至${m.asOfText}，按排名；${LEGEND}`;
  return names.length > HORIZONTAL_FROM
    ? horizontalBars(title, subtitle, names, values, m.expectedProgress, measure, width)
    : verticalBars(title, subtitle, names, values, m.expectedProgress, measure, width);
}

/** Summary: mean completion week by week, bars against each week's time progress (a line). */
export function weeksChart(m: NoticeModel, measure: Measure, width = 720): ChartSpec | null {
  const weeks = m.summary?.weeks ?? [];
  if (!weeks.length) return null;
  const labels = weeks.map((w) => w.period.replace(/^\d{4}-/, ''));
  const spec = verticalBars(
    '各周平均完成度',
    `${m.summary ? '专项行动期间' : ''}逐周；折线为各周时间进度`,
    labels,
    weeks.map((w) => w.meanCompletion),
    m.expectedProgress,
    measure,
    width,
  );
  const series = (spec.option.series as object[])[0] as Record<string, unknown>;
  spec.option.series = [
    {
      ...series,
      data: weeks.map((w) => ({
        value: pct(w.meanCompletion),
        itemStyle: { color: barColor(w.meanCompletion, w.expected) },
      })),
      markLine: undefined,
    },
    {
      type: 'line',
      data: weeks.map((w) => pct(w.expected)),
      symbol: 'none',
      lineStyle: { color: EXPECTED, type: 'dashed', width: 1.5 },
    },
  ];
  return spec;
}

/** National notice: the provinces coloured by mean completion (兵团 has no shape: the bar chart shows it). */
export function provincesMap(m: NationalNotice, width = 720): ChartSpec {
  return {
    title: '各省份高校平均完成度分布',
    width,
    height: Math.round(width * 0.78),
    option: {
      ...base('各省份高校平均完成度分布', `截至${m.asOfText}`),
      visualMap: {
        type: 'continuous',
        min: 0,
        max: 100,
        left: 16,
        bottom: 16,
        text: ['高', '低'],
        calculable: false,
        itemHeight: 100,
        formatter: '{value}%',
        inRange: { color: ['#e6f0ff', '#6aa1ff', '#0b3d91'] },
      },
      series: [
        {
          type: 'map',
          map: 'china',
          // Features are matched by their GB/T 2260 code (properties.id), the code the rows carry.
          nameProperty: 'id',
          top: 72,
          bottom: 16,
          label: { show: false },
          itemStyle: { borderColor: '#8c8c8c', borderWidth: 0.6, areaColor: '#f5f5f5' },
          data: m.provinces.map((p) => ({ name: p.provinceCode, value: pct(p.meanCompletion) })),
        },
      ],
    },
  };
}

/** The charts a notice shows, its main one (the mail's inline image) first. */
export function noticeCharts(m: NoticeModel, measure: Measure): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const weeks = weeksChart(m, measure);
  if (weeks) charts.push(weeks);
  if (m.kind === 'national') charts.push(provincesChart(m, measure), provincesMap(m));
  else charts.push(universitiesChart(m, measure));
  return charts;
}

/** The main chart's caption, as the HTML and documents write it under the picture. */
export function chartCaption(m: NoticeModel): string {
  const s = chartSeries(m);
  return `${s.label}。柱高为完成度（0–100%），${LEGEND}；红色虚线为时间进度。`;
}
