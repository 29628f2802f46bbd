/**
 * The generator's CSV writer: the bytes of csvText(columns, rows, { neutraliseFormulas: false, newline: '\n' })
 * encoded as UTF-8 (what a PCN's system sends: exact values, LF line ends), written straight into one reusable
 * buffer instead of through strings. The demo writes half a gigabyte of CSV; built as strings, joining them and
 * encoding them to UTF-8 took more time than simulating the events. test/unit/csv-bytes.test.ts proves the bytes
 * equal csvText's, UTF-8 encoded, on any values.
 */
import { csvCell } from '../../functions/lib/csv.ts';

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
/** Integers up to this are written digit by digit (exactly as String gives them); others go through String. */
const SMALL_INT = 1_000_000_000;

/** Each column list's position by name, worked out once per list (the contract's lists are constants). */
const POSITIONS = new WeakMap<readonly string[], ReadonlyMap<string, number>>();
function positionsOf(columns: readonly string[]): ReadonlyMap<string, number> {
  let positions = POSITIONS.get(columns);
  if (positions === undefined) {
    positions = new Map(columns.map((name, i) => [name, i]));
    POSITIONS.set(columns, positions);
  }
  return positions;
}

export class CsvBytes {
  private buffer: Buffer;
  private length = 0;

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Starts a new file: the header line. The bytes of the last file are gone (bytes() is a view of the buffer). */
  start(columns: readonly string[]): this {
    this.length = 0;
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) this.byte(COMMA);
      this.cell(columns[i]);
    }
    this.byte(LF);
    return this;
  }

  /**
   * A row's line: its value in each column, an empty cell where it has none (undefined or null); names that are no
   * column are left out. Walks the row's own keys when they are in column order (an event has values in 9 to 16 of
   * its 32 columns), every column otherwise.
   */
  row(columns: readonly string[], row: object): this {
    const positions = positionsOf(columns);
    const from = this.length;
    let cells = 0; // cells written so far, empty ones included
    for (const key in row) {
      const at = positions.get(key);
      if (at === undefined || at < cells) {
        this.length = from;
        return this.rowByColumns(columns, row as Readonly<Record<string, unknown>>);
      }
      const value = (row as Readonly<Record<string, unknown>>)[key];
      if (value === undefined || value === null) continue;
      this.commas(at - cells + (cells > 0 ? 1 : 0));
      this.cell(value);
      cells = at + 1;
    }
    this.commas(cells > 0 ? columns.length - cells : columns.length - 1);
    this.byte(LF);
    return this;
  }

  private rowByColumns(columns: readonly string[], row: Readonly<Record<string, unknown>>): this {
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) this.byte(COMMA);
      const value = row[columns[i] as string];
      if (value !== undefined && value !== null) this.cell(value);
    }
    this.byte(LF);
    return this;
  }

  /** The file so far: a view of the buffer, valid until the next start(). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }

  private byte(value: number): void {
    this.room(1);
    this.buffer[this.length++] = value;
  }

  private commas(count: number): void {
    if (count <= 0) return;
    this.room(count);
    this.buffer.fill(COMMA, this.length, this.length + count);
    this.length += count;
  }

  /** csvCell(value, false), UTF-8 encoded. */
  private cell(value: unknown): void {
    if (typeof value === 'string') this.text(value);
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < SMALL_INT)
      this.integer(value);
    else this.utf8(csvCell(value, false));
  }

  /** A string as its bytes, or quoted (csvCell) when it holds a comma, a quote or a line break. */
  private text(text: string): void {
    const from = this.length;
    const n = text.length;
    this.room(n);
    const buffer = this.buffer;
    let at = from;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7f || (code <= COMMA && (code === COMMA || code === QUOTE || code === LF || code === CR))) {
        this.length = from;
        this.utf8(csvCell(text, false));
        return;
      }
      buffer[at++] = code;
    }
    this.length = at;
  }

  /** The digits of a whole number from 0 to SMALL_INT: String(value)'s. */
  private integer(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.room(digits);
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      this.buffer[--at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  private utf8(text: string): void {
    this.room(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }
}
