// The map of China coloured by each province's share of universities meeting their targets. Hover: the province's
// figures; click (or Enter on the ranking's links): its page. The map's GeoJSON (assets/china.json, see SOURCE.md) and
// ECharts are loaded on demand; registered as 'china', ECharts adds the 南海诸岛 inset.
import { useCallback, useMemo, useState } from 'react';
import type { ProvinceRankingRow } from '../../services/types';
import { formatNumber, formatPercent } from '../format';
import { EChart } from './EChart';
import type { ECharts, echarts as EChartsModule, EChartsOption } from './echarts';

const TEXT = {
  aria: '全国各省份高校达标率地图',
  share: '达标率',
  meeting: '达标高校',
  mean: '平均完成率',
  positions: '岗位',
  rank: '排名',
  high: '高',
  low: '低',
  noData: '无数据',
  offMap: '不在地图上的报送单位',
  offMapRow: (name: string, share: string, rank: string) => `${name}：达标率 ${share}（第 ${rank} 名）`,
};

interface GeoJson {
  features: Array<{ properties: { id: string; cp?: [number, number] } }>;
}

/** Province code → a point inside it (longitude, latitude), for every province the map has a shape for. */
type Shapes = Map<string, [number, number] | undefined>;

let registered: Promise<Shapes> | undefined;

/** Registers the map once per page load; resolves to the provinces it has a shape for. */
function registerChina(lib: typeof EChartsModule): Promise<Shapes> {
  registered ??= import('../../assets/china.json').then((mod) => {
    const json = (mod as unknown as { default: GeoJson }).default;
    lib.registerMap('china', json as never);
    return new Map(json.features.map((f) => [f.properties.id, f.properties.cp]));
  });
  return registered;
}

export interface ChinaMapProps {
  rows: ProvinceRankingRow[];
  onSelect: (provinceCode: string) => void;
  height?: number | string;
}

export function ChinaMap({ rows, onSelect, height = 460 }: ChinaMapProps) {
  const [shapes, setShapes] = useState<Shapes | null>(null);
  const [points, setPoints] = useState<Record<string, [number, number]>>({});
  const byCode = useMemo(() => new Map(rows.map((r) => [r.provinceCode, r])), [rows]);
  const prepare = useCallback(async (lib: typeof EChartsModule) => setShapes(await registerChina(lib)), []);

  const option = useMemo<EChartsOption>(
    () => ({
      tooltip: {
        trigger: 'item',
        formatter: (p: { name: string }) => {
          const r = byCode.get(p.name);
          if (!r) return TEXT.noData;
          return [
            `<strong>${r.provinceName}</strong>（${TEXT.rank} ${r.rank}）`,
            `${TEXT.share}：${formatPercent(r.shareMeeting)}`,
            `${TEXT.meeting}：${formatNumber(r.meetingTargets)} / ${formatNumber(r.universities)}`,
            `${TEXT.mean}：${formatPercent(r.meanCompletion)}`,
            `${TEXT.positions}：${formatNumber(r.positions)}`,
          ].join('<br/>');
        },
      },
      visualMap: {
        type: 'continuous',
        min: 0,
        max: Math.max(0.01, ...rows.map((r) => r.shareMeeting)),
        left: 8,
        bottom: 8,
        text: [TEXT.high, TEXT.low],
        calculable: false,
        itemHeight: 100,
        formatter: (v: number) => formatPercent(v, 0),
        inRange: { color: ['#e6f0ff', '#6aa1ff', '#0b3d91'] },
      },
      series: [
        {
          type: 'map',
          map: 'china',
          // Features are matched by their GB/T 2260 code (properties.id), the code the API's rows carry.
          nameProperty: 'id',
          roam: false,
          selectedMode: false,
          label: { show: false },
          emphasis: { label: { show: false }, itemStyle: { areaColor: '#ffd666' } },
          itemStyle: { borderColor: '#8c8c8c', borderWidth: 0.6, areaColor: '#f5f5f5' },
          data: rows.map((r) => ({ name: r.provinceCode, value: r.shareMeeting })),
        },
      ],
    }),
    [rows, byCode],
  );

  const onClick = useCallback(
    (p: { name?: string }) => {
      if (p.name && byCode.has(p.name)) onSelect(p.name);
    },
    [byCode, onSelect],
  );

  // Where each province is on the screen once drawn (pixels in the chart's box): for automation, which hovers and
  // clicks provinces like a person does.
  const onDrawn = useCallback(
    (chart: ECharts) => {
      const at: Record<string, [number, number]> = {};
      for (const [code, cp] of shapes ?? []) {
        const px = cp ? (chart.convertToPixel({ seriesIndex: 0 }, cp) as number[] | undefined) : undefined;
        if (px) at[code] = [Math.round(px[0]!), Math.round(px[1]!)];
      }
      setPoints((old) => (JSON.stringify(old) === JSON.stringify(at) ? old : at));
    },
    [shapes],
  );

  // How many provinces are drawn in colour: a row with a value and a shape on the map.
  const coloured = shapes ? rows.filter((r) => shapes.has(r.provinceCode)).length : 0;
  // Reporting units without a shape (新疆生产建设兵团, 660000): listed beside the map, with the same figures and link.
  const offMap = shapes ? rows.filter((r) => !shapes.has(r.provinceCode)) : [];
  return (
    <div
      className="china-map"
      data-testid="china-map"
      data-coloured-provinces={coloured}
      data-province-points={JSON.stringify(points)}
    >
      <EChart
        option={option}
        ariaLabel={TEXT.aria}
        height={height}
        prepare={prepare}
        onClick={onClick}
        onDrawn={onDrawn}
      />
      {offMap.length ? (
        <div className="china-map-off" data-testid="off-map">
          <span className="hint">{TEXT.offMap}：</span>
          {offMap.map((r) => (
            <button
              type="button"
              key={r.provinceCode}
              className="link-button"
              data-province={r.provinceCode}
              onClick={() => onSelect(r.provinceCode)}
            >
              {TEXT.offMapRow(r.provinceName, formatPercent(r.shareMeeting), formatNumber(r.rank))}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
