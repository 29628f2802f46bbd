import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { parentsFrom, SCAN_SPEC, type ScanSpec, scanPublished } from '../support/disclosure-scan.ts';

/*
 * The scan must find what it is there to find. U9 moved from QAA to QBB on 2025-12-01; U1 changed only its list on
 * the same day (a new version, not a move); U2 stayed in QBB.
 */
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U1,A,QAA,ICB A,Y56,London,1000,2019-04-01,2025-11-30
U1,A,QAA,ICB A,Y56,London,1100,2025-12-01,
U2,B,QBB,ICB B,Y56,London,1000,2019-04-01,
U9,C,QAA,ICB A,Y56,London,1000,2019-04-01,2025-11-30
U9,C,QBB,ICB B,Y56,London,1000,2025-12-01,
`;
const META = {
  icbs: [
    { code: 'QAA', parent: 'Y56' },
    { code: 'QBB', parent: 'Y56' },
  ],
};
const fy = (level: string, code: string, referrals: number | '*'): MetricRow =>
  ({ level, code, period_type: 'fy', period: '2025/26', referrals }) as MetricRow;
const rollout = (rows: MetricRow[]): MetricDocument =>
  ({ name: 'rollout', keys: [], rows }) as unknown as MetricDocument;
const SPEC: ScanSpec = {
  counts: { rollout: ['referrals'] },
  rates: { rollout: [['referrals_per_1000', 'referrals', 'list_size', 1000]] },
};
const scan = (rows: MetricRow[]) => scanPublished([rollout(rows)], parentsFrom(REFERENCE, META), SPEC);

describe('the disclosure scan', () => {
  it("finds a moved PCN's suppressed year alone among the parts of the ICB it left", () => {
    // QAA's 2025/26 = U1 + U9's months there: with U1 published, QAA - U1 is U9's part.
    expect(
      scan([
        fy('icb', 'QAA', 50),
        fy('icb', 'QBB', 40),
        fy('pcn', 'U1', 45),
        fy('pcn', 'U2', '*'),
        fy('pcn', 'U9', '*'),
      ]),
    ).toEqual(['rollout area|QAA|fy|2025/26| referrals: one suppressed part (U9 2025/26) beside a published total']);
    // Both parts of QAA suppressed: nothing to find.
    expect(
      scan([
        fy('icb', 'QAA', 50),
        fy('icb', 'QBB', 40),
        fy('pcn', 'U1', '*'),
        fy('pcn', 'U2', '*'),
        fy('pcn', 'U9', '*'),
      ]),
    ).toEqual([]);
  });

  it('finds a count that is not rounded, a lone suppressed month beside its year, and a rate implying another count', () => {
    const month = (period: string, referrals: number | '*') =>
      ({ level: 'pcn', code: 'U2', period_type: 'month', period, referrals }) as MetricRow;
    expect(scan([fy('pcn', 'U2', 30), month('2025-04', 20), month('2025-05', '*')])).toEqual([
      'rollout period|pcn|U2|2025/26| referrals: one suppressed part (U2 2025-05) beside a published total',
    ]);
    expect(scan([fy('pcn', 'U2', 12)])).toEqual(['rollout pcn U2 2025/26 : count referrals = 12']);
    // 10 referrals of a list of 1,000 is 10 per 1,000; 10.4 would say the count was 10.4 +- 0.05, not 10.
    const rated = { ...fy('pcn', 'U2', 10), list_size: 1000, referrals_per_1000: 10.4 } as MetricRow;
    expect(scan([rated])).toEqual([
      'rollout pcn U2 2025/26 : referrals_per_1000 = 10.4 implies another referrals than 10',
    ]);
  });

  it("finds a month withheld below England a hidden part of each area's year, unless England's figure of it is 0", () => {
    // June is England's alone (no row below it): U2's year less its April and May is U2's June referrals; its
    // declines are 0 in England's June, so every area's are, and U2's year of declines hides nothing (review 6, K3:
    // offers declined are 0 wherever declines are recorded on the referral).
    const spec: ScanSpec = { counts: { rollout: ['referrals', 'declines'] }, rates: {} };
    const row = (level: string, code: string, period: string, referrals: number, declines: number) =>
      ({ level, code, period_type: period.includes('/') ? 'fy' : 'month', period, referrals, declines }) as MetricRow;
    const rows = [
      row('national', 'ENG', '2025-06', 10, 0),
      row('pcn', 'U2', '2025-04', 10, 0),
      row('pcn', 'U2', '2025-05', 10, 0),
      row('pcn', 'U2', '2025/26', 30, 0),
    ];
    expect(scanPublished([rollout(rows)], parentsFrom(REFERENCE, META), spec)).toEqual([
      'rollout period|pcn|U2|2025/26| referrals: one suppressed part (U2 2025-06 withheld) beside a published total',
    ]);
    // With declines in England's June, U2's year of declines is as much a hidden part as its referrals.
    rows[0] = row('national', 'ENG', '2025-06', 10, 10);
    rows[3] = row('pcn', 'U2', '2025/26', 30, 10);
    expect(scanPublished([rollout(rows)], parentsFrom(REFERENCE, META), spec)).toEqual([
      'rollout period|pcn|U2|2025/26| referrals: one suppressed part (U2 2025-06 withheld) beside a published total',
      'rollout period|pcn|U2|2025/26| declines: one suppressed part (U2 2025-06 withheld) beside a published total',
    ]);
  });

  it('finds staff figures beside a suppressed headcount, an FTE of fewer than 8 people, and an FTE total over its parts', () => {
    const staffSpec: ScanSpec = {
      counts: { workforce: ['splw_headcount'] },
      protected: { workforce: ['splw_fte'] },
      staff: { workforce: [['splw_headcount', 'splw_fte', ['splw_accredited']]] },
      rates: {},
    };
    const row = (level: string, code: string, h: number | '*' | null, f: number | '*', a: number | '*' | null) =>
      ({
        level,
        code,
        period_type: 'month',
        period: '2025-12',
        splw_headcount: h,
        splw_fte: f,
        splw_accredited: a,
      }) as MetricRow;
    const workforce = (rows: MetricRow[]) =>
      scanPublished(
        [{ name: 'workforce', keys: [], rows } as unknown as MetricDocument],
        parentsFrom(REFERENCE, META),
        staffSpec,
      );
    expect(
      workforce([
        row('pcn', 'U1', '*', 2.4, 0), // FTE and training of a suppressed headcount
        row('pcn', 'U2', null, 0.6, null), // 0.6 FTE with no headcount: fewer than 8 people
        row('pcn', 'U9', 10, 5, 10), // 10 (8 or more) people share 5 FTE (rounded to 5): fine
      ]),
    ).toEqual([
      'workforce pcn U1 2025-12 : splw_fte = 2.4 beside a suppressed splw_headcount',
      'workforce pcn U1 2025-12 : splw_accredited = 0 beside a suppressed splw_headcount',
      'workforce pcn U1 2025-12 : splw_fte = 2.4 without 8 or more people',
      'workforce pcn U1 2025-12 : splw_fte = 2.4 is not rounded to 5',
      'workforce pcn U2 2025-12 : splw_fte = 0.6 without 8 or more people',
      'workforce pcn U2 2025-12 : splw_fte = 0.6 is not rounded to 5',
    ]);
    // QBB's FTE suppressed, its PCNs' (U2 and U9, in QBB in December) published: QBB = U2 + U9.
    expect(
      workforce([row('icb', 'QBB', 20, '*', null), row('pcn', 'U2', 10, 10, null), row('pcn', 'U9', 10, 10, null)]),
    ).toEqual(['workforce area|QBB|month|2025-12| splw_fte: a suppressed total beside its parts, all published']);
  });

  it("finds an FTE below England not rounded to 5 (a year to date differenced across refreshes), and a rate from another FTE, with the shipped spec; England's exact FTE is fine", () => {
    const row = (level: string, code: string, period: string, h: number, f: number, per10000: number | null) =>
      ({
        level,
        code,
        period_type: period.includes('/') ? 'fy' : 'month',
        period,
        splw_headcount: h,
        splw_fte: f,
        splw_accredited: null,
        splw_headcount_training_known: null,
        hwbc_headcount: null,
        hwbc_fte: 0,
        cc_headcount: null,
        cc_fte: 0,
        list_size: 50_000,
        list_size_reporting: 50_000,
        people_referred: period.includes('/') ? 120 : null,
        splw_fte_per_10000: per10000,
        caseload: null,
      }) as MetricRow;
    const doc = {
      name: 'workforce',
      keys: [],
      rows: [
        row('national', 'ENG', '2025/26', 9, 7.38, 1.48), // England: exact, as published
        row('pcn', 'U1', '2025/26', 10, 7.38, 1.48), // a year to date to 2 decimals: the leak the rounding closes
        row('pcn', 'U2', '2025/26', 10, 5, 1), // rounded: 5 / 50,000 x 10,000 = 1
        row('pcn', 'U9', '2025/26', 10, 10, 1.48), // 1.475 to 1.485 per 10,000 is 7.375 to 7.425 FTE, not 10
      ],
    } as unknown as MetricDocument;
    expect(scanPublished([doc], () => undefined, SCAN_SPEC)).toEqual([
      'workforce pcn U1 2025/26 : splw_fte = 7.38 is not rounded to 5',
      'workforce pcn U9 2025/26 : splw_fte_per_10000 = 1.48 implies another splw_fte than 10',
    ]);
  });
  it('finds a wellbeing mean beside a suppressed count of its people, or to 2 decimals, with the shipped spec', () => {
    const row = (level: string, code: string, people: number | '*', mean: number | '*', low: number | null) =>
      ({
        level,
        code,
        period_type: 'fy',
        period: '2025/26',
        instrument: 'ons4_worthwhile',
        people,
        improved: '*',
        mean_baseline: mean,
        mean_follow_up: mean,
        mean_change: mean === '*' ? '*' : 0,
        mean_change_ci_low: low,
        mean_change_ci_high: null,
        improved_pct: '*',
      }) as MetricRow;
    const doc = {
      name: 'wellbeing',
      keys: ['instrument'],
      rows: [
        row('national', 'ENG', 11, 5.09, 4.2), // England: exact, as published
        row('pcn', 'U1', '*', 5.1, null), // secondarily suppressed count: the mean says it was made from some people
        row('pcn', 'U2', 15, 5.07, null), // 2 decimals: 76 / 15, and no other size from 13 to 17
        row('pcn', 'U9', 10, 5.1, null), // 1 decimal beside a published count: fine
        row('icb', 'QAA', '*', '*', null), // suppressed with its count: fine
      ],
    } as unknown as MetricDocument;
    expect(scanPublished([doc], () => undefined, SCAN_SPEC)).toEqual([
      'wellbeing pcn U1 2025/26 ons4_worthwhile: mean_baseline = 5.1 beside a suppressed people',
      'wellbeing pcn U1 2025/26 ons4_worthwhile: mean_follow_up = 5.1 beside a suppressed people',
      'wellbeing pcn U1 2025/26 ons4_worthwhile: mean_change = 0 beside a suppressed people',
      'wellbeing pcn U2 2025/26 ons4_worthwhile: mean_baseline = 5.07 to more than 1 decimal',
      'wellbeing pcn U2 2025/26 ons4_worthwhile: mean_follow_up = 5.07 to more than 1 decimal',
    ]);
  });

  it('finds months pinned by their year (10, 10, 10, 10 beside 30), with the shipped spec; not a count of people', () => {
    // An ICB's referral sources: each 10 is 8 to 12 and the year's 30 is 28 to 32, so each month is 8 and the year
    // 32. The row's other columns are 0 (referrals = the sources: gp is referrals; bereavement is one reason).
    const row = (period: string, n: number | '*') =>
      ({
        level: 'icb',
        code: 'QAA',
        period_type: period.includes('/') ? 'fy' : 'month',
        period,
        referrals: n,
        source_gp: n,
        reason_bereavement: n,
      }) as MetricRow;
    const months = ['2025-04', '2025-05', '2025-06', '2025-07'];
    const sources = (rows: MetricRow[]) =>
      scanPublished(
        [{ name: 'referral_sources', keys: [], rows } as unknown as MetricDocument],
        parentsFrom(REFERENCE, META),
        SCAN_SPEC,
      ).sort();
    expect(sources([...months.map((m) => row(m, 10)), row('2025/26', 30)])).toEqual(
      // Each line names the published figure (10 a month, 30 the year) that gives the count away.
      [...months, '2025/26']
        .flatMap((period) =>
          ['reason_bereavement', 'referrals', 'source_gp'].map(
            (c) =>
              `referral_sources icb QAA ${period} : ${c} = ${period === '2025/26' ? 30 : 10} is recovered exactly from the figures beside it`,
          ),
        )
        .sort(),
    );
    // Two months suppressed: the year less June and July (16 to 24) leaves 4 to 16 for April and May: not one value.
    expect(
      sources([row('2025-04', '*'), row('2025-05', '*'), row('2025-06', 10), row('2025-07', 10), row('2025/26', 30)]),
    ).toEqual([]);
    // People referred are distinct people (one referred in two months counts once in the year): not read so.
    const people = (period: string, n: number) =>
      ({
        level: 'icb',
        code: 'QAA',
        period_type: period.includes('/') ? 'fy' : 'month',
        period,
        people_referred: n,
        referrals: null,
        declines: null,
        declined_after_referral: null,
      }) as MetricRow;
    expect(
      scanPublished(
        [
          {
            name: 'rollout',
            keys: [],
            rows: [...months.map((m) => people(m, 10)), people('2025/26', 30)],
          } as unknown as MetricDocument,
        ],
        parentsFrom(REFERENCE, META),
        SCAN_SPEC,
      ),
    ).toEqual([]);
  });

  it("finds counts recovered exactly by arithmetic from England's figure, with the shipped spec", () => {
    // contacts = 20 in 2025/26: England 2 = Y56 (the only region with a row), Y56 = QAA + QBB, both * (1 or more):
    // QAA = QBB = 1; QAA's PCNs that year are U1 and U9 (no row: 0), so U1 = 1; QBB's are U2 and U9: U2 = 1.
    const row = (level: string, code: string, episodes: number | '*') =>
      ({ level, code, period_type: 'fy', period: '2025/26', contacts: 20, episodes }) as MetricRow;
    const distribution = (rows: MetricRow[]) =>
      ({ name: 'contacts_distribution', keys: ['contacts'], rows }) as unknown as MetricDocument;
    const rows = [
      row('national', 'ENG', 2),
      row('region', 'Y56', '*'),
      row('icb', 'QAA', '*'),
      row('icb', 'QBB', '*'),
      row('pcn', 'U1', '*'),
      row('pcn', 'U2', '*'),
    ];
    const found = (docRows: MetricRow[]) =>
      scanPublished([distribution(docRows)], parentsFrom(REFERENCE, META), SCAN_SPEC).sort();
    expect(found(rows)).toEqual(
      ['icb QAA', 'icb QBB', 'pcn U1', 'pcn U2', 'region Y56'].map(
        (area) =>
          `contacts_distribution ${area} 2025/26 20: episodes = * is recovered exactly from the figures beside it`,
      ),
    );
    // England 3: Y56, the only region, is still England's 3; QAA and QBB are 1 or 2 (U1, U2 likewise).
    expect(found([row('national', 'ENG', 3), ...rows.slice(1)])).toEqual([
      'contacts_distribution region Y56 2025/26 20: episodes = * is recovered exactly from the figures beside it',
    ]);
  });
});

describe('the disclosure scan across documents', () => {
  // SCAN_SPEC's own cross-document rules, over one count of each document.
  const ACROSS: ScanSpec = {
    counts: { rollout: ['referrals'], pcn_comparison: ['referrals'], equity: ['people_referred'] },
    rates: {},
    shared: SCAN_SPEC.shared?.filter((s) => s.source === 'rollout'),
    groupsOfPcns: SCAN_SPEC.groupsOfPcns,
  };
  const pcnComparison = (rows: MetricRow[]): MetricDocument =>
    ({ name: 'pcn_comparison', keys: [], rows }) as unknown as MetricDocument;
  const both = (compared: number | '*', shown: number | '*') =>
    scanPublished(
      [rollout([fy('pcn', 'U1', shown)]), pcnComparison([fy('pcn', 'U1', compared)])],
      () => undefined,
      ACROSS,
    );

  it('finds a count rounded in one document where the document sharing it suppresses it (review, finding 2)', () => {
    expect(both(10, '*')).toEqual([
      'pcn_comparison pcn U1 fy 2025/26: referrals = 10 where rollout publishes the same count as referrals = *',
    ]);
  });

  it('finds nothing where both documents publish the same cell', () => {
    expect(both('*', '*')).toEqual([]);
    expect(both(10, 10)).toEqual([]);
  });

  it("reads England's PCN-deprivation quintile rows as counts below England (review, finding 3)", () => {
    const equity = {
      name: 'equity',
      keys: ['dimension', 'group'],
      rows: [
        {
          level: 'national',
          code: 'ENG',
          period_type: 'fy',
          period: '2025/26',
          dimension: 'pcn_imd_quintile',
          group: '1',
          people_referred: 17,
        },
        {
          level: 'national',
          code: 'ENG',
          period_type: 'fy',
          period: '2025/26',
          dimension: 'sex',
          group: 'female',
          people_referred: 17,
        },
      ],
    } as unknown as MetricDocument;
    expect(scanPublished([equity], () => undefined, ACROSS)).toEqual([
      'equity group_of_pcns ENG 2025/26 pcn_imd_quintile 1: count people_referred = 17',
    ]);
  });
});

describe("the disclosure scan's reading of a total `*` beside its people's (cof_system)", () => {
  // QAA's PCNs in May 2024: U1-U4.
  const reference = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U1,A,QAA,ICB A,Y56,London,1000,2019-04-01,
U2,B,QAA,ICB A,Y56,London,1000,2019-04-01,
U3,C,QAA,ICB A,Y56,London,1000,2019-04-01,
U4,D,QAA,ICB A,Y56,London,1000,2019-04-01,
`;
  const meta = { icbs: [{ code: 'QAA', parent: 'Y56' }] };
  const row = (level: string, code: string, people: number | '*', after: number | '*'): MetricRow =>
    ({
      level,
      code,
      period_type: 'month',
      period: '2024-05',
      service: 'ae_attendance',
      baseline_band: 'all',
      people,
      before_total: null,
      after_total: after,
    }) as unknown as MetricRow;
  const scan = (rows: MetricRow[]) =>
    scanPublished(
      [{ name: 'cof_system', keys: ['service', 'baseline_band'], rows } as unknown as MetricDocument],
      parentsFrom(reference, meta),
      // No PCN rows beside England's here: the rule for a service few PCNs supply is tested below and in
      // england-key-few-pcns.test.ts.
      { ...SCAN_SPEC, pcnKeys: {} },
    );

  it('does not take a suppressed after_total as 1 to 7 attendances: an ICB over PCNs that only then add up is no finding', () => {
    // QAA 40 (38-42) over 10 and 10 (8-12 each) and U3's and U4's `*` beside 1 to 7 people: taken as 1 to 7, 24 + 14
    // = 38 pins every figure (the national release's QOC 2024-05 after_total 260 had this shape: 7 PCNs at 230 in all,
    // 216-244, and two `*`); their attendances after referral are any number, so nothing is pinned.
    const rows = [
      row('icb', 'QAA', 35, 40),
      row('pcn', 'U1', 10, 10),
      row('pcn', 'U2', 10, 10),
      row('pcn', 'U3', '*', '*'),
      row('pcn', 'U4', '*', '*'),
    ];
    expect(scan(rows)).toEqual([]);
    // The same figures as counts of people (a `*` of 1 to 7) are still pinned: the reading changed for totals only.
    const people = rows.map((r) => ({ ...r, people: r.after_total, after_total: null }) as unknown as MetricRow);
    expect(scan(people)).toEqual(
      [
        ['icb QAA', 40],
        ['pcn U1', 10],
        ['pcn U2', 10],
        ['pcn U3', '*'],
        ['pcn U4', '*'],
      ].map(
        ([area, value]) =>
          `cof_system ${area} 2024-05 ae_attendance all: people = ${value} is recovered exactly from the figures beside it`,
      ),
    );
  });

  it('still finds a suppressed after_total recovered exactly: England exact beside the other region at 0', () => {
    const region = (code: string, people: number | '*', after: number | '*') => row('region', code, people, after);
    // England's 57 (exact) = Y56's `*` + Y58's 0: Y56's after_total is 57, whatever a total `*` may hide.
    expect(scan([row('national', 'ENG', 60, 57), region('Y56', '*', '*'), region('Y58', 10, 0)])).toEqual([
      'cof_system area|ENG|month|2024-05|ae_attendance|all people: one suppressed part (Y56 2024-05) beside a published total',
      'cof_system area|ENG|month|2024-05|ae_attendance|all after_total: one suppressed part (Y56 2024-05) beside a published total',
      'cof_system region Y56 2024-05 ae_attendance all: after_total = * is recovered exactly from the figures beside it',
    ]);
  });
});

describe("the disclosure scan's England rows of a key a PCN determines (review 28, R28-5)", () => {
  const reference = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U1,A,QAA,ICB A,Y56,London,1000,2019-04-01,
U2,B,QAA,ICB A,Y56,London,1000,2019-04-01,
U3,C,QAA,ICB A,Y56,London,1000,2019-04-01,
`;
  const meta = { icbs: [{ code: 'QAA', parent: 'Y56' }] };
  const row = (level: string, code: string, instrument: string, people: number | '*' | null): MetricRow =>
    ({ level, code, period_type: 'month', period: '2024-10', instrument, people, improved: 0 }) as unknown as MetricRow;
  const scan = (rows: MetricRow[]) =>
    scanPublished(
      [{ name: 'wellbeing', keys: ['instrument'], rows } as unknown as MetricDocument],
      parentsFrom(reference, meta),
      { ...SCAN_SPEC, means: {}, rates: {} },
    ).filter((problem) => problem.includes('a key a PCN determines'));

  it("finds England's figures of an instrument shown used by fewer than 3 PCNs, not one of 3", () => {
    // WEMWBS: England's 3 people beside U1's `*` and no other PCN row (withheld or none): U1's own, if it is the one.
    expect(scan([row('national', 'ENG', 'wemwbs', 3), row('pcn', 'U1', 'wemwbs', '*')])).toEqual([
      "wellbeing national ENG 2024-10 wemwbs: England's figures of a key a PCN determines beside 1 PCNs using it",
    ]);
    // Beside three PCNs' `*` (a `*` may hide 0, so counted as a use: the scan reads what a reader sees), and held
    // (no figure), nothing.
    const three = ['U1', 'U2', 'U3'].map((code) => row('pcn', code, 'wemwbs', '*'));
    expect(scan([row('national', 'ENG', 'wemwbs', 12), ...three])).toEqual([]);
    expect(scan([row('national', 'ENG', 'wemwbs', null)])).toEqual([]);
  });
});
