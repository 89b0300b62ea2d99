import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { barColor, layout, renderChartPng } from '../../shared/domain/notices/chart-png.ts';

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

describe('progress chart PNG', () => {
  it('is a valid PNG whose bar heights and colours follow the values', () => {
    const values = [1, 0.5, 0.1];
    const buf = renderChartPng({ values, expected: 0.3, width: 600, height: 240 });
    expect(buf.subarray(1, 4).toString()).toBe('PNG');
    const png = PNG.sync.read(buf);
    expect([png.width, png.height]).toEqual([600, 240]);
    const g = layout(values.length, 600, 240);
    values.forEach((v, i) => {
      const x = g.barX(i) + Math.floor(g.barW / 2);
      // Just inside the top of the bar: the bar's colour; just above it: not.
      expect(pixel(png, x, g.y(v) + 2)).toEqual([...barColor(v, 0.3)]);
      if (v < 1) expect(pixel(png, x, g.y(v) - 3)).not.toEqual([...barColor(v, 0.3)]);
    });
    expect(barColor(1, 0.3)).not.toEqual(barColor(0.5, 0.3));
    expect(barColor(0.5, 0.3)).not.toEqual(barColor(0.1, 0.3));
  });

  it('draws an empty chart (no bars) without failing', () => {
    const png = PNG.sync.read(renderChartPng({ values: [], expected: 0 }));
    expect(png.width).toBe(720);
  });
});
