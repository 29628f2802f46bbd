import { describe, expect, it } from 'vitest';
import {
  controlCounts,
  countRows,
  randomGeography,
  recoveredCounts,
  seededRandom,
  twoMonthsEach,
  valuePicker,
} from '../support/seeded-documents.ts';

/*
 * Review 34, R34-8: a plain count document (splw_contacts: counts, monthly) over 2 or 3 regions of 1 or 2 ICBs of 1 to
 * 3 PCNs, April, May and the year. Its seed-11 document 361: England's May 2 over R1's May 0 and R2's May 2; R2's 2 is
 * `*`, so R1's 0 is made `*` (beside England's exact 2 it would give R2 away), and 2 over two `*` read alone, each `*`
 * 1 to 7, is 1 + 1. Every figure of that equation below England is `*`: nothing in it is left to suppress. The
 * publisher leaves such an equation published (England's exact figure over parts all `*`: withholding their rows below
 * England costs too much, docs/methodology.md "Still open"), and the scan counts it: the disagreement is by design,
 * pinned here so that any other finding, or a change of this one, shows.
 */
const CASE_361: Record<string, [number, number]> = {
  P111: [21, 0],
  P112: [17, 0],
  P211: [17, 1],
  P212: [21, 1],
  P213: [6, 0],
};
const PARENT_361: Record<string, string> = {
  P111: 'I11',
  P112: 'I11',
  P211: 'I21',
  P212: 'I21',
  P213: 'I21',
  I11: 'R1',
  I21: 'R2',
  R1: 'ENG',
  R2: 'ENG',
};
describe("a count document's England figure over parts all `*` (review 34, R34-8)", () => {
  it('the figures are as worked by hand: England May 2 = R1 0 + R2 2', () => {
    const may = countRows(PARENT_361, CASE_361).filter((r) => r.period === '2025-05' && r.level !== 'pcn');
    expect(may.map((r) => [r.code, r.splw_contacts])).toEqual([
      ['ENG', 2],
      ['I11', 0],
      ['I21', 2],
      ['R1', 0],
      ['R2', 2],
    ]);
  });

  it("case 361: the scan finds R1's and R2's May `*` as 1 each (both wrong), England's 2 over the two `*` alone", () => {
    const out = controlCounts(countRows(PARENT_361, CASE_361), PARENT_361);
    expect(recoveredCounts(out, PARENT_361)).toEqual(['R1 2025-05 = 1', 'R2 2025-05 = 1']);
    expect(
      out
        .filter((r) => r.period === '2025-05' && r.level !== 'pcn' && r.level !== 'icb')
        .map((r) => [r.code, r.splw_contacts]),
    ).toEqual([
      ['ENG', 2],
      ['R1', '*'],
      ['R2', '*'],
    ]);
  });
});

/*
 * Review 34's seeded fuzz of count documents (seed 11, 400 documents: counts 0 about a fifth, 1 to 7 half, 8 to 27 the
 * rest): recoveredCells (with R29-1's read without England's rows and each equation alone) finds in what the publisher
 * publishes only document 361's two cells, case 361 above.
 */
describe("count documents fuzz: the scan finds only case 361's pins on the publisher's output", () => {
  it('400 documents, seed 11', () => {
    const rnd = seededRandom(11);
    const pick = valuePicker(rnd, { zero: 0.2, small: 0.7, smallMax: 7 });
    const found: string[] = [];
    for (let t = 0; t < 400; t++) {
      const { parent, pcns } = randomGeography(rnd);
      const values = twoMonthsEach(pcns, pick);
      const out = controlCounts(countRows(parent, values), parent);
      found.push(...recoveredCounts(out, parent).map((f) => `document ${t}: ${f}`));
    }
    expect(found).toEqual(['document 361: R1 2025-05 = 1', 'document 361: R2 2025-05 = 1']);
  }, 120_000);
});
