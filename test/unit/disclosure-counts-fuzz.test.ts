import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl } from '../../functions/refresh/disclosure.ts';
import { recoveredCells, SCAN_SPEC } from '../support/disclosure-scan.ts';
import { randomGeography, seededRandom, twoMonthsEach, valuePicker } from '../support/seeded-documents.ts';

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
const level = (c: string) => (c === 'ENG' ? 'national' : c[0] === 'R' ? 'region' : c[0] === 'I' ? 'icb' : 'pcn');

function rowsOf(parent: Record<string, string>, pcns: Record<string, [number, number]>): Row[] {
  const sum = (c: string): [number, number] =>
    pcns[c] ??
    Object.keys(parent)
      .filter((k) => parent[k] === c)
      .map(sum)
      .reduce<[number, number]>((a, k) => [a[0] + k[0], a[1] + k[1]], [0, 0]);
  return ['ENG', ...Object.keys(parent)].flatMap((c) => {
    const [april, may] = sum(c);
    return [
      { level: level(c), code: c, period_type: 'month', period: '2025-04', splw_contacts: april },
      { level: level(c), code: c, period_type: 'month', period: '2025-05', splw_contacts: may },
      { level: level(c), code: c, period_type: 'fy', period: '2025/26', splw_contacts: april + may },
    ];
  });
}
function control(parent: Record<string, string>, rows: readonly Row[]): Row[] {
  const areas = {
    partOf: (r: Row) => (parent[String(r.code)] ? [`${parent[String(r.code)]}|${r.period}`] : []),
    totalOf: (r: Row) => `${r.code}|${r.period}`,
  };
  return applyDisclosureControl(rows, { counts: ['splw_contacts'], areas, periodKeys: [], monthly: ['splw_contacts'] });
}
function recovered(parent: Record<string, string>, out: readonly Row[]): string[] {
  const doc = { name: 'cof_person', keys: [], rows: out } as unknown as MetricDocument;
  const parents = ((r: { code: string }) => parent[r.code]) as never;
  return recoveredCells(doc, parents, SCAN_SPEC, [doc]).map(
    (f) => `${f.row.code} ${f.row.period}${f.part === undefined ? '' : ` part ${f.part}`} = ${f.value}`,
  );
}

describe("a count document's England figure over parts all `*` (review 34, R34-8)", () => {
  it('the figures are as worked by hand: England May 2 = R1 0 + R2 2', () => {
    const may = rowsOf(PARENT_361, CASE_361).filter((r) => r.period === '2025-05' && r.level !== 'pcn');
    expect(may.map((r) => [r.code, r.splw_contacts])).toEqual([
      ['ENG', 2],
      ['I11', 0],
      ['I21', 2],
      ['R1', 0],
      ['R2', 2],
    ]);
  });

  it("case 361: the scan finds R1's and R2's May `*` as 1 each (both wrong), England's 2 over the two `*` alone", () => {
    const out = control(PARENT_361, rowsOf(PARENT_361, CASE_361));
    expect(recovered(PARENT_361, out)).toEqual(['R1 2025-05 = 1', 'R2 2025-05 = 1']);
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
      const out = control(parent, rowsOf(parent, values));
      found.push(...recovered(parent, out).map((f) => `document ${t}: ${f}`));
    }
    expect(found).toEqual(['document 361: R1 2025-05 = 1', 'document 361: R2 2025-05 = 1']);
  }, 120_000);
});
