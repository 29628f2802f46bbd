/**
 * Text drawn with pdfkit, remembered per process and written again as the same bytes, instead of laid out again.
 *
 * A pack draws some 500 texts (labels, figures, months, notes), and about 1,350 packs are written in a row: some
 * 670,000 calls of pdfkit's text(), each of which wraps its text into lines (LineWrapper, a Unicode line breaker) and
 * writes each line as some eight PDF operators, each a small buffer of its own. Nationally only about 25,000 of those
 * calls differ: the same label, note or figure at the same place in the same font. pdfkit's text() depends only on
 * what the key below holds (the text, where, how wide and aligned, the font and its size, the line gap and the
 * page's size and margins), and what it does is write bytes to the page's content stream, use the font on the page,
 * and move the text position. So the first call is pdfkit's own, its bytes and final position are kept, and a later
 * call with the same key writes those bytes, uses the font and moves to that position: the pack is byte for byte the
 * one pdfkit writes (test/unit/pdf-text.test.ts, and at national scale test/bench/packs.bench.ts).
 *
 * Not remembered: a text that moved to a new page (pdfkit's own page break), and texts with options other than
 * width, align and lineBreak (links, underlines, continued texts: call pdfkit's text() for those). This reads members
 * pdfkit does not declare (pdfkit 0.20: `_font`, `_fontSize`, `_lineGap`, `_wrapper`, `_textOptions`, a page's
 * `content` and `resources`), which is why package.json keeps pdfkit to its 0.20 minor (^0.20), as pdf-fonts.ts does.
 */

export interface TextOptions {
  readonly width?: number;
  readonly align?: 'left' | 'center' | 'right';
  readonly lineBreak?: false;
}

interface Page {
  readonly width: number;
  readonly height: number;
  readonly margins: { top: number; bottom: number; left: number; right: number };
  readonly content: { buffer: Uint8Array[] };
  readonly resources: { data: { Font?: Record<string, unknown> } };
  readonly fonts: Record<string, unknown>;
  write(chunk: Uint8Array): void;
}

interface TextState {
  readonly _font: { readonly id: string; readonly name: string; ref(): unknown };
  readonly _fontSize: number;
  readonly _lineGap: number;
  readonly _wrapper: unknown;
  readonly _textOptions: unknown;
  readonly page: Page;
  x: number;
  y: number;
}

interface Drawn {
  /** What pdfkit wrote to the page's content stream. */
  readonly bytes: Uint8Array;
  /** The text position after it. */
  readonly x: number;
  readonly y: number;
}

/**
 * Distinct texts remembered before the memory is cleared. England's 1,350 packs draw about 25,000 distinct ones
 * (some 150 bytes each), two thirds of them only once.
 */
const REMEMBERED = 50_000;
const drawn = new Map<string, Drawn>();
let remembering = true;

/**
 * Whether texts are remembered (the default): off, drawText is pdfkit's text() on every call and the memory is
 * cleared. For measuring the two side by side (test/bench/packs.bench.ts).
 */
export function rememberTexts(on: boolean): void {
  remembering = on;
  drawn.clear();
}

function keyOf(state: TextState, text: string, x: number, y: number, options: TextOptions): string {
  const { page, _font: font } = state;
  const { margins } = page;
  return `${font.name}|${font.id}|${state._fontSize}|${state._lineGap}|${page.width}|${page.height}|${margins.top}|${margins.right}|${margins.bottom}|${margins.left}|${x}|${y}|${options.width}|${options.align}|${options.lineBreak}|${text}`;
}

/** pdfkit's `document.text(text, x, y, options)`, its bytes remembered per process (see above). */
export function drawText(
  document: PDFKit.PDFDocument,
  text: string,
  x: number,
  y: number,
  options: TextOptions = {},
): void {
  const state = document as unknown as TextState;
  // A continued text (pdfkit's _wrapper, _textOptions) carries state from the text before it: not remembered.
  if (!remembering || state._wrapper || state._textOptions) {
    document.text(text, x, y, options);
    return;
  }
  const page = state.page;
  const key = keyOf(state, text, x, y, options);
  const known = drawn.get(key);
  if (known) {
    if (known.bytes.length > 0) {
      // Drawn text uses its font on the page, as pdfkit's _fragment records it (a font object on first use).
      if (page.resources.data.Font?.[state._font.id] == null) page.fonts[state._font.id] = state._font.ref();
      page.write(known.bytes);
    }
    state.x = known.x;
    state.y = known.y;
    return;
  }
  const before = page.content.buffer.length;
  document.text(text, x, y, options);
  if (state.page !== page) return;
  const chunks = page.content.buffer.slice(before);
  if (drawn.size >= REMEMBERED) drawn.clear();
  drawn.set(key, {
    bytes: chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks),
    x: state.x,
    y: state.y,
  });
}
