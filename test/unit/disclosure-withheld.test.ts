import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  applyDisclosureControl,
  type DisclosureRules,
  WITHHELD_REASON,
  withheldBelowEngland,
} from '../../functions/refresh/disclosure.ts';
import { SCAN_SPEC, scanDocuments } from '../support/disclosure-scan.ts';

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

/** Two counts, episodes and people, each row below England a chain of its PCN, ICB and region. */
const TWO: DisclosureRules = { ...RULES, counts: ['episodes', 'people'] };
const pair = (code: string, period: string, episodes: number, people: number | null): Row => ({
  ...row(code, period, 20, episodes),
  people,
});
const pairs = (pcn: string, period: string, episodes: number, people: number | null): Row[] =>
  [pcn, PARENT[pcn], PARENT[PARENT[pcn] as string]].map((code) => pair(code as string, period, episodes, people));
/** The independent scan's findings (test/support/disclosure-scan.ts) on the published rows, as a document. */
const scan = (rows: Row[]) =>
  scanDocuments(
    [{ name: 'withheld', keys: ['contacts'], rows } as unknown as MetricDocument],
    (r) => (r.level === 'national' ? undefined : PARENT[String(r.code)]),
    { ...SCAN_SPEC, counts: { withheld: ['episodes', 'people'] } },
  );

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
    // A published row the exact rows lack (review 7's M12 gave PCNs of no data one; none since review 9, R9-1) is
    // passed over, after the rows or in place of one.
    const exact = chain('U1', '2025-04', 2, 30);
    const published = [...exact.map((r) => ({ ...r })), row('U2', '2025-04', 2, 0)];
    expect(withheldBelowEngland(exact, published, ['contacts'])).toBeUndefined();
    // And a row left out is found with them: U1's, before them.
    expect(withheldBelowEngland(exact, published.slice(1), ['contacts'])?.withheld).toEqual([
      { period_type: 'month', period: '2025-04', keys: { contacts: 2 }, levels: ['pcn'] },
    ]);
  });

  it('makes the figures of rows withheld `*` first, so that a year and its other months do not give them back', () => {
    // Two counts, 20 contacts. April: episodes U1 30 and U2 30 (England 60); people U1 5, U2 none (null), England 5:
    // England's 5 = R1's however shown, with no published count or zero left to suppress, so April's rows below
    // England are withheld. May and June: U1 and U2 20 of each, England 40. 2025/26: U1 70 episodes (30 + 20 + 20)
    // and 45 people (5 + 20 + 20), U2 70 and 40; England 140 and 85.
    // Before, April's episodes were still 30 when withheld, so secondary suppression saw no part of U1's year hidden:
    // its 70 less May's 20 and June's 20 gave April's 30 back (and I1's, R1's, U2's... : 8 lone parts, the scan's
    // finding). Now they are `*` first: secondary suppression hides each area's May (the smallest other month), and
    // R1's and R2's June people with R1's May (England's June = R1 + R2). U2's April people, with no figure, is `*`
    // too (England's April 5 says some area's is not 0: a reader cannot tell U2's from one withheld), so its May
    // people goes as well.
    const exact = [
      pair('ENG', '2025-04', 60, 5),
      ...pairs('U1', '2025-04', 30, 5),
      ...pairs('U2', '2025-04', 30, null),
      ...['2025-05', '2025-06'].flatMap((month) => [
        pair('ENG', month, 40, 40),
        ...pairs('U1', month, 20, 20),
        ...pairs('U2', month, 20, 20),
      ]),
      pair('ENG', '2025/26', 140, 85),
      ...pairs('U1', '2025/26', 70, 45),
      ...pairs('U2', '2025/26', 70, 40),
    ];
    const published = applyDisclosureControl(exact, TWO);
    expect(published.map((r) => `${r.code} ${r.period} ${r.episodes} ${r.people}`)).toEqual([
      'ENG 2025-04 60 5',
      'ENG 2025-05 40 40',
      'U1 2025-05 * *',
      'I1 2025-05 * *',
      'R1 2025-05 * *',
      'U2 2025-05 * *',
      'I2 2025-05 * *',
      'R2 2025-05 * *',
      'ENG 2025-06 40 40',
      'U1 2025-06 20 20',
      'I1 2025-06 20 20',
      'R1 2025-06 20 *',
      'U2 2025-06 20 20',
      'I2 2025-06 20 20',
      'R2 2025-06 20 *',
      'ENG 2025/26 140 85',
      'U1 2025/26 70 45',
      'I1 2025/26 70 45',
      'R1 2025/26 70 45',
      'U2 2025/26 70 40',
      'I2 2025/26 70 40',
      'R2 2025/26 70 40',
    ]);
    expect(scan(published)).toEqual([]);
  });

  it('hides a month of the year of an area with no row in a month withheld, where it is the only part unseen', () => {
    // 20 contacts. April: England's exact 30 episodes are all U1's (as above): April's rows below England are
    // withheld. May and June: U1 20 and U2 20, England 40. 2025/26: U1 70, U2 40, England 110. U2 has no row in April,
    // but a reader cannot tell it from a row withheld (England's April 30 is not 0): before, U2's 40 beside its May 20
    // and June 20 said its April was 0 (within rounding), and so I2's (4 lone parts, the scan's finding). Now U2's
    // smallest other month, May (the first of two 20s), is `*`, and with it I2's and R2's (one ICB, one PCN); U1's,
    // I1's and R1's May were `*` already beside their April withheld. Secondary suppression, which sees no row for
    // U2's April, then takes U2's June as the second `*` of its year (more than needed, not less), I2's and R2's June
    // with it, and R1's June beside R2's (England's June = R1 + R2).
    const exact = [
      pair('ENG', '2025-04', 30, 0),
      ...pairs('U1', '2025-04', 30, 0),
      ...['2025-05', '2025-06'].flatMap((month) => [
        pair('ENG', month, 40, 0),
        ...pairs('U1', month, 20, 0),
        ...pairs('U2', month, 20, 0),
      ]),
      pair('ENG', '2025/26', 110, 0),
      ...pairs('U1', '2025/26', 70, 0),
      ...pairs('U2', '2025/26', 40, 0),
    ];
    const published = applyDisclosureControl(exact, TWO);
    expect(published.map((r) => `${r.code} ${r.period} ${r.episodes}`)).toEqual([
      'ENG 2025-04 30',
      'ENG 2025-05 40',
      'U1 2025-05 *',
      'I1 2025-05 *',
      'R1 2025-05 *',
      'U2 2025-05 *',
      'I2 2025-05 *',
      'R2 2025-05 *',
      'ENG 2025-06 40',
      'U1 2025-06 20',
      'I1 2025-06 20',
      'R1 2025-06 *',
      'U2 2025-06 *',
      'I2 2025-06 *',
      'R2 2025-06 *',
      'ENG 2025/26 110',
      'U1 2025/26 70',
      'I1 2025/26 70',
      'R1 2025/26 70',
      'U2 2025/26 40',
      'I2 2025/26 40',
      'R2 2025/26 40',
    ]);
    expect(scan(published)).toEqual([]);
  });
});
