import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import {
  DATA_AS_OF_RULE,
  dataAsOfOn,
  englandAsOf,
  type MonthSubmissions,
  stoppedBefore,
} from '../../functions/refresh/data-as-of.ts';
import { spcRows } from '../../functions/refresh/spc-documents.ts';

/**
 * A month sent by `pcnsSubmitting` PCNs, of `pcnsOnboarded` uploading by then (`pcnsStopped` of them stopped before
 * it), of `pcnsOpen` open.
 */
const sent = (
  month: string,
  pcnsSubmitting: number,
  pcnsOnboarded = 10,
  pcnsOpen = pcnsOnboarded,
  pcnsStopped = 0,
): MonthSubmissions => ({
  month,
  pcnsSubmitting,
  pcnsOnboarded,
  pcnsStopped,
  pcnsOpen,
});

describe('the data-as-of date: the end of the last complete month', () => {
  it('a month that has not ended is not complete, however many PCNs sent it', () => {
    // Refreshed on 4 December: November has ended and 10 of 10 sent it; December has 10 of 10 but has not ended.
    expect(dataAsOfOn([sent('2026-11', 10), sent('2026-12', 10)], '2026-12-04')).toEqual({
      dataAsOf: '2026-11-30',
      lastMonth: '2026-11',
      pending: [sent('2026-12', 10)],
      completeMonths: ['2026-11'],
      pcnsStopped: 0,
    });
  });

  it('one early event of the next month changes nothing', () => {
    const november = [sent('2026-10', 10), sent('2026-11', 10)];
    const withEarly = dataAsOfOn([...november, sent('2026-12', 1)], '2026-12-04');
    expect(withEarly.dataAsOf).toBe(dataAsOfOn(november, '2026-12-04').dataAsOf);
    expect(withEarly.pending).toEqual([sent('2026-12', 1)]);
  });

  it('an ended month needs 90% of the PCNs onboarded: 9 of 10 is enough, 8 of 10 is not', () => {
    // On 1 January the December of 9 of 10 is complete; the next year, a December of 8 of 10 is not, so the data
    // stay as of the end of November.
    expect(dataAsOfOn([sent('2026-11', 10), sent('2026-12', 9)], '2027-01-01').dataAsOf).toBe('2026-12-31');
    expect(dataAsOfOn([sent('2026-11', 10), sent('2026-12', 8)], '2027-01-01')).toEqual({
      dataAsOf: '2026-11-30',
      lastMonth: '2026-11',
      pending: [sent('2026-12', 8)],
      completeMonths: ['2026-11'],
      pcnsStopped: 0,
    });
    // A month ends on its last day: on 31 December, December has not ended.
    expect(dataAsOfOn([sent('2026-11', 10), sent('2026-12', 10)], '2026-12-31').dataAsOf).toBe('2026-11-30');
  });

  it('a short month before the last complete one stays published; with none complete, nothing is', () => {
    // The first month of a rollout: 3 of 10 PCNs. It is before October, the last complete month, so it is published.
    expect(dataAsOfOn([sent('2026-09', 3), sent('2026-10', 10), sent('2026-11', 4)], '2026-12-04')).toEqual({
      dataAsOf: '2026-10-31',
      lastMonth: '2026-10',
      pending: [sent('2026-11', 4)],
      completeMonths: ['2026-10'],
      pcnsStopped: 0,
    });
    expect(dataAsOfOn([sent('2026-10', 3), sent('2026-11', 4)], '2026-12-04')).toEqual({
      dataAsOf: null,
      lastMonth: null,
      pending: [sent('2026-10', 3), sent('2026-11', 4)],
      completeMonths: [],
      pcnsStopped: 0,
    });
    expect(dataAsOfOn([], '2026-12-04')).toEqual({
      dataAsOf: null,
      lastMonth: null,
      pending: [],
      completeMonths: [],
      pcnsStopped: 0,
    });
    // No PCN onboarded and open (events only of PCNs not in the reference data) is never complete.
    expect(dataAsOfOn([sent('2026-10', 0, 0, 0)], '2026-12-04').dataAsOf).toBeNull();
  });

  it('in a rollout in waves, the PCNs not yet uploading are not waited for', () => {
    // 1,250 PCNs open. Wave 1, 300 PCNs, uploads from September; wave 2, 200 more, from November. September: 300 of
    // 300 onboarded sent it (24% of those open); October: 280 of 300 (93.3%); November: 450 of 500 (90%);
    // December ends on the 31st but only 420 of 500 (84%) by 4 January. Of all PCNs open, no month would reach 90%
    // (the old rule) and nothing would publish; of those onboarded, data are as of 30 November.
    const months = [sent('2026-09', 300, 300, 1250), sent('2026-10', 280, 300, 1250), sent('2026-11', 450, 500, 1250)];
    const december = sent('2026-12', 420, 500, 1250);
    expect(dataAsOfOn([...months, december], '2027-01-04')).toEqual({
      dataAsOf: '2026-11-30',
      lastMonth: '2026-11',
      pending: [december],
      completeMonths: ['2026-09', '2026-10', '2026-11'],
      pcnsStopped: 0,
    });
    // A month short of 90% of those onboarded, 269 of 300 (89.7%), waits, however few PCNs are open.
    expect(dataAsOfOn([sent('2026-09', 300, 300, 1250), sent('2026-10', 269, 300, 300)], '2026-12-04')).toMatchObject({
      lastMonth: '2026-09',
      completeMonths: ['2026-09'],
      pcnsStopped: 0,
    });
  });

  it('a PCN whose extract has stopped is not waited for: counted apart, out of the denominator', () => {
    // 10 PCNs onboarded, 2 of them stopped before November: 8 of the 8 still sending sent it (100%). Counted over all
    // 10 (the rule before), 8 of 10 is 80%, short, and every later month would be short too while the 2 stay open.
    expect(dataAsOfOn([sent('2026-10', 10), sent('2026-11', 8, 10, 10, 2)], '2026-12-04')).toEqual({
      dataAsOf: '2026-11-30',
      lastMonth: '2026-11',
      pending: [],
      completeMonths: ['2026-10', '2026-11'],
      pcnsStopped: 2,
    });
    // One stopped and one only late: 8 of the 9 still sending (88.9%) is short; the late one is waited for.
    expect(dataAsOfOn([sent('2026-10', 10), sent('2026-11', 8, 10, 10, 1)], '2026-12-04')).toMatchObject({
      lastMonth: '2026-10',
      pending: [sent('2026-11', 8, 10, 10, 1)],
      pcnsStopped: 1,
    });
    // Every PCN onboarded stopped: nobody still sending, never complete.
    expect(dataAsOfOn([sent('2026-11', 0, 3, 3, 3)], '2026-12-04').dataAsOf).toBeNull();
  });

  it('a PCN has stopped when no extract covers any of the more than 3 months ended since its last month reported', () => {
    // On 4 January 2027 the months ended are up to December 2026: a last month of August leaves September to December
    // uncovered (4 months: stopped), one of September leaves 3 (late). So the earliest last month still sending is
    // September: January less 4 months.
    expect(stoppedBefore('2027-01-04')).toBe('2026-09');
    // On 31 December, December has not ended: the months ended are up to November, so August is still sending.
    expect(stoppedBefore('2026-12-31')).toBe('2026-08');
    expect(stoppedBefore('2026-04-01')).toBe('2025-12');
    expect(stoppedBefore('2026-05-01')).toBe('2026-01');
  });

  it('is stated in words with its threshold', () => {
    expect(DATA_AS_OF_RULE).toBe(
      'Figures cover events up to the end of the last complete month: a month is complete once it has ended and at least 90% of the PCNs sending by then have sent events for it. A PCN is sending from the first month of its regular reporting (PCNs of later rollout waves count from theirs), while it is open, until its extract stops: once no extract from it has covered any of the last 4 months ended, it is counted as stopped (pcns_stopped) and no later month waits for it. The rollout page shows how many of the PCNs open sent each month. Events dated later are kept and published when their month is complete.',
    );
  });
});

describe('the SPC charts end with the data-as-of month', () => {
  const rollout = {
    name: 'rollout',
    keys: [],
    rows: ['2026-10', '2026-11', '2026-12'].map((period, i) => ({
      level: 'national',
      code: 'ENG',
      period_type: 'month',
      period,
      referrals: [10, 11, 1][i],
    })),
  } as unknown as MetricDocument;
  const referrals = (dataAsOf: string | null) =>
    spcRows([rollout], DEFAULT_TARGETS, dataAsOf).find((r) => r.measure === 'referrals');

  it('a month after it is not charted, even where a document has it; without a data-as-of date, none is', () => {
    expect(referrals('2026-11-30')).toMatchObject({
      points: 2,
      last_month: '2026-11',
      values: { '2026-10': 10, '2026-11': 11 },
    });
    expect(referrals('2026-12-31')).toMatchObject({ points: 3, last_month: '2026-12', last_value: 1 });
    expect(referrals(null)).toBeUndefined();
  });
});

describe("meta.json says which published months' England figures are held whole (revisions policy)", () => {
  // England's rollout rows as published: a month held as no figure yet has no referrals; one held at an earlier
  // release's value has them.
  const england = (period: string, referrals: number | null, period_type = 'month') => ({
    level: 'national',
    code: 'ENG',
    period_type,
    period,
    referrals,
  });
  const pcn = (period: string) => ({ level: 'pcn', code: 'U00001', period_type: 'month', period, referrals: '*' });
  const months = ['2026-10', '2026-11', '2026-12'];

  it("a new month held whole is named, and England's own data-as-of date is the month before", () => {
    const rows = [england('2026-10', 40), england('2026-11', 41), england('2026-12', null), pcn('2026-12')];
    rows.push(england('2026/27', 350, 'fy'));
    expect(englandAsOf(months, rows)).toEqual({ england_months_held: ['2026-12'], england_data_as_of: '2026-11-30' });
  });

  it("a month held at an earlier release's value is published; with every month shown, nothing is said", () => {
    const rows = [england('2026-10', 40), england('2026-11', 41), england('2026-12', 12)];
    expect(englandAsOf(months, rows)).toEqual({});
  });

  it("a first month held whole: England has no month yet (a PCN's rows alone do not make it England's)", () => {
    expect(englandAsOf(['2026-12'], [england('2026-12', null), pcn('2026-12')])).toEqual({
      england_months_held: ['2026-12'],
      england_data_as_of: null,
    });
  });
});
