import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import Papa from 'papaparse';
import type { UploadFormat, UploadLimits } from '../contract/upload.ts';
import { identifierAcrossCells } from '../lib/identifiability-guard.ts';
import { FileRejection, reject } from './file-rejection.ts';
import { type GzipProgress, gunzipMembers } from './gzip-members.ts';

/** One data row: its number as a spreadsheet shows it, and its cells by column name (empty cells left out). */
export interface RawRecord {
  readonly row: number;
  readonly cells: Record<string, unknown>;
  /**
   * A readable CSV row's texts in the order of the header's columns ('' for an empty cell): what the ingest reads
   * first. Its cells are then built from them only when asked for.
   */
  readonly texts?: readonly string[];
  /** Set when the row could not be read into cells at all; the row is rejected with this reason. */
  readonly unreadable?: { readonly code: 'column_count' | 'invalid_json'; readonly message: string };
  /**
   * Text of the row that is not in its cells, for the identifiability guard only (never stored): the cells of a CSV
   * row with the wrong number of columns, the text of a line that is not a JSON object, the keys of empty values.
   */
  readonly raw?: readonly string[];
}

/** Facts about the bytes, filled in as the file is read. */
export interface ByteStats {
  rawBytes: number;
  uncompressedBytes: number;
  compressed: boolean;
  sha256: string;
  /** Compressed bytes the inflater has consumed so far (not just read ahead): the base of the bomb ratio. */
  inflatedFrom?: number;
  /**
   * A gzip file's header texts (FEXTRA, FNAME, FCOMMENT), every member's as far as it was read (R19-4): `gzip` writes
   * the original file's name there (R13-3).
   */
  gzipTexts?: readonly string[];
}

export interface ReadOptions {
  readonly format: UploadFormat;
  readonly limits: UploadLimits;
  /** Called once with a CSV header; may throw a FileRejection. */
  readonly onHeader?: (names: readonly string[]) => void;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const BINARY_SIGNATURES: [string, number[]][] = [
  ['a zip or Excel workbook', [0x50, 0x4b, 0x03, 0x04]],
  ['a PDF', [0x25, 0x50, 0x44, 0x46]],
  ['a Parquet file', [0x50, 0x41, 0x52, 0x31]],
  ['an old Excel workbook', [0xd0, 0xcf, 0x11, 0xe0]],
];
const BOMB_CHECK_AFTER = 1024 * 1024;

const startsWith = (chunk: Uint8Array, magic: number[]) => magic.every((byte, i) => chunk[i] === byte);

/**
 * UTF-16 text (Excel's "Unicode Text", Notepad's "Unicode"), from a file's first bytes: its byte order mark, or,
 * without one, the NUL of ASCII text in every other byte (over the first KB: three pairs in four, none in the other
 * place). Refused for its encoding rather than as binary, and read as UTF-16 when looked at for identifiers.
 */
function utf16Of(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const pairs = Math.min(head.length, 1024) >> 1;
  if (pairs < 4) return undefined;
  let first = 0;
  let second = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) first++;
    if (head[i + 1] === 0) second++;
  }
  if (first === 0 && second * 4 >= pairs * 3) return 'utf-16le';
  if (second === 0 && first * 4 >= pairs * 3) return 'utf-16be';
  return undefined;
}

/** The raw bytes, hashed and counted as they pass, decompressed when they are gzip. */
async function* bytesOf(source: AsyncIterable<Uint8Array>, stats: ByteStats): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  const iterator = source[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.length === 0) first = await iterator.next();
  if (first.done) {
    stats.sha256 = hash.digest('hex');
    reject('empty_file', 'the file is empty');
  }
  const head = first.value;
  async function* raw(): AsyncGenerator<Uint8Array> {
    hash.update(head);
    stats.rawBytes += head.length;
    yield head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      hash.update(next.value);
      stats.rawBytes += next.value.length;
      yield next.value;
    }
    stats.sha256 = hash.digest('hex');
  }
  stats.compressed = startsWith(head, GZIP_MAGIC);
  if (!stats.compressed) {
    yield* raw();
    return;
  }
  // Every member's header texts, for the guard (R19-4), filled in as each member is reached.
  const progress: GzipProgress = { texts: [], members: 0, inflatedFrom: 0 };
  stats.gzipTexts = progress.texts;
  const asRejection = (error: unknown) =>
    error instanceof FileRejection
      ? error
      : new FileRejection({ code: 'corrupt_gzip', message: 'the gzip stream is truncated or corrupt' });
  try {
    for await (const chunk of gunzipMembers(raw(), progress)) {
      // The inflaters count the input they have actually inflated, so read-ahead cannot hide a bomb behind a low ratio.
      stats.inflatedFrom = progress.inflatedFrom;
      yield chunk;
    }
  } catch (error) {
    throw asRejection(error);
  }
}

/** How many line feeds bytes[0, end) holds. */
function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1 && at < end; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * Where the first byte that cannot be UTF-8 is in a chunk (-1 if none is found): continuation bytes at its start finish
 * a character begun in the chunk before, and a character cut by the chunk's end is finished in the next.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < 3 && i < bytes.length && ((bytes[i] as number) & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const [need, low, high] = utf8Lead(lead);
    if (need === 0) return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return -1;
      const next = bytes[i + k] as number;
      if (k === 1 ? next < low || next > high : (next & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * A UTF-8 lead byte's continuation bytes (0: no lead byte) and the range of the first (no overlong form, no surrogate,
 * nothing past U+10FFFF).
 */
function utf8Lead(lead: number): [number, number, number] {
  if (lead >= 0xc2 && lead <= 0xdf) return [1, 0x80, 0xbf];
  if (lead === 0xe0) return [2, 0xa0, 0xbf];
  if (lead === 0xed) return [2, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [2, 0x80, 0xbf];
  if (lead === 0xf0) return [3, 0x90, 0xbf];
  if (lead === 0xf4) return [3, 0x80, 0x8f];
  if (lead >= 0xf1 && lead <= 0xf3) return [3, 0x80, 0xbf];
  return [0, 0, 0];
}

/** Text of the file: limits enforced, binary and non-UTF-8 refused, byte order mark dropped. */
async function* textOf(
  source: AsyncIterable<Uint8Array>,
  limits: UploadLimits,
  stats: ByteStats,
): AsyncGenerator<string> {
  let decoder = new TextDecoder('utf-8', { fatal: true });
  /**
   * Every chunk so far was ASCII, read as Latin-1 (the same text, several times cheaper than the UTF-8 decoder: about
   * 0.1 to 0.5 CPU seconds of a 195 MB file, measured side by side). The decoder then holds no part of a character; from the first chunk that is
   * not ASCII on, it reads every chunk. A decoder started after text has been read keeps a byte order mark it meets
   * (ignoreBOM): only the file's first bytes are its mark.
   */
  let ascii = true;
  let asciiRead = false;
  let first = true;
  /** Line ends in the chunks read so far: where a byte that is not UTF-8 is, for the refusal. */
  let newlines = 0;
  for await (const chunk of bytesOf(source, stats)) {
    if (first) {
      first = false;
      for (const [what, signature] of BINARY_SIGNATURES) {
        if (startsWith(chunk, signature))
          reject('binary', `the file is ${what}, not CSV or JSON Lines: export it as CSV`);
      }
      if (utf16Of(chunk))
        reject('not_utf8', 'the file is UTF-16 text (Excel\'s "Unicode Text"), not UTF-8: save it as "CSV UTF-8"');
    }
    stats.uncompressedBytes += chunk.length;
    if (stats.compressed && stats.uncompressedBytes > BOMB_CHECK_AFTER) {
      const ratio = stats.uncompressedBytes / Math.max(stats.inflatedFrom ?? stats.rawBytes, 1);
      if (ratio > limits.maxCompressionRatio) {
        reject('gzip_bomb', `the file expands more than ${limits.maxCompressionRatio} times when decompressed`);
      }
    }
    if (stats.uncompressedBytes > limits.maxBytes) {
      reject('too_large', `the file is larger than ${limits.maxBytes} bytes uncompressed`);
    }
    if (chunk.includes(0)) reject('binary', 'the file contains NUL bytes: it is binary, not CSV or JSON Lines');
    let text: string;
    if (ascii && isAscii(chunk)) {
      newlines += countNewlines(chunk, chunk.length);
      text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1');
      if (text.length > 0) {
        asciiRead = true;
        yield text;
      }
      continue;
    }
    if (ascii) {
      ascii = false;
      if (asciiRead) decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    }
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // The bad byte itself and its line (review 30, R30-11: the chunk's first byte was named, "near byte 0").
      const bad = Math.max(firstInvalidUtf8(chunk), 0);
      const line = newlines + countNewlines(chunk, bad) + 1;
      const byte = stats.uncompressedBytes - chunk.length + bad;
      reject(
        'not_utf8',
        `the file is not valid UTF-8 (line ${line.toLocaleString('en-GB')}, byte ${byte.toLocaleString('en-GB')}): save it as UTF-8`,
      );
    }
    newlines += countNewlines(chunk, chunk.length);
    if (text.length > 0) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  } catch {
    reject('not_utf8', 'the file ends in the middle of a UTF-8 character');
  }
}

/**
 * Reads an upload (CSV or JSON Lines, gzip or not) and hands each record to onRecord, in order. Push-based: the
 * per-row work is synchronous, so no promise is made per row. Rejects with a FileRejection for a bad file.
 */
export async function readRecords(
  source: AsyncIterable<Uint8Array>,
  options: ReadOptions,
  stats: ByteStats,
  onRecord: (record: RawRecord) => void,
): Promise<void> {
  let rows = 0;
  const count = (record: RawRecord) => {
    rows += 1;
    if (rows > options.limits.maxRows) reject('too_many_rows', `the file has more than ${options.limits.maxRows} rows`);
    onRecord(record);
  };
  const text = textOf(source, options.limits, stats);
  if (options.format === 'csv') await csvRecords(text, options, count);
  else await jsonLinesRecords(text, options, count);
  if (rows === 0) reject('empty_file', 'the file has no data rows');
}

/** PapaParse's per-file parser (the object its streamers drive), which its type declarations leave out. */
interface PapaParserHandle {
  parse(
    input: string,
    baseIndex: number,
    ignoreLastRow: boolean,
  ): { meta: { cursor: number; linebreak: string; paused?: boolean } };
}
const ParserHandle = (Papa as unknown as { ParserHandle: new (config: object) => PapaParserHandle }).ParserHandle;

/**
 * CSV rows, read as PapaParse's stream reader reads them (its ReadableStreamStreamer: each chunk joined to the partial
 * line left by the one before, parsed up to its last complete line, the line endings guessed from the first chunk),
 * with one difference in who does the work: a chunk without a quote character, which PapaParse's parser splits on its
 * line ending and then on commas (its "fast mode"), is split here the same way, without the results object, meta object
 * and error array PapaParse makes for every row (issue 17: about 0.2 CPU s of a 1,000,000-row file). The first chunk
 * (which sets the line ending) and every chunk holding a quote go to PapaParse's own parser, as before. The rows, their
 * cells, their numbering and each row's end offset (the line-length limit) are PapaParse's: test/unit/csv-rows.test.ts
 * compares them with PapaParse's stream reader on generated files cut into random chunks.
 */
export async function csvRows(
  text: AsyncIterable<string>,
  onRow: (cells: string[], errors: readonly { code?: string }[], cursor: number) => void,
): Promise<void> {
  const handle = new ParserHandle({
    delimiter: ',',
    quoteChar: '"',
    skipEmptyLines: false,
    dynamicTyping: false,
    transform: false,
    step: (results: { data: string[]; errors: { code?: string }[]; meta: { cursor: number } }) =>
      onRow(results.data, results.errors, results.meta.cursor),
  });
  let partial = '';
  let base = 0;
  let newline: string | undefined;
  const NO_ERRORS: readonly { code?: string }[] = [];
  /** Cells of the line before: the next line's array is made this long at once. */
  let width = 0;
  /**
   * The line input[from, end) cut at its commas, as `input.substring(from, end).split(',')` cuts it (the same texts,
   * '' for an empty cell), without the line's own string and with the array made at its width at once (issue 17: 0.68
   * against 0.51 CPU s for the 195 MB bench file, side by side, and 0.58 against 0.69 with an empty cell's comma
   * found without a search). `comma` is the first comma at or after the line's start
   * that is known (input.length for none): the search never runs past a comma already found, so a file of one column
   * is not searched to the chunk's end on every line.
   */
  let comma = -1;
  const cellsOf = (input: string, from: number, end: number): string[] => {
    const cells: string[] = new Array(width);
    let count = 0;
    let at = from;
    for (;;) {
      if (comma < at) {
        // An empty cell (most of an event's 32 apply to other event types): its comma is the next character.
        if (input.charCodeAt(at) === 44) comma = at;
        else {
          comma = input.indexOf(',', at);
          if (comma === -1) comma = input.length;
        }
      }
      if (comma >= end) {
        cells[count++] = at === end ? '' : input.substring(at, end);
        break;
      }
      cells[count++] = comma === at ? '' : input.substring(at, comma);
      at = comma + 1;
    }
    if (count !== width) {
      cells.length = count;
      width = count;
    }
    return cells;
  };
  /** PapaParse's fast mode on one chunk: each line but a last incomplete one, split on commas; returns where it stopped. */
  const split = (input: string, ignoreLastRow: boolean): number => {
    const step = (newline as string).length;
    let from = 0;
    comma = -1;
    for (;;) {
      const end = input.indexOf(newline as string, from);
      if (end === -1) {
        if (ignoreLastRow) return base + from;
        onRow(cellsOf(input, from, input.length), NO_ERRORS, base + input.length);
        return base + input.length;
      }
      onRow(cellsOf(input, from, end), NO_ERRORS, base + end + step);
      from = end + step;
    }
  };
  const chunk = (piece: string, finished: boolean) => {
    const input = partial + piece;
    partial = '';
    let cursor: number;
    if (input === '') cursor = base;
    else if (newline === undefined || input.includes('"')) {
      const results = handle.parse(input, base, !finished);
      newline ??= results.meta.linebreak;
      cursor = results.meta.cursor;
    } else cursor = split(input, !finished);
    if (!finished) {
      partial = input.substring(cursor - base);
      base = cursor;
    }
  };
  for await (const piece of text) chunk(piece, false);
  chunk('', true);
}

async function csvRecords(
  text: AsyncGenerator<string>,
  options: ReadOptions,
  onRecord: (record: RawRecord) => void,
): Promise<void> {
  let header: string[] | undefined;
  let row = 0;
  let lastCursor = 0;
  await csvRows(text, (values, errors, cursor) => {
    row += 1;
    const empty = values.length === 1 && values[0] === '';
    if (cursor - lastCursor > options.limits.maxLineBytes) {
      reject('line_too_long', `row ${row} is longer than ${options.limits.maxLineBytes} characters`, { row });
    }
    lastCursor = cursor;
    // Empty lines are skipped here, after they are counted: rows are numbered as a spreadsheet shows them (R19-11).
    if (empty) return;
    if (errors.length > 0) {
      reject('malformed_csv', `malformed CSV at row ${row}: ${errors[0]?.code ?? 'unreadable'}`, { row });
    }
    if (header === undefined) {
      header = values.map((name) => name.trim());
      options.onHeader?.(header);
      return;
    }
    if (values.length !== header.length) {
      const message = `has ${values.length} columns where the header has ${header.length}`;
      onRecord({ row, cells: {}, unreadable: { code: 'column_count', message }, raw: values });
      return;
    }
    onRecord(new CsvRecord(row, values, header));
  });
}

/** A readable CSV row: its texts by column, its cells (by column name, empty cells left out) built when first read. */
class CsvRecord implements RawRecord {
  private built: Record<string, unknown> | undefined;

  constructor(
    readonly row: number,
    readonly texts: readonly string[],
    private readonly header: readonly string[],
  ) {}

  get cells(): Record<string, unknown> {
    if (this.built === undefined) {
      const cells = noPrototype();
      for (let i = 0; i < this.header.length; i++) {
        const value = this.texts[i] as string;
        if (value !== '') cells[this.header[i] as string] = value;
      }
      this.built = cells;
    }
    return this.built;
  }
}

async function jsonLinesRecords(
  text: AsyncGenerator<string>,
  options: ReadOptions,
  onRecord: (record: RawRecord) => void,
): Promise<void> {
  let pending = '';
  let line = 0;
  const notAnObject = { code: 'invalid_json', message: 'is not a JSON object' } as const;
  const take = (source: string) => {
    line += 1;
    if (source.length > options.limits.maxLineBytes) {
      reject('line_too_long', `line ${line} is longer than ${options.limits.maxLineBytes} characters`, { row: line });
    }
    const trimmed = source.endsWith('\r') ? source.slice(0, -1) : source;
    if (trimmed.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      onRecord({ row: line, cells: {}, unreadable: notAnObject, raw: [trimmed] });
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      onRecord({ row: line, cells: {}, unreadable: notAnObject, raw: [trimmed] });
      return;
    }
    const cells = noPrototype();
    // Keys of empty values are left out of the cells, but the guard still sees them.
    const emptyKeys: string[] = [];
    let keys = 0;
    let nested = false;
    for (const [key, value] of Object.entries(parsed)) {
      keys += 1;
      if (value !== null && typeof value === 'object') nested = true;
      if (value !== null && value !== '') cells[key] = value;
      else emptyKeys.push(key);
    }
    const problem = jsonShapeProblem(trimmed, parsed, keys, nested);
    if (problem !== undefined) {
      // The whole line goes to the guard: a value JSON.parse dropped or one too deep for it is read there.
      onRecord({ row: line, cells: {}, unreadable: { code: 'invalid_json', message: problem }, raw: [trimmed] });
      return;
    }
    onRecord(emptyKeys.length > 0 ? { row: line, cells, raw: emptyKeys } : { row: line, cells });
  };
  for await (const piece of text) {
    pending += piece;
    let start = 0;
    for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
      take(pending.slice(start, newline));
      start = newline + 1;
    }
    pending = pending.slice(start);
    if (pending.length > options.limits.maxLineBytes) take(pending);
  }
  if (pending.length > 0) take(pending);
}

/**
 * Fields a JSON line may have: the contract's widest kind (events, 33) and room for a few an export adds. Past it the
 * row is refused whole (R19-13: thousands of unknown keys a row made validation slow; one error a row, not one a key).
 */
export const MAX_JSON_FIELDS = 64;
/** Levels of arrays and objects a JSON line may nest: the guard reads a cell's nested values this deep (R19-2). */
export const MAX_JSON_DEPTH = 32;

/**
 * Why a parsed JSON line cannot be taken as cells, if it cannot: more fields than MAX_JSON_FIELDS, values nested deeper
 * than MAX_JSON_DEPTH, or a key written twice (JSON.parse keeps the last value, so the first would reach no cell and no
 * guard: red-team review 19, R19-2). Keys are named by no name: any of them might be a person's.
 */
export function jsonShapeProblem(text: string, parsed: object, keys: number, nested: boolean): string | undefined {
  if (keys > MAX_JSON_FIELDS) return `has ${keys} fields, more than the ${MAX_JSON_FIELDS} a row may have`;
  let parsedKeys = keys;
  if (nested) {
    const shape = { keys: 0, deep: false };
    for (const value of Object.values(parsed)) nestedShape(value, 2, shape);
    if (shape.deep) return `nests values more than ${MAX_JSON_DEPTH} levels deep`;
    parsedKeys += shape.keys;
  }
  if (keysInJsonText(text) !== parsedKeys) return 'has a field name written more than once: write each field once';
  return undefined;
}

/** Keys of the objects inside a value (one at `depth` levels of the line), and whether any is nested too deep. */
function nestedShape(value: unknown, depth: number, shape: { keys: number; deep: boolean }): void {
  if (value === null || typeof value !== 'object' || shape.deep) return;
  if (depth > MAX_JSON_DEPTH) {
    shape.deep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (const inner of value) nestedShape(inner, depth + 1, shape);
    return;
  }
  for (const inner of Object.values(value)) {
    shape.keys += 1;
    nestedShape(inner, depth + 1, shape);
  }
}

/**
 * How many keys a valid JSON text writes, repeats included: its strings followed by a colon (in valid JSON only a key
 * is). A quote with an odd run of backslashes before it is inside a string.
 */
function keysInJsonText(text: string): number {
  let keys = 0;
  let open = text.indexOf('"');
  while (open !== -1) {
    let close = text.indexOf('"', open + 1);
    while (close !== -1 && escapedAt(text, close)) close = text.indexOf('"', close + 1);
    if (close === -1) break;
    let next = close + 1;
    let code = text.charCodeAt(next);
    while (code === 32 || code === 9 || code === 10 || code === 13) code = text.charCodeAt(++next);
    if (code === 58) keys += 1;
    open = text.indexOf('"', next);
  }
  return keys;
}

function escapedAt(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let i = quote - 1; i >= 0 && text.charCodeAt(i) === 92; i--) backslashes += 1;
  return backslashes % 2 === 1;
}

/** Pieces of a line the guard looks at one by one: CSV cells, JSON strings and keys (separators never join them). */
const PIECES = /[,\t;|{}[\]":]/;

/** The first identifier in a text that is not a CSV or JSON line (a gzip header's file name): each piece, then whole. */
export function findIdentifierInText(text: string, find: (text: string) => string | undefined): string | undefined {
  for (const piece of [...text.split(PIECES), text]) {
    const kind = find(piece);
    if (kind) return kind;
  }
  return undefined;
}

/** Where a CSV line is cut into cells (a JSON line's separators, colons and quotes left in: R30-3). */
const CSV_SEPARATORS = /[,\t;|]/;
/** A JSON string literal, its escapes included (a quote with an odd run of backslashes before it is inside it). */
const JSON_STRING = /"((?:[^"\\]|\\.)*)"/g;
/**
 * The longest stretch of text any rule of the guard reads as one identifier, and more: ten groups with runs of 16
 * separators between them is 154 characters. A line too long to hold is scanned in blocks that overlap by this much, so
 * an identifier across a block's cut is whole in the next (R30-3).
 */
const BLOCK_OVERLAP = 256;

/** A CSV line's quoted cells as the CSV reader reads them (`""` a quote), wherever a quote opens one. */
function* quotedCsvCells(text: string): Generator<string> {
  let open = text.indexOf('"');
  while (open !== -1) {
    let cell = '';
    let at = open + 1;
    for (;;) {
      const close = text.indexOf('"', at);
      if (close === -1) {
        cell += text.slice(at);
        at = text.length;
        break;
      }
      cell += text.slice(at, close);
      if (text.charCodeAt(close + 1) !== 34) {
        at = close + 1;
        break;
      }
      cell += '"';
      at = close + 2;
    }
    yield cell;
    open = text.indexOf('"', at);
  }
}

/** A JSON line's string literals (keys and values), decoded (`\u00a0` a no-break space); one that is not valid, as written. */
function* jsonStrings(text: string): Generator<string> {
  JSON_STRING.lastIndex = 0;
  for (let match = JSON_STRING.exec(text); match !== null; match = JSON_STRING.exec(text)) {
    const literal = match[1] as string;
    if (!literal.includes('\\')) {
      yield literal;
      continue;
    }
    try {
      yield JSON.parse(match[0]) as string;
    } catch {
      yield literal;
    }
  }
}

/**
 * The first identifier in one raw line (or a block of a long one), read the ways a reader of the file could read it:
 * every piece cut at any CSV or JSON separator; and, for a CSV line, every cell cut at the CSV separators only (a
 * labelled date of birth, `DOB: 03/02/1970`, is one cell) and every quoted cell whole and unescaped (`"943,476,5919"`);
 * for a JSON line, every string literal decoded (review 30, R30-3: the pieces alone missed all three).
 */
export function findIdentifierInLine(text: string, find: (text: string) => string | undefined): string | undefined {
  // Whole cells and strings first, then the pieces: what is found is told by the text as a reader reads it (sec33: a
  // labelled date of birth, `DOB: 03/02/1970`, is one, not the old date alone its piece after the colon is). A line
  // holding nothing is read every way whatever the order.
  const json = /^\s*[{[]/.test(text);
  if (text.includes('"')) {
    for (const cell of json ? jsonStrings(text) : quotedCsvCells(text)) {
      const kind = find(cell);
      if (kind) return kind;
    }
  }
  if (!json && /[:"{}[\]]/.test(text)) {
    for (const cell of text.split(CSV_SEPARATORS)) {
      const kind = find(cell);
      if (kind) return kind;
    }
  }
  for (const piece of text.split(PIECES)) {
    const kind = find(piece);
    if (kind) return kind;
  }
  // A number in thousands format written unquoted, cut at its commas (sec30's note on R30-2).
  if (!json && text.includes(',')) {
    const across = identifierAcrossCells(text.split(','), find);
    if (across) return across.kind;
  }
  return undefined;
}

/**
 * Looks for an identifier anywhere in a raw upload, line by line, as far as the limits allow: for a file refused
 * before every row was read (a bad header, say), whose bytes would otherwise stay in landing/ unexamined.
 * Returns the first line holding one and the kind found, never the value; `gzipHeader` when it is in a gzip member's
 * header (every member's is read: R19-4), line 0.
 */
export async function findIdentifierInRaw(
  source: AsyncIterable<Uint8Array>,
  limits: UploadLimits,
  find: (text: string) => string | undefined,
): Promise<{ line: number; kind: string; gzipHeader?: true } | { unread: 'corrupt_gzip' | 'too_large' } | undefined> {
  let decoder: TextDecoder | undefined;
  let rawBytes = 0;
  let inflated = 0;
  const lines = lineScanner(limits.maxLineBytes, find);
  // A file that starts as UTF-16 is read byte by byte as Latin-1 too: a UTF-16 start and a UTF-8 or ANSI rest
  // (PowerShell 5's Out-File, then Add-Content) read as UTF-16 only turned the rest into CJK (review 30, R30-6).
  let asBytes: ReturnType<typeof lineScanner> | undefined;
  const counted = async function* () {
    for await (const chunk of source) {
      rawBytes += chunk.length;
      yield chunk;
    }
  };
  const iterator = counted()[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return undefined;
  const rest = async function* () {
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  };
  let chunks: AsyncIterable<Uint8Array> = rest();
  let gzip: GzipProgress | undefined;
  let headersRead = 0;
  /** The member headers reached since the last look. */
  const inHeaders = () => {
    for (; gzip !== undefined && headersRead < gzip.texts.length; headersRead++) {
      const kind = findIdentifierInText(gzip.texts[headersRead] as string, find);
      if (kind) return { line: 0, kind, gzipHeader: true as const };
    }
    return undefined;
  };
  if (startsWith(first.value, GZIP_MAGIC)) {
    gzip = { texts: [], members: 0, inflatedFrom: 0 };
    chunks = gunzipMembers(rest(), gzip);
  }
  try {
    for await (const chunk of chunks) {
      const header = inHeaders();
      if (header) return header;
      inflated += chunk.length;
      // Past the limits the rest is not read: nothing past them may be kept unexamined (review 22, R22-2).
      if (inflated > limits.maxBytes) return { unread: 'too_large' };
      const base = gzip?.inflatedFrom ?? rawBytes;
      if (inflated > BOMB_CHECK_AFTER && inflated / Math.max(base, 1) > limits.maxCompressionRatio)
        return { unread: 'too_large' };
      if (decoder === undefined) {
        const utf16 = utf16Of(chunk);
        decoder = new TextDecoder(utf16 ?? 'utf-8');
        if (utf16) asBytes = lineScanner(limits.maxLineBytes, find);
      }
      const found =
        lines.feed(decoder.decode(chunk, { stream: true })) ??
        asBytes?.feed(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1'));
      if (found) return found;
    }
  } catch {
    // A corrupt stream: what could be read has been looked at; what follows the corruption cannot be, so the file
    // must not be kept (review 22, R22-2: junk between members hid a later member's name holding an NHS number).
    return inHeaders() ?? lines.end() ?? asBytes?.end() ?? { unread: 'corrupt_gzip' };
  }
  // A member with no data, or the header of one that could not be inflated.
  return inHeaders() ?? lines.end() ?? asBytes?.end();
}

/**
 * Text fed in pieces, read line by line through findIdentifierInLine: the first line holding an identifier, counted
 * from 1. A line longer than maxLineBytes is read in blocks that overlap by BLOCK_OVERLAP (an identifier across a
 * block's cut is whole in the next: R30-3), all of them counted as the one line.
 */
function lineScanner(maxLineBytes: number, find: (text: string) => string | undefined) {
  let line = 0;
  let pending = '';
  // Whether the text pending goes on a line already counted (a block of a long line was scanned).
  let continuing = false;
  // A CSV quoted cell left open at the end of a line (`"943` then `476 5919"`: a reader takes the newline into the
  // cell): the record so far, its last BLOCK_OVERLAP characters, and the line it started on (sec32).
  let open: { text: string; line: number } | undefined;
  const scan = (text: string) => {
    if (!continuing) line += 1;
    continuing = false;
    const kind = findIdentifierInLine(text, find);
    if (kind) return { line, kind };
    return acrossLines(text);
  };
  /** The record of a quoted cell across lines, read whole once more with each line it takes in. */
  const acrossLines = (text: string) => {
    const json = open === undefined && /^\s*[{[]/.test(text);
    if (json) return undefined;
    const record = open === undefined ? text : `${open.text}\n${text}`;
    const start = open?.line ?? line;
    if (open !== undefined) {
      const kind = findIdentifierInLine(record, find);
      if (kind) return { line: start, kind };
    }
    // Whether a quoted cell is open at the record's end: an odd count of quotes in this line flips it (`""` is two).
    let quotes = 0;
    for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) quotes++;
    const stillOpen = open === undefined ? quotes % 2 === 1 : quotes % 2 === 0;
    open = stillOpen ? { text: record.slice(-BLOCK_OVERLAP), line: start } : undefined;
    return undefined;
  };
  return {
    feed(text: string): { line: number; kind: string } | undefined {
      pending += text;
      let start = 0;
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
        const found = scan(pending.slice(start, newline));
        if (found) return found;
        start = newline + 1;
      }
      pending = pending.slice(start);
      if (pending.length > maxLineBytes) {
        const found = scan(pending);
        if (found) return found;
        pending = pending.slice(-BLOCK_OVERLAP);
        continuing = true;
      }
      return undefined;
    },
    /** The text after the last newline. */
    end(): { line: number; kind: string } | undefined {
      return pending.length > 0 ? scan(pending) : undefined;
    },
  };
}

/**
 * A row's cells as an object without a prototype: a field named `__proto__` (a hostile file) is then a cell like any
 * other, refused as unknown, instead of setting the object's prototype and being dropped (or lending its fields).
 */
export function noPrototype(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}
