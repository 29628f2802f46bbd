import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { heldPeriodsOf, parentsFrom, SCAN_SPEC, type ScanSpec, scanPublished } from '../support/disclosure-scan.ts';

/*
 * How the scan reads months withheld below England (England's row of the month, none below it) and a count one
 * document publishes as another's (workforce's people referred, rollout's), worked by hand.
 */

// Two regions, one ICB each, no PCNs: the rows below are regions' and ICBs'.
const REFERENCE = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n';
const META = {
  icbs: [
    { code: 'QAA', parent: 'Y56' },
    { code: 'QCC', parent: 'Y58' },
  ],
};
const SPEC: ScanSpec = {
  counts: { cof_community: ['connections'] },
  monthly: { cof_community: ['connections'] },
  rates: {},
};
const row = (level: string, code: string, period: string, connections: number | '*'): MetricRow =>
  ({ level, code, period_type: period.includes('/') ? 'fy' : 'month', period, connections }) as MetricRow;
const scan = (rows: MetricRow[], heldIn?: string) =>
  scanPublished(
    [{ name: 'cof_community', keys: [], rows } as unknown as MetricDocument],
    parentsFrom(REFERENCE, META),
    SPEC,
    // England's November and December held by the revisions policy in one document (meta.json's revisions_held)
    heldIn === undefined
      ? undefined
      : heldPeriodsOf({ revisions_held: { documents: { [heldIn]: { periods: ['2025-11', '2025-12'] } } } }),
  ).sort();

describe("the disclosure scan's reading of months withheld below England", () => {
  // QAA's 2025/26 460 (458-462) beside its other months 200 (198-202) and 235 (233-237): November and December,
  // withheld below England, are 458 - 439 = 19 to 462 - 431 = 31 together (a 2% demo's ICB QE1: 460 - 435 = 25).
  const icb = [row('icb', 'QAA', '2025/26', 460), row('icb', 'QAA', '2025-04', 200), row('icb', 'QAA', '2025-05', 235)];

  it('finds nothing where two months withheld stand beside a year: each is its own unseen part, as the publisher counts them', () => {
    // England's November 30 and December 20: QAA's November is 0 to 30 and its December 0 to 20 (19 to 31 together):
    // neither is one value, as two `*` PCNs beside their ICB's figure are not (secondary suppression's rule).
    // Before: the two months were one unseen part, "one suppressed part (QAA 2025/26)".
    expect(scan([row('national', 'ENG', '2025-11', 30), row('national', 'ENG', '2025-12', 20), ...icb])).toEqual([]);
  });

  it("finds the other month alone where England's figure of one of them is 0 (every area's is 0 then), and names it", () => {
    // England's December 0: QAA's December is 0, so its November is the year less its other months (19 to 30).
    expect(scan([row('national', 'ENG', '2025-11', 30), row('national', 'ENG', '2025-12', 0), ...icb])).toEqual([
      'cof_community period|icb|QAA|2025/26| connections: one suppressed part (QAA 2025-11 withheld) beside a published total',
    ]);
  });

  it("reads England's months held in another document only as this release's: withheld below England here", () => {
    // As above: held in workforce alone, cof_community's England rows of the months are this release's figures.
    const rows = [row('national', 'ENG', '2025-11', 30), row('national', 'ENG', '2025-12', 0), ...icb];
    expect(scan(rows, 'workforce')).toEqual([
      'cof_community period|icb|QAA|2025/26| connections: one suppressed part (QAA 2025-11 withheld) beside a published total',
    ]);
    // Held in cof_community itself: its England months are an earlier release's values, no figure of this release.
    expect(scan(rows, 'cof_community')).toEqual([]);
  });

  // England's November 4 and its December as given, beside Y56's year and months and Y58's `*`.
  const pinned = (december: number) => [
    row('national', 'ENG', '2025-11', 4),
    row('national', 'ENG', '2025-12', december),
    row('region', 'Y56', '2025/26', 60),
    row('region', 'Y56', '2025-04', 20),
    row('region', 'Y56', '2025-05', 15),
    row('region', 'Y58', '2025/26', '*'),
    row('region', 'Y58', '2025-04', '*'),
  ];

  it("finds withheld months pinned by England's exact figures of them and the year less the other months", () => {
    // England's November 4 and December 15 (exact) are Y56's and Y58's together, so Y56's November is 0 to 4 and its
    // December 0 to 15: 19 at most together. Y56's year 60 (58-62) less April 20 (18-22) and May 15 (13-17) is at
    // least 58 - 22 - 17 = 19: so exactly 19, November 4 and December 15 (all of England's), the year 58, April 22
    // and May 17. Y58 (a year `*` beside April `*`, each read 1 to 7) then had none in either month, which is no count
    // of anyone (a `*` pinned to 0 is not counted). Before: the months were one part of 19 to 31, found as "one
    // suppressed part (Y56 2025/26)" and never pinned. A withheld month found is named by its area and month, `= *`
    // (the document has no row of it).
    expect(scan(pinned(15))).toEqual(
      [
        'region Y56 2025/26 : connections = 60',
        'region Y56 2025-04 : connections = 20',
        'region Y56 2025-05 : connections = 15',
        'region Y56 2025-11 : connections = *',
        'region Y56 2025-12 : connections = *',
      ]
        .map((cell) => `cof_community ${cell} is recovered exactly from the figures beside it`)
        .sort(),
    );
    // England's December 16 instead: Y56's months are 19 to 20 together (November 3 or 4, December 15 or 16), the
    // year 58 or 59: nothing is one value.
    expect(scan(pinned(16))).toEqual([]);
  });

  it("still reads the months withheld as unseen parts of the year when it reads without England's rows (R29-1)", () => {
    // A 25% dump's PCN U00203, activity_nature_green, as a region: 2025/26 published 65 (63-67) over its months shown,
    // June 15 (13-17), July `*` (1-7), August 20 (18-22) and September 15 (13-17); April and May withheld below
    // England (England's 20 and 150). Exact, as U00203's 2024/25 in the dump: April 2, May 7, June 14, July 9 (a
    // secondary `*`), August 18, September 16, the year 66; Y58 (its year 160, 158-162, no month shown) April 18 and
    // May 143. Read with April and May as 0, Y56's months are at most 17 + 7 + 22 + 17 = 63, the year's least:
    // "pinned" at 63, 17, 7, 22 and 17, none of them the exact value. The months withheld are unseen parts: Y56's
    // April and May together are 20 + 150 less Y58's 158 to 162, 8 to 12, so its months shown 51 to 59 of their 45 to
    // 63: none of them one value, nor either month withheld. Before: the reading without England's rows (review 29,
    // R29-1) dropped England's rows of the months withheld with the rest, so it saw no month withheld and reported
    // those five cells (5,155 such cof_community cells in the 25% dump's documents, 3,958 of them not the exact value).
    expect(
      scan([
        row('national', 'ENG', '2025-04', 20),
        row('national', 'ENG', '2025-05', 150),
        row('region', 'Y56', '2025/26', 65),
        row('region', 'Y56', '2025-06', 15),
        row('region', 'Y56', '2025-07', '*'),
        row('region', 'Y56', '2025-08', 20),
        row('region', 'Y56', '2025-09', 15),
        row('region', 'Y58', '2025/26', 160),
      ]),
    ).toEqual([]);
  });
});

describe("the disclosure scan's reading of workforce's people referred (rollout's count)", () => {
  // Y58's seven ICBs (a 2% demo's South West: QJK and six others).
  const icbs = ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7'];
  const meta = { icbs: [{ code: 'QAA', parent: 'Y56' }, ...icbs.map((code) => ({ code, parent: 'Y58' }))] };
  const year = (level: string, code: string, people: number | '*') =>
    ({
      level,
      code,
      period_type: 'fy',
      period: '2026/27',
      people_referred: people,
      splw_headcount: null,
      splw_accredited: null,
      splw_headcount_training_known: null,
      hwbc_headcount: null,
      cc_headcount: null,
    }) as unknown as MetricRow;

  it('does not read a `*` of a year rollout withheld below England as 1 to 7: no region pinned at 7 over seven ICBs at 1', () => {
    // Rollout withheld 2026/27 below England (England's 51,118 alone); workforce publishes the same count
    // (publishSameAs) and, where rollout has no row, shows `*` for any count above 0. Read as workforce's own counts
    // of 1 to 7, Y58's `*` over its seven ICBs' `*` "was" 7 and each ICB 1 (a sealed equation): 8 cells the 2% demo's
    // scan reported, none of them the exact value. Its equations are not a reader's either (workforce lists the areas
    // that sent a snapshot), so the count is read in rollout, and checked the same in both (sharedProblems).
    const rollout = {
      name: 'rollout',
      keys: [],
      rows: [{ level: 'national', code: 'ENG', period_type: 'fy', period: '2026/27', people_referred: 51_118 }],
    } as unknown as MetricDocument;
    const workforce = {
      name: 'workforce',
      keys: [],
      rows: [
        year('national', 'ENG', 51_118),
        year('region', 'Y56', '*'),
        year('region', 'Y58', '*'),
        ...icbs.map((code) => year('icb', code, '*')),
      ],
    } as unknown as MetricDocument;
    expect(scanPublished([rollout, workforce], parentsFrom(REFERENCE, meta), SCAN_SPEC)).toEqual([]);
  });
});
