import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import {
  disclosureFindings as findingsOf,
  type GoldenEvent,
  goldenReference,
  referralEvent,
} from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 28, R28-4: a month's staff headcounts are whole people adding up exactly over areas (England = its regions =
 * their ICBs = their PCNs), and were never audited. Four PCNs, each with 20 referrals and a June 2025 snapshot of 10
 * link workers (8.0 FTE, 9 trained): U00001 (QAA) 7 health and wellbeing coaches, U00002 (QAB) 1, both in Y56;
 * U00003 (QBB, Y58) 1; U00004 (QCC, Y59) 1. England's June coaches, 7 + 1 + 1 + 1 = 10, pass the period's rules (4
 * PCNs, the rest after the two largest 2 >= 10% of 7, 10 above 4). Y56's 8 rounds to 10 (8 to 12), and Y58 and Y59 are
 * `*` (1 to 7 each): 10 less 8 to 12 leaves Y58 + Y59 at most 2, so each is exactly 1, and so are QBB, QCC, U00003 and
 * U00004 below them; and Y56 is 10 less 2 at least, so exactly 8. Audited as counts in the month rows, the only count
 * left to suppress is Y56's own, itself pinned: June's rows below England are withheld (England's figures published).
 * A year's staff figures are the mean of its months; 2025/26 here has June's snapshots alone, so its rows are June's
 * figures again (months 1), and were published below England unaudited: Y56's 10 and Y58's, Y59's `*` beside England's
 * exact 10, the same pins (wfdisc28's note). A year of one month is now audited as its month is: its rows below England
 * are withheld too.
 */
const REF = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAB', 'Y56'],
  ['U00003', 'QBB', 'Y58'],
  ['U00004', 'QCC', 'Y59'],
]);
const COACHES: Record<string, number> = { U00001: 7, U00002: 1, U00003: 1, U00004: 1 };
const uploads: Record<string, GoldenEvent[]> = {};
for (const pcn of Object.keys(COACHES))
  uploads[`${pcn}-2025-06.csv`] = Array.from({ length: 20 }, (_, i) =>
    referralEvent(pcn, `${pcn}-06-${i}`, `2025-06-1${i % 9}`),
  );
const header = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const snapshot = (pcn: string) =>
  `${header}\n${pcn},2025-06,splw,10,8.0,9,\n${pcn},2025-06,hwbc,${COACHES[pcn]},${(COACHES[pcn] as number) * 0.5},,\n`;
const { docs, disclosureFindings } = goldenProgramme('staff-headcount-audit', {
  uploads,
  otherFiles: Object.fromEntries(Object.keys(COACHES).map((pcn) => [`${pcn}-workforce.csv`, snapshot(pcn)])),
  reference: REF,
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});

const row = (level: string, code: string, period: string) =>
  docs.get('workforce')?.rows.find((r) => r.level === level && r.code === code && r.period === period);

describe("a month's staff headcounts are audited as counts (review 28, R28-4)", () => {
  it("England's June coaches are published, 7 + 1 + 1 + 1 = 10, and its link workers 4 x 10 = 40", () => {
    expect(row('national', 'ENG', '2025-06')).toMatchObject({ hwbc_headcount: 10, splw_headcount: 40 });
  });

  it("June's rows below England are withheld: Y56's 10 and England's 10 pin Y56 to 8 and Y58, Y59 to 1, and no other count is left to suppress", () => {
    expect(row('region', 'Y56', '2025-06')).toBeUndefined();
    expect(row('pcn', 'U00003', '2025-06')).toBeUndefined();
    expect(docs.get('workforce')?.summary).toMatchObject({
      withheld_below_england: {
        withheld: expect.arrayContaining([
          { period_type: 'month', period: '2025-06', levels: ['region', 'icb', 'pcn'] },
        ]),
      },
    });
  });

  it("2025/26, June's snapshots alone (months 1), is June's figures again: audited as June is, its rows below England withheld", () => {
    expect(row('national', 'ENG', '2025/26')).toMatchObject({ months: 1, hwbc_headcount: 10, splw_headcount: 40 });
    expect(row('region', 'Y56', '2025/26')).toBeUndefined();
    expect(row('region', 'Y58', '2025/26')).toBeUndefined();
    expect(row('pcn', 'U00004', '2025/26')).toBeUndefined();
    const summary = (docs.get('workforce') as MetricDocument).summary as {
      withheld_below_england: { withheld: unknown[] };
    };
    expect(summary.withheld_below_england.withheld).toContainEqual({
      period_type: 'fy',
      period: '2025/26',
      levels: ['region', 'icb', 'pcn'],
    });
  });

  it('the disclosure scan (month headcounts in its equations) finds nothing recovered', () => {
    expect(disclosureFindings().filter((f) => f.includes('workforce'))).toEqual([]);
  });

  it("the scan reads month headcounts: June's region rows as they would be shown unaudited (Y56 10, Y58 and Y59 `*`) pin Y58's `*` to 1", () => {
    const workforce = docs.get('workforce') as MetricDocument;
    const england = workforce.rows.find((r) => r.level === 'national' && r.period === '2025-06') as MetricRow;
    // Hand-built from the snapshots: Y56 two PCNs (20 link workers, 18 trained, 16.0 FTE; coaches 7 + 1 = 8, 4.0 FTE),
    // Y58 and Y59 one each (10, 9, 8.0; 1 coach, 0.5 FTE): counts rounded to 5, 1-7 `*`, an FTE of fewer than 8 `*`.
    const region = (code: string, splw: number, fte: number, coaches: number | '*', coachFte: number | '*') => ({
      ...england,
      level: 'region' as const,
      code,
      pcns_reporting: splw / 10,
      splw_headcount: splw,
      splw_fte: fte,
      splw_accredited: splw,
      splw_headcount_training_known: splw,
      hwbc_headcount: coaches,
      hwbc_fte: coachFte,
    });
    const june = [region('Y56', 20, 15, 10, 5), region('Y58', 10, 10, '*', '*'), region('Y59', 10, 10, '*', '*')];
    const shown = { ...workforce, rows: [...workforce.rows, ...june], summary: {} };
    const findings = findingsOf(new Map([...docs, ['workforce', shown]]), REF);
    expect(findings.some((f) => f.includes('region Y58 2025-06') && f.includes('hwbc_headcount = *'))).toBe(true);
  });
});
