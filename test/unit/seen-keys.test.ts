import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../functions/ingest/seen-keys.ts';
import { FUZZ_RUNS } from '../support/fuzz.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

describe('SeenKeys: the keys an upload has seen, outside the V8 heap', () => {
  it('answers the row each key was first seen at, as a Map would, across its growth', () => {
    fc.assert(
      fc.property(
        // Few distinct keys, so repeats are common: ids, keys that differ only in length or one character, the empty
        // key, characters beyond Latin-1 (kept aside in a Map) and Latin-1 ones above ASCII.
        fc.array(
          fc.oneof(
            fc.stringMatching(/^[A-Za-z0-9._:-]{0,4}$/),
            fc.constantFrom('R1', 'R1 ', 'R10', 'é1', 'ÿ', 'Ā1', '\u{1F600}', 'a|b', ''),
            fc.string({ maxLength: 6, unit: 'binary' }),
          ),
          { maxLength: 300 },
        ),
        (keys) => {
          const seen = new SeenKeys();
          const expected = new Map<string, number>();
          keys.forEach((key, i) => {
            const row = i + 2;
            expect(seen.firstOrAdd(key, row)).toBe(expected.get(key));
            if (!expected.has(key)) expected.set(key, row);
          });
          expect(seen.size).toBe(expected.size);
        },
      ),
      { numRuns: FUZZ_RUNS, seed: SEED },
    );
  });

  it('keeps 100,000 distinct ids through its tables growing many times, and finds each again', () => {
    const seen = new SeenKeys();
    const id = (i: number) => `R${Math.floor(i / 7)}-${i % 7}.${i}`;
    for (let i = 0; i < 100_000; i++) expect(seen.firstOrAdd(id(i), i + 2)).toBeUndefined();
    expect(seen.size).toBe(100_000);
    for (const i of [0, 1, 4095, 4096, 65_535, 99_999]) expect(seen.firstOrAdd(id(i), 1_000_000)).toBe(i + 2);
    // The same characters in another order, or one shorter, are other keys.
    expect(seen.firstOrAdd('R0-0.', 7)).toBeUndefined();
    expect(seen.firstOrAdd('0R-0.0', 8)).toBeUndefined();
    expect(seen.size).toBe(100_002);
  });
});
