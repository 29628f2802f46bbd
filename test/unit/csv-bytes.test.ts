import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvBytes } from '../../cli/synthetic/csv-bytes.ts';
import { csvText } from '../../functions/lib/csv.ts';
import { FUZZ_RUNS } from '../support/fuzz.ts';

/**
 * The generator's CSV writer (cli/synthetic/csv-bytes.ts) against the project's CSV writer: on any rows, the bytes it
 * writes are csvText(columns, rows, { neutraliseFormulas: false, newline: '\n' }) encoded as UTF-8, byte for byte.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const COLUMNS = ['a', 'b', 'c', 'd', 'e', 'f'] as const;
const AS_SENT = { neutraliseFormulas: false, newline: '\n' } as const;

const expected = (columns: readonly string[], rows: readonly Record<string, unknown>[]) =>
  Buffer.from(
    csvText(
      columns,
      rows.map((row) => columns.map((name) => row[name])),
      AS_SENT,
    ),
    'utf8',
  );
const written = (columns: readonly string[], rows: readonly object[], writer = new CsvBytes(16)) => {
  writer.start(columns);
  for (const row of rows) writer.row(columns, row);
  return Buffer.from(writer.bytes());
};

/** A value of any kind a row may hold: text with the characters CSV must quote and non-ASCII, numbers of every kind. */
const value = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\n', '\r', ' ', '-', '=', ';') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }), // lone surrogates included
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 9, 10, 99, 100, 999_999_999, 1_000_000_000, 1e21, 0.1, 19.25, Number.NaN),
  fc.boolean(),
  fc.constantFrom(null, undefined),
);
/** A row as an object: some of the columns in any order, and names that are no column. */
const row = fc
  .tuple(
    fc.shuffledSubarray([...COLUMNS, 'extra', 'toString']),
    fc.array(value, { minLength: COLUMNS.length + 2, maxLength: COLUMNS.length + 2 }),
  )
  .map(([names, values]) => Object.fromEntries(names.map((name, i) => [name, values[i]])));

describe('CsvBytes, the generator CSV writer', () => {
  it("writes csvText's bytes, UTF-8 encoded, for any rows: keys in any order, missing, or no column", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        expect(written(COLUMNS, rows).equals(expected(COLUMNS, rows))).toBe(true);
      }),
      { numRuns: FUZZ_RUNS, seed: SEED },
    );
  });

  it('writes a worked example exactly, and starts each file afresh in the same buffer', () => {
    const writer = new CsvBytes(4);
    const rows = [
      { a: 'R1', b: 12, d: 'x,y', f: true }, // keys in column order, cells skipped
      { c: 'say "hi"', a: 0.5 }, // keys out of order
      { a: 'café', e: null, b: -3 }, // non-ASCII, a null, a negative number
      {}, // no value at all
    ];
    expect(written(COLUMNS, rows, writer).toString('utf8')).toBe(
      'a,b,c,d,e,f\nR1,12,,"x,y",,true\n0.5,,"say ""hi""",,,\ncafé,-3,,,,\n,,,,,\n',
    );
    expect(written(['x'], [{ x: 1 }], writer).toString('utf8')).toBe('x\n1\n');
  });
});
