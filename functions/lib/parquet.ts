import type { ColumnChunk, Encoding, FileMetaData, ParquetType, RowGroup, Statistics } from 'hyparquet';
import type { MinMaxType, PageEncodingStats } from 'hyparquet/src/types.js';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';
import type { ColumnSpec, PartitionedTableSpec, StorageType, TableSpec } from '../contract/index.ts';
import { ownText } from './own-text.ts';

type SchemaElement = Parameters<typeof parquetWrite>[0]['schema'] extends (infer E)[] | undefined ? E : never;

const DAY_MS = 86_400_000;

/** The Parquet type of each storage type: fixed by the contract, never inferred from a file's values. */
const PARQUET_TYPES: Record<StorageType, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int32: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  date: { type: 'INT32', converted_type: 'DATE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

const digits = (s: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, in integer arithmetic (Howard Hinnant's days_from_civil):
 * several times cheaper than Date.UTC on the hot path, and every year as written (Date.UTC reads 0-99 as 1900-1999).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Days since 1970-01-01 of a validated YYYY-MM-DD. */
const epochDay = (s: string) => daysFromCivil(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10));

/** Epoch milliseconds of a validated ISO date-time; the common YYYY-MM-DDTHH:MM:SSZ form without Date.parse. */
const epochMillis = (s: string) =>
  s.length === 20 && s.charCodeAt(19) === 90 /* Z */
    ? epochDay(s) * DAY_MS + digits(s, 11, 13) * 3_600_000 + digits(s, 14, 16) * 60_000 + digits(s, 17, 19) * 1000
    : Date.parse(s);

/** Values as stored: dates as days since 1970-01-01, timestamps as epoch milliseconds. */
const STORE: Record<StorageType, (value: unknown) => unknown> = {
  string: (v) => v,
  int32: (v) => v,
  double: (v) => v,
  boolean: (v) => v,
  date: (v) => epochDay(v as string),
  timestamp: (v) => (typeof v === 'number' ? v : epochMillis(v as string)),
};

export function parquetSchemaOf(table: TableSpec): SchemaElement[] {
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((column) => ({
      name: column.name,
      repetition_type: 'OPTIONAL' as const,
      ...PARQUET_TYPES[column.type],
    })),
  ];
}

/** Columns whose values are nearly all distinct: a dictionary would not pay, and min/max statistics would not prune. */
const HIGH_CARDINALITY = new Set([
  'event_id',
  'referral_id',
  'person_id',
  'recorded_at',
  'retracts_event_id',
  'source_row',
]);

/** Columns written from the upload and the row's place in it, not from the row's own values. */
const LINEAGE_COLUMNS = new Set(['upload_id', 'received_at', 'source_row']);

/** Values the same for every row of one upload: who sent it and when it landed. */
export interface Lineage {
  readonly upload_id: string;
  readonly received_at: string;
}

export interface StreamingOptions {
  /** The most rows of one partition written as one Parquet row group. @default 122,880 (DuckDB's own) */
  readonly rowGroupRows: number;
  /** The most rows of one partition encoded together as one data page of each column. @default 20,000 */
  readonly pageRows: number;
  /**
   * Rows held as values across all partitions before the fullest partition's rows are encoded as pages early: bounds
   * the memory of a file that spreads over many months. Its row group stays open, so its rows still end in row groups
   * of up to rowGroupRows. @default 100,000
   */
  readonly maxBufferedRows: number;
  /**
   * Bytes of the dictionaries of every partition's open row group together (texts and numbers held as values until
   * their row group is written); past it, the partition holding the most closes its row group. @default 32 MiB
   */
  readonly maxDictionaryBytes: number;
}

const DEFAULT_STREAMING: StreamingOptions = {
  rowGroupRows: 122_880,
  pageRows: 20_000,
  maxBufferedRows: 100_000,
  maxDictionaryBytes: 32 * 1024 * 1024,
};

/**
 * A column chunk's dictionary past this many bytes (a text column whose values hardly repeat) closes its row group at
 * the next page: a dictionary is held as values until its row group is written.
 */
const DICTIONARY_BYTES_LIMIT = 1024 * 1024;
/** What a dictionary entry costs beside its text: the map's entry, the list's slot, a number's box. */
const DICTIONARY_ENTRY_BYTES = 48;

const INITIAL_ROWS = 1024;
/** Page buffers of up to this many rows are always kept for the partition's next page. */
const KEPT_ROWS = 8192;

function grownTo<T extends Float64Array | Int32Array | Uint8Array>(array: T, atLeast: number, none = 0): T {
  let length = Math.max(array.length * 2, INITIAL_ROWS);
  while (length < atLeast) length *= 2;
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  if (none !== 0) copy.fill(none, array.length);
  return copy;
}

/** A buffer of INITIAL_ROWS rows, each holding `none`. */
function emptyRows<T extends Float64Array | Int32Array | Uint8Array>(make: new (length: number) => T, none: number): T {
  const array = new make(INITIAL_ROWS);
  if (none !== 0) array.fill(none);
  return array;
}

/** One partition's Parquet file as it is written: its pieces, joined once at the end. */
class FileBytes {
  private readonly pieces: Uint8Array[] = [];
  offset = 0;

  append(bytes: Uint8Array): void {
    this.pieces.push(bytes);
    this.offset += bytes.length;
  }

  joined(): Uint8Array {
    const out = new Uint8Array(this.offset);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      at += piece.length;
    }
    this.pieces.length = 0;
    return out;
  }
}

const MAGIC = Uint8Array.of(0x50, 0x41, 0x52, 0x31); // PAR1
const utf8 = new TextEncoder();
/** Page headers and definition levels are written here, then copied out. */
const scratch = new ByteWriter(64 * 1024);

function scratchBytes(write: (writer: ByteWriter) => void): Uint8Array {
  scratch.offset = 0;
  scratch.index = 0;
  write(scratch);
  return scratch.getBytes().slice();
}

/** Bits per dictionary index: enough for the largest index of a dictionary of `size` values. */
const bitWidthOf = (size: number) => (size <= 1 ? 0 : 32 - Math.clz32(size - 1));

/** The value bytes of a page in a physical number type, PLAIN: little-endian int32, int64 or double. */
function plainNumbers(type: ParquetType, count: number, each: (write: (value: number) => void) => void): Uint8Array {
  const width = type === 'INT32' ? 4 : 8;
  const out = new Uint8Array(count * width);
  const view = new DataView(out.buffer);
  let at = 0;
  if (type === 'INT32') {
    each((value) => {
      if (!Number.isInteger(value) || value < -2147483648 || value > 2147483647)
        throw new Error(`parquet expected int32 value, got ${value}`);
      view.setInt32(at, value, true);
      at += 4;
    });
  } else if (type === 'INT64') {
    each((value) => {
      if (!Number.isSafeInteger(value)) throw new Error(`parquet expected int64 value, got ${value}`);
      const high = Math.floor(value / 4294967296);
      view.setUint32(at, value - high * 4294967296, true);
      view.setInt32(at + 4, high, true);
      at += 8;
    });
  } else {
    each((value) => {
      view.setFloat64(at, value, true);
      at += 8;
    });
  }
  return out;
}

/** Texts PLAIN: each a four-byte length and its UTF-8 bytes. */
function plainTexts(texts: readonly string[]): Uint8Array {
  let most = 0;
  for (const text of texts) most += 4 + text.length * 3;
  const out = new Uint8Array(most);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const text of texts) {
    const { written } = utf8.encodeInto(text, out.subarray(at + 4));
    view.setUint32(at, written, true);
    at += 4 + written;
  }
  return out.subarray(0, at);
}

interface PageValues {
  readonly encoding: Encoding;
  /** Encoded values of the page's rows that have one, before compression. */
  readonly bytes: Uint8Array;
}

/** Which held rows have a value, filled in when a page is encoded (one buffer for every column). */
let presentScratch = new Uint8Array(INITIAL_ROWS);

/**
 * One column of one partition as it is written: the values of the rows not yet encoded (in typed arrays, outside the
 * V8 heap: a row's values then die with the row instead of surviving, row after row, until their page is written),
 * and the encoded pages of the row group still open. A column that repeats keeps its dictionary for the whole column
 * chunk as rows arrive, so its pages hold indexes from the start and nothing is looked up twice. Values are stored as
 * the contract says (dates as days, timestamps as milliseconds), none as a value no valid row has (an index of -1,
 * NaN, a boolean's 2), which every held row holds until it is given one: a row's columns without a value (most of an
 * event's 32, which apply to other event types) cost nothing as it arrives. The writer's choices are made once per
 * column from the contract: a dictionary for every column but the nearly unique ones, statistics where a reader can
 * prune on them.
 */
abstract class ColumnChunkWriter {
  /** Rows held, not yet encoded (set by flushPage: rows given no value are counted by their partition). */
  protected rows = 0;
  private pages: Uint8Array[] = [];
  private readonly pageEncodings: Encoding[] = [];
  private chunkRows = 0;
  private chunkNulls = 0;
  private uncompressedBytes = 0;
  /** The most rows of a page since the buffers were last let go. */
  private mostRows = 0;

  constructor(
    protected readonly element: SchemaElement,
    private readonly options: ColumnOptions,
  ) {}

  private compress(bytes: Uint8Array): Uint8Array {
    return this.options.codec === 'SNAPPY' ? snappyCompress(bytes) : bytes;
  }

  /** About how many bytes the column chunk's dictionary holds (0 for a column without one). */
  get dictionaryBytes(): number {
    return 0;
  }

  /** Sets present[i] to 1 where held row i has a value, 0 where it has none; returns how many have none. */
  protected abstract presence(present: Uint8Array): number;
  /** The values of the held rows that have one, encoded. */
  protected abstract encodeValues(present: Uint8Array, count: number): PageValues;
  /** Makes the held rows' buffers `rows` long at least (rows never given a value hold none). */
  protected abstract reserve(rows: number): void;
  /** Sets the held rows back to none, or lets go of a buffer grown large. */
  protected abstract clearPage(shrink: boolean): void;
  /** The dictionary page's values (PLAIN), undefined when the column has none or it is empty. */
  protected dictionary(): { bytes: Uint8Array; size: number } | undefined {
    return undefined;
  }
  /** min and max of the chunk's values (undefined when it has none). */
  protected bounds(): { min: unknown; max: unknown } | undefined {
    return undefined;
  }
  /** Forgets the chunk's dictionary and bounds, for the partition's next row group. */
  protected abstract clearChunk(): void;

  /** Encodes the partition's `rows` held rows as one data page (DATA_PAGE_V2) of the row group that is open. */
  flushPage(rows: number): void {
    if (rows === 0) return;
    this.rows = rows;
    this.reserve(rows);
    if (presentScratch.length < rows) presentScratch = grownTo(presentScratch, rows);
    const present = presentScratch;
    const nulls = this.presence(present);
    const count = rows - nulls;
    // A page without values is PLAIN and empty: a dictionary page is written only for a chunk that has values.
    const { encoding, bytes } =
      count === 0 ? { encoding: 'PLAIN' as const, bytes: new Uint8Array(0) } : this.encodeValues(present, count);
    const levels = scratchBytes((writer) => {
      if (nulls === 0) {
        // One run of `rows` ones.
        writer.appendVarInt(rows << 1);
        writer.appendUint8(1);
      } else writeHybrid(writer, present, rows, 1);
    });
    const compressed = this.compress(bytes);
    const header = scratchBytes((writer) =>
      writePageHeader(writer, {
        type: 'DATA_PAGE_V2',
        uncompressed_page_size: levels.length + bytes.length,
        compressed_page_size: levels.length + compressed.length,
        data_page_header_v2: {
          num_values: rows,
          num_nulls: nulls,
          num_rows: rows,
          encoding,
          definition_levels_byte_length: levels.length,
          repetition_levels_byte_length: 0,
          is_compressed: this.options.codec !== 'UNCOMPRESSED',
        },
      }),
    );
    const page = new Uint8Array(header.length + levels.length + compressed.length);
    page.set(header);
    page.set(levels, header.length);
    page.set(compressed, header.length + levels.length);
    this.pages.push(page);
    this.pageEncodings.push(encoding);
    this.uncompressedBytes += header.length + levels.length + bytes.length;
    this.chunkRows += rows;
    this.chunkNulls += nulls;
    // Buffers grown for a large page are kept while pages stay large, let go when they are a quarter of that.
    this.mostRows = Math.max(this.mostRows, rows);
    const shrink = this.mostRows > KEPT_ROWS && rows * 4 < this.mostRows;
    if (shrink) this.mostRows = rows;
    this.clearPage(shrink);
    this.rows = 0;
  }

  /** Appends the column chunk of the row group (its dictionary page, then its data pages) to the file. */
  writeChunk(file: FileBytes, name: string): ColumnChunk {
    const fileOffset = BigInt(file.offset);
    let uncompressed = this.uncompressedBytes;
    let dictionaryPageOffset: bigint | undefined;
    const encodings = new Set<Encoding>();
    const encodingStats: PageEncodingStats[] = [];
    const dictionary = this.dictionary();
    if (dictionary !== undefined) {
      dictionaryPageOffset = fileOffset;
      const compressed = this.compress(dictionary.bytes);
      const header = scratchBytes((writer) =>
        writePageHeader(writer, {
          type: 'DICTIONARY_PAGE',
          uncompressed_page_size: dictionary.bytes.length,
          compressed_page_size: compressed.length,
          dictionary_page_header: { num_values: dictionary.size, encoding: 'PLAIN' },
        }),
      );
      file.append(header);
      file.append(compressed);
      uncompressed += header.length + dictionary.bytes.length;
      encodings.add('PLAIN');
      encodingStats.push({ page_type: 'DICTIONARY_PAGE', encoding: 'PLAIN', count: 1 });
    }
    const dataPageOffset = BigInt(file.offset);
    for (const page of this.pages) file.append(page);
    for (const encoding of new Set(this.pageEncodings)) {
      encodings.add(encoding);
      const count = this.pageEncodings.filter((e) => e === encoding).length;
      encodingStats.push({ page_type: 'DATA_PAGE_V2', encoding, count });
    }
    let statistics: Statistics | undefined;
    if (this.options.statistics) {
      const bounds = this.bounds();
      const isFloat = this.element.type === 'DOUBLE';
      statistics = {
        // Signed zero as the format asks: a minimum of zero is -0, a maximum +0.
        min_value: bounds === undefined ? undefined : bounds.min === 0 ? -0 : (bounds.min as MinMaxType),
        max_value: bounds === undefined ? undefined : bounds.max === 0 ? 0 : (bounds.max as MinMaxType),
        null_count: BigInt(this.chunkNulls),
        ...(isFloat ? { nan_count: 0n } : {}),
      } as Statistics;
    }
    const chunk: ColumnChunk = {
      file_offset: fileOffset,
      meta_data: {
        type: this.element.type as ParquetType,
        encodings: [...encodings],
        path_in_schema: [name],
        codec: this.options.codec,
        num_values: BigInt(this.chunkRows),
        total_uncompressed_size: BigInt(uncompressed),
        total_compressed_size: BigInt(file.offset) - fileOffset,
        data_page_offset: dataPageOffset,
        dictionary_page_offset: dictionaryPageOffset,
        statistics,
        encoding_stats: encodingStats,
      },
    };
    this.pages = [];
    this.pageEncodings.length = 0;
    this.chunkRows = 0;
    this.chunkNulls = 0;
    this.uncompressedBytes = 0;
    this.clearChunk();
    return chunk;
  }
}

/**
 * The RLE / bit-packed hybrid encoding of values[0, length) (non-negative, below 2^bitWidth), byte for byte as
 * hyparquet-writer's writeRleBitPackedHybrid writes it: from each position, a run of 8 or more equal values is one RLE
 * run; otherwise the next 8 values join the pending bit-packed groups (values past the end packed as 0). Written straight
 * into the writer's buffer (room made once) instead of a call and a bounds check per byte: the definition levels and
 * dictionary indexes of every page were about 3% of the ingest's CPU that way (issue 17).
 */
export function writeHybrid(writer: ByteWriter, values: ArrayLike<number>, length: number, bitWidth: number): void {
  // At most: per 8 values, a group's bitWidth bytes and a header's share, or a run's header and value (<= 9 bytes).
  writer.ensure((Math.ceil(length / 8) + 1) * (bitWidth + 10) + 16);
  const out = new Uint8Array(writer.buffer);
  const start = writer.index;
  let at = start;
  const valueBytes = (bitWidth + 7) >> 3;
  const mask = (1 << bitWidth) - 1;
  let pendingGroups = 0;
  let packedFrom = 0;
  const varInt = (value: number) => {
    let v = value;
    while ((v & ~0x7f) !== 0) {
      out[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[at++] = v;
  };
  const flushPacked = () => {
    varInt((pendingGroups << 1) | 1);
    if (bitWidth === 0) return;
    const end = packedFrom + pendingGroups * 8;
    let buffer = 0;
    let bits = 0;
    for (let i = packedFrom; i < end; i++) {
      const v = i < length ? (values[i] as number) & mask : 0;
      buffer |= v << bits;
      bits += bitWidth;
      while (bits >= 8) {
        out[at++] = buffer & 0xff;
        buffer >>>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) out[at++] = buffer & 0xff;
  };
  let i = 0;
  while (i < length) {
    const first = values[i] as number;
    let run = 1;
    while (i + run < length && values[i + run] === first) run++;
    if (run >= 8) {
      if (pendingGroups > 0) {
        flushPacked();
        pendingGroups = 0;
      }
      varInt(run << 1);
      for (let j = 0; j < valueBytes; j++) out[at++] = (first >> (j << 3)) & 0xff;
      i += run;
    } else {
      if (pendingGroups === 0) packedFrom = i;
      pendingGroups++;
      i += 8;
    }
  }
  if (pendingGroups > 0) flushPacked();
  writer.index += at - start;
  writer.offset += at - start;
}

/** The indexes of a page's rows that have a value (dictionaryIndexes), kept from page to page. */
let indexesScratch = new Int32Array(INITIAL_ROWS);

/** RLE_DICTIONARY values: the bit width, then the indexes of the rows that have a value. */
function dictionaryIndexes(indexes: Int32Array, present: Uint8Array, rows: number, count: number, size: number) {
  let values = indexes;
  if (count !== rows) {
    if (indexesScratch.length < count) indexesScratch = grownTo(indexesScratch, count);
    values = indexesScratch;
    let at = 0;
    for (let i = 0; i < rows; i++) if (present[i] === 1) values[at++] = indexes[i] as number;
  }
  const bitWidth = bitWidthOf(size);
  return scratchBytes((writer) => {
    writer.appendUint8(bitWidth);
    writeHybrid(writer, values, count, bitWidth);
  });
}

/** Presence of rows held as an Int32Array with a negative value for none (an index of -1, a negative end). */
function signedPresence(held: Int32Array, rows: number, present: Uint8Array): number {
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const has = (held[i] as number) >= 0 ? 1 : 0;
    present[i] = has;
    nulls += 1 - has;
  }
  return nulls;
}

/** Texts that repeat (codes, enums, the upload id): a dictionary for the chunk, an index per row (-1 for none). */
class TextDictionaryColumn extends ColumnChunkWriter {
  private indexes = emptyRows(Int32Array, -1);
  private texts: string[] = [];
  private readonly indexOf = new Map<string, number>();
  private textLength = 0;
  /**
   * The text the row before gave (the object given, not the dictionary's copy) and its index: a column often repeats
   * the row before's text, and the fast path hands a repeated text over as the same object each time (fast-path.ts
   * keeps one copy per text), which === then matches without reading it. At most one text a column is held this way.
   */
  private lastText: string | undefined;
  private lastIndex = -1;

  override get dictionaryBytes(): number {
    return this.textLength + this.texts.length * DICTIONARY_ENTRY_BYTES;
  }

  /** Gives held row `at` its text. */
  set(at: number, value: string): void {
    if (at >= this.indexes.length) this.indexes = grownTo(this.indexes, at + 1, -1);
    if (value === this.lastText) {
      this.indexes[at] = this.lastIndex;
      return;
    }
    let index = this.indexOf.get(value);
    if (index === undefined) {
      index = this.texts.length;
      // A text of its own: a cell is a slice of the parser's chunk, which it would keep alive.
      const own = value.length < 13 ? value : ownText(value);
      this.texts.push(own);
      this.indexOf.set(own, index);
      this.textLength += own.length;
    }
    this.indexes[at] = index;
    this.lastText = value;
    this.lastIndex = index;
  }

  /** Gives each of the first `rows` held rows the same text (a lineage column's). */
  setEvery(rows: number, value: string): void {
    this.set(0, value);
    this.reserve(rows);
    this.indexes.fill(this.lastIndex, 1, rows);
  }

  protected presence(present: Uint8Array): number {
    return signedPresence(this.indexes, this.rows, present);
  }

  protected encodeValues(present: Uint8Array, count: number): PageValues {
    const bytes = dictionaryIndexes(this.indexes, present, this.rows, count, this.texts.length);
    return { encoding: 'RLE_DICTIONARY', bytes };
  }

  protected reserve(rows: number): void {
    if (this.indexes.length < rows) this.indexes = grownTo(this.indexes, rows, -1);
  }

  protected clearPage(shrink: boolean): void {
    if (shrink) this.indexes = emptyRows(Int32Array, -1);
    else this.indexes.fill(-1, 0, this.rows);
  }

  protected override dictionary() {
    return this.texts.length === 0 ? undefined : { bytes: plainTexts(this.texts), size: this.texts.length };
  }

  protected clearChunk(): void {
    this.texts = [];
    this.indexOf.clear();
    this.textLength = 0;
    this.lastText = undefined;
    this.lastIndex = -1;
  }
}

/** Presence of numbers held with NaN for none (a value the contract never accepts). */
function numbersPresence(numbers: Float64Array, rows: number, present: Uint8Array): number {
  let nulls = 0;
  for (let i = 0; i < rows; i++) {
    const value = numbers[i] as number;
    const has = Number.isNaN(value) ? 0 : 1;
    present[i] = has;
    nulls += 1 - has;
  }
  return nulls;
}

/** Numbers that repeat (dates, small counts, scores, the upload's timestamp): a dictionary for the chunk. */
class NumberDictionaryColumn extends ColumnChunkWriter {
  private numbers = emptyRows(Float64Array, Number.NaN);
  private distinct: number[] = [];
  private readonly indexOf = new Map<number, number>();
  private indexes = new Int32Array(INITIAL_ROWS);

  override get dictionaryBytes(): number {
    return this.distinct.length * DICTIONARY_ENTRY_BYTES;
  }

  /** Gives held row `at` its number. */
  set(at: number, value: number): void {
    if (at >= this.numbers.length) this.numbers = grownTo(this.numbers, at + 1, Number.NaN);
    this.numbers[at] = value;
  }

  /** Gives each of the first `rows` held rows the same number (a lineage column's). */
  setEvery(rows: number, value: number): void {
    this.reserve(rows);
    this.numbers.fill(value, 0, rows);
  }

  protected presence(present: Uint8Array): number {
    return numbersPresence(this.numbers, this.rows, present);
  }

  protected encodeValues(present: Uint8Array, count: number): PageValues {
    const rows = this.rows;
    if (this.indexes.length < rows) this.indexes = grownTo(this.indexes, rows);
    const { numbers, indexOf, distinct, indexes } = this;
    // The value of the row before and its index: a column often repeats it (received_at on every row, a month's
    // dates), and a number past a small integer's range is boxed to be looked up.
    let lastValue = Number.NaN;
    let lastIndex = -1;
    for (let i = 0; i < rows; i++) {
      if (present[i] === 0) continue;
      const value = numbers[i] as number;
      if (value === lastValue) {
        indexes[i] = lastIndex;
        continue;
      }
      let index = indexOf.get(value);
      if (index === undefined) {
        index = distinct.length;
        distinct.push(value);
        indexOf.set(value, index);
      }
      indexes[i] = index;
      lastValue = value;
      lastIndex = index;
    }
    return { encoding: 'RLE_DICTIONARY', bytes: dictionaryIndexes(indexes, present, rows, count, distinct.length) };
  }

  protected reserve(rows: number): void {
    if (this.numbers.length < rows) this.numbers = grownTo(this.numbers, rows, Number.NaN);
  }

  protected clearPage(shrink: boolean): void {
    if (shrink) {
      this.numbers = emptyRows(Float64Array, Number.NaN);
      this.indexes = new Int32Array(INITIAL_ROWS);
    } else this.numbers.fill(Number.NaN, 0, this.rows);
  }

  protected override dictionary() {
    const { distinct } = this;
    if (distinct.length === 0) return undefined;
    const bytes = plainNumbers(this.element.type as ParquetType, distinct.length, (write) => {
      for (const value of distinct) write(value);
    });
    return { bytes, size: distinct.length };
  }

  protected override bounds() {
    const { distinct } = this;
    if (distinct.length === 0) return undefined;
    let min = distinct[0] as number;
    let max = min;
    for (const value of distinct) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { min, max };
  }

  protected clearChunk(): void {
    this.distinct = [];
    this.indexOf.clear();
  }
}

/** Numbers nearly all distinct (timestamps of recording, source rows): PLAIN. */
class PlainNumberColumn extends ColumnChunkWriter {
  private numbers = emptyRows(Float64Array, Number.NaN);

  /** Gives held row `at` its number. */
  set(at: number, value: number): void {
    if (at >= this.numbers.length) this.numbers = grownTo(this.numbers, at + 1, Number.NaN);
    this.numbers[at] = value;
  }

  protected presence(present: Uint8Array): number {
    return numbersPresence(this.numbers, this.rows, present);
  }

  protected encodeValues(present: Uint8Array, count: number): PageValues {
    const { numbers, rows } = this;
    const bytes = plainNumbers(this.element.type as ParquetType, count, (write) => {
      for (let i = 0; i < rows; i++) if (present[i] === 1) write(numbers[i] as number);
    });
    return { encoding: 'PLAIN', bytes };
  }

  protected reserve(rows: number): void {
    if (this.numbers.length < rows) this.numbers = grownTo(this.numbers, rows, Number.NaN);
  }

  protected clearPage(shrink: boolean): void {
    if (shrink) this.numbers = emptyRows(Float64Array, Number.NaN);
    else this.numbers.fill(Number.NaN, 0, this.rows);
  }

  protected clearChunk(): void {}
}

/** Booleans (0 false, 1 true, 2 none): RLE, with min and max. */
class BooleanColumn extends ColumnChunkWriter {
  private codes = emptyRows(Uint8Array, 2);
  private seen = { false: false, true: false };

  /** Gives held row `at` its boolean. */
  set(at: number, value: boolean): void {
    if (at >= this.codes.length) this.codes = grownTo(this.codes, at + 1, 2);
    this.codes[at] = value ? 1 : 0;
  }

  protected presence(present: Uint8Array): number {
    const { codes, rows } = this;
    let nulls = 0;
    for (let i = 0; i < rows; i++) {
      const has = codes[i] === 2 ? 0 : 1;
      present[i] = has;
      nulls += 1 - has;
    }
    return nulls;
  }

  protected encodeValues(present: Uint8Array, count: number): PageValues {
    const { codes, rows, seen } = this;
    const kept = new Uint8Array(count);
    let at = 0;
    for (let i = 0; i < rows; i++) {
      if (present[i] === 0) continue;
      const code = codes[i] as number;
      kept[at++] = code;
      if (code === 1) seen.true = true;
      else seen.false = true;
    }
    const bytes = scratchBytes((writer) => {
      writer.appendUint32(0); // the length of the runs, set below
      writeHybrid(writer, kept, count, 1);
    });
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(0, bytes.length - 4, true);
    return { encoding: 'RLE', bytes };
  }

  protected reserve(rows: number): void {
    if (this.codes.length < rows) this.codes = grownTo(this.codes, rows, 2);
  }

  protected clearPage(shrink: boolean): void {
    if (shrink) this.codes = emptyRows(Uint8Array, 2);
    else this.codes.fill(2, 0, this.rows);
  }

  protected override bounds() {
    const { seen } = this;
    if (!seen.false && !seen.true) return undefined;
    return { min: !seen.false, max: seen.true };
  }

  protected clearChunk(): void {
    this.seen = { false: false, true: false };
  }
}

/**
 * Texts nearly all distinct (ids, pseudonyms): DELTA_BYTE_ARRAY, uncompressed. Each text is held as the bytes it
 * shares with the text before it in the page (its prefix length) and the UTF-8 bytes after them (its suffix), which is
 * what the encoding stores: a page is the two lengths' DELTA_BINARY_PACKED runs (hyparquet-writer's encoder) and the
 * suffixes as they stand. That takes out what Snappy took out of these columns (a referral's person and id repeated
 * on its next event, ids sharing their start), to about the same size, without a compression pass over every page's
 * bytes, which was a tenth of the ingest's CPU. The prefix is counted over ASCII characters only, so that it is a byte
 * count and never splits a character.
 */
class BytesColumn extends ColumnChunkWriter {
  /** The suffixes' UTF-8 bytes, one after another. */
  private bytes = new Uint8Array(INITIAL_ROWS * 16);
  /** 1 where held row i has a text, 0 where it has none. */
  private has = new Uint8Array(INITIAL_ROWS);
  /** Per text given (not per row): bytes shared with the text before it, and bytes of its own. */
  private prefixes = new Int32Array(INITIAL_ROWS);
  private suffixes = new Int32Array(INITIAL_ROWS);
  /** Held rows given a text. */
  private texts = 0;
  private used = 0;
  /** The text before, and its length in bytes: the next text's prefix is counted against it. */
  private last: string | undefined;
  private lastLength = 0;

  /** Gives held row `at` its text; rows are given theirs in order. */
  set(at: number, value: string): void {
    if (at >= this.has.length) this.has = grownTo(this.has, at + 1);
    this.has[at] = 1;
    const n = this.texts;
    this.texts = n + 1;
    if (n >= this.prefixes.length) {
      this.prefixes = grownTo(this.prefixes, n + 1);
      this.suffixes = grownTo(this.suffixes, n + 1);
    }
    const last = this.last;
    if (value === last) {
      // The same text again (a referral's person on its next event): all of it shared, nothing of its own.
      this.prefixes[n] = this.lastLength;
      this.suffixes[n] = 0;
      return;
    }
    let shared = 0;
    if (last !== undefined) {
      const most = Math.min(last.length, value.length);
      while (shared < most) {
        const code = value.charCodeAt(shared);
        if (code > 0x7f || code !== last.charCodeAt(shared)) break;
        shared += 1;
      }
    }
    const start = this.used;
    // At most 3 bytes of UTF-8 per UTF-16 code unit.
    const most = start + (value.length - shared) * 3;
    if (most > this.bytes.length) this.bytes = grownTo(this.bytes, most);
    const bytes = this.bytes;
    // ASCII (ids, pseudonyms) copied here: cheaper than a call to the encoder for a short text.
    let used = start;
    for (let i = shared; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) {
        used += utf8.encodeInto(value.substring(i), bytes.subarray(used)).written;
        break;
      }
      bytes[used++] = code;
    }
    this.prefixes[n] = shared;
    this.suffixes[n] = used - start;
    this.used = used;
    this.last = value;
    this.lastLength = shared + used - start;
  }

  protected presence(present: Uint8Array): number {
    present.set(this.has.subarray(0, this.rows));
    return this.rows - this.texts;
  }

  protected encodeValues(): PageValues {
    const { texts, prefixes, suffixes } = this;
    const bytes = scratchBytes((writer) => {
      deltaBinaryPack(writer, prefixes.subarray(0, texts), 'INT32');
      deltaBinaryPack(writer, suffixes.subarray(0, texts), 'INT32');
      writer.appendBytes(this.bytes.subarray(0, this.used));
    });
    return { encoding: 'DELTA_BYTE_ARRAY', bytes };
  }

  protected reserve(rows: number): void {
    if (this.has.length < rows) this.has = grownTo(this.has, rows);
  }

  protected clearPage(shrink: boolean): void {
    this.used = 0;
    this.texts = 0;
    // A page's first text shares nothing: each page is decoded on its own.
    this.last = undefined;
    this.lastLength = 0;
    if (shrink) {
      this.has = new Uint8Array(INITIAL_ROWS);
      this.bytes = new Uint8Array(INITIAL_ROWS * 16);
      this.prefixes = new Int32Array(INITIAL_ROWS);
      this.suffixes = new Int32Array(INITIAL_ROWS);
    } else this.has.fill(0, 0, this.rows);
  }

  protected clearChunk(): void {}
}

/** How add() stores a column's value: one branch each, so each writer's push is called from a site of its own. */
enum Held {
  Lineage,
  Number,
  Date,
  Timestamp,
  Boolean,
  Text,
  Bytes,
}

function heldAs(column: ColumnSpec): Held {
  if (LINEAGE_COLUMNS.has(column.name)) return Held.Lineage;
  switch (column.type) {
    case 'int32':
    case 'double':
      return Held.Number;
    case 'date':
      return Held.Date;
    case 'timestamp':
      return Held.Timestamp;
    case 'boolean':
      return Held.Boolean;
    case 'string':
      return HIGH_CARDINALITY.has(column.name) ? Held.Bytes : Held.Text;
  }
}

interface ColumnOptions {
  /** Min, max and nulls of each column chunk, for readers that skip row groups by them. */
  readonly statistics: boolean;
  readonly codec: 'SNAPPY' | 'UNCOMPRESSED';
}

/**
 * The writer of a column, chosen once from the contract: a dictionary unless its values are nearly all distinct;
 * statistics where they prune; Snappy only where it pays and no encoding does its work (timestamps of recording,
 * PLAIN: nearby ones share their high bytes), not where it finds next to nothing to take out (dictionary indexes,
 * booleans, the source row counter) nor on ids and pseudonyms, whose repeats and shared starts DELTA_BYTE_ARRAY
 * stores instead (BytesColumn).
 */
function columnWriter(column: ColumnSpec, element: SchemaElement): ColumnChunkWriter {
  const unique = HIGH_CARDINALITY.has(column.name);
  const plain = { statistics: false, codec: 'SNAPPY' } as const;
  const encoded = { statistics: !unique && column.type !== 'string', codec: 'UNCOMPRESSED' } as const;
  switch (column.type) {
    case 'string':
      return unique
        ? new BytesColumn(element, { ...plain, codec: 'UNCOMPRESSED' })
        : new TextDictionaryColumn(element, encoded);
    case 'boolean':
      return new BooleanColumn(element, encoded);
    case 'timestamp':
      return unique ? new PlainNumberColumn(element, plain) : new NumberDictionaryColumn(element, encoded);
    default:
      return unique
        ? new PlainNumberColumn(element, { ...plain, codec: 'UNCOMPRESSED' })
        : new NumberDictionaryColumn(element, encoded);
  }
}

interface Partition {
  readonly columns: ColumnChunkWriter[];
  readonly file: FileBytes;
  readonly rowGroups: RowGroup[];
  /** Rows held, not yet encoded. */
  rows: number;
  /** Rows encoded as pages of the row group still open. */
  groupRows: number;
  /** Rows in closed row groups. */
  writtenRows: number;
  /** Bytes of the open row group's dictionaries, as of its last page. */
  dictionaryBytes: number;
  done: boolean;
}

/**
 * Accepted rows of one upload, per partition, written as Parquet as they arrive: the values of at most
 * maxBufferedRows rows are held at a time (outside the V8 heap), encoded as pages of their partition's open row
 * group, and the encoded bytes (a few per cent of the file) are held until the upload commits.
 */
export class PartitionedColumns {
  private readonly partitions = new Map<string, Partition>();
  private readonly indexOf = new Map<string, number>();
  private readonly held: Held[];
  private readonly schema: SchemaElement[];
  private readonly options: StreamingOptions;
  private readonly lineageAt: { readonly uploadId: number; readonly receivedAt: number; readonly sourceRow: number };
  private readonly receivedAt: number;
  /** The upload id as a text of its own: the same object on every row, which the column's dictionary then matches. */
  private readonly uploadId: string;
  private buffered = 0;
  /** Bytes of every partition's open dictionaries (Partition.dictionaryBytes) together. */
  private dictionaryBytes = 0;
  private lastPartition: string | undefined;
  private lastPart: Partition | undefined;

  constructor(
    readonly table: PartitionedTableSpec,
    lineage: Lineage,
    options: Partial<StreamingOptions> = {},
  ) {
    this.options = { ...DEFAULT_STREAMING, ...options };
    this.held = table.columns.map(heldAs);
    this.schema = parquetSchemaOf(table);
    table.columns.forEach((column, i) => {
      this.indexOf.set(column.name, i);
    });
    const at = (name: string) => this.indexOf.get(name) ?? -1;
    this.lineageAt = { uploadId: at('upload_id'), receivedAt: at('received_at'), sourceRow: at('source_row') };
    this.receivedAt = Date.parse(lineage.received_at);
    this.uploadId = ownText(lineage.upload_id);
  }

  /**
   * Column of each name, -1 where the table has none (a workforce file's snapshot_month is its partition): the
   * slots add() reads a row's values through. Every stored column that is not lineage must have a slot.
   */
  slotsOf(names: readonly string[]): Int32Array {
    const slots = Int32Array.from(names, (name) => this.indexOf.get(name) ?? -1);
    const missing = this.table.columns.filter((column, i) => !LINEAGE_COLUMNS.has(column.name) && !slots.includes(i));
    if (missing.length > 0) throw new Error(`no value for column ${missing.map((c) => c.name).join(', ')}`);
    return slots;
  }

  /**
   * Adds one validated row: values[j] goes to column slots[j] (slotsOf), undefined and null as null. Lineage columns
   * take the upload's own values and the row's place in the file.
   */
  add(partition: string, values: readonly unknown[], slots: Int32Array, sourceRow: number): void {
    // Rows of one month often come together: the partition of the row before is checked first.
    let part = partition === this.lastPartition ? this.lastPart : this.partitions.get(partition);
    if (part === undefined) {
      const file = new FileBytes();
      file.append(MAGIC);
      part = {
        columns: this.table.columns.map((column, i) => columnWriter(column, this.schema[i + 1] as SchemaElement)),
        file,
        rowGroups: [],
        rows: 0,
        groupRows: 0,
        writtenRows: 0,
        dictionaryBytes: 0,
        done: false,
      };
      this.partitions.set(partition, part);
    }
    this.lastPartition = partition;
    this.lastPart = part;
    const { columns } = part;
    const held = this.held;
    const at = part.rows;
    // A column the row has no value for is left as it is: its held rows hold none until given one.
    for (let j = 0; j < slots.length; j++) {
      const value = values[j];
      if (value === undefined || value === null) continue;
      const i = slots[j] as number;
      if (i < 0) continue;
      switch (held[i]) {
        case Held.Number:
          (columns[i] as NumberDictionaryColumn).set(at, value as number);
          break;
        case Held.Date:
          (columns[i] as NumberDictionaryColumn).set(at, epochDay(value as string));
          break;
        case Held.Timestamp:
          (columns[i] as PlainNumberColumn).set(at, typeof value === 'number' ? value : epochMillis(value as string));
          break;
        case Held.Boolean:
          (columns[i] as BooleanColumn).set(at, value as boolean);
          break;
        case Held.Text:
          (columns[i] as TextDictionaryColumn).set(at, value as string);
          break;
        case Held.Bytes:
          (columns[i] as BytesColumn).set(at, value as string);
          break;
      }
    }
    // upload_id and received_at are the same on every row: given to the page's rows at once (encodePages).
    (columns[this.lineageAt.sourceRow] as PlainNumberColumn).set(at, sourceRow);
    part.rows += 1;
    this.buffered += 1;
    const { pageRows, rowGroupRows, maxBufferedRows } = this.options;
    if (part.rows >= pageRows || part.groupRows + part.rows >= rowGroupRows) this.flushPage(part);
    else if (this.buffered > maxBufferedRows) this.flushPage(this.fullest());
  }

  /** Rows per partition, in partition order. */
  counts(): Map<string, number> {
    return new Map(
      [...this.partitions.keys()].sort().map((p) => {
        const part = this.partitions.get(p) as Partition;
        return [p, part.writtenRows + part.groupRows + part.rows];
      }),
    );
  }

  /** The partition's Parquet file: its last rows encoded, the footer written. Its buffers are released. */
  toParquet(partition: string): Uint8Array {
    const part = this.partitions.get(partition);
    if (part === undefined) throw new Error(`no rows for partition ${partition}`);
    if (part.done) throw new Error(`partition ${partition} is already written`);
    this.flushPage(part);
    if (part.groupRows > 0) this.closeRowGroup(part);
    const footer = new ByteWriter();
    const metadata = {
      version: 2,
      created_by: 'sp-outcomes ingest',
      schema: this.schema,
      num_rows: BigInt(part.writtenRows),
      row_groups: part.rowGroups,
    };
    writeMetadata(footer, metadata as FileMetaData);
    footer.appendBytes(MAGIC);
    part.file.append(footer.getBytes());
    part.done = true;
    part.columns.length = 0;
    return part.file.joined();
  }

  private fullest(): Partition {
    let fullest: Partition | undefined;
    for (const part of this.partitions.values()) {
      if (fullest === undefined || part.rows > fullest.rows) fullest = part;
    }
    return fullest as Partition;
  }

  /**
   * Encodes the partition's held rows as a page of each column; closes its row group when it is full or a dictionary
   * has grown too large, and the row groups of the partitions holding the most dictionaries while all of them together
   * hold more than maxDictionaryBytes.
   */
  private flushPage(part: Partition): void {
    if (part.rows === 0) return;
    const largest = this.encodePages(part);
    if (largest > DICTIONARY_BYTES_LIMIT || part.groupRows >= this.options.rowGroupRows) this.closeRowGroup(part);
    while (this.dictionaryBytes > this.options.maxDictionaryBytes) {
      let most: Partition | undefined;
      for (const other of this.partitions.values()) {
        if (most === undefined || other.dictionaryBytes > most.dictionaryBytes) most = other;
      }
      if (most === undefined || most.dictionaryBytes === 0) break;
      // Its held rows first: a text's index is its place in the dictionary of the row group open when it came.
      this.encodePages(most);
      this.closeRowGroup(most);
    }
  }

  /** Encodes the partition's held rows as a page of each column; returns the largest of its dictionaries. */
  private encodePages(part: Partition): number {
    let largest = 0;
    let total = 0;
    if (part.rows > 0) {
      // The upload's id and time on every held row, in one fill each rather than a call per row as it arrives.
      (part.columns[this.lineageAt.uploadId] as TextDictionaryColumn).setEvery(part.rows, this.uploadId);
      (part.columns[this.lineageAt.receivedAt] as NumberDictionaryColumn).setEvery(part.rows, this.receivedAt);
    }
    for (const column of part.columns) {
      column.flushPage(part.rows);
      const bytes = column.dictionaryBytes;
      total += bytes;
      if (bytes > largest) largest = bytes;
    }
    part.groupRows += part.rows;
    this.buffered -= part.rows;
    part.rows = 0;
    this.dictionaryBytes += total - part.dictionaryBytes;
    part.dictionaryBytes = total;
    return largest;
  }

  private closeRowGroup(part: Partition): void {
    if (part.groupRows === 0) return;
    const start = part.file.offset;
    const columns = part.columns.map((column, i) =>
      column.writeChunk(part.file, (this.table.columns[i] as ColumnSpec).name),
    );
    let totalBytes = 0n;
    for (const { meta_data } of columns) totalBytes += meta_data?.total_uncompressed_size ?? 0n;
    part.rowGroups.push({
      columns,
      total_byte_size: totalBytes,
      num_rows: BigInt(part.groupRows),
      total_compressed_size: BigInt(part.file.offset - start),
    });
    part.writtenRows += part.groupRows;
    part.groupRows = 0;
    this.dictionaryBytes -= part.dictionaryBytes;
    part.dictionaryBytes = 0;
  }
}

/** A small whole table (reference data, the uploads list) as one Parquet file with the specification's types. */
export function tableToParquet(table: TableSpec, rows: readonly Readonly<Record<string, unknown>>[]): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: parquetSchemaOf(table),
    columnData: table.columns.map((column) => {
      const store = STORE[column.type];
      return {
        name: column.name,
        data: rows.map((row) =>
          row[column.name] === undefined || row[column.name] === null ? null : store(row[column.name]),
        ),
      };
    }),
    codec: 'SNAPPY',
    createdBy: 'sp-outcomes refresh',
  });
  return new Uint8Array(writer.getBuffer());
}
