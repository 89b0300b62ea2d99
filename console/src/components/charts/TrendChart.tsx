// Completion by week from the stored weekly snapshots: the share of universities meeting targets and the mean
// completion, as the API's trend endpoint returns them.
import { useMemo } from 'react';
import type { TrendPoint } from '../../services/types';
import { formatDate, formatPercent, formatPeriod } from '../format';
import { EChart } from './EChart';
import type { EChartsOption } from './echarts';

const TEXT = { aria: '按周完成情况趋势图', share: '达标率', mean: '平均完成率', asOf: '截至' };

export function TrendChart({ points, height = 300 }: { points: TrendPoint[]; height?: number }) {
  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: {
        trigger: 'axis',
        formatter: (items: Array<{ dataIndex: number; seriesName: string; value: number; marker: string }>) => {
          const p = points[items[0]?.dataIndex ?? 0];
          const head = p ? `${formatPeriod(p.period)}（${TEXT.asOf}${formatDate(p.asOf)}）` : '';
          return [head, ...items.map((i) => `${i.marker}${i.seriesName}：${formatPercent(i.value)}`)].join('<br/>');
        },
      },
      legend: { top: 0, data: [TEXT.share, TEXT.mean] },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: points.map((p) => formatPeriod(p.period).replace(/^\d{4}年/, '')) },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => formatPercent(v, 0) } },
      series: [
        { name: TEXT.share, type: 'line', data: points.map((p) => p.shareMeeting), symbolSize: 6 },
        { name: TEXT.mean, type: 'line', data: points.map((p) => p.meanCompletion), symbolSize: 6 },
      ],
    }),
    [points],
  );
  // The weeks drawn, on the wrapper: the chart is a canvas, and tests (and assistive tools) read what it shows here.
  return (
    <div data-testid="trend" data-periods={points.map((p) => p.period).join(' ')}>
      <EChart option={option} ariaLabel={TEXT.aria} height={height} testId="trend-chart" />
    </div>
  );
}
