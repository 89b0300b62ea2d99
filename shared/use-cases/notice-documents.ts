// A stored notice as an official document (公文): .docx and .pdf, built on demand from its model (never stored). The
// issuers' settings are read once per file, font files once per process (notice-pdf.ts), and a notice's charts are
// drawn once per stored version (a small cache keyed by id and update time), so the .docx, the .pdf and the mail's
// attachments of one notice share them.
import { readFileSync } from 'node:fs';
import { measureText, renderChartSvg, svgToPng } from '../adapters/charts.ts';
import { DOCX_TYPE, renderNoticeDocx } from '../adapters/notice-docx.ts';
import { PDF_TYPE, renderNoticePdf } from '../adapters/notice-pdf.ts';
import { noticeCharts } from '../domain/notices/chart-options.ts';
import {
  buildOfficialDocument,
  issuerFor,
  type Issuer,
  type IssuerSettings,
  type OfficialDocument,
} from '../domain/notices/official-document.ts';
import type { NoticeModel } from '../domain/notices/notice-content.ts';

export interface DocumentSettings {
  /** JSON of the issuers (NOTICE_ISSUERS_FILE); default data/notice-issuers.json. */
  issuersFile?: string;
  /** Operator's 公文 fonts (NOTICE_FONT_DIR). */
  fontDir?: string;
}

export type DocumentFormat = 'docx' | 'pdf';
export const DOCUMENT_TYPES: Record<DocumentFormat, string> = { docx: DOCX_TYPE, pdf: PDF_TYPE };

const DEFAULT_ISSUERS = new URL('../../data/notice-issuers.json', import.meta.url);
const issuersCache = new Map<string, IssuerSettings>();

function checkIssuer(x: unknown, where: string): Issuer {
  const i = x as Partial<Issuer> | undefined;
  for (const k of ['mark', 'office', 'abbreviation'] as const)
    if (typeof i?.[k] !== 'string' || !i[k])
      throw new Error(`notice issuers: ${where}.${k} must be a non-empty string`);
  if (!Array.isArray(i!.cc)) throw new Error(`notice issuers: ${where}.cc must be a list of offices`);
  return i as Issuer;
}

/** The issuers' settings from the file (read once per path); a clear error naming the missing field. */
export function loadIssuers(file?: string): IssuerSettings {
  const key = file ?? DEFAULT_ISSUERS.pathname;
  const hit = issuersCache.get(key);
  if (hit) return hit;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file ?? DEFAULT_ISSUERS, 'utf8'));
  } catch (err) {
    throw new Error(`notice issuers: cannot read ${key} (NOTICE_ISSUERS_FILE): ${(err as Error).message}`);
  }
  const r = raw as Partial<IssuerSettings>;
  const settings: IssuerSettings = {
    national: checkIssuer(r.national, 'national'),
    central: checkIssuer(r.central ?? r.national, 'central'),
    province: checkIssuer(r.province, 'province'),
    provinces: r.provinces ?? {},
  };
  issuersCache.set(key, settings);
  return settings;
}

export interface RenderedChart {
  /** ECharts' SVG, its text as text: what the PDF draws (vectors, searchable labels in the PDF's fonts). */
  svg: string;
  /** The PNG the .docx embeds, rasterised when first asked for (a PDF alone never pays for it). */
  readonly png: Buffer;
  width: number;
  height: number;
  title: string;
}

const chartCache = new Map<string, RenderedChart[]>();
const CHART_CACHE_SIZE = 64;

/**
 * The notice's charts, drawn once per (id, version). The first is the one the mail shows inline: a stored notice's
 * `chartPng` is that picture already, so it is not drawn again.
 */
export function documentCharts(notice: {
  id?: number;
  updatedAt?: Date;
  model: NoticeModel;
  chartPng?: Buffer;
}): RenderedChart[] {
  const key = notice.id !== undefined ? `${notice.id}:${notice.updatedAt?.getTime() ?? ''}` : undefined;
  const hit = key ? chartCache.get(key) : undefined;
  if (hit) return hit;
  const charts = noticeCharts(notice.model, measureText).map((spec, i): RenderedChart => {
    const svg = renderChartSvg(spec);
    let png = i === 0 ? notice.chartPng : undefined;
    return {
      svg,
      get png() {
        return (png ??= svgToPng(svg, spec.width, spec.height));
      },
      width: spec.width,
      height: spec.height,
      title: spec.title,
    };
  });
  if (key) {
    if (chartCache.size >= CHART_CACHE_SIZE) chartCache.delete(chartCache.keys().next().value!);
    chartCache.set(key, charts);
  }
  return charts;
}

export function officialDocument(
  model: NoticeModel,
  settings: DocumentSettings,
  charts: RenderedChart[],
): OfficialDocument {
  return buildOfficialDocument(
    model,
    issuerFor(loadIssuers(settings.issuersFile), model),
    charts.map((c) => c.title),
  );
}

export interface RenderedDocument {
  body: Buffer;
  contentType: string;
  /** In Chinese: 全国-2022-W14-通报.docx. */
  fileName: string;
  /** ASCII, for clients that ignore filename*: notice-7.docx. */
  fallbackName: string;
}

const documentCache = new Map<string, Promise<RenderedDocument>>();
const DOCUMENT_CACHE_SIZE = 16;

/** The notice as .docx or .pdf; one stored version's document is rendered once (a mail to many, a busy archive). */
export function noticeDocument(
  notice: { id?: number; updatedAt?: Date; model: NoticeModel; chartPng?: Buffer },
  format: DocumentFormat,
  settings: DocumentSettings = {},
): Promise<RenderedDocument> {
  if (notice.id === undefined) return renderDocument(notice, format, settings);
  const key = `${notice.id}:${notice.updatedAt?.getTime() ?? ''}:${format}:${settings.issuersFile ?? ''}:${settings.fontDir ?? ''}`;
  let hit = documentCache.get(key);
  if (!hit) {
    if (documentCache.size >= DOCUMENT_CACHE_SIZE) documentCache.delete(documentCache.keys().next().value!);
    hit = renderDocument(notice, format, settings);
    documentCache.set(key, hit);
    hit.catch(() => documentCache.delete(key));
  }
  return hit;
}

async function renderDocument(
  notice: { id?: number; updatedAt?: Date; model: NoticeModel; chartPng?: Buffer },
  format: DocumentFormat,
  settings: DocumentSettings,
): Promise<RenderedDocument> {
  const charts = documentCharts(notice);
  const doc = officialDocument(notice.model, settings, charts);
  const body =
    format === 'docx'
      ? await renderNoticeDocx(doc, charts)
      : await renderNoticePdf(doc, charts, { fontDir: settings.fontDir });
  return {
    body,
    contentType: DOCUMENT_TYPES[format],
    fileName: `${doc.baseName}.${format}`,
    fallbackName: `notice-${notice.id ?? notice.model.period}.${format}`,
  };
}
