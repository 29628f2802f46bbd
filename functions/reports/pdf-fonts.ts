import PDFDocument from 'pdfkit';

/**
 * pdfkit's standard fonts, read once per process and measured once per text, instead of once per document.
 *
 * A pack is some 400 short texts (labels, months, figures) in two fonts, and about 1,350 packs are written in a row.
 * pdfkit builds each standard font's metrics (a table of glyph widths and some 2,700 kerning pairs keyed by glyph
 * names) for every document that uses it, and measures and encodes every text glyph by glyph, kerning pair by kerning
 * pair, each time it is measured or drawn: that was about half of a pack's CPU time. Here each font's metrics are
 * pdfkit's own (its AFM data, its StandardFont methods), built once, and a text's width and encoding are pdfkit's
 * own result for that text, computed the first time and remembered. So the bytes of a pack are exactly those pdfkit
 * writes without this (test/integration/packs.test.ts compares them).
 *
 * A document's font object (its /F1, /F2 resource and PDF object) is still its own: only the metrics are shared.
 * This reads three members pdfkit does not declare (`_font`, `_fontFamilies`, `_fontCount`, pdfkit 0.20's
 * FontsMixin), which is why package.json keeps pdfkit to its 0.20 minor (^0.20).
 */

/** pdfkit's StandardFont as this module uses it. */
interface StandardFont {
  name: string;
  id: string;
  document: PDFKit.PDFDocument;
  encode(text: string): [string[], unknown[]];
  widthOfString(text: string, size: number): number;
}

interface FontsOfDocument {
  _font: StandardFont | null;
  _fontFamilies: Record<string, StandardFont>;
  _fontCount: number;
}

interface SharedFont {
  readonly template: StandardFont;
  readonly widths: Map<string, number>;
  readonly encodings: Map<string, [string[], unknown[]]>;
}

/**
 * Distinct texts remembered per font, for widths and for encodings, before each memory is cleared. A pack's labels,
 * months and common figures recur; its footers and rarer figures do not. Writing England's 1,350 packs
 * (bench:packs) at 5,000 kept about 20 MB more heap than pdfkit alone, at 50,000 about 105 MB, for the same CPU time.
 */
const REMEMBERED = 5_000;
const shared = new Map<string, SharedFont>();

function sharedFont(name: string): SharedFont {
  let font = shared.get(name);
  if (!font) {
    const probe = new PDFDocument({ autoFirstPage: false });
    probe.font(name);
    font = {
      template: (probe as unknown as FontsOfDocument)._font as StandardFont,
      widths: new Map(),
      encodings: new Map(),
    };
    shared.set(name, font);
  }
  return font;
}

/**
 * A document's font: pdfkit's own StandardFont (its prototype: embed, ref, finalize, lineHeight) whose metrics are
 * the process's, and whose measuring and encoding remember their results. Widths are remembered unscaled and scaled
 * as pdfkit scales them (width * (size / 1000)), so every figure is the same to the last bit.
 */
function documentFont(document: PDFKit.PDFDocument, name: string, id: string): StandardFont {
  const { template, widths, encodings } = sharedFont(name);
  const font = Object.assign(Object.create(Object.getPrototypeOf(template)), template, {
    document,
    id,
    dictionary: undefined,
    embedded: false,
  }) as StandardFont;
  const measure = template.widthOfString.bind(template);
  const encode = template.encode.bind(template);
  font.widthOfString = (text: string, size: number) => {
    let width = widths.get(text);
    if (width === undefined) {
      if (widths.size >= REMEMBERED) widths.clear();
      width = measure(text, 1000);
      widths.set(text, width);
    }
    return width * (size / 1000);
  };
  font.encode = (text: string) => {
    let encoded = encodings.get(text);
    if (encoded === undefined) {
      if (encodings.size >= REMEMBERED) encodings.clear();
      encoded = encode(text);
      encodings.set(text, encoded);
    }
    return encoded;
  };
  return font;
}

/**
 * A new pdfkit document whose standard fonts are those named, in that order (as pdfkit would number them on first
 * use: /F1, /F2, ...), with shared metrics; the first is the current font.
 */
export function documentWithFonts(
  options: PDFKit.PDFDocumentOptions,
  fonts: readonly [string, ...string[]],
): PDFKit.PDFDocument {
  // No default font: pdfkit would build Helvetica's metrics for this document.
  const document = new PDFDocument({ ...options, font: '' });
  const state = document as unknown as FontsOfDocument;
  if (typeof state._fontFamilies !== 'object' || state._fontCount !== 0)
    throw new Error('pdfkit no longer keeps its fonts as 0.20 does (_fontFamilies, _fontCount): see pdf-fonts.ts');
  fonts.forEach((name, index) => {
    state._fontFamilies[name] = documentFont(document, name, `F${index + 1}`);
  });
  state._fontCount = fonts.length;
  return document.font(fonts[0]);
}
