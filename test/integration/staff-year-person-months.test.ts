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
 * Review 32, R32-1: a year of two or more months of staff snapshots was not audited (a year's headcount is the mean of
 * its months), but where an area's months are known (`months` is published in every row) its mean x months is its
 * person-months, whole people-months adding up over areas exactly as a month's headcounts do.
 *
 * Four PCNs, each with 20 referrals in June and in July 2025 and a snapshot of each month: 10 link workers (8.0 FTE,
 * 9 trained) and health and wellbeing coaches U00001 (QAA, Y56) 7 and 7, U00002 (QAB, Y56) 1 and 1, U00003 (QBB, Y58)
 * 1 and 0, U00004 (QCC, Y59) 0 and 1. England's coaches are 9 in June and 9 in July.
 *
 * 2025/26 (every area months 2), worked by hand: England 18 person-months, mean 9 (exact). Y56 7 + 7 + 1 + 1 = 16
 * person-months, mean 8, shown as 10; Y58 1 (mean 0.5) and Y59 1 (0.5) shown `*`. A shown 10 is a mean of 8 to under
 * 12.5 (below 8 it would be `*`), 16 to 24 person-months; a `*` is a mean above 0 and under 8, 1 to 15 person-months.
 * 18 = Y56 + Y58 + Y59 with Y58, Y59 at least 1 leaves Y56 at most 16, so Y56 is exactly 16 (mean 8.0) and Y58 = Y59
 * = 1 person-month (mean 0.5) each: the year publishes what the audit of June and July protected.
 *
 * Audited as person-months, the nearest published non-zero count to Y58's pinned `*` is Y56's 10 (in England's
 * family with it): suppressed, England's 18 over three `*` of 1 to 15 each pins nothing (each is 18 less at most 30).
 * Y56's coach FTE goes with its headcount. The link workers (20, 10, 10 a month) are not small and stay.
 */
const REF = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAB', 'Y56'],
  ['U00003', 'QBB', 'Y58'],
  ['U00004', 'QCC', 'Y59'],
]);
const COACHES: Record<string, readonly [number, number]> = {
  U00001: [7, 7],
  U00002: [1, 1],
  U00003: [1, 0],
  U00004: [0, 1],
};
const MONTHS = ['2025-06', '2025-07'] as const;
const uploads: Record<string, GoldenEvent[]> = {};
for (const pcn of Object.keys(COACHES))
  for (const month of MONTHS)
    uploads[`${pcn}-${month}.csv`] = Array.from({ length: 20 }, (_, i) =>
      referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-1${i % 9}`),
    );
const header = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const snapshot = (pcn: string) =>
  `${header}\n${MONTHS.map((month, m) => {
    const coaches = (COACHES[pcn] as readonly [number, number])[m] as number;
    return `${pcn},${month},splw,10,8.0,9,\n${pcn},${month},hwbc,${coaches},${coaches * 0.5},,\n`;
  }).join('')}`;
const { docs, disclosureFindings } = goldenProgramme('staff-year-person-months', {
  uploads,
  otherFiles: Object.fromEntries(Object.keys(COACHES).map((pcn) => [`${pcn}-workforce.csv`, snapshot(pcn)])),
  reference: REF,
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 240_000,
});

const row = (level: string, code: string, period: string) =>
  docs.get('workforce')?.rows.find((r) => r.level === level && r.code === code && r.period === period);

describe('a staff year of two months is audited as person-months (review 32, R32-1)', () => {
  it("England's 2025/26 coaches are published: a mean of 9 over 2 months (18 person-months)", () => {
    expect(row('national', 'ENG', '2025/26')).toMatchObject({ months: 2, hwbc_headcount: 9, splw_headcount: 40 });
  });

  it("Y56's 2025/26 coaches (16 person-months, shown 10, pinned by England's 18 less Y58's and Y59's `*`) are `*`, with their FTE", () => {
    expect(row('region', 'Y56', '2025/26')).toMatchObject({ months: 2, hwbc_headcount: '*', hwbc_fte: '*' });
    expect(row('region', 'Y58', '2025/26')).toMatchObject({ months: 2, hwbc_headcount: '*' });
    expect(row('region', 'Y59', '2025/26')).toMatchObject({ months: 2, hwbc_headcount: '*' });
  });

  it('the disclosure scan finds nothing recovered', () => {
    expect(disclosureFindings().filter((f) => f.includes('workforce'))).toEqual([]);
  });

  it("the scan reads a year's headcounts as person-months: 2025/26 shown as before the fix (Y56 10, Y58 and Y59 `*`) pins Y58's and Y59's `*` and Y56's 10", () => {
    const workforce = docs.get('workforce') as MetricDocument;
    const year = (r: MetricRow) => r.period === '2025/26';
    // Hand-built: the 2025/26 rows below England as published before the fix. Link workers: Y56 2 PCNs (20, 18
    // trained, 16.0 FTE, shown 20, 20, 15), Y58 and Y59 one each (10, 9, 8.0: 10, 10, 10); coaches Y56 mean 8 (10,
    // FTE 4.0 of 8 people: 5), Y58 and Y59 mean 0.5 (`*`, FTE `*`).
    const england = workforce.rows.find((r) => r.level === 'national' && year(r)) as MetricRow;
    const region = (code: string, splw: number, fte: number, coaches: number | '*', coachFte: number | '*') => ({
      ...england,
      level: 'region' as const,
      code,
      months: 2,
      pcns_reporting: splw / 10,
      splw_headcount: splw,
      splw_fte: fte,
      splw_accredited: splw,
      splw_headcount_training_known: splw,
      hwbc_headcount: coaches,
      hwbc_fte: coachFte,
    });
    const shownYear = [region('Y56', 20, 15, 10, 5), region('Y58', 10, 10, '*', '*'), region('Y59', 10, 10, '*', '*')];
    const rows = [...workforce.rows.filter((r) => !(year(r) && r.level !== 'national')), ...shownYear];
    const shown = { ...workforce, rows, summary: {} };
    const findings = findingsOf(new Map([...docs, ['workforce', shown]]), REF);
    const found = (code: string, shownAs: string) =>
      findings.some((f) => f.includes(`region ${code} 2025/26`) && f.includes(`hwbc_headcount = ${shownAs}`));
    expect(found('Y58', '*')).toBe(true);
    expect(found('Y59', '*')).toBe(true);
    expect(found('Y56', '10')).toBe(true);
  });
});
