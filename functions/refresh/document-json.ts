import type { MetricDocument } from '../contract/index.ts';
import { metricKey } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';

/**
 * A published document's England rows (or the rows of the levels `keep` keeps: the revisions below England read those
 * above the PCNs), read from its JSON without building its other rows (issue 17).
 *
 * The revisions read of each previous document only its England rows and its other keys (generated_at): parsing the
 * whole of it (nationally some 365 MB of JSON in 13 documents, about 2.1-2.4 CPU s with the decoding, and each
 * document's hundreds of thousands of rows made and let go at once) is replaced by one pass over its bytes that finds
 * where each row begins and ends, and JSON.parse of the rows of England only, and of the document around its rows.
 * The result is the same object as `{ ...JSON.parse(text), rows: <its rows with level 'national'> }`
 * (test/unit/document-json.test.ts).
 *
 * The bytes are UTF-8, in which the characters that give JSON its structure (quotes, backslash, brackets, braces,
 * comma, colon) are single bytes that never occur inside another character's bytes, so the structure is read from the
 * bytes as they are and only the parts kept are decoded. The values of the rows left out are not checked: a document
 * whose rows of other areas are not valid JSON is read here where JSON.parse would throw, and a row's level is its
 * first one (the refresh writes every document with JSON.stringify, which writes valid JSON and no key twice). Any other shape (no top-level `rows` array, a row that is not an object,
 * the text ending early, a part kept that JSON.parse refuses) gives undefined, and the caller parses the whole document
 * as before.
 */
export function englandRowsOf(
  bytes: Uint8Array,
  keep: (level: unknown) => boolean = (level) => level === 'national',
): MetricDocument | undefined {
  try {
    return readEngland(bytes, keep);
  } catch {
    // A part kept is not valid JSON: the whole document is parsed by the caller (and found unreadable there).
    return undefined;
  }
}

function readEngland(bytes: Uint8Array, keep: (level: unknown) => boolean): MetricDocument | undefined {
  const n = bytes.length;
  let i = skipSpace(bytes, 0);
  if (bytes[i] !== OPEN_BRACE) return undefined;
  i = skipSpace(bytes, i + 1);
  let rowsStart = -1;
  let rowsEnd = -1;
  const england: unknown[] = [];
  // The top-level object's keys and values, in turn.
  while (i < n && bytes[i] !== CLOSE_BRACE) {
    if (bytes[i] !== QUOTE) return undefined;
    const keyEnd = endOfString(bytes, i);
    if (keyEnd < 0) return undefined;
    // A key written with an escape could name rows another way: the caller's whole parse.
    if (bytes.subarray(i + 1, keyEnd).includes(BACKSLASH)) return undefined;
    const isRows = keyEnd - i === ROWS_KEY.length + 1 && startsWith(bytes, i + 1, ROWS_KEY);
    i = skipSpace(bytes, keyEnd + 1);
    if (bytes[i] !== COLON) return undefined;
    i = skipSpace(bytes, i + 1);
    // A second rows key (JSON.parse keeps the last) or rows that are not an array: the caller's whole parse.
    if (isRows && (rowsStart >= 0 || bytes[i] !== OPEN_BRACKET)) return undefined;
    if (isRows) {
      rowsStart = i;
      const rows = englandRows(bytes, i, england, keep);
      if (rows < 0) return undefined;
      rowsEnd = rows;
      i = rows + 1;
    } else {
      const end = endOfValue(bytes, i);
      if (end < 0) return undefined;
      i = end;
    }
    i = skipSpace(bytes, i);
    if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
  }
  if (rowsStart < 0 || i >= n) return undefined;
  // The document around its rows, with an empty rows array in their place (so its keys keep their order).
  const document = JSON.parse(
    decoder.decode(bytes.subarray(0, rowsStart + 1)) + decoder.decode(bytes.subarray(rowsEnd)),
  ) as { rows: unknown[] };
  document.rows = england;
  return document as unknown as MetricDocument;
}

/**
 * Pushes the England rows of the rows array opening at `start` to `england` and returns the index of its closing
 * bracket, or -1 if it is not an array of objects.
 */
function englandRows(bytes: Uint8Array, start: number, england: unknown[], keep: (level: unknown) => boolean): number {
  const n = bytes.length;
  let i = skipSpace(bytes, start + 1);
  while (i < n && bytes[i] !== CLOSE_BRACKET) {
    if (bytes[i] !== OPEN_BRACE) return -1;
    const end = endOfContainer(bytes, i);
    if (end < 0) return -1;
    // A row that may be England's is parsed, and kept if it is (its level read by JSON.parse, as the caller's filter
    // read it); the others are skipped.
    if (!otherLevel(bytes, i, keep)) {
      const row = JSON.parse(decoder.decode(bytes.subarray(i, end))) as { level?: unknown };
      if (keep(row.level)) england.push(row);
    }
    i = skipSpace(bytes, end);
    if (bytes[i] === COMMA) i = skipSpace(bytes, i + 1);
  }
  return i < n ? i : -1;
}

const decoder = new TextDecoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const ROWS_KEY = new TextEncoder().encode('rows');
/** How JSON.stringify begins a row whose first key is its level (every document's rows, from the SQL's columns). */
const LEVEL_FIRST = new TextEncoder().encode('{"level":"');
const NATIONAL_VALUE = new TextEncoder().encode('national"');

/**
 * Whether a row certainly is not England's: its first key is its level, written plain and not "national". Any other
 * row (England's, or one written otherwise, e.g. with its level later or escaped) is parsed to tell.
 */
function otherLevel(bytes: Uint8Array, start: number, keep: (level: unknown) => boolean): boolean {
  if (!startsWith(bytes, start, LEVEL_FIRST)) return false;
  const value = start + LEVEL_FIRST.length;
  if (startsWith(bytes, value, NATIONAL_VALUE)) return !keep('national');
  const end = endOfString(bytes, value - 1);
  if (end < 0 || bytes.subarray(value, end).includes(BACKSLASH)) return false;
  // Only the levels written plain are read here (a few letters: 'pcn', 'icb', 'region').
  return !keep(decoder.decode(bytes.subarray(value, end)));
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let k = 0; k < prefix.length; k++) if (bytes[at + k] !== prefix[k]) return false;
  return true;
}

function skipSpace(bytes: Uint8Array, start: number): number {
  let i = start;
  // JSON's whitespace: space, tab, line feed, carriage return.
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return i;
}

/** The index of the quote closing the string whose opening quote is at `start`, or -1. */
function endOfString(bytes: Uint8Array, start: number): number {
  const n = bytes.length;
  for (let i = start + 1; i < n; i++) {
    const b = bytes[i];
    if (b === BACKSLASH) i++;
    else if (b === QUOTE) return i;
  }
  return -1;
}

/** The index after the object or array opening at `start` (strings in it skipped), or -1. */
function endOfContainer(bytes: Uint8Array, start: number): number {
  const n = bytes.length;
  let depth = 0;
  let i = start;
  while (i < n) {
    const b = bytes[i];
    if (b === QUOTE) {
      // A string, in a loop of its own: most of a document's bytes pass through here (0.6 against 0.9 CPU s for
      // England's 365 MB with the string's state kept in the outer loop).
      i++;
      for (;;) {
        if (i >= n) return -1;
        const c = bytes[i];
        if (c === QUOTE) break;
        i += c === BACKSLASH ? 2 : 1;
      }
    } else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

/** The index after the value at `start` (an object, array, string, number, true, false or null), or -1. */
function endOfValue(bytes: Uint8Array, start: number): number {
  const b = bytes[start];
  if (b === OPEN_BRACE || b === OPEN_BRACKET) return endOfContainer(bytes, start);
  if (b === QUOTE) {
    const end = endOfString(bytes, start);
    return end < 0 ? -1 : end + 1;
  }
  let i = start;
  while (i < bytes.length && bytes[i] !== COMMA && bytes[i] !== CLOSE_BRACE && bytes[i] !== CLOSE_BRACKET) i++;
  return i < bytes.length ? i : -1;
}

/**
 * Writes each document to the store as its JSON (the bytes of JSON.stringify(document) in UTF-8), serialised while the
 * one before it is stored (one put in flight), in the order given; `stored` is called as each put ends.
 *
 * Issue 17: nationally some 365 MB of JSON. JSON.stringify of a whole document makes one string of up to 80 MB, and
 * the store's encoding of it a buffer as large, each in memory the process has not touched before: its page faults
 * cost more than the serialising and encoding themselves on this machine. Here a document's rows are serialised a few
 * hundred at a time (small strings, in memory the heap reuses) and encoded into one of two buffers kept for the whole
 * step, each put given a view of one while the next document fills the other (a put reads its body only until it
 * resolves: ObjectStore). Measured nationally side by side in one process (test/bench/publish-output.ts against
 * 16053b0, ROUNDS=2, load average 16-20, every object the same bytes): main-thread CPU 2.78 and 3.24 s -> 2.12 and
 * 2.22 s; the process's CPU (the file system's threads too) 4.62 and 5.99 s -> 4.45 and 4.63 s.
 */
export async function writeDocuments(
  store: ObjectStore,
  documents: readonly MetricDocument[],
  stored: (name: string) => void = () => undefined,
): Promise<void> {
  // Each buffer sized once for the largest document it will hold (estimated: jsonBytesEstimate), so that it is not
  // grown, and copied, as it fills.
  const capacity = [0, 0];
  for (const [i, document] of documents.entries())
    capacity[i % 2] = Math.max(capacity[i % 2] as number, jsonBytesEstimate(document));
  const buffers = [new JsonBytes(capacity[0]), new JsonBytes(capacity[1])] as const;
  let storing: Promise<void> | undefined;
  for (const [i, document] of documents.entries()) {
    const bytes = buffers[i % 2] as JsonBytes;
    // The buffer's last put (two documents ago) has ended: the loop waited for it before starting the last one.
    bytes.clear();
    writeJson(document, bytes);
    await storing;
    storing = store
      .put(metricKey(document.name), bytes.view(), { contentType: 'application/json' })
      .then(() => stored(document.name));
  }
  await storing;
}

/** Rows of a document whose JSON is measured to estimate the whole document's (jsonBytesEstimate). */
const ROWS_SAMPLED = 64;

/**
 * A generous estimate of the bytes of a document's JSON: its JSON without rows, and its rows' count times the mean
 * UTF-8 bytes of ROWS_SAMPLED rows spread through them, a quarter more (and 1 MiB). Only a buffer's capacity: a
 * document larger than its estimate grows the buffer as before, and the bytes a buffer never receives cost nothing (the
 * memory of a large buffer is given to the process page by page as it is first written).
 *
 * Issue 17: nationally some 390 MB of JSON in 13 documents, the largest 79 MB. Grown from 1 MiB by doubling, each of the
 * two buffers reached 128 MiB, its contents copied at each doubling into memory never touched before: about 0.85 CPU s
 * of the step's 2 (the documents serialised into buffers already grown: 1.07 against 1.9-2.0 CPU s, best of 3).
 */
export function jsonBytesEstimate(document: object): number {
  const rows = (document as { rows?: unknown }).rows;
  if (!Array.isArray(rows) || rows.length === 0) return 1 << 20;
  const step = Math.max(1, Math.floor(rows.length / ROWS_SAMPLED));
  const sample: unknown[] = [];
  for (let i = 0; i < rows.length && sample.length < ROWS_SAMPLED; i += step) sample.push(rows[i]);
  const rowBytes = Buffer.byteLength(JSON.stringify(sample) ?? '', 'utf8') / sample.length;
  const rest = Buffer.byteLength(JSON.stringify({ ...document, rows: [] }) ?? '', 'utf8');
  return Math.ceil((rest + rows.length * rowBytes) * 1.25) + (1 << 20);
}

/** Rows serialised at a time: strings of some 50-100 kB, below V8's large-object size. */
const ROWS_PER_PIECE = 256;

/**
 * A document's JSON.stringify written to `into` piece by piece: each key in turn as JSON.stringify writes it (its own
 * enumerable keys in order, a value it would leave out left out), the rows ROWS_PER_PIECE at a time. Rows are plain
 * data (no toJSON), as every value of a document is; a document with a toJSON of its own is written whole.
 */
export function writeJson(document: object, into: JsonBytes): void {
  if (typeof (document as { toJSON?: unknown }).toJSON === 'function') {
    into.append(JSON.stringify(document));
    return;
  }
  into.append('{');
  let first = true;
  for (const key of Object.keys(document)) {
    const value = (document as Record<string, unknown>)[key];
    if (key === 'rows' && Array.isArray(value)) {
      into.append(`${first ? '' : ','}${JSON.stringify(key)}:[`);
      for (let start = 0; start < value.length; start += ROWS_PER_PIECE) {
        const piece = JSON.stringify(value.slice(start, start + ROWS_PER_PIECE));
        // The piece without its brackets, after a comma if rows came before it.
        if (start > 0) into.append(',');
        into.append(piece.slice(1, -1));
      }
      into.append(']');
    } else {
      const json = JSON.stringify(value);
      if (json === undefined) continue;
      into.append(`${first ? '' : ','}${JSON.stringify(key)}:${json}`);
    }
    first = false;
  }
  into.append('}');
}

/** UTF-8 bytes appended to one buffer, grown as needed and kept when cleared. */
export class JsonBytes {
  private buffer: Buffer;
  private length = 0;

  /** A buffer of `capacity` bytes to begin with (at least 1 MiB). */
  constructor(capacity = 0) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 1 << 20));
  }

  clear(): void {
    this.length = 0;
  }

  append(text: string): void {
    // At most 3 bytes of UTF-8 per UTF-16 unit (a pair of surrogates: 4 for 2), so the text always fits.
    const needed = this.length + text.length * 3;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** The bytes written since the last clear (a view: valid until the next clear or append). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
