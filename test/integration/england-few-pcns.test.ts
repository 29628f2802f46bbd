import { describe, expect, it } from 'vitest';
import { englandRow, FEW_PCNS_REFERENCE, fewPcnsUploads } from '../support/england-few-pcns.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Red-team review 8, N5: the first wave of a rollout is one PCN. U00001 (London) sends from April 2025; U00002 and
 * U00003 (South West) join in June. One refresh, 5 August 2025 (data as of 31 July): the first release, nothing
 * published before. Until December 2026 England's April and May were published exactly: they are U00001's own figures
 * (April's 2 self-referrals among them, a count that is `*` below England), rollout's pcns_submitting said 1, and
 * data_quality's first_month named the PCN, while every row below England of those months was withheld to hide it.
 * An England figure made up by fewer than 3 PCNs (or dominated by one) is now held as no figure, at the first release
 * too, and with it every England figure of its month and financial year (the year adds up from its months: 2025/26 is
 * April + May + June + July, so the year less June and July would give April and May back).
 */
const { docs } = goldenProgramme('england-few-pcns', {
  uploads: fewPcnsUploads((e, pcn, m, i) => {
    // Two self-referrals, one person aged 85+ of Black ethnicity in U00001's April.
    if (pcn === 'U00001' && m === '2025-04' && i < 2) return { ...e, referral_source: 'self' };
    if (pcn === 'U00001' && m === '2025-04' && i === 2) return { ...e, age_band: '85+', ethnicity_group: 'black' };
    return e;
  }),
  reference: FEW_PCNS_REFERENCE,
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});
const england = englandRow(docs);

describe("England's figures made up by fewer than 3 PCNs (review 8, N5)", () => {
  it("a month one PCN sent is held as no figure: England's April is not U00001's April", () => {
    // April: U00001's 12 referrals, 2 of them self-referrals, 1 PCN submitting: each held as no figure.
    expect(england('referral_sources', '2025-04')).toMatchObject({
      referrals: null,
      source_self: null,
      source_gp: null,
    });
    // How many PCNs sent the month stays: it says why the month has no England figures (no figure of the PCN's is in it).
    expect(england('rollout', '2025-04')).toMatchObject({ referrals: null, people_referred: null, pcns_submitting: 1 });
    // May: U00001's 13, the same.
    expect(england('rollout', '2025-05')).toMatchObject({ referrals: null, people_referred: null, pcns_submitting: 1 });
  });

  it('the financial year of a held month is held too: it would give the month back', () => {
    // 2025/26 = 12 + 13 + 53 + 58 = 136 referrals; less June and July (111) it is U00001's April and May, 25.
    expect(england('rollout', '2025/26')).toMatchObject({ referrals: null, people_referred: null });
    expect(england('referral_sources', '2025/26')).toMatchObject({ referrals: null, source_self: null });
    // Equity has years only: its 2025/26 is held with rollout's (its groups add up to the year's people).
    const women = (docs.get('equity')?.rows ?? []).find(
      (r) => r.level === 'national' && r.period === '2025/26' && r.dimension === 'sex' && r.group === 'female',
    );
    expect(women?.people_referred).toBeNull();
    // meta.json names the months whose England figures are all held (no figure: nothing was published before).
    const meta = docs.get('meta') as unknown as { england_months_held?: string[] };
    expect(meta.england_months_held).toEqual(['2025-04', '2025-05']);
  });

  it('a month three PCNs make up is published: June 11 + 20 + 22 = 53, July 14 + 21 + 23 = 58', () => {
    // p% rule: all but the two largest (11) >= 10% of the largest (22); net 53 > 3 PCNs. July likewise.
    expect(england('rollout', '2025-06')).toMatchObject({ referrals: 53, pcns_submitting: 3 });
    expect(england('rollout', '2025-07')).toMatchObject({ referrals: 58, pcns_submitting: 3 });
    expect(england('referral_sources', '2025-06')).toMatchObject({ referrals: 53, source_self: 0, source_gp: 53 });
  });

  it('the summary says which periods hold England figures back, for the dashboard to say so', () => {
    const summary = docs.get('rollout')?.summary as
      | { revisions_held?: { periods: string[]; fail_closed: boolean } }
      | undefined;
    const held = summary?.revisions_held;
    expect(held?.periods).toEqual(['2025-04', '2025-05', '2025/26']);
    expect(held?.fail_closed).toBe(false);
  });
});
