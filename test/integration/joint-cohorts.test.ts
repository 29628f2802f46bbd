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
  TEN_PCNS,
  TEN_PCNS_REFERENCE,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * cof_person's cohorts are its episodes for the periods that ended by their cut-offs, so they are controlled jointly
 * with them below England (red-team review 16, R16-4; catalogue.ts jointCounts), and a cell cof_person shows in one
 * column and withholds in the other is controlled again (review 17, R17-3: the refresh stopped).
 * Ten PCNs of 10,000 (U00001-U00005 in QAA, Y56; U00006-U00010 in QBB, Y58), 20 referrals a month each, April to
 * November 2025, except U00004: 5 in May and 6 in September. Received 2 December, refreshed 3 December: data as of 30
 * November; the engagement cohort is the referrals made by 31 August (3 months), the outcome cohort by 31 May (6).
 * U00004's May (5) and September (6) are `*` (1 to 7). Its engagement cohort of 2025/26 is April to August, 20 + 5 +
 * 20 + 20 + 20 = 85, beside months 20, `*`, 20, 20, 20: 85 less the 80 shown gives May's 5, so cof_person's control
 * withholds a second cell of that column (a month it shows in episodes, or the year), while its episodes (a year of
 * 131 over April to November) need no such thing. Before R17-3 that cell counted as withheld by cof_person, rollout and
 * referral_sources withheld it, cof_person still showed it in episodes, and the refresh stopped.
 */
const PCNS = TEN_PCNS;
const REFERENCE = TEN_PCNS_REFERENCE;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11'];
const SMALL: Record<string, number> = { '2025-05': 5, '2025-09': 6 };
const referrals = (pcn: string): GoldenEvent[] =>
  MONTHS.flatMap((m) =>
    Array.from({ length: pcn === 'U00004' ? (SMALL[m] ?? 20) : 20 }, (_, i) =>
      referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`),
    ),
  );

const dir = tempDir('joint-cohorts');
const dataDir = join(dir.path, 'data');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const files = writeEventFiles(dir.path, Object.fromEntries(PCNS.map((pcn) => [`${pcn}.csv`, referrals(pcn)])));
  const receipts = await publishGolden(
    dataDir,
    files,
    REFERENCE,
    new Date('2025-12-03T06:00:00Z'),
    docs,
    () => new Date('2025-12-02T07:00:00Z'),
  );
  expect(receipts.map((r) => r.status)).toEqual(files.map(() => 'accepted'));
}, 300_000);
afterAll(() => dir.remove());

const row = rowFinder(docs);
const belowEngland = (name: string) => (docs.get(name)?.rows ?? []).filter((r) => r.level !== 'national');
/** The last day of a period: a month's (these months' last days are 30 or 31), 31 March for a financial year. */
const ended = (period: string) =>
  period.includes('/')
    ? `${Number(period.slice(0, 4)) + 1}-03-31`
    : ['2025-04', '2025-06', '2025-09', '2025-11'].includes(period)
      ? `${period}-30`
      : `${period}-31`;

describe("cof_person's cohorts with its episodes (R16-4, R17-3)", () => {
  it('publishes (the refresh completes) with the cohorts as of their cut-offs', () => {
    expect(docs.get('cof_person')?.summary?.cohorts).toMatchObject({
      engagement: { referred_on_or_before: '2025-08-31' },
      outcomes: { referred_on_or_before: '2025-05-31' },
    });
    expect(row('cof_person', 'pcn', 'U00004', '2025-05')).toMatchObject({ episodes: '*', engagement_cohort: '*' });
    expect(row('cof_person', 'pcn', 'U00004', '2025-09')).toMatchObject({ episodes: '*' });
  });

  it('a cohort of a period that ended by its cut-off is `*` exactly where the episodes are, below England', () => {
    const differ = belowEngland('cof_person').flatMap((r) => {
      const end = ended(String(r.period));
      return [
        ...(end <= '2025-08-31' && (r.episodes === '*') !== (r.engagement_cohort === '*')
          ? [`${r.code} ${r.period} engagement`]
          : []),
        ...(end <= '2025-05-31' && (r.episodes === '*') !== (r.outcome_cohort === '*')
          ? [`${r.code} ${r.period} outcome`]
          : []),
      ];
    });
    expect(differ).toEqual([]);
    // And the cohort shown is the episodes shown: the same count, published once.
    for (const r of belowEngland('cof_person'))
      if (ended(String(r.period)) <= '2025-08-31')
        expect(r.engagement_cohort, `${r.code} ${r.period}`).toBe(r.episodes);
  });

  it('the three documents publish every referrals cell the same, and nothing recovers a `*`', () => {
    const cells = (name: string, column: string) =>
      new Map(belowEngland(name).map((r) => [`${r.level} ${r.code} ${r.period}`, r[column]]));
    const episodes = cells('cof_person', 'episodes');
    expect(cells('rollout', 'referrals')).toEqual(episodes);
    expect(cells('referral_sources', 'referrals')).toEqual(episodes);
    // U00004's May `*` is not given back by its engagement cohort's year less its months: a second cell of it is `*`.
    const cohortStars = MONTHS.slice(0, 5)
      .map((m) => row('cof_person', 'pcn', 'U00004', m).engagement_cohort)
      .concat(row('cof_person', 'pcn', 'U00004', '2025/26').engagement_cohort)
      .filter((v) => v === '*').length;
    expect(cohortStars).toBeGreaterThanOrEqual(2);
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
