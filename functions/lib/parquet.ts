import { ByteWriter, ParquetWriter, parquetWrite } from 'hyparquet-writer';
import type { ColumnSpec, PartitionedTableSpec, StorageType, TableSpec } from '../contract/index.ts';

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

/** Days since 1970-01-01 of a validated YYYY-MM-DD (Date.parse is several times slower on the hot path). */
const epochDay = (s: string) => Date.UTC(digits(s, 0, 4), digits(s, 5, 7) - 1, digits(s, 8, 10)) / DAY_MS;

/** Epoch milliseconds of a validated ISO date-time; the common YYYY-MM-DDTHH:MM:SSZ form without Date.parse. */
const epochMillis = (s: string) =>
  s.length === 20 && s.charCodeAt(19) === 90 /* Z */
    ? Date.UTC(
        digits(s, 0, 4),
        digits(s, 5, 7) - 1,
        digits(s, 8, 10),
        digits(s, 11, 13),
        digits(s, 14, 16),
        digits(s, 17, 19),
      )
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
  /** Rows of one partition encoded together as a Parquet row group. @default 20,000 */
  readonly rowGroupRows: number;
  /**
   * Rows held as values across all partitions before the fullest partition is encoded early: bounds the memory of a
   * file that spreads over many months. @default 20,000
   */
  readonly maxBufferedRows: number;
}

const DEFAULT_STREAMING: StreamingOptions = { rowGroupRows: 20_000, maxBufferedRows: 20_000 };

const SPARE_BYTES = 64 * 1024;

/** Encoded Parquet bytes kept as a list of chunks (no doubling copy of one growing buffer); joined once at the end. */
class ChunkedWriter extends ByteWriter {
  private readonly chunks: Uint8Array[] = [];

  constructor() {
    super(SPARE_BYTES);
  }

  /**
   * ParquetWriter calls this after each row group. The bytes are copied out and the buffer (grown to a whole row
   * group) let go, so a partition waiting for its next row group holds 64 KiB, not its largest row group.
   */
  flush(): void {
    this.chunks.push(this.getBytes().slice());
    this.index = 0;
    this.buffer = new ArrayBuffer(SPARE_BYTES);
    this.view = new DataView(this.buffer);
  }

  bytes(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.offset);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.chunks.length = 0;
    return out;
  }
}

/**
 * One column's values of the rows a partition holds, outside the V8 heap where it can be: a row's values then die with
 * the row instead of surviving, row after row, in arrays until their row group is written (what survives V8's young
 * collections is what makes it grow its young generation, to the size Lambda's heap flags allow: that, not the data,
 * was most of the ingest's peak memory). Numbers (int32, double, dates as days, timestamps as milliseconds) are held
 * in a Float64Array, which holds every one of them exactly (the Parquet writer checks int32 ranges as before); booleans
 * in bytes; texts of a high-cardinality column as their UTF-8 bytes (written as they are: the writer would encode each
 * string to the same bytes); other texts as indexes into the distinct texts of the row group.
 */
interface ColumnBuffer {
  /** Appends one row's value; null for none. */
  push(value: unknown): void;
  /** The first `rows` values as the Parquet writer takes them (null for none). */
  values(rows: number): unknown[];
  /** Forgets the values (keeps the capacity, for the partition's next row group). */
  clear(): void;
}

const INITIAL_ROWS = 1024;

function grownTo<T extends Float64Array | Int32Array | Uint8Array>(array: T, atLeast: number): T {
  let length = Math.max(array.length * 2, INITIAL_ROWS);
  while (length < atLeast) length *= 2;
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  return copy;
}

class NumberColumn implements ColumnBuffer {
  private numbers = new Float64Array(INITIAL_ROWS);
  private present = new Uint8Array(INITIAL_ROWS);
  private rows = 0;

  push(value: unknown): void {
    const at = this.rows;
    if (at === this.numbers.length) {
      this.numbers = grownTo(this.numbers, at + 1);
      this.present = grownTo(this.present, at + 1);
    }
    if (value === null) this.present[at] = 0;
    else {
      this.present[at] = 1;
      this.numbers[at] = value as number;
    }
    this.rows = at + 1;
  }

  values(rows: number): unknown[] {
    const out: unknown[] = new Array(rows);
    for (let i = 0; i < rows; i++) out[i] = this.present[i] === 1 ? this.numbers[i] : null;
    return out;
  }

  clear(): void {
    this.rows = 0;
  }
}

class BooleanColumn implements ColumnBuffer {
  /** 0 false, 1 true, 2 none. */
  private codes = new Uint8Array(INITIAL_ROWS);
  private rows = 0;

  push(value: unknown): void {
    if (this.rows === this.codes.length) this.codes = grownTo(this.codes, this.rows + 1);
    this.codes[this.rows++] = value === null ? 2 : value ? 1 : 0;
  }

  values(rows: number): unknown[] {
    const out: unknown[] = new Array(rows);
    for (let i = 0; i < rows; i++) out[i] = this.codes[i] === 2 ? null : this.codes[i] === 1;
    return out;
  }

  clear(): void {
    this.rows = 0;
  }
}

/** Texts that repeat (codes, enums): each row holds the index of its text among the row group's distinct texts. */
class TextColumn implements ColumnBuffer {
  private indexes = new Int32Array(INITIAL_ROWS);
  private rows = 0;
  private texts: string[] = [];
  private readonly indexOf = new Map<string, number>();

  push(value: unknown): void {
    if (this.rows === this.indexes.length) this.indexes = grownTo(this.indexes, this.rows + 1);
    if (value === null) {
      this.indexes[this.rows++] = -1;
      return;
    }
    let index = this.indexOf.get(value as string);
    if (index === undefined) {
      index = this.texts.length;
      // A text of its own: a cell is a slice of the parser's chunk, which it would keep alive.
      const own = (value as string).length < 13 ? (value as string) : (JSON.parse(JSON.stringify(value)) as string);
      this.texts.push(own);
      this.indexOf.set(own, index);
    }
    this.indexes[this.rows++] = index;
  }

  values(rows: number): unknown[] {
    const out: unknown[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const index = this.indexes[i] as number;
      out[i] = index < 0 ? null : this.texts[index];
    }
    return out;
  }

  clear(): void {
    this.rows = 0;
    this.texts = [];
    this.indexOf.clear();
  }
}

const utf8 = new TextEncoder();

/** Texts nearly all distinct (ids, pseudonyms): held as their UTF-8 bytes, one buffer for the row group. */
class BytesColumn implements ColumnBuffer {
  private bytes = new Uint8Array(INITIAL_ROWS * 16);
  /** Where row i's bytes end; row i starts where row i - 1 ends. -1 - end for none. */
  private ends = new Int32Array(INITIAL_ROWS);
  private rows = 0;
  private used = 0;

  push(value: unknown): void {
    if (this.rows === this.ends.length) this.ends = grownTo(this.ends, this.rows + 1);
    if (value !== null) {
      const text = value as string;
      // At most 3 bytes of UTF-8 per UTF-16 code unit.
      if (this.used + text.length * 3 > this.bytes.length)
        this.bytes = grownTo(this.bytes, this.used + text.length * 3);
      this.used += utf8.encodeInto(text, this.bytes.subarray(this.used)).written;
      this.ends[this.rows++] = this.used;
    } else this.ends[this.rows++] = -1 - this.used;
  }

  values(rows: number): unknown[] {
    const out: unknown[] = new Array(rows);
    let start = 0;
    for (let i = 0; i < rows; i++) {
      const end = this.ends[i] as number;
      if (end < 0) {
        out[i] = null;
        start = -1 - end;
      } else {
        out[i] = this.bytes.subarray(start, end);
        start = end;
      }
    }
    return out;
  }

  clear(): void {
    this.rows = 0;
    this.used = 0;
  }
}

/** How add() stores a column's value: one branch each, so each buffer's push is called from a site of its own. */
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

function columnBuffer(held: Held): ColumnBuffer | undefined {
  switch (held) {
    case Held.Lineage:
      return undefined;
    case Held.Boolean:
      return new BooleanColumn();
    case Held.Text:
      return new TextColumn();
    case Held.Bytes:
      return new BytesColumn();
    default:
      return new NumberColumn();
  }
}

interface Partition {
  /** Values not yet encoded, column by column (undefined for lineage columns, which are not held per row). */
  columns: (ColumnBuffer | undefined)[];
  sourceRows: Int32Array;
  /** Rows held, not yet encoded. */
  rows: number;
  /** Rows already encoded into row groups. */
  encodedRows: number;
  writer?: ParquetWriter;
  output?: ChunkedWriter;
}

/**
 * Accepted rows of one upload, per partition, encoded as Parquet row groups as they fill: the values of at most
 * maxBufferedRows rows are held at a time (outside the V8 heap: ColumnBuffer), and the encoded bytes (a few per cent
 * of the file) until the upload commits.
 */
export class PartitionedColumns {
  private readonly partitions = new Map<string, Partition>();
  private readonly indexOf = new Map<string, number>();
  private readonly held: Held[];
  private readonly schema: SchemaElement[];
  private readonly options: StreamingOptions;
  private buffered = 0;

  constructor(
    readonly table: PartitionedTableSpec,
    private readonly lineage: Lineage,
    options: Partial<StreamingOptions> = {},
  ) {
    this.options = { ...DEFAULT_STREAMING, ...options };
    this.held = table.columns.map(heldAs);
    this.schema = parquetSchemaOf(table);
    table.columns.forEach((column, i) => {
      this.indexOf.set(column.name, i);
    });
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
   * are not held per row: they are written from the upload's own values when the row group is encoded.
   */
  add(partition: string, values: readonly unknown[], slots: Int32Array, sourceRow: number): void {
    let part = this.partitions.get(partition);
    if (part === undefined) {
      part = {
        columns: this.held.map(columnBuffer),
        sourceRows: new Int32Array(INITIAL_ROWS),
        rows: 0,
        encodedRows: 0,
      };
      this.partitions.set(partition, part);
    }
    const { columns } = part;
    const held = this.held;
    for (let j = 0; j < slots.length; j++) {
      const i = slots[j] as number;
      if (i < 0) continue;
      const value = values[j];
      const none = value === undefined || value === null;
      switch (held[i]) {
        case Held.Number:
          (columns[i] as NumberColumn).push(none ? null : (value as number));
          break;
        case Held.Date:
          (columns[i] as NumberColumn).push(none ? null : epochDay(value as string));
          break;
        case Held.Timestamp:
          (columns[i] as NumberColumn).push(
            none ? null : typeof value === 'number' ? value : epochMillis(value as string),
          );
          break;
        case Held.Boolean:
          (columns[i] as BooleanColumn).push(none ? null : value);
          break;
        case Held.Text:
          (columns[i] as TextColumn).push(none ? null : value);
          break;
        case Held.Bytes:
          (columns[i] as BytesColumn).push(none ? null : value);
          break;
      }
    }
    if (part.rows === part.sourceRows.length) part.sourceRows = grownTo(part.sourceRows, part.rows + 1);
    part.sourceRows[part.rows++] = sourceRow;
    this.buffered += 1;
    if (part.rows >= this.options.rowGroupRows) this.encode(part);
    else if (this.buffered > this.options.maxBufferedRows) this.encode(this.fullest());
  }

  /** Rows per partition, in partition order. */
  counts(): Map<string, number> {
    return new Map(
      [...this.partitions.keys()].sort().map((p) => {
        const part = this.partitions.get(p) as Partition;
        return [p, part.encodedRows + part.rows];
      }),
    );
  }

  /** The partition's Parquet file: its last rows encoded, the footer written. Its buffers are released. */
  toParquet(partition: string): Uint8Array {
    const part = this.partitions.get(partition);
    if (part === undefined) throw new Error(`no rows for partition ${partition}`);
    if (part.rows > 0) this.encode(part);
    const { writer, output } = part;
    if (writer === undefined || output === undefined) throw new Error(`partition ${partition} is already written`);
    writer.finish();
    part.writer = undefined;
    part.output = undefined;
    part.columns = [];
    part.sourceRows = new Int32Array(0);
    return output.bytes();
  }

  private fullest(): Partition {
    let fullest: Partition | undefined;
    for (const part of this.partitions.values()) {
      if (fullest === undefined || part.rows > fullest.rows) fullest = part;
    }
    return fullest as Partition;
  }

  /** Encodes the partition's held rows as one row group and lets their values go. */
  private encode(part: Partition): void {
    const rows = part.rows;
    if (part.writer === undefined) {
      part.output = new ChunkedWriter();
      part.writer = new ParquetWriter({
        writer: part.output,
        schema: this.schema,
        codec: 'SNAPPY',
        createdBy: 'sp-outcomes ingest',
      });
    }
    const lineage: Record<string, unknown[]> = {
      upload_id: new Array(rows).fill(this.lineage.upload_id),
      received_at: new Array(rows).fill(Date.parse(this.lineage.received_at)),
      source_row: Array.from(part.sourceRows.subarray(0, rows)),
    };
    part.writer.write({
      columnData: this.table.columns.map((column, i) => {
        const highCardinality = HIGH_CARDINALITY.has(column.name);
        return {
          name: column.name,
          data: lineage[column.name] ?? (part.columns[i] as ColumnBuffer).values(rows),
          ...(highCardinality ? { encoding: 'PLAIN' as const } : {}),
          statistics: !highCardinality && column.type !== 'string',
        };
      }),
      rowGroupSize: rows,
    });
    part.encodedRows += rows;
    this.buffered -= rows;
    for (const column of part.columns) column?.clear();
    part.rows = 0;
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
