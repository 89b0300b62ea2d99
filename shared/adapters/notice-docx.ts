// The official document (shared/domain/notices/official-document.ts) as Word .docx, laid out per GB/T 9704-2012:
// A4, text block 156 × 225 mm (top 37 mm, left 28 mm), 22 lines of 28 characters, title 2号 方正小标宋简体, body 3号
// 仿宋_GB2312, headings 黑体 / 楷体_GB2312, page numbers "— 1 —" in 4号 宋体 (odd pages right, even left), 版记 between
// rules. Word substitutes installed fonts for the named ones it lacks; the names are what a 公文 asks for.
import {
  AlignmentType,
  BorderStyle,
  Document,
  DocumentGridType,
  Footer,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type IRunOptions,
} from 'docx';
import type { DocBlock, OfficialDocument } from '../domain/notices/official-document.ts';

/** Twips (1/20 pt) of the page and its margins. */
export const PAGE = { width: 11906, height: 16838, top: 2098, left: 1588, right: 1473, bottom: 1984, footer: 1304 };
/** 28.95 pt: 225 mm / 22 lines. */
export const LINE_TWIPS = 579;
/** 156 mm / 28 characters = 15.79 pt against 3号 (16 pt), in 1/4096 pt (docGrid charSpace). */
const CHAR_SPACE = Math.round((442.2 / 28 - 16) * 4096);
export const FONTS = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  heading1: '黑体',
  heading2: '楷体_GB2312',
  pageNumber: '宋体',
  latin: 'Times New Roman',
};
const RED = 'FF0000';
const TEXT_WIDTH_PX = Math.round((156 / 25.4) * 96);
const TEXT_HEIGHT_PX = Math.round((225 / 25.4) * 96);

const font = (eastAsia: string) => ({ eastAsia, ascii: FONTS.latin, hAnsi: FONTS.latin, cs: FONTS.latin });
const run = (text: string, o: Omit<IRunOptions, 'text'> = {}) => new TextRun({ text, ...o });
const exact = (line = LINE_TWIPS) => ({ line, lineRule: LineRuleType.EXACT, before: 0, after: 0 });

function pageNumberFooter(align: 'right' | 'left'): Footer {
  return new Footer({
    children: [
      new Paragraph({
        alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        // One character in from the text block's edge.
        indent: align === 'right' ? { right: 280 } : { left: 280 },
        children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONTS.pageNumber), size: 28 })],
      }),
    ],
  });
}

function table(b: Extract<DocBlock, { kind: 'table' }>): Table {
  const total = b.widths.reduce((a, w) => a + w, 0);
  const widthTwips = PAGE.width - PAGE.left - PAGE.right;
  const cols = b.widths.map((w) => Math.floor((w / total) * widthTwips));
  const cell = (text: string, i: number, head: boolean) =>
    new TableCell({
      width: { size: cols[i]!, type: WidthType.DXA },
      verticalAlign: VerticalAlign.CENTER,
      margins: { left: 60, right: 60, top: 20, bottom: 20 },
      children: [
        new Paragraph({
          alignment: head ? AlignmentType.CENTER : b.numeric.includes(i) ? AlignmentType.RIGHT : AlignmentType.LEFT,
          spacing: { line: 320, lineRule: LineRuleType.AT_LEAST, before: 0, after: 0 },
          children: [run(text, { size: 24, bold: head, font: font(head ? FONTS.heading1 : FONTS.body) })],
        }),
      ],
    });
  return new Table({
    width: { size: widthTwips, type: WidthType.DXA },
    columnWidths: cols,
    rows: [
      new TableRow({ tableHeader: true, children: b.headers.map((h, i) => cell(h, i, true)) }),
      ...b.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cell(c, i, false)) })),
    ],
  });
}

export interface DocxChart {
  png: Buffer;
  width: number;
  height: number;
}

function chart(c: DocxChart, caption: string): Paragraph[] {
  const scale = Math.min(TEXT_WIDTH_PX / c.width, (TEXT_HEIGHT_PX * 0.85) / c.height);
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 120, after: 0 },
      children: [
        new ImageRun({
          type: 'png',
          data: c.png,
          transformation: { width: Math.round(c.width * scale), height: Math.round(c.height * scale) },
          altText: { name: caption, title: caption, description: caption },
        }),
      ],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: exact(),
      children: [run(`图：${caption}`, { size: 24, font: font(FONTS.body) })],
    }),
  ];
}

function body(blocks: DocBlock[], charts: DocxChart[]): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading1':
        out.push(new Paragraph({ style: 'Heading1', children: [run(b.text)] }));
        break;
      case 'heading2':
        out.push(new Paragraph({ style: 'Heading2', children: [run(b.text)] }));
        break;
      case 'paragraph':
        out.push(new Paragraph({ children: [run(b.text)] }));
        break;
      case 'note':
        out.push(new Paragraph({ children: [run(b.text, { size: 24 })] }));
        break;
      case 'table':
        out.push(table(b), new Paragraph({ spacing: { line: 200, lineRule: LineRuleType.EXACT }, children: [] }));
        break;
      case 'chart': {
        const c = charts[b.index];
        if (c) out.push(...chart(c, b.caption));
        break;
      }
    }
  }
  return out;
}

const rule = (color = '000000', size = 8) => ({ style: BorderStyle.SINGLE, size, color, space: 1 });

export async function renderNoticeDocx(doc: OfficialDocument, charts: DocxChart[]): Promise<Buffer> {
  const plain = (text: string, o: ConstructorParameters<typeof Paragraph>[0] & object = {}) =>
    new Paragraph({ ...o, children: [run(text)] });
  const children: Array<Paragraph | Table> = [
    // 发文机关标志: red, centred, below two blank lines of the first page.
    new Paragraph({ spacing: exact(), children: [] }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { line: 1200, lineRule: LineRuleType.EXACT, before: 0, after: 0 },
      children: [run(doc.mark, { color: RED, size: 72, font: font(FONTS.title) })],
    }),
    new Paragraph({ spacing: exact(), children: [] }),
    // 发文字号 above the red separator rule.
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: exact(),
      border: { bottom: rule(RED, 18) },
      children: [run(doc.docNumber)],
    }),
    new Paragraph({ spacing: exact(), children: [] }),
    new Paragraph({
      style: 'Title',
      children: [run(doc.title)],
    }),
    new Paragraph({ spacing: exact(), children: [] }),
  ];
  if (doc.addressee) children.push(plain(doc.addressee, { indent: { firstLine: 0 } }));
  children.push(...body(doc.blocks, charts));
  children.push(
    new Paragraph({ spacing: exact(), children: [] }),
    plain(doc.office, { alignment: AlignmentType.RIGHT, indent: { right: 1280, firstLine: 0 } }),
    plain(doc.dateText, { alignment: AlignmentType.RIGHT, indent: { right: 1280, firstLine: 0 } }),
    new Paragraph({ spacing: exact(), children: [] }),
    // 版记: 抄送 and 印发 between rules, 4号.
    new Paragraph({
      spacing: exact(),
      indent: { left: 280, right: 280, firstLine: 0 },
      border: { top: rule('000000', 8), bottom: rule('000000', 4) },
      children: [run(`抄送：${doc.cc.join('，')}。`, { size: 28 })],
    }),
    new Paragraph({
      spacing: exact(),
      indent: { left: 280, right: 280, firstLine: 0 },
      border: { bottom: rule('000000', 8) },
      tabStops: [{ type: 'right', position: PAGE.width - PAGE.left - PAGE.right - 560 }],
      children: [run(`${doc.printedBy}\t${doc.printedOnText}印发`, { size: 28 })],
    }),
  );

  const document = new Document({
    title: doc.title,
    creator: doc.office,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: font(FONTS.body), size: 32 },
          paragraph: { spacing: exact(), indent: { firstLine: 640 }, alignment: AlignmentType.JUSTIFIED },
        },
      },
      paragraphStyles: [
        {
          id: 'Title',
          name: 'Title',
          basedOn: 'Normal',
          next: 'Normal',
          run: { font: font(FONTS.title), size: 44 },
          paragraph: {
            alignment: AlignmentType.CENTER,
            indent: { firstLine: 0 },
            spacing: { line: 700, lineRule: LineRuleType.EXACT },
          },
        },
        {
          id: 'Heading1',
          name: 'heading 1',
          basedOn: 'Normal',
          next: 'Normal',
          run: { font: font(FONTS.heading1), size: 32, bold: false, color: '000000' },
          paragraph: { spacing: exact(), keepNext: true, outlineLevel: 0 },
        },
        {
          id: 'Heading2',
          name: 'heading 2',
          basedOn: 'Normal',
          next: 'Normal',
          run: { font: font(FONTS.heading2), size: 32, bold: false, color: '000000' },
          paragraph: { spacing: exact(), keepNext: true, outlineLevel: 1 },
        },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: {
              top: PAGE.top,
              left: PAGE.left,
              right: PAGE.right,
              bottom: PAGE.bottom,
              footer: PAGE.footer,
              header: 851,
            },
          },
          grid: { type: DocumentGridType.LINES_AND_CHARS, linePitch: LINE_TWIPS, charSpace: CHAR_SPACE },
        },
        footers: { default: pageNumberFooter('right'), even: pageNumberFooter('left') },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}

export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
