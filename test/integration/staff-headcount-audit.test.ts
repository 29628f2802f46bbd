import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
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
 * The year (the mean of its months) is not audited: with one month of snapshots it is the month's figures again
 * (a gap this test does not cover; review 28 follow-up).
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
        withheld: [{ period_type: 'month', period: '2025-06', levels: ['region', 'icb', 'pcn'] }],
      },
    });
  });

  it('the disclosure scan (month headcounts in its equations) finds nothing recovered', () => {
    expect(disclosureFindings().filter((f) => f.includes('workforce'))).toEqual([]);
  });

  it("the scan reads month headcounts: June's rows shown as before the audit (its year's, one month) pin Y58's `*` to 1", () => {
    const workforce = docs.get('workforce') as MetricDocument;
    const june = workforce.rows
      .filter((r) => r.level !== 'national' && r.period === '2025/26')
      .map((r) => ({ ...r, period_type: 'month' as const, period: '2025-06' }));
    const shown = { ...workforce, rows: [...workforce.rows, ...june], summary: {} };
    const findings = findingsOf(new Map([...docs, ['workforce', shown]]), REF);
    expect(findings.some((f) => f.includes('region Y58 2025-06') && f.includes('hwbc_headcount = *'))).toBe(true);
  });
});
