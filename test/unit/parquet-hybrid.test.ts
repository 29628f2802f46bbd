import fc from 'fast-check';
import { ByteWriter } from 'hyparquet-writer';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { describe, expect, it } from 'vitest';
import { writeHybrid } from '../../functions/lib/parquet.ts';

/** The bytes an encoder writes after `before` bytes already in the writer (a page header's, say). */
function bytesOf(before: number, write: (writer: ByteWriter) => void): Uint8Array {
  const writer = new ByteWriter(16);
  for (let i = 0; i < before; i++) writer.appendUint8(i & 0xff);
  write(writer);
  expect(writer.offset).toBe(writer.index);
  return writer.getBytes().slice();
}

/**
 * Values as a page holds them: runs of one value (a column that repeats, a definition level's ones) and stretches of
 * mixed values, so both kinds of run, and bit-packed groups cut by the end, come up.
 */
const pieces = (most: number) =>
  fc.array(
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: most }), fc.integer({ min: 1, max: 40 })).map(([v, n]) => Array(n).fill(v)),
      fc.array(fc.integer({ min: 0, max: most }), { minLength: 1, maxLength: 20 }),
    ),
    { maxLength: 30 },
  );

describe('writeHybrid (the RLE / bit-packed hybrid of definition levels and dictionary indexes)', () => {
  it('writes the same bytes as hyparquet-writer for every bit width a dictionary can have', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 9 }), (bitWidth, before) =>
        fc.assert(
          fc.property(pieces(bitWidth === 0 ? 0 : 2 ** bitWidth - 1), (parts) => {
            const values = Int32Array.from(parts.flat());
            // Held in a longer buffer, as a page's rows are: only the first `length` are the page's.
            const held = new Int32Array(values.length + 11).fill(7 & ((1 << bitWidth) - 1));
            held.set(values);
            const ours = bytesOf(before, (writer) => writeHybrid(writer, held, values.length, bitWidth));
            const theirs = bytesOf(before, (writer) => writeRleBitPackedHybrid(writer, values, bitWidth));
            expect(ours).toEqual(theirs);
          }),
          { numRuns: 20 },
        ),
      ),
      { numRuns: 60, seed: 17 },
    );
  });

  it('writes the same bytes for long pages of definition levels (a writer grown past its first buffer)', () => {
    const random = fc.sample(fc.integer({ min: 0, max: 1 }), { numRuns: 20_000, seed: 3 });
    const mostlyOnes = random.map((bit, i) => (i % 97 === 0 ? 0 : bit | 1));
    for (const levels of [random, mostlyOnes, Array(20_000).fill(1)]) {
      const values = Uint8Array.from(levels);
      const ours = bytesOf(3, (writer) => writeHybrid(writer, values, values.length, 1));
      const theirs = bytesOf(3, (writer) => writeRleBitPackedHybrid(writer, values, 1));
      expect(ours).toEqual(theirs);
    }
  });
});
