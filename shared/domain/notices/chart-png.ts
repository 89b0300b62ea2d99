// The progress chart as a PNG (pngjs), embedded in the mail as a CID inline image: mail clients show images but
// run no script and load no web fonts. Without a font renderer the chart holds bars, gridlines, the time-progress
// line and numbers drawn with a 3×5 bitmap font; words (the caption, names) are in the HTML around it.
import { PNG } from 'pngjs';

export interface ChartInput {
  /** Bar heights in 0..1 (clamped), left to right. */
  values: number[];
  /** Time progress 0..1: a dashed line across the chart. */
  expected: number;
  /** Each bar's own time progress (a week-by-week chart): bars are coloured against it and marked by a tick there. */
  expectedSeries?: number[];
  width?: number;
  height?: number;
}

type Rgb = readonly [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const GRID: Rgb = [222, 226, 230];
const AXIS: Rgb = [120, 120, 120];
const TEXT: Rgb = [80, 80, 80];
const MET: Rgb = [46, 125, 50];
const ON_TRACK: Rgb = [30, 136, 229];
const LATE: Rgb = [251, 140, 0];
const EXPECTED: Rgb = [198, 40, 40];

// 3×5 glyphs, rows top to bottom, bits left to right.
const GLYPHS: Readonly<Record<string, readonly number[]>> = {
  '0': [0b111, 0b101, 0b101, 0b101, 0b111],
  '1': [0b010, 0b110, 0b010, 0b010, 0b111],
  '2': [0b111, 0b001, 0b111, 0b100, 0b111],
  '3': [0b111, 0b001, 0b111, 0b001, 0b111],
  '4': [0b101, 0b101, 0b111, 0b001, 0b001],
  '5': [0b111, 0b100, 0b111, 0b001, 0b111],
  '6': [0b111, 0b100, 0b111, 0b101, 0b111],
  '7': [0b111, 0b001, 0b010, 0b010, 0b010],
  '8': [0b111, 0b101, 0b111, 0b101, 0b111],
  '9': [0b111, 0b101, 0b111, 0b001, 0b111],
  '%': [0b101, 0b001, 0b010, 0b100, 0b101],
};

/** Colour of a bar: met (≥ 1), on track (≥ time progress), late. */
export function barColor(value: number, expected: number): Rgb {
  if (value >= 1) return MET;
  if (value >= expected) return ON_TRACK;
  return LATE;
}

class Canvas {
  readonly png: PNG;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.png = new PNG({ width, height, colorType: 2, inputHasAlpha: true });
    this.rect(0, 0, width, height, WHITE);
  }
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (this.width * y + x) * 4;
    const d = this.png.data;
    d[i] = c[0];
    d[i + 1] = c[1];
    d[i + 2] = c[2];
    d[i + 3] = 255;
  }
  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++)
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, c);
  }
  /** Draws `text` (digits and %) with its right edge at x, top at y, each font pixel `scale` pixels wide. */
  textRight(text: string, xRight: number, y: number, scale: number, c: Rgb): void {
    const advance = 4 * scale;
    let x = xRight - text.length * advance + scale;
    for (const ch of text) {
      const g = GLYPHS[ch];
      if (g)
        g.forEach((row, ry) =>
          [0, 1, 2].forEach(
            (bx) => (row >> (2 - bx)) & 1 && this.rect(x + bx * scale, y + ry * scale, scale, scale, c),
          ),
        );
      x += advance;
    }
  }
  textCenter(text: string, xCenter: number, y: number, scale: number, c: Rgb): void {
    this.textRight(text, Math.round(xCenter + (text.length * 4 * scale - scale) / 2), y, scale, c);
  }
}

/** Plot geometry, exported for tests: where bar i is, and the y of a value. */
export function layout(n: number, width: number, height: number) {
  const left = 44;
  const right = 12;
  const top = 12;
  const bottom = n <= 60 ? 26 : 12;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const slot = n > 0 ? plotW / n : plotW;
  const barW = Math.max(1, Math.floor(slot * 0.7));
  return {
    left,
    top,
    plotW,
    plotH,
    slot,
    barW,
    /** Room for rank numbers under the bars. */
    labels: bottom > 12,
    barX: (i: number) => Math.round(left + i * slot + (slot - barW) / 2),
    y: (v: number) => Math.round(top + plotH * (1 - Math.min(1, Math.max(0, v)))),
  };
}

export function renderChartPng(input: ChartInput): Buffer {
  const width = input.width ?? 720;
  const height = input.height ?? 300;
  const c = new Canvas(width, height);
  const n = input.values.length;
  const g = layout(n, width, height);
  for (let k = 0; k <= 5; k++) {
    const y = g.y(k / 5);
    c.rect(g.left, y, g.plotW, 1, k === 0 ? AXIS : GRID);
    c.textRight(`${k * 20}%`, g.left - 6, y - 5, 2, TEXT);
  }
  c.rect(g.left, g.top, 1, g.plotH + 1, AXIS);
  input.values.forEach((raw, i) => {
    const v = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
    const y = g.y(v);
    const base = g.y(0);
    const expected = input.expectedSeries?.[i] ?? input.expected;
    c.rect(g.barX(i), y, g.barW, Math.max(v > 0 ? 1 : 0, base - y), barColor(v, expected));
    if (input.expectedSeries) c.rect(g.barX(i) - 1, g.y(expected) - 1, g.barW + 2, 2, EXPECTED);
    // Rank numbers under the bars when there is room for them.
    if (g.labels && g.slot >= 4 * 2 * String(i + 1).length + 2)
      c.textCenter(String(i + 1), g.barX(i) + g.barW / 2, base + 6, 2, TEXT);
  });
  if (input.expectedSeries) return PNG.sync.write(c.png, { colorType: 2 });
  const ey = g.y(input.expected);
  for (let x = g.left; x < g.left + g.plotW; x += 8) c.rect(x, ey - 1, 5, 2, EXPECTED);
  return PNG.sync.write(c.png, { colorType: 2 });
}
