/// <reference path="./fontkit.d.ts" />
// The font files the documents and the charts use, opened once per process (fontkit): a CJK collection is 20–27 MB
// and costs a tenth of a second or more to open, and the PDF (pdfkit takes fontkit objects as they are) and the charts
// (measuring, outlining) share the same Noto Sans CJK. Every opened font shapes text without OpenType glyph
// composition (ccmp): in Noto CJK it is nine tenths of the shaping time and changes no glyph of Chinese text and
// figures (it composes combining marks, which notices do not carry).
import * as fontkit from 'fontkit';

export interface FontSource {
  path: string;
  /** Postscript name of the face in a .ttc collection. */
  face?: string;
}

export const WITHOUT_CCMP = { ccmp: false };

const opened = new Map<string, unknown>();

/** The font at `src`, opened once per process; `hint` says how to install it when it is missing. */
export function openFont(src: FontSource, hint = ''): unknown {
  const key = `${src.path}#${src.face ?? ''}`;
  let font = opened.get(key);
  if (!font) {
    let f: { layout(text: string, features?: unknown): unknown } | null;
    try {
      f = fontkit.openSync(src.path, src.face) as typeof f;
    } catch (err) {
      throw new Error(`font ${src.face ?? src.path}: ${(err as Error).message}${hint}`);
    }
    if (!f?.layout) throw new Error(`font ${src.face ?? ''} not found in ${src.path}${hint}`);
    const layout = f.layout.bind(f);
    f.layout = (text, features) => layout(text, features ?? WITHOUT_CCMP);
    font = f;
    opened.set(key, font);
  }
  return font;
}
