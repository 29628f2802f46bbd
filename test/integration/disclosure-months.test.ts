import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { tempDir } from '../support/files.ts';
import { disclosureFindings, publishGolden, referralEvent, rowFinder, writeEventFiles } from '../support/golden.ts';

/*
 * The months of a year beside the year (review: an ICB's reason_bereavement published 10, 10, 10, 10 for four months
 * and 30 for the year: each 10 is 8 to 12, the year 28 to 32, so every month is 8 and the year 32).
 * U00001 (QAA, Y56) has 8 referrals in each of April to July 2025, U00002 (QBB, Y58) 20; every referral from a GP,
 * giving bereavement as its reason. England is exact: 28 a month, 112 in 2025/26.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,10000,2019-04-01,
U00002,Bravo PCN,QBB,NHS Bravo ICB,Y58,South West,20000,2019-04-01,
`;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
const referrals = (pcn: string, perMonth: number) =>
  MONTHS.flatMap((month) =>
    Array.from({ length: perMonth }, (_, i) => ({
      ...referralEvent(pcn, `${pcn}-${month}-${i + 1}`, `${month}-10`),
      referral_reasons: 'bereavement',
    })),
  );
const REFRESHED_AT = new Date('2025-08-05T00:00:00Z');
const dir = tempDir('disclosure-months');
const docs = new Map<string, MetricDocument>();
const row = rowFinder(docs);

beforeAll(async () => {
  const files = writeEventFiles(dir.path, {
    'alpha.jsonl': referrals('U00001', 8),
    'bravo.jsonl': referrals('U00002', 20),
  });
  await publishGolden(`${dir.path}/data`, files, REFERENCE, REFRESHED_AT, docs);
}, 120_000);
afterAll(() => dir.remove());

describe('the months of a year beside the year', () => {
  it("no month of an ICB is pinned by its year: some of QAA's are suppressed, and nothing is recovered", () => {
    // Before the audit read the months: QAA, U00001 and Y56 showed 10 in each month and 30 for the year (months 8 to
    // 12, the year 28 to 32, so each month 8 and the year 32), and no area equation pins them (England's 28 a month is
    // Y56 8-12 plus Y58 18-22: Y56 8 to 10; its 112 a year is Y56 28-32 plus Y58 78-82: Y56 30 to 32).
    // Now the audit finds those months pinned and suppresses the nearest published counts until none is; a lone
    // suppressed month beside its year takes the next smallest with it. What a reader has left for QAA (every column
    // here is the same: each referral is a GP's, for bereavement): the year 28 to 32 less June and July (8 to 12 each)
    // leaves 4 to 16 for April and May together, and each of them 1 to 7 as a `*` (or more, as a secondary one):
    // neither is one value, nor June or July (the year less the others: 2 to 22, within 8 to 12).
    for (const column of ['referrals', 'source_gp', 'reason_bereavement'])
      for (const [level, code] of [
        ['icb', 'QAA'],
        ['pcn', 'U00001'],
      ] as const)
        expect(
          [...MONTHS, '2025/26'].map((period) => row('referral_sources', level, code, period)[column]),
          `${code} ${column}`,
        ).toEqual(['*', '*', 10, 10, 30]);
    // Y56's months are all suppressed (England less Y58 would otherwise be them). Its year's equation read alone
    // (equationDisclosures): 30 (28 to 32) over four `*` read as 1 to 7 (that June and July are 8 or more only QAA's
    // 10s show, not this equation), which add up to 28 at most: the year 28 and each month 7, a reading a reader would
    // take for a recovery. The equation's one count, the year, is suppressed: read alone, four `*` beside a `*` then
    // pin nothing (the year 4 to 28, each month 1 to 7), and with England the year is 112 less Y58's 78 to 82: 30 to 34.
    expect([...MONTHS, '2025/26'].map((period) => row('referral_sources', 'region', 'Y56', period).referrals)).toEqual([
      '*',
      '*',
      '*',
      '*',
      '*',
    ]);
    // The same referrals in the rollout: a year of 30 beside four months of 10 no longer.
    expect([...MONTHS, '2025/26'].map((period) => row('rollout', 'icb', 'QAA', period).referrals)).toEqual([
      '*',
      '*',
      10,
      10,
      30,
    ]);
  });

  it('no published figure below England recovers an unrounded count or a suppressed cell (the scan reads the months)', () => {
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
