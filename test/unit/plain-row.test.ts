import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { plainRow } from '../../functions/refresh/refresh.ts';

/*
 * Issue 17: buildDocument makes each controlled row again key by key (plainRow) before adding its derived figures, since
 * adding properties to an object spread's copy is slow. The row published must be the one Object.assign onto the
 * controlled row gave: the same keys in the same order, the same values, the same JSON.
 */
describe('a row made again key by key (plainRow)', () => {
  // A controlled row (an object spread's copy), with an integer-like key (listed first in either object), a null and
  // a `*`; derived figures overwriting one key it has and adding two.
  const controlled = (): Row => ({ ...{ level: 'pcn', code: 'U1', 2: 5, people_referred: '*', list_size: null } });
  const derived = { people_referred_per_1000: null, list_size: 4000, engaged_pct: 12.5 };

  it('publishes what the controlled row with its derived figures published', () => {
    const before = Object.assign(controlled(), derived);
    const after = Object.assign(plainRow(controlled()), derived);
    // Keys: '2' first (an integer index), then the row's in order, list_size in its place, the two new ones last.
    const keys = ['2', 'level', 'code', 'people_referred', 'list_size', 'people_referred_per_1000', 'engaged_pct'];
    expect(Object.keys(before)).toEqual(keys);
    expect(Object.keys(after)).toEqual(keys);
    expect(JSON.stringify(after)).toBe(
      '{"2":5,"level":"pcn","code":"U1","people_referred":"*","list_size":4000,"people_referred_per_1000":null,"engaged_pct":12.5}',
    );
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it('is a new object, the row left as it was', () => {
    const row = controlled();
    const copy = plainRow(row);
    copy.code = 'U2';
    expect(row.code).toBe('U1');
  });
});
