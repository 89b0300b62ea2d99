// The official document (shared/domain/notices/official-document.ts) as PDF, the same GB/T 9704-2012 layout as the
// .docx (notice-docx.ts): A4, text block 156 × 225 mm, lines 28.95 pt apart, fonts by role, page numbers "— 1 —"
// (odd pages right, even left), tables that continue on the next page under their header row, the charts as vectors
// (their labels as text). pdfkit
// embeds each font as a subset of the glyphs used. Fonts: files an operator drops in NOTICE_FONT_DIR (the 公文
// fonts) win; otherwise Noto Serif CJK (仿宋/宋体 roles), Noto Sans CJK (黑体) and AR PL UKai (楷体) from Debian.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { CHART_FONT_FILES } from './charts.ts';
import { openFont, type FontSource } from './fonts.ts';
import type { DocBlock, OfficialDocument } from '../domain/notices/official-document.ts';

const MM = 72 / 25.4;
export const PDF_PAGE = { width: 595.28, height: 841.89, top: 37 * MM, left: 28 * MM, textWidth: 156 * MM };
const TEXT_HEIGHT = 225 * MM;
const BOTTOM = PDF_PAGE.top + TEXT_HEIGHT;
const LINE = 28.95;
const BODY = 16;
const RED = '#e60012';

export type FontRole = 'title' | 'body' | 'heading1' | 'heading2' | 'pageNumber';
const NOTO = '/usr/share/fonts/opentype/noto';
export const FALLBACK_FONTS: Record<FontRole, FontSource> = {
  title: { path: `${NOTO}/NotoSerifCJK-Bold.ttc`, face: 'NotoSerifCJKsc-Bold' },
  body: { path: `${NOTO}/NotoSerifCJK-Regular.ttc`, face: 'NotoSerifCJKsc-Regular' },
  heading1: { path: `${NOTO}/NotoSansCJK-Regular.ttc`, face: 'NotoSansCJKsc-Regular' },
  heading2: { path: '/usr/share/fonts/truetype/arphic/ukai.ttc', face: 'UKaiCN' },
  pageNumber: { path: `${NOTO}/NotoSerifCJK-Regular.ttc`, face: 'NotoSerifCJKsc-Regular' },
};

/** File names in NOTICE_FONT_DIR that take a role (方正小标宋简体.ttf, FZXBSJW.TTF, 仿宋_GB2312.ttf, simhei.ttf, …). */
const OPERATOR_FONTS: Array<[FontRole, RegExp]> = [
  ['title', /小标宋|xbs/i],
  ['body', /仿宋|fangsong|simfang|fs_?gb/i],
  ['heading1', /黑体|simhei|heiti/i],
  ['heading2', /楷体|kaiti|simkai|kt_?gb/i],
  ['pageNumber', /宋体|simsun|songti/i],
];

/** Which file each role uses: NOTICE_FONT_DIR's where it has one, the fallback otherwise. */
export function fontPlan(fontDir?: string): Record<FontRole, FontSource> {
  const plan = { ...FALLBACK_FONTS };
  if (!fontDir) return plan;
  let files: string[] = [];
  try {
    files = readdirSync(fontDir).filter((f) => /\.(ttf|otf)$/i.test(f));
  } catch {
    return plan;
  }
  for (const [role, pattern] of OPERATOR_FONTS) {
    const file = files.find((f) => pattern.test(f));
    if (file) plan[role] = { path: join(fontDir, file) };
  }
  return plan;
}

export interface PdfChart {
  /** ECharts' SVG with its text as text: drawn as vectors, the labels set in the chart font (embedded as a subset). */
  svg: string;
  width: number;
  height: number;
}

export function renderNoticePdf(
  doc: OfficialDocument,
  charts: PdfChart[],
  options: { fontDir?: string } = {},
): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: {
      top: PDF_PAGE.top,
      left: PDF_PAGE.left,
      right: PDF_PAGE.width - PDF_PAGE.left - PDF_PAGE.textWidth,
      bottom: PDF_PAGE.height - BOTTOM,
    },
    bufferPages: true,
    info: { Title: doc.title, Author: doc.office, Subject: doc.docNumber },
    lang: 'zh-CN',
  } as PDFKit.PDFDocumentOptions);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const plan = fontPlan(options.fontDir);
  for (const [role, src] of Object.entries(plan) as Array<[FontRole, FontSource]>)
    pdf.registerFont(role, openFont(src) as Buffer);
  pdf.registerFont('chart', openFont(CHART_FONT_FILES.regular) as Buffer);
  pdf.registerFont('chart-bold', openFont(CHART_FONT_FILES.bold) as Buffer);

  const x = PDF_PAGE.left;
  const W = PDF_PAGE.textWidth;
  /** Text at the line pitch: pdfkit's line height is the font's, so the gap makes up the rest. */
  const write = (
    text: string,
    o: {
      role?: FontRole;
      size?: number;
      align?: 'left' | 'center' | 'right' | 'justify';
      indent?: number;
      color?: string;
      line?: number;
      width?: number;
      x?: number;
    } = {},
  ) => {
    const size = o.size ?? BODY;
    pdf
      .font(o.role ?? 'body')
      .fontSize(size)
      .fillColor(o.color ?? '#000000');
    const gap = Math.max(0, (o.line ?? LINE) - pdf.currentLineHeight());
    const width = o.width ?? W;
    const h = pdf.heightOfString(text, { width, lineGap: gap, indent: o.indent ?? 0 });
    if (pdf.y + Math.min(h, o.line ?? LINE) > BOTTOM) pdf.addPage();
    pdf.text(text, o.x ?? x, pdf.y + gap / 2, {
      width,
      lineGap: gap,
      indent: o.indent ?? 0,
      align: o.align ?? 'justify',
    });
    pdf.y -= gap / 2;
  };
  const blank = (n = 1) => {
    pdf.y += LINE * n;
  };

  // 版头: 发文机关标志 in red, 发文字号, the red rule.
  blank(1);
  write(doc.mark, { role: 'title', size: 36, align: 'center', color: RED, line: 60 });
  blank(1);
  write(doc.docNumber, { align: 'center' });
  const ruleY = pdf.y + 4;
  pdf
    .moveTo(x, ruleY)
    .lineTo(x + W, ruleY)
    .lineWidth(1.5)
    .strokeColor(RED)
    .stroke();
  pdf.y = ruleY + LINE;
  write(doc.title, { role: 'title', size: 22, align: 'center', line: 35 });
  blank(1);
  if (doc.addressee) write(doc.addressee);

  for (const b of doc.blocks) block(b);

  blank(1);
  write(doc.office, { align: 'right', width: W - 4 * BODY });
  write(doc.dateText, { align: 'right', width: W - 4 * BODY });
  // 版记: 抄送 and 印发 between rules, at least two lines from the bottom of the text block.
  if (pdf.y + 3 * LINE > BOTTOM) pdf.addPage();
  pdf.y = Math.max(pdf.y + LINE, BOTTOM - 2 * LINE - 4);
  const rule = (y: number, w: number) =>
    pdf
      .moveTo(x, y)
      .lineTo(x + W, y)
      .lineWidth(w)
      .strokeColor('#000000')
      .stroke();
  rule(pdf.y, 1);
  write(`抄送：${doc.cc.join('，')}。`, { size: 14, x: x + 14, width: W - 28, align: 'left' });
  rule(pdf.y + 2, 0.5);
  pdf.y += 2;
  const y = pdf.y;
  write(doc.printedBy, { size: 14, x: x + 14, width: W - 28, align: 'left' });
  pdf.y = y;
  write(`${doc.printedOnText}印发`, { size: 14, x: x + 14, width: W - 28, align: 'right' });
  rule(pdf.y + 2, 1);

  // Page numbers: "— n —" in 4号 宋体, one character in from the right edge on odd pages, from the left on even.
  const range = pdf.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i);
    const n = i + 1;
    pdf.font('pageNumber').fontSize(14).fillColor('#000000');
    const text = `— ${n} —`;
    const tw = pdf.widthOfString(text);
    const px = n % 2 === 1 ? x + W - 14 - tw : x + 14;
    pdf.text(text, px, BOTTOM + 7 * MM, { lineBreak: false });
  }
  pdf.end();
  return done;

  function block(b: DocBlock) {
    switch (b.kind) {
      case 'heading1':
        if (pdf.y + 2 * LINE > BOTTOM) pdf.addPage();
        write(b.text, { role: 'heading1', indent: 2 * BODY });
        return;
      case 'heading2':
        if (pdf.y + 2 * LINE > BOTTOM) pdf.addPage();
        write(b.text, { role: 'heading2', indent: 2 * BODY });
        return;
      case 'paragraph':
        write(b.text, { indent: 2 * BODY });
        return;
      case 'note':
        write(b.text, { size: 12, line: 20, indent: 2 * 12 });
        return;
      case 'table':
        table(b);
        return;
      case 'chart': {
        const c = charts[b.index];
        if (!c) return;
        const scale = Math.min(W / c.width, (TEXT_HEIGHT * 0.85) / c.height);
        const w = c.width * scale;
        const h = c.height * scale;
        if (pdf.y + h + LINE > BOTTOM) pdf.addPage();
        SVGtoPDF(pdf as unknown as typeof PDFDocument, c.svg, x + (W - w) / 2, pdf.y + 6, {
          width: w,
          height: h,
          preserveAspectRatio: 'xMidYMid meet',
          fontCallback: (_family, bold) => (bold ? 'chart-bold' : 'chart'),
        });
        pdf.y += h + 6;
        write(`图：${b.caption}`, { size: 12, line: 20, align: 'center' });
        return;
      }
    }
  }

  function table(b: Extract<DocBlock, { kind: 'table' }>) {
    const total = b.widths.reduce((a, w) => a + w, 0);
    const cols = b.widths.map((w) => (w / total) * W);
    const size = 12;
    const pad = 3;
    const rowHeight = (cells: string[], role: FontRole) => {
      pdf.font(role).fontSize(size);
      return Math.max(...cells.map((c, i) => pdf.heightOfString(c, { width: cols[i]! - 2 * pad }))) + 2 * pad;
    };
    const drawRow = (cells: string[], head: boolean) => {
      const role: FontRole = head ? 'heading1' : 'body';
      const h = rowHeight(cells, role);
      let cx = x;
      const top = pdf.y;
      cells.forEach((c, i) => {
        const w = cols[i]!;
        pdf.rect(cx, top, w, h).lineWidth(0.5).strokeColor('#000000').stroke();
        pdf.font(role).fontSize(size).fillColor('#000000');
        pdf.text(c, cx + pad, top + pad, {
          width: w - 2 * pad,
          align: head ? 'center' : b.numeric.includes(i) ? 'right' : 'left',
        });
        cx += w;
      });
      pdf.y = top + h;
    };
    const headH = rowHeight(b.headers, 'heading1');
    if (pdf.y + headH * 2 > BOTTOM) pdf.addPage();
    drawRow(b.headers, true);
    for (const r of b.rows) {
      if (pdf.y + rowHeight(r, 'body') > BOTTOM) {
        pdf.addPage();
        drawRow(b.headers, true);
      }
      drawRow(r, false);
    }
    pdf.x = x;
    pdf.y += LINE / 2;
  }
}

export const PDF_TYPE = 'application/pdf';
