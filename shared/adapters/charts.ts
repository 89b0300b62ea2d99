// Drawing the notices' charts on the server: ECharts renders an option (shared/domain/notices/chart-options.ts) to
// SVG with no DOM (ssr), and resvg rasterises it to PNG. The SVG's text is turned into glyph outlines with fontkit
// before rasterising: resvg would otherwise parse the 20 MB CJK font collection for every picture (a quarter of a
// second each), while the outlines need the font opened once per process (fonts.ts). The same font measures the
// labels.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { ChartSpec, Measure } from '../domain/notices/chart-options.ts';
import { openFont, type FontSource } from './fonts.ts';

/** Debian's fonts-noto-cjk; the chart's font (CHART_FONT) in regular and bold. */
export const CHART_FONT_FILES = {
  regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
  bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', face: 'NotoSansCJKsc-Bold' },
} satisfies Record<string, FontSource>;

interface Glyphs {
  unitsPerEm: number;
  layout(text: string): {
    glyphs: Array<{ path: { scale(x: number, y: number): GlyphPath } }>;
    positions: Array<{ xAdvance: number; xOffset: number; yOffset: number }>;
    advanceWidth: number;
  };
}
interface GlyphPath {
  translate(x: number, y: number): GlyphPath;
  toSVG(): string;
}

let fonts: { regular: Glyphs; bold: Glyphs } | undefined;

const open = (f: FontSource) => openFont(f, ': install fonts-noto-cjk (apt-get install fonts-noto-cjk)') as Glyphs;

/** The chart fonts (opened once per process, fonts.ts). */
function chartFonts(): { regular: Glyphs; bold: Glyphs } {
  fonts ??= { regular: open(CHART_FONT_FILES.regular), bold: open(CHART_FONT_FILES.bold) };
  return fonts;
}

// Shaping a label (OpenType lookups) costs far more than drawing it, and the same names and figures recur across a
// week's charts (measured for fitting, then outlined): each text is shaped once per font, the cache bounded.
type Run = ReturnType<Glyphs['layout']>;
const runs = new WeakMap<Glyphs, Map<string, Run>>();
const RUN_CACHE_SIZE = 20_000;
function shaped(font: Glyphs, text: string): Run {
  let cache = runs.get(font);
  if (!cache) runs.set(font, (cache = new Map()));
  let run = cache.get(text);
  if (!run) {
    if (cache.size >= RUN_CACHE_SIZE) cache.clear();
    run = font.layout(text);
    cache.set(text, run);
  }
  return run;
}

/** Text width in pixels with the chart's font. */
export const measureText: Measure = (text, fontSize) => {
  const font = chartFonts().regular;
  return (shaped(font, text).advanceWidth / font.unitsPerEm) * fontSize;
};

let mapRegistered = false;
function registerChina(): void {
  if (mapRegistered) return;
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../data/china.json');
  echarts.registerMap('china', JSON.parse(readFileSync(file, 'utf8')) as never);
  mapRegistered = true;
}

/** The chart as SVG, its text as text (searchable, what a browser shows). */
export function renderChartSvg(spec: ChartSpec): string {
  registerChina();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
  try {
    chart.setOption(spec.option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : (ENTITIES[e] ?? m),
  );
const attr = (attrs: string, name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];

/**
 * ECharts' <text> elements as <path>s of their glyphs, placed as the SVG would: text-anchor start/middle/end, the
 * dominant-baseline ECharts writes (central, alphabetic, hanging), x/y offsets, and the element's own transform.
 */
export function outlineText(svg: string): string {
  const f = chartFonts();
  return svg.replace(/<text([^>]*)>([^<]*)<\/text>/g, (_m, attrs: string, raw: string) => {
    const text = decode(raw);
    if (!text.trim()) return '';
    const style = attr(attrs, 'style') ?? '';
    const size = Number(/font-size:\s*([\d.]+)px/.exec(style)?.[1] ?? 12);
    const bold = /font-weight:\s*(bold|[6-9]00)/.test(style);
    const font = bold ? f.bold : f.regular;
    const s = size / font.unitsPerEm;
    const run = shaped(font, text);
    const width = run.advanceWidth * s;
    const anchor = attr(attrs, 'text-anchor') ?? 'start';
    const baseline = attr(attrs, 'dominant-baseline') ?? 'alphabetic';
    let x = Number(attr(attrs, 'x') ?? 0) - (anchor === 'middle' ? width / 2 : anchor === 'end' ? width : 0);
    // The ideographic em box runs from 0.88 em above the baseline to 0.12 em below (Noto CJK).
    const y =
      Number(attr(attrs, 'y') ?? 0) +
      (baseline === 'central' || baseline === 'middle' ? 0.38 * size : baseline === 'hanging' ? 0.88 * size : 0);
    let d = '';
    run.glyphs.forEach((g, i) => {
      const p = run.positions[i]!;
      d += g.path
        .scale(s, -s)
        .translate(x + p.xOffset * s, y - p.yOffset * s)
        .toSVG();
      x += p.xAdvance * s;
    });
    const keep = ['transform', 'fill', 'stroke', 'stroke-width', 'paint-order', 'opacity', 'fill-opacity']
      .map((n) => [n, attr(attrs, n)] as const)
      .filter(([, v]) => v !== undefined)
      .map(([n, v]) => `${n}="${v}"`)
      .join(' ');
    return `<path d="${d}" ${keep}/>`;
  });
}

/** The chart as PNG, `scale` device pixels per CSS pixel (2: sharp when printed at the text block's width). */
export function renderChartPng(spec: ChartSpec, scale = 2): Buffer {
  return svgToPng(renderChartSvg(spec), spec.width, spec.height, scale);
}

/**
 * A picture's pixels at most, beyond 1 device pixel per CSS pixel: a chart of a normal height gets its 2×, a list of
 * 160 universities (720 × 2,900) is shrunk to fit the page when printed and needs no more than 1× there, while
 * rasterising it at 2× would take four times as long.
 */
const PIXEL_BUDGET = 1_500_000;

/** An SVG of renderChartSvg's as PNG, `width` × `height` CSS pixels at `scale`, bounded by PIXEL_BUDGET. */
export function svgToPng(svg: string, width: number, height: number, scale = 2): Buffer {
  const s = Math.max(1, Math.min(scale, Math.sqrt(PIXEL_BUDGET / (width * height))));
  const resvg = new Resvg(outlineText(svg), {
    font: { loadSystemFonts: false },
    fitTo: { mode: 'width', value: Math.round(width * s) },
  });
  return Buffer.from(resvg.render().asPng());
}
