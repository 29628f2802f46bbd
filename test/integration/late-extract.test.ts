import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  TEN_PCNS,
  TEN_PCNS_REFERENCE,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * A late extract of an earlier month is not the next month's extract (red-team review 16, R16-1; onboarded.sql).
 * Ten PCNs of 10,000 registered patients: U00001-U00005 in ICB QAA (London, Y56), U00006-U00010 in QBB (South West,
 * Y58); 10 referrals a month each, April to November 2025.
 *   U00001: April-September sent on 2 October; its October extract failed and was sent again on 1 December (October's
 *           rows only); its November extract not received yet.
 *   others: April-November in one extract received 2 December 2025.
 * Refreshed 3 December 2025. November was sent by 9 of the 10 PCNs onboarded (90%): data as of 30 November.
 * Before R16-1 the upload received 1 December "covered" the month before receipt, November: U00001's November was a
 * real 0 (its list counted), the ICB's and England's November rates fell, and U00001's SPC series ended in a 0 far
 * outside its limits (eight months of 10: limits 10 to 10), an alert. Now it covers October, its latest row's month:
 *   U00001 2025-10: 10 referrals, list 10,000; 2025-11: no data (null), list null.
 *   QAA 2025-11: 4 PCNs x 10 = 40 referrals, list 40,000, 40 / 40,000 x 1,000 = 1.0 per 1,000 (before 0.8 over 50,000).
 *   England 2025-11: 9 x 10 = 90 referrals, list 90,000 (before 100,000), 9 PCNs submitting.
 *   England 2025/26 (8 months): U00001 7 months x 10 = 70, the others 9 x 80 = 720: 790 referrals (one person each).
 * England's year-end projection (R16-2; flat profile, no previous year): every complete month's rate is 1 per 1,000
 * (100 / 100,000 April-October, 90 / 90,000 November): mean 1, sd 0. November is read at its rate over the list of
 * the PCNs still sending (U00001 is late, not stopped): 90 x 100,000 / 90,000 = 100; observed 7 x 100 + 100 = 800;
 * December-March at 100 (thousand) x 1: 400; 1,200, as with U00001 on time. (Before: at November's list of the PCNs
 * that had sent it, 790 + 4 x 90 = 1,150.)
 */
const PCNS = TEN_PCNS;
const REFERENCE = TEN_PCNS_REFERENCE;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const referrals = (pcn: string, months: string[]): GoldenEvent[] =>
  months.flatMap((m) => Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`)));
const uploads: Record<string, GoldenEvent[]> = {
  'U00001-to-september.csv': referrals('U00001', MONTHS.slice(0, 6)),
  'U00001-october-again.csv': referrals('U00001', ['2025-10']),
  ...Object.fromEntries(PCNS.slice(1).map((pcn) => [`${pcn}.csv`, referrals(pcn, MONTHS)])),
};
const RECEIVED: Record<string, string> = {
  'U00001-to-september.csv': '2025-10-02T07:00:00Z',
  'U00001-october-again.csv': '2025-12-01T08:00:00Z',
};

const dir = tempDir('late-extract');
const dataDir = join(dir.path, 'data');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const files = writeEventFiles(dir.path, uploads);
  const receipts = await publishGolden(
    dataDir,
    files,
    REFERENCE,
    new Date('2025-12-03T06:00:00Z'),
    docs,
    (file) => new Date(RECEIVED[file.split('/').pop() ?? ''] ?? '2025-12-02T07:00:00Z'),
  );
  expect(receipts.map((r) => r.status)).toEqual(files.map(() => 'accepted'));
}, 180_000);
afterAll(() => dir.remove());

const row = rowFinder(docs);
const rollout = (level: string, code: string, period: string) => {
  const { referrals, list_size, referrals_per_1000 } = row('rollout', level, code, period);
  return { referrals, list_size, referrals_per_1000 };
};

describe('a late extract of an earlier month (R16-1)', () => {
  it('covers its own month, not the month before its receipt', () => {
    expect((docs.get('meta') as unknown as MetaDocument).data_as_of).toBe('2025-11-30');
    expect(rollout('pcn', 'U00001', '2025-10')).toMatchObject({ referrals: 10, list_size: 10_000 });
    expect(rollout('pcn', 'U00001', '2025-11')).toMatchObject({ referrals: null, list_size: null });
    expect(row('data_quality', 'pcn', 'U00001', 'all').last_month_reported).toBe('2025-10');
  });

  it("leaves the late PCN's list out of its ICB's and England's November", () => {
    expect(rollout('icb', 'QAA', '2025-11')).toEqual({ referrals: 40, list_size: 40_000, referrals_per_1000: 1 });
    expect(row('rollout', 'national', 'ENG', '2025-11')).toMatchObject({
      referrals: 90,
      list_size: 90_000,
      pcns_submitting: 9,
    });
    expect(row('rollout', 'national', 'ENG', '2025/26').referrals).toBe(790);
  });

  it("projects England's year with the late PCN in it (R16-2)", () => {
    expect(summaryOf(docs.get('rollout'), 'target_progress')?.find((p) => p.fy === '2025/26')).toMatchObject({
      people_referred_to_date: 790,
      projection_to_year_end: 1_200,
      projection_low: 1_200,
      projection_high: 1_200,
    });
  });

  it('gives the late PCN no SPC point for November and no alert', () => {
    const series = docs
      .get('spc')
      ?.rows.find((r) => r.level === 'pcn' && r.code === 'U00001' && r.measure === 'referrals');
    expect(series?.values?.['2025-11' as never]).toBeNull();
    expect(series?.values?.['2025-10' as never]).toBe(10);
    expect(docs.get('alerts')?.rows.filter((r) => r.code === 'U00001')).toEqual([]);
  });
});
