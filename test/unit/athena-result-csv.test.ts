import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ResultColumn, readResultCsv } from '../../functions/refresh/athena-engine.ts';
import { athenaResultCsv } from '../aws/athena-result-csv.ts';

/*
 * Reading a SELECT's result object as Athena writes it (the rules and their sources: readResultCsv in
 * functions/refresh/athena-engine.ts): every value quoted, a quote doubled, NULL an empty field with no quotes and ''
 * a quoted empty one. The CSV below is written by hand from those rules; the expected rows are worked out by hand.
 */

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
const read = (text: string, columns: readonly ResultColumn[], size = Number.MAX_SAFE_INTEGER) =>
  readResultCsv('metrics/test', chunks(new TextEncoder().encode(text), size), columns);

const COLUMNS: ResultColumn[] = [
  { name: 'name', type: 'varchar' },
  { name: 'note', type: 'varchar' },
  { name: 'n', type: 'bigint' },
  { name: 'x', type: 'double' },
  { name: 'ok', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
  { name: 'd', type: 'date' },
  { name: 'amount', type: 'decimal' },
];
const TRICKY = [
  '"name","note","n","x","ok","at","d","amount"',
  // '' (quoted) beside a value; a double in Java's exponent notation.
  '"Ann","","1","1.0E7","true","2025-04-01 09:30:00.000","2025-04-01","12.50"',
  // Every field NULL: no quotes at all.
  ',,,,,,,',
  // Doubled quotes and a comma inside values; negative numbers.
  '"say ""hi""","a,b","-42","-0.5","false","2025-12-31 23:59:59.999","2026-01-01","0.00"',
  // A newline and CR LF inside values; characters of 2, 3 and 4 bytes in UTF-8; a small exponent.
  '"two\nlines","é ✓ 🙂 a\r\nb","9007199254740991","3.5E-4",,"2026-02-28 00:00:00.000",,"-7.25"',
  // A value that is one quote, one that is two; the text NULL (a value, not a NULL); NULL last in the row.
  '"""","""""","0","0.0","true",,"2024-02-29",',
  '"NULL",,,,,,,"1"',
].join('\n');
const TRICKY_ROWS = [
  {
    name: 'Ann',
    note: '',
    n: 1,
    x: 10_000_000,
    ok: true,
    at: '2025-04-01T09:30:00.000Z',
    d: '2025-04-01',
    amount: 12.5,
  },
  { name: null, note: null, n: null, x: null, ok: null, at: null, d: null, amount: null },
  {
    name: 'say "hi"',
    note: 'a,b',
    n: -42,
    x: -0.5,
    ok: false,
    at: '2025-12-31T23:59:59.999Z',
    d: '2026-01-01',
    amount: 0,
  },
  {
    name: 'two\nlines',
    note: 'é ✓ 🙂 a\r\nb',
    n: 9_007_199_254_740_991,
    x: 0.00035,
    ok: null,
    at: '2026-02-28T00:00:00.000Z',
    d: null,
    amount: -7.25,
  },
  { name: '"', note: '""', n: 0, x: 0, ok: true, at: null, d: '2024-02-29', amount: null },
  { name: 'NULL', note: null, n: null, x: null, ok: null, at: null, d: null, amount: 1 },
];

describe("reading Athena's result CSV (readResultCsv)", () => {
  it('types every tricky value exactly, NULL apart from the empty string, however the bytes arrive', async () => {
    const text = `${TRICKY}\n`;
    const bytes = new TextEncoder().encode(text).length;
    // Chunks of 1 byte split every character of 2 to 4 bytes, every doubled quote and every CR LF.
    for (const size of [1, 2, 3, 5, 7, 16, 64, bytes])
      expect(await read(text, COLUMNS, size), `chunks of ${size}`).toEqual(TRICKY_ROWS);
  });

  it('reads a last row with no newline after it, a NULL last field included', async () => {
    expect(await read(TRICKY, COLUMNS, 3)).toEqual(TRICKY_ROWS);
    expect(
      await read('"a","b"\n"1",', [
        { name: 'a', type: 'varchar' },
        { name: 'b', type: 'varchar' },
      ]),
    ).toEqual([{ a: '1', b: null }]);
  });

  it('reads a one-column result whose NULL rows are empty lines, the last one too', async () => {
    const columns = [{ name: 'c', type: 'varchar' }];
    const expected = [{ c: '1' }, { c: null }, { c: '' }, { c: null }];
    for (const size of [1, 2, 3, 100]) expect(await read('"c"\n"1"\n\n""\n\n', columns, size)).toEqual(expected);
    expect(await read('"c"\n\n', columns)).toEqual([{ c: null }]);
  });

  it('reads no rows from the names alone, or from an empty object', async () => {
    expect(await read('"name","note","n","x","ok","at","d","amount"\n', COLUMNS)).toEqual([]);
    expect(await read('', COLUMNS)).toEqual([]);
  });

  it('fails with the file, the row and the reason, never a value', async () => {
    const two = [
      { name: 'a', type: 'varchar' },
      { name: 'b', type: 'varchar' },
    ];
    await expect(read('"a","b"\n"x","y"\n"secret","2","3"\n', two)).rejects.toThrow(
      /^metrics\/test: result row 2: 3 fields, expected 2$/,
    );
    await expect(read('"a","c"\n"x","y"\n', two)).rejects.toThrow(
      /^metrics\/test: result header a,c is not the columns a,b$/,
    );
    const unterminated = read('"a","b"\n"x","y"\n"1","secret\n', two);
    await expect(unterminated).rejects.toThrow(/^metrics\/test: result row 2: /);
    await expect(unterminated).rejects.not.toThrow(/secret/);
    await expect(
      readResultCsv('metrics/test', chunks(new Uint8Array([0x22, 0x61, 0x22, 0x0a, 0x22, 0xff, 0x22, 0x0a]), 2), [
        { name: 'a', type: 'varchar' },
      ]),
    ).rejects.toThrow('metrics/test: result object: not UTF-8 text');
  });

  it('reads back any text table the stand-in writes as Athena does, in chunks of any size', async () => {
    const value = fc.option(fc.string({ unit: fc.constantFrom('a', 'é', '🙂', '"', ',', '\n', '\r', ' ') }), {
      nil: null,
    });
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.tuple(
              fc.constant(width),
              fc.array(fc.array(value, { minLength: width, maxLength: width }), { maxLength: 8 }),
              fc.integer({ min: 1, max: 12 }),
            ),
          ),
        async ([width, rows, size]) => {
          const columns = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, type: 'varchar' }));
          const csv = athenaResultCsv(
            columns.map((c) => c.name),
            rows,
          );
          const expected = rows.map((row) => Object.fromEntries(row.map((v, i) => [`c${i}`, v])));
          expect(await read(csv, columns, size)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
