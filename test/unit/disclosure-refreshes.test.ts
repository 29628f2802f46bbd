import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { buildDocument } from '../../functions/refresh/refresh.ts';

/*
 * Disclosure across refreshes. A year's workforce figure is the mean of its monthly snapshots to date
 * (sql/metrics/workforce.sql), and people keep earlier documents (PDF packs, downloads). One PCN, U1: April to August
 * 9 link workers each month (FTE 7.1, 7.3, 7.9, 7.2, 7.4), September 6 people, 4.6 FTE. August's refresh publishes
 * the year to date (5 months, FTE 36.9 / 5 = 7.38); September's suppresses September (6 people) but publishes the
 * year (mean headcount 51 / 6 = 8.5, 8 or more), FTE 41.5 / 6 = 6.9166...
 * To 2 decimals, 6 x 6.92 - 5 x 7.38 = 4.62: September's FTE of 6 people. Rounded to 5 it must say nothing.
 */
const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce');
if (!WORKFORCE) throw new Error('no workforce metric in the catalogue');

const MONTHS = [
  ['2025-04', 9, 7.1],
  ['2025-05', 9, 7.3],
  ['2025-06', 9, 7.9],
  ['2025-07', 9, 7.2],
  ['2025-08', 9, 7.4],
  ['2025-09', 6, 4.6],
] as const;
const LIST_SIZE = 50_000;
const REFERRED = 120;

/** A row as sql/metrics/workforce.sql returns it: link workers only. */
const staffRow = (
  level: string,
  code: string,
  period: string,
  months: number,
  headcount: number,
  fte: number,
): Row => ({
  level,
  code,
  period_type: period.includes('/') ? 'fy' : 'month',
  period,
  months,
  pcns_reporting: 1,
  pcns_with_link_worker: 1,
  pcns_with_headcount: 1,
  pcns_with_training: 0,
  pcns_with_vacancies: 0,
  splw_headcount: headcount,
  splw_fte: fte,
  splw_accredited: null,
  splw_headcount_training_known: null,
  splw_vacancies_fte: null,
  hwbc_headcount: null,
  hwbc_fte: 0,
  cc_headcount: null,
  cc_fte: 0,
  list_size: LIST_SIZE,
  list_size_reporting: LIST_SIZE,
  pcns: 1,
  referral_months: months,
  people_referred: period.includes('/') ? REFERRED : null,
  // The one PCN sent its snapshots, so its people are the caseload's (workforce.sql).
  pcns_referring_without_snapshot: period.includes('/') ? 0 : null,
  pcns_staffed_before_onboarding: period.includes('/') ? 0 : null,
  pcns_staffed_after_reporting: period.includes('/') ? 0 : null,
  // It sent a snapshot for every month it reported (review 26, R26-2).
  pcns_missing_snapshot_months: 0,
});

/** The workforce document a refresh publishes with the first `upTo` months of the year in. */
function refreshWith(upTo: number, level = 'pcn', code = 'U1'): MetricDocument {
  const months = MONTHS.slice(0, upTo);
  const mean = (i: 1 | 2) => months.reduce((s, m) => s + m[i], 0) / months.length;
  const rows = [
    ...months.map(([period, headcount, fte]) => staffRow(level, code, period, 1, headcount, fte)),
    staffRow(level, code, '2025/26', months.length, mean(1), mean(2)),
  ];
  return buildDocument(WORKFORCE as NonNullable<typeof WORKFORCE>, rows, {
    targets: DEFAULT_TARGETS,
    medianContacts: new Map(),
    generatedAt: '2025-10-05T06:00:00.000Z',
    dataAsOf: `${MONTHS[upTo - 1]?.[0]}-30`,
    parentOf: () => [],
  });
}

const byPeriod = (doc: MetricDocument) => Object.fromEntries(doc.rows.map((r: MetricRow) => [r.period, r]));

/** The interval a published figure stands for: to 2 decimals +-0.005, rounded to 5 +-2.5. */
const interval = (published: number, half: number) => [published - half, published + half] as const;

/**
 * September's FTE as 6 x September's year to date - 5 x August's, in interval arithmetic over what the two documents
 * publish (each figure within +-half of its published value).
 */
function recovered(august: number, september: number, half: number): readonly [number, number] {
  const [a0, a1] = interval(august, half);
  const [s0, s1] = interval(september, half);
  return [6 * s0 - 5 * a1, 6 * s1 - 5 * a0];
}

describe('the workforce FTE across two refreshes (the year to date is a mean of months)', () => {
  it('to 2 decimals, as England is published, the difference gives September within a tenth of an FTE', () => {
    // The same months published for England, exactly (2 decimals): 7.38 in August, 6.92 in September. This is what
    // every level published before FTE was rounded below England: 6 x 6.92 - 5 x 7.38 = 4.62 (+-0.055).
    const august = byPeriod(refreshWith(5, 'national', 'ENG'))['2025/26']?.splw_fte as number;
    const september = byPeriod(refreshWith(6, 'national', 'ENG'))['2025/26']?.splw_fte as number;
    expect([august, september]).toEqual([7.38, 6.92]);
    const [low, high] = recovered(august, september, 0.005);
    expect([low, high].map((v) => Number(v.toFixed(3)))).toEqual([4.565, 4.675]);
    expect(high - low).toBeLessThan(1); // within one person's FTE: the leak the reviewer found
  });

  it("below England, September's FTE cannot be recovered: the difference is uncertain by more than 7 people's FTE", () => {
    const august = byPeriod(refreshWith(5));
    const september = byPeriod(refreshWith(6));
    // August: every month published, headcount 9 -> 10 and FTE rounded to 5 (7.1, 7.2, 7.3, 7.4 -> 5; 7.9 -> 10);
    // the year to date 9 people, FTE 7.38 -> 5.
    expect(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025/26'].map((p) => august[p]?.splw_fte)).toEqual([
      5, 5, 10, 5, 5, 5,
    ]);
    expect(august['2025/26']?.splw_headcount).toBe(10);
    // September: its 6 people suppressed, and April (the first of the smallest) as the months' second cell; the year
    // to date, a mean headcount of 8.5 (-> 10), is published: FTE 6.9166... -> 5.
    expect(
      ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025/26'].map((p) => [
        september[p]?.splw_headcount,
        september[p]?.splw_fte,
      ]),
    ).toEqual([
      ['*', '*'],
      [10, 5],
      [10, 10],
      [10, 5],
      [10, 5],
      ['*', '*'],
      [10, 5],
    ]);
    // 6 x [2.5, 7.5] - 5 x [2.5, 7.5] = [15 - 37.5, 45 - 12.5] = [-22.5, 32.5]: 55 FTE wide, holding every FTE from
    // 0 to 7 that a suppressed cell of 1 to 7 people could have. The reviewer's 4.62 is no longer there to find.
    const [low, high] = recovered(august['2025/26']?.splw_fte as number, september['2025/26']?.splw_fte as number, 2.5);
    expect([low, high]).toEqual([-22.5, 32.5]);
    expect(high - low).toBeGreaterThan(2 * 7);
    // The same through August's published months: 6 x [2.5, 7.5] - (5 + 5 + 10 + 5 + 5 +- 5 x 2.5)
    // = [15 - 42.5, 45 - 17.5] = [-27.5, 27.5].
    const months = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08'].map((p) => august[p]?.splw_fte as number);
    const sum = months.reduce((s, v) => s + v, 0);
    const [s0, s1] = interval(september['2025/26']?.splw_fte as number, 2.5);
    expect([6 * s0 - (sum + 5 * 2.5), 6 * s1 - (sum - 5 * 2.5)]).toEqual([-27.5, 27.5]);
  });

  it('FTE per 10,000 and caseload come from the rounded FTE below England, from the exact FTE for England', () => {
    const pcn = byPeriod(refreshWith(6))['2025/26'];
    // 5 FTE / 50,000 patients x 10,000 = 1; 120 referred / 5 FTE = 24, and a year: 24 x 12 / 6 months = 48.
    expect([pcn?.splw_fte_per_10000, pcn?.caseload, pcn?.caseload_annualised]).toEqual([1, 24, 48]);
    const england = byPeriod(refreshWith(6, 'national', 'ENG'))['2025/26'];
    // England exact: 41.5 / 6 = 6.916... -> 6.92 (2 decimals); 6.9167 / 50,000 x 10,000 = 1.38; 120 / 6.9167 = 17.35
    // -> 17; a year 17.35 x 2 = 34.7 -> 35.
    expect([england?.splw_fte, england?.splw_fte_per_10000, england?.caseload, england?.caseload_annualised]).toEqual([
      6.92, 1.38, 17, 35,
    ]);
  });
});
