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
  /** The text's width at size 1000 and its encoding, worked out as pdfkit does (glyphsOf), for a text not remembered. */
  readonly measure: (text: string) => number;
  readonly encode: (text: string) => [string[], unknown[]];
}

/** pdfkit 0.20's AFMFont as StandardFont holds it (`font`): the members its encode and widthOfString read. */
interface AfmFont {
  encodeText(text: string): string[];
  characterToGlyph(character: number): string;
  widthOfGlyph(glyph: string): number;
  getKernPair(left: string, right: string | undefined): number;
}

/**
 * A standard font's encode and widthOfString, each the same result as pdfkit's (StandardFont.encode: a text's UTF-16
 * units encoded one by one, a glyph each, its advance the glyph's width plus the kerning with the next glyph), with
 * each unit's hex code, glyph and width and each pair's kerning looked up once per process instead of per text.
 * Issue 17: the texts not remembered (an area's name, footers, rarer figures) were encoded glyph by glyph, each
 * kerning pair a string made and looked up in some 2,700 pairs: most of what the packs' misses cost beyond layout.
 */
function glyphsOf(afm: AfmFont): Pick<SharedFont, 'measure' | 'encode'> {
  const units = new Map<number, { readonly hex: string; readonly glyph: string; readonly width: number }>();
  const unit = (code: number) => {
    let known = units.get(code);
    if (known === undefined) {
      const glyph = afm.characterToGlyph(code);
      known = { hex: afm.encodeText(String.fromCharCode(code))[0] as string, glyph, width: afm.widthOfGlyph(glyph) };
      units.set(code, known);
    }
    return known;
  };
  // Kerning by the two units' codes (a glyph's name is its unit's, so a pair of codes names one pair of glyphs); the
  // last glyph kerned with none, as pdfkit asks (getKernPair(left, undefined)).
  const kerning = new Map<number, number>();
  const kern = (left: number, right: number | undefined) => {
    const key = right === undefined ? -1 - left : left * 65_536 + right;
    let amount = kerning.get(key);
    if (amount === undefined) {
      amount = afm.getKernPair(unit(left).glyph, right === undefined ? undefined : unit(right).glyph);
      kerning.set(key, amount);
    }
    return amount;
  };
  const advance = (text: string, i: number) =>
    unit(text.charCodeAt(i)).width + kern(text.charCodeAt(i), i + 1 < text.length ? text.charCodeAt(i + 1) : undefined);
  return {
    measure: (text) => {
      let width = 0;
      for (let i = 0; i < text.length; i++) width += advance(text, i);
      return width;
    },
    encode: (text) => {
      const encoded: string[] = [];
      const positions: unknown[] = [];
      for (let i = 0; i < text.length; i++) {
        const { hex, width } = unit(text.charCodeAt(i));
        encoded.push(hex);
        positions.push({ xAdvance: advance(text, i), yAdvance: 0, xOffset: 0, yOffset: 0, advanceWidth: width });
      }
      return [encoded, positions];
    },
  };
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
    const template = (probe as unknown as FontsOfDocument)._font as StandardFont;
    font = {
      template,
      widths: new Map(),
      encodings: new Map(),
      ...glyphsOf((template as unknown as { font: AfmFont }).font),
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
  const { template, widths, encodings, measure, encode } = sharedFont(name);
  const font = Object.assign(Object.create(Object.getPrototypeOf(template)), template, {
    document,
    id,
    dictionary: undefined,
    embedded: false,
  }) as StandardFont;
  font.widthOfString = (text: string, size: number) => {
    let width = widths.get(text);
    if (width === undefined) {
      if (widths.size >= REMEMBERED) widths.clear();
      width = measure(text);
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
