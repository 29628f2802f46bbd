import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { WITHHELD_REASON } from '../../functions/refresh/disclosure.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Red-team review 7, M12, and review 9, R9-1, through the whole pipeline (DuckDB). One small ICB whose PCNs mostly sent
 * nothing: its count is sealed (a `*` over exactly seven `*` PCNs, read alone as 7 over seven 1s), and the audit, with
 * nothing left to suppress in that equation, withholds the whole period below England for every area.
 *
 * M12 gave the ICB's PCNs in force with no figure a row of `*`, so that its `*` stood over nine. R9-1: those rows are
 * told from real ones (rollout's list size and PCNs reporting null; no data_quality row), so a reader reads them as 0,
 * and the seven as 1 each again. The filler rows are gone, and the period is withheld as before M12.
 *
 * Reference: QAA (Y56, London) has nine PCNs in force, U00001-U00009; QAB (Y56) U00010, U00011; QBB (Y58) U00012,
 * U00013; QCC (Y61) U00014, U00015.
 * Referrals, all on 2025-04-10 (one person each): U00001-U00007 1 each, U00008 and U00009 none (no upload);
 * U00010 20, U00011 25, U00012 30, U00013 40, U00014 15, U00015 22.
 * Exact: QAA 7, QAB 45, Y56 52; QBB = Y58 = 70; QCC = Y61 = 37; England 7 + 45 + 70 + 37 = 159.
 * Data as of 2025-04-30: the year 2025/26 so far is April, so each year row is its April row, sealed the same way.
 *
 * Published (rounded to 5, 1-7 `*`): QAA `*` over U00001-U00007 `*` each, U00008 and U00009 of no data (rollout: null;
 * no row elsewhere), read as 0: exactly seven `*` parts, nothing else in the equation to suppress. So April's and
 * 2025/26's rows below England are withheld in rollout, referral_sources and cof_person (which share the count
 * jointly), each naming them in its summary; England's 159 is published.
 */
const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n';
const pcn = (n: number, icb: string, region: string, regionName: string) =>
  `U${String(n).padStart(5, '0')},PCN ${n},${icb},NHS ${icb} ICB,${region},${regionName},10000,2019-04-01,\n`;
const REFERENCE =
  HEADER +
  [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => pcn(n, 'QAA', 'Y56', 'London')).join('') +
  [10, 11].map((n) => pcn(n, 'QAB', 'Y56', 'London')).join('') +
  [12, 13].map((n) => pcn(n, 'QBB', 'Y58', 'South West')).join('') +
  [14, 15].map((n) => pcn(n, 'QCC', 'Y61', 'South East')).join('');

const REFERRALS: Record<string, number> = {
  U00001: 1,
  U00002: 1,
  U00003: 1,
  U00004: 1,
  U00005: 1,
  U00006: 1,
  U00007: 1,
  U00010: 20,
  U00011: 25,
  U00012: 30,
  U00013: 40,
  U00014: 15,
  U00015: 22,
};
const UPLOADS = Object.fromEntries(
  Object.entries(REFERRALS).map(([code, n]) => [
    `${code}.jsonl`,
    Array.from({ length: n }, (_, i): GoldenEvent => referralEvent(code, `${code}-${i}`, '2025-04-10')),
  ]),
);

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

describe("an ICB's sealed count (a * over seven *) beside PCNs with no data withholds its period below England (R9-1)", () => {
  const docs = new Map<string, MetricDocument>();
  const row = rowFinder(docs);
  beforeAll(async () => {
    const dir = tempDir('sealed-icb');
    dirs.push(dir);
    const files = writeEventFiles(dir.path, UPLOADS);
    const receipts = await publishGolden(
      join(dir.path, 'data'),
      files,
      REFERENCE,
      new Date('2025-05-05T00:00:00Z'),
      docs,
    );
    expect(receipts.map((r) => [r.status, r.rows.rejected])).toEqual(files.map(() => ['accepted', 0]));
  }, 120_000);

  const SHARING = { rollout: 'referrals', referral_sources: 'referrals', cof_person: 'episodes' } as const;

  it("publishes England's exact 159 and no row below it in each document sharing the count (M12: every area, U00008-9 *)", () => {
    expect(docs.get('rollout')?.data_as_of).toBe('2025-04-30');
    for (const [name, column] of Object.entries(SHARING)) {
      const rows = docs.get(name)?.rows ?? [];
      for (const period of ['2025-04', '2025/26'])
        expect(row(name, 'national', 'ENG', period)).toMatchObject({ [column]: 159 });
      expect(rows.filter((r) => r.level !== 'national').map((r) => `${r.level} ${r.code} ${r.period}`)).toEqual([]);
    }
  });

  it('names the periods withheld below England in each (M8), never how many rows', () => {
    for (const name of Object.keys(SHARING))
      expect(docs.get(name)?.summary?.withheld_below_england).toEqual({
        reason: WITHHELD_REASON,
        withheld: [
          { period_type: 'fy', period: '2025/26', levels: ['region', 'icb', 'pcn'] },
          { period_type: 'month', period: '2025-04', levels: ['region', 'icb', 'pcn'] },
        ],
      });
  });

  it('the independent disclosure scan finds nothing recoverable', () => {
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
