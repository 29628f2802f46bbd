import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenKeys } from '../../functions/ingest/seen-keys.ts';
import { FUZZ_RUNS } from '../support/fuzz.ts';

describe('SeenKeys, the in-file duplicate check', () => {
  it('answers as a Map keeping the first row of each key would, on generated keys (property)', () => {
    const key = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9._:-]{1,16}$/),
      fc.constantFrom('E1', 'E2', 'e1', 'E1 ', ''),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(key, { maxLength: 120 }), (keys) => {
        const seen = new SeenKeys();
        const expected = new Map<string, number>();
        keys.forEach((k, row) => {
          expect(seen.get(k)).toBe(expected.get(k));
          seen.set(k, row + 2);
          if (!expected.has(k)) expected.set(k, row + 2);
        });
        expect(seen.size).toBe(expected.size);
        for (const [k, row] of expected) expect(seen.get(k)).toBe(row);
      }),
      { numRuns: FUZZ_RUNS, seed: 20261203 },
    );
  });

  it('keeps 200,000 keys across its growth, each with its first row', () => {
    const seen = new SeenKeys();
    for (let i = 0; i < 200_000; i++) seen.set(`R2025-${i}.${i % 7}`, i + 2);
    seen.set('R2025-5.5', 999_999);
    expect(seen.size).toBe(200_000);
    expect(seen.get('R2025-5.5')).toBe(7);
    expect(seen.get('R2025-199999.2')).toBe(200_001);
    expect(seen.get('R2025-199999.3')).toBeUndefined();
    expect(seen.get('R2025-200000.0')).toBeUndefined();
  });
});
