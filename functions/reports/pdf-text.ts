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
  readonly _font: { readonly id: string; readonly name: string; readonly ascender: number; ref(): unknown };
  readonly _fontSize: number;
  readonly _lineGap: number;
  readonly _wrapper: unknown;
  readonly _textOptions: unknown;
  readonly page: Page;
  x: number;
  y: number;
}

interface Drawn {
  /** Where it was drawn and how (the rest of the key: the context and the text are the maps' keys, below). */
  readonly x: number;
  readonly width: number | undefined;
  readonly align: TextOptions['align'];
  readonly lineBreak: TextOptions['lineBreak'];
  /** What pdfkit wrote to the page's content stream. */
  readonly bytes: Uint8Array;
  /** The text position after it. */
  readonly after: { readonly x: number; readonly y: number };
}

/**
 * Distinct texts remembered before the memory is cleared. England's 1,350 packs draw about 25,000 distinct ones
 * (some 150 bytes each), two thirds of them only once.
 */
const REMEMBERED = 50_000;
/**
 * The remembered texts by context (font, size, line gap, page size and margins: contextKey), text and y; then x and
 * the options, compared one by one. Issue 17: one key string of all of them per call (some 670,000 calls nationally,
 * each converting x and y to text and hashing some 100 characters) was about a seventh of the packs' main-thread
 * time (a CPU profile of test/bench/publish-output.ts); a context key made only when the context changes, the text's
 * own hash (kept by the string) and a number's cost much less: nationally the packs' main thread took 0.6-0.8 CPU s
 * less of 5.3-6.2 (publish-output.ts against c193770 in one process, same bytes, load average 5).
 */
const drawn = new Map<string, Map<string, Map<number, Drawn[]>>>();

/**
 * A one-line text placed without a width (a table's cell, `{ lineBreak: false }`) at any height: pdfkit writes it
 * the same at every y but for the y of its text matrix (`1 0 0 1 x y Tm`), and leaves the position at its end on the
 * same line. Its bytes are kept cut around that y, and written again at another y with that y as pdfkit writes it
 * (textY). Issue 17: nationally a table's cells are the same few thousand texts at a few hundred heights (the tables
 * move down a page with what comes before them), and four in five of the texts laid out again were these.
 */
interface Placed {
  readonly x: number;
  /** The bytes up to the y of the text matrix, and from the space after it. */
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** The text position after it: x at its end (y unchanged). */
  readonly endX: number;
}

/** The texts placed without a width, by context (contextKey) and text; then x, compared one by one. */
const placed = new Map<string, Map<string, Placed[]>>();
/**
 * The bytes of a text matrix's y (textY) by context and y. Issue 17: nationally some 600,000 cells are placed at a
 * few hundred heights, and each y written again as text (a double made decimal) and then as a buffer was about a
 * sixth of drawText's own time.
 */
const yBytes = new Map<string, Map<number, Uint8Array>>();
let remembered = 0;
let remembering = true;

/**
 * Whether texts are remembered (the default): off, drawText is pdfkit's text() on every call and the memory is
 * cleared. For measuring the two side by side (test/bench/packs.bench.ts).
 */
export function rememberTexts(on: boolean): void {
  remembering = on;
  forget();
}

function forget(): void {
  drawn.clear();
  placed.clear();
  yBytes.clear();
  remembered = 0;
}

/**
 * The y of a text's matrix as pdfkit's _fragment writes it (pdfkit 0.20: the page's height less y and the font's
 * ascender at its size, as PDFObject.number rounds it to 6 decimals).
 */
function textY(state: TextState, y: number): string {
  const dy = (state._font.ascender / 1000) * state._fontSize;
  return `${Math.round((state.page.height - y - dy) * 1e6) / 1e6}`;
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

/** textY's bytes, made once per context and y (the context holds what textY reads: the page's height, the font). */
function textYBytes(context: string, state: TextState, y: number): Uint8Array {
  let byY = yBytes.get(context);
  if (byY === undefined) {
    byY = new Map();
    yBytes.set(context, byY);
  }
  let bytes = byY.get(y);
  if (bytes === undefined) {
    bytes = latin1(textY(state, y));
    byY.set(y, bytes);
  }
  return bytes;
}

/** The last context's parts and key: a pack draws runs of texts in one font and size on one page. */
let last = {
  name: '',
  id: '',
  size: 0,
  lineGap: 0,
  width: 0,
  height: 0,
  top: 0,
  right: 0,
  bottom: 0,
  left: 0,
  key: '',
};

function contextKey(state: TextState): string {
  const { page, _font: font } = state;
  const { margins } = page;
  const l = last;
  if (
    l.name === font.name &&
    l.id === font.id &&
    l.size === state._fontSize &&
    l.lineGap === state._lineGap &&
    l.width === page.width &&
    l.height === page.height &&
    l.top === margins.top &&
    l.right === margins.right &&
    l.bottom === margins.bottom &&
    l.left === margins.left &&
    l.key !== ''
  )
    return l.key;
  last = {
    name: font.name,
    id: font.id,
    size: state._fontSize,
    lineGap: state._lineGap,
    width: page.width,
    height: page.height,
    top: margins.top,
    right: margins.right,
    bottom: margins.bottom,
    left: margins.left,
    key: `${font.name}|${font.id}|${state._fontSize}|${state._lineGap}|${page.width}|${page.height}|${margins.top}|${margins.right}|${margins.bottom}|${margins.left}`,
  };
  return last.key;
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
  const context = contextKey(state);
  const { width, align, lineBreak } = options;
  const atY = drawn.get(context)?.get(text)?.get(y);
  let known: Drawn | undefined;
  if (atY !== undefined)
    for (const d of atY)
      if (d.x === x && d.width === width && d.align === align && d.lineBreak === lineBreak) {
        known = d;
        break;
      }
  if (known) {
    if (known.bytes.length > 0) {
      // Drawn text uses its font on the page, as pdfkit's _fragment records it (a font object on first use).
      if (page.resources.data.Font?.[state._font.id] == null) page.fonts[state._font.id] = state._font.ref();
      page.write(known.bytes);
    }
    state.x = known.after.x;
    state.y = known.after.y;
    return;
  }
  const anyHeight = width === undefined && align === undefined && lineBreak === false;
  if (anyHeight) {
    const list = placed.get(context)?.get(text);
    let at: Placed | undefined;
    if (list !== undefined)
      for (const p of list)
        if (p.x === x) {
          at = p;
          break;
        }
    if (at) {
      if (page.resources.data.Font?.[state._font.id] == null) page.fonts[state._font.id] = state._font.ref();
      page.write(at.before);
      page.write(textYBytes(context, state, y));
      page.write(at.after);
      state.x = at.endX;
      state.y = y;
      return;
    }
  }
  const before = page.content.buffer.length;
  document.text(text, x, y, options);
  if (state.page !== page) return;
  const chunks = page.content.buffer.slice(before);
  if (remembered >= REMEMBERED) forget();
  remembered += 1;
  const entry: Drawn = {
    x,
    width,
    align,
    lineBreak,
    bytes: chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks),
    after: { x: state.x, y: state.y },
  };
  if (anyHeight && state.y === y) placeAnyHeight(context, text, x, entry.bytes, textY(state, y), state.x);
  let byText = drawn.get(context);
  if (byText === undefined) {
    byText = new Map();
    drawn.set(context, byText);
  }
  let byY = byText.get(text);
  if (byY === undefined) {
    byY = new Map();
    byText.set(text, byY);
  }
  const list = byY.get(y);
  if (list === undefined) byY.set(y, [entry]);
  else list.push(entry);
}

/**
 * Keeps a text drawn without a width for any height (Placed): its bytes cut around the y of its text matrix, where
 * they hold that matrix once as `1 0 0 1 <x> <y> Tm` with the y textY gives (else it is not kept: drawn again at
 * another height, it is laid out by pdfkit).
 */
function placeAnyHeight(context: string, text: string, x: number, bytes: Uint8Array, y: string, endX: number): void {
  const written = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const matrix = ` ${y} Tm\n`;
  const at = written.indexOf(matrix);
  const end = at + 1 + y.length;
  // The only text matrix it writes (standard fonts move no glyph off the line: no second Tm).
  if (at < 0 || written.indexOf(' Tm\n') !== end || written.indexOf(' Tm\n', end + 1) >= 0) return;
  if (!written.slice(0, at).endsWith(`\n1 0 0 1 ${Math.round(x * 1e6) / 1e6}`)) return;
  const entry: Placed = {
    x,
    before: latin1(written.slice(0, at + 1)),
    after: latin1(written.slice(end)),
    endX,
  };
  let byText = placed.get(context);
  if (byText === undefined) {
    byText = new Map();
    placed.set(context, byText);
  }
  const list = byText.get(text);
  if (list === undefined) byText.set(text, [entry]);
  else list.push(entry);
}

/** What pdfkit's fillColor and strokeColor write for a colour, remembered per process (setColour). */
const colours = new Map<string, Uint8Array>();

/**
 * pdfkit's `document.fillColor(colour)` (or `strokeColor`, `stroke` true) for a colour given as text (`#rrggbb`),
 * remembered per process: the first call is pdfkit's own, and what it wrote to the page (the colour space and the
 * colour, from the colour alone) is written again by later calls, which set the fill colour pdfkit keeps as it does
 * (`_fillColor`, opacity unset). Issue 17: a pack sets a colour some 300 times (each table row, text and bar), and
 * pdfkit parses the colour and writes its operators as new text and buffers each time (nationally about 5% of the
 * packs' main thread in a CPU profile).
 */
export function setColour(document: PDFKit.PDFDocument, colour: string, stroke = false): void {
  const state = document as unknown as TextState & { _fillColor: unknown };
  const key = `${stroke ? 'stroke' : 'fill'}|${colour}`;
  const known = colours.get(key);
  if (known !== undefined) {
    state.page.write(known);
    if (!stroke) state._fillColor = [colour, undefined];
    return;
  }
  const page = state.page;
  const before = page.content.buffer.length;
  if (stroke) document.strokeColor(colour);
  else document.fillColor(colour);
  const chunks = page.content.buffer.slice(before);
  colours.set(key, chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks));
}

/** The path drawn so far filled with a colour: pdfkit's `document.fill(colour)` (setColour, then the `f` operator). */
export function fillWith(document: PDFKit.PDFDocument, colour: string): void {
  setColour(document, colour);
  (document as unknown as TextState).page.write(FILL);
}

const FILL = latin1('f\n');
