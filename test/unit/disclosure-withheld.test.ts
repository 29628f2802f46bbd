import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  applyDisclosureControl,
  type DisclosureRules,
  WITHHELD_REASON,
  withheldBelowEngland,
} from '../../functions/refresh/disclosure.ts';

/*
 * Red-team review 7, M8: rows below England that the audit leaves out are named in the document's summary (period,
 * keys, levels), so that a reader can tell them from no data; never how many rows (disclosure.ts, withheldBelowEngland).
 *
 * England = R1 + R2 (regions), R1 = I1, R2 = I2 (ICBs), I1 = U1, I2 = U2 (PCNs), by month, keyed by `contacts`.
 */
const PARENT: Record<string, string> = { R1: 'ENG', R2: 'ENG', I1: 'R1', I2: 'R2', U1: 'I1', U2: 'I2' };
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', U: 'pcn' };
const RULES: DisclosureRules = {
  counts: ['episodes'],
  areas: {
    partOf: (r) =>
      PARENT[String(r.code)] === undefined ? [] : [`${PARENT[String(r.code)]}|${r.period}|${r.contacts}`],
    totalOf: (r) => `${r.code}|${r.period}|${r.contacts}`,
  },
  periodKeys: ['contacts'],
};
const row = (code: string, period: string, contacts: number, episodes: number): Row => ({
  level: LEVEL[code[0] as string] as string,
  code,
  period_type: period.includes('/') ? 'fy' : 'month',
  period,
  contacts,
  episodes,
});
/** An area and its parents up to England, each with `episodes`. */
const chain = (pcn: string, period: string, contacts: number, episodes: number): Row[] =>
  [pcn, PARENT[pcn], PARENT[PARENT[pcn] as string]].map((code) => row(code as string, period, contacts, episodes));

describe('rows withheld below England are named in the summary (review 7, M8)', () => {
  it('names the period, keys and levels of rows the audit leaves out; nothing where none is', () => {
    // April, 20 contacts: England's exact 30 episodes are all U1's (R2's side has no row): England = R1 gives R1 = 30
    // however it is shown, and R1 = I1 = U1 likewise; nothing below England is left to suppress, so the rows of April
    // and 20 contacts below England are withheld. April, 2 contacts: U1 30 and U2 40, published (rounded) as they are.
    const exact = [
      row('ENG', '2025-04', 20, 30),
      ...chain('U1', '2025-04', 20, 30),
      row('ENG', '2025-04', 2, 70),
      ...chain('U1', '2025-04', 2, 30),
      ...chain('U2', '2025-04', 2, 40),
    ];
    const published = applyDisclosureControl(exact, RULES);
    expect(published.map((r) => `${r.code} ${r.contacts} ${r.episodes}`)).toEqual([
      'ENG 20 30',
      'ENG 2 70',
      'U1 2 30',
      'I1 2 30',
      'R1 2 30',
      'U2 2 40',
      'I2 2 40',
      'R2 2 40',
    ]);
    expect(withheldBelowEngland(exact, published, ['contacts'])).toEqual({
      reason: WITHHELD_REASON,
      withheld: [{ period_type: 'month', period: '2025-04', keys: { contacts: 20 }, levels: ['region', 'icb', 'pcn'] }],
    });
    const kept = exact.filter((r) => r.contacts === 2);
    expect(withheldBelowEngland(kept, applyDisclosureControl(kept, RULES), ['contacts'])).toBeUndefined();
  });

  it('reads rows given to parts with none of their own (after every row) as no row withheld', () => {
    // As control publishes a part in force given a row of `*` (absentParts): after the rows, or in place of its row.
    const exact = chain('U1', '2025-04', 2, 30);
    const published = [...exact.map((r) => ({ ...r })), row('U2', '2025-04', 2, 0)];
    expect(withheldBelowEngland(exact, published, ['contacts'])).toBeUndefined();
    // And a row left out is found with them: U1's, before them.
    expect(withheldBelowEngland(exact, published.slice(1), ['contacts'])?.withheld).toEqual([
      { period_type: 'month', period: '2025-04', keys: { contacts: 2 }, levels: ['pcn'] },
    ]);
  });

  it('withholds the year of a month withheld, below England, so the year less its other months cannot give it back', () => {
    // 20 contacts. April: England's exact 30 are all U1's (as above): R1 = England's 30 however shown, so April's rows
    // below England are withheld, their cells first suppressed, and with them (secondary) U1's, I1's and R1's May
    // (the months of their year) and R2's May (England's May = R1 + R2). May: U1 20 (`*`) and U2 20; England 40. 2025/26: U1 50 (30 + 20), U2 20; England 70. Before: U2's year 20 beside its May 20
    // and its April withheld (England's April is not 0, so any area's may not be) gave U2's April as 20 - 20 = 0
    // within rounding, and I2's likewise: a lone withheld month beside a published total (the scan's finding); R1's
    // 2025/26 was `*` and U1's and I1's 50 beside May's `*`. Now the year's rows below England go with the month, for
    // U2 too (every area: a year equal to its other months says the month was 0); England's three rows stay.
    const exact = [
      row('ENG', '2025-04', 20, 30),
      ...chain('U1', '2025-04', 20, 30),
      row('ENG', '2025-05', 20, 40),
      ...chain('U1', '2025-05', 20, 20),
      ...chain('U2', '2025-05', 20, 20),
      row('ENG', '2025/26', 20, 70),
      ...chain('U1', '2025/26', 20, 50),
      ...chain('U2', '2025/26', 20, 20),
    ];
    const published = applyDisclosureControl(exact, RULES);
    expect(published.map((r) => `${r.code} ${r.period} ${r.episodes}`)).toEqual([
      'ENG 2025-04 30',
      'ENG 2025-05 40',
      'U1 2025-05 *',
      'I1 2025-05 *',
      'R1 2025-05 *',
      'U2 2025-05 20',
      'I2 2025-05 20',
      'R2 2025-05 *',
      'ENG 2025/26 70',
    ]);
    expect(withheldBelowEngland(exact, published, ['contacts'])?.withheld).toEqual([
      { period_type: 'month', period: '2025-04', keys: { contacts: 20 }, levels: ['region', 'icb', 'pcn'] },
      { period_type: 'fy', period: '2025/26', keys: { contacts: 20 }, levels: ['region', 'icb', 'pcn'] },
    ]);
  });
});
