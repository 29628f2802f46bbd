import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
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
 * Red-team review 7, M12, through the whole pipeline (DuckDB). One small ICB whose PCNs mostly sent nothing: its count
 * is sealed (a `*` over exactly seven `*` PCNs, read alone as 7 over seven 1s), and before the fix the audit, with
 * nothing left to suppress in that equation, withheld the whole period below England for every area, so the other
 * regions' comparisons were lost for one small ICB.
 *
 * Reference: QAA (Y56, London) has nine PCNs in force, U00001-U00009; QAB (Y56) U00010, U00011; QBB (Y58) U00012,
 * U00013; QCC (Y61) U00014, U00015.
 * Referrals, all on 2025-04-10 (one person each): U00001-U00007 1 each, U00008 and U00009 none (no row);
 * U00010 20, U00011 25, U00012 30, U00013 40, U00014 15, U00015 22.
 * Exact: QAA 7, QAB 45, Y56 52; QBB = Y58 = 70; QCC = Y61 = 37; England 7 + 45 + 70 + 37 = 159.
 * Data as of 2025-04-30: the year 2025/26 so far is April, so each year row is its April row.
 *
 * Published (rounded to 5, 1-7 `*`): QAA `*` over U00001-U00007 `*` each: exactly seven `*` parts, nothing else in the
 * equation to suppress. With the fix, QAA's PCNs in force with no row, U00008 and U00009, get a row of `*` (in each of
 * rollout, referral_sources and cof_person, which share the count jointly): QAA's `*` then stands over nine `*`, which
 * read as 1 to 7 contradicts (9 or more over at most 7) and pins nothing, and the rows below England are published:
 * Y58 70 = QBB 70 = U00012 30 + U00013 40; Y61 35 (37) = QCC 35 = U00014 15 + U00015 20 (22).
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

describe("an ICB's sealed count (a * over seven *) no longer withholds every area's period below England (M12)", () => {
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

  it('publishes the other regions, ICBs and PCNs (before: withheld, England alone)', () => {
    expect(docs.get('rollout')?.data_as_of).toBe('2025-04-30');
    for (const period of ['2025-04', '2025/26']) {
      expect(row('rollout', 'national', 'ENG', period)).toMatchObject({ referrals: 159 });
      expect(row('rollout', 'region', 'Y58', period)).toMatchObject({ referrals: 70 });
      expect(row('rollout', 'icb', 'QBB', period)).toMatchObject({ referrals: 70 });
      expect(row('rollout', 'pcn', 'U00012', period)).toMatchObject({ referrals: 30 });
      expect(row('rollout', 'pcn', 'U00013', period)).toMatchObject({ referrals: 40 });
      expect(row('rollout', 'region', 'Y61', period)).toMatchObject({ referrals: 35 });
      expect(row('rollout', 'pcn', 'U00015', period)).toMatchObject({ referrals: 20 });
      expect(row('referral_sources', 'region', 'Y58', period)).toMatchObject({ referrals: 70 });
      expect(row('cof_person', 'region', 'Y61', period)).toMatchObject({ episodes: 35 });
    }
  });

  it("gives QAA's PCNs with no row a row of * in every document sharing the count", () => {
    for (const period of ['2025-04', '2025/26'])
      for (const code of ['U00001', 'U00007', 'U00008', 'U00009']) {
        expect(row('rollout', 'pcn', code, period)).toMatchObject({ referrals: '*' });
        expect(row('referral_sources', 'pcn', code, period)).toMatchObject({ referrals: '*' });
        expect(row('cof_person', 'pcn', code, period)).toMatchObject({ episodes: '*' });
      }
  });

  it('withholds no row below England, so no document names any (M8)', () => {
    for (const name of ['rollout', 'referral_sources', 'cof_person'])
      expect(docs.get(name)?.summary?.withheld_below_england).toBeUndefined();
  });

  it('the independent disclosure scan finds nothing recoverable', () => {
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
