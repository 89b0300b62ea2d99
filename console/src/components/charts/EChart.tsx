// One chart: loads ECharts on demand, draws `option`, follows its box's size, and disposes on unmount. `prepare` runs
// once ECharts is loaded and before the first draw (ChinaMap registers its map there).
import { Skeleton } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { prefersReducedMotion } from '../motion';
import type { ECharts, EChartsOption, echarts as EChartsModule } from './echarts';

export interface EChartProps {
  option: EChartsOption;
  ariaLabel: string;
  height: number | string;
  prepare?: (lib: typeof EChartsModule) => Promise<void>;
  onClick?: (params: { name?: string; data?: unknown }) => void;
  onDrawn?: (chart: ECharts) => void;
  testId?: string;
}

export function EChart({ option, ariaLabel, height, prepare, onClick, onDrawn, testId }: EChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);
  // The latest onDrawn, also called after a resize (positions on the screen change with the box).
  const drawn = useRef(onDrawn);
  drawn.current = onDrawn;
  const drawnOnce = useRef(false);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    import('./echarts')
      .then(async ({ echarts }) => {
        if (prepare) await prepare(echarts);
        const el = box.current;
        if (disposed || !el) return;
        // ECharts measures its box at init and on every resize; a box without area (a tab or a grid cell not laid
        // out yet) leaves it with null extents that throw on the next draw. So the chart starts, and resizes, only
        // once the box has an area.
        const hasArea = () => el.clientWidth > 0 && el.clientHeight > 0;
        const start = () => {
          if (chart.current || disposed || !hasArea()) return;
          chart.current = echarts.init(el, undefined, { renderer: 'canvas' });
          setReady(true);
        };
        observer = new ResizeObserver(() => {
          const c = chart.current;
          if (!c) return start();
          if (!hasArea()) return;
          c.resize();
          // The observer also fires once when it starts, possibly before the first setOption: nothing drawn yet.
          if (drawnOnce.current) drawn.current?.(c);
        });
        observer.observe(el);
        start();
      })
      .catch((err: unknown) => setFailed(String(err)));
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!ready || !c) return;
    c.setOption(prefersReducedMotion() ? { ...option, animation: false } : option, { notMerge: true });
    drawnOnce.current = true;
    c.off('click');
    if (onClick) c.on('click', (p) => onClick(p as { name?: string; data?: unknown }));
    onDrawn?.(c);
  }, [ready, option, onClick, onDrawn]);

  return (
    <div className="chart-wrap" style={{ height }}>
      {!ready && !failed ? <Skeleton active className="chart-loading" /> : null}
      {failed ? <div className="chart-failed">图表加载失败：{failed}</div> : null}
      <div
        ref={box}
        className="chart"
        role="img"
        aria-label={ariaLabel}
        data-testid={testId}
        style={{ height: '100%' }}
      />
    </div>
  );
}
