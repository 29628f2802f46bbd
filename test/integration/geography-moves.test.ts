import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * A PCN that moves ICB, and region, in the middle of a financial year (DOMAIN.md: the geography is effective-dated;
 * docs/methodology.md: a month's figures go to the ICB the PCN was in on the month's first day, a year's to every ICB
 * it was in). The reference's first version of U20001 ends on 30 September 2025 (valid_to, inclusive) and the
 * second begins on 1 October, in another ICB of another region, with a larger list.
 *
 *   PCN     ICB (region)                       list            Aug 2025   Sep   Oct   Nov 2025 (FY 2025/26)
 *   U20001  QAA (Y56) to 2025-09-30,           10,000 then     10 refs    -     -     12 refs
 *           QBB (Y58) from 2025-10-01          12,000          workforce in Sep and Oct: 9 people, 8.5 FTE
 *   U20002  QAA (Y56)                          20,000          20 refs    -     -     15 refs; workforce 10 people, 9 FTE
 *   U20003  QBB (Y58)                          30,000          25 refs    -     -     15 refs; workforce 12 people, 10 FTE
 */
const referrals = (pcn: string, on: string, n: number) =>
  Array.from({ length: n }, (_, i) => referralEvent(pcn, `${pcn}-${on}-${i}`, on));

const UPLOADS: Record<string, GoldenEvent[]> = {
  'u20001.csv': [...referrals('U20001', '2025-08-12', 10), ...referrals('U20001', '2025-11-05', 12)],
  'u20002.csv': [...referrals('U20002', '2025-08-12', 20), ...referrals('U20002', '2025-11-05', 15)],
  'u20003.csv': [...referrals('U20003', '2025-08-12', 25), ...referrals('U20003', '2025-11-05', 15)],
};

const WORKFORCE_HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const WORKFORCE = ['U20001,9,8.5', 'U20002,10,9', 'U20003,12,10'].flatMap((line) => {
  const [pcn, headcount, fte] = line.split(',');
  return ['2025-09', '2025-10'].map((month) => `${pcn},${month},splw,${headcount},${fte},${headcount},0`);
});

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U20001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,10000,2019-04-01,2025-09-30
U20001,Alpha PCN,QBB,NHS Bravo ICB,Y58,South West,12000,2025-10-01,
U20002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U20003,Charlie PCN,QBB,NHS Bravo ICB,Y58,South West,30000,2019-04-01,
`;

const golden = goldenProgramme('moves', {
  uploads: UPLOADS,
  // One PCN's snapshots per file, as a PCN sends them.
  otherFiles: Object.fromEntries(
    ['U20001', 'U20002', 'U20003'].map((pcn) => [
      `${pcn}-workforce.csv`,
      `${WORKFORCE_HEADER}\n${WORKFORCE.filter((l) => l.startsWith(pcn)).join('\n')}\n`,
    ]),
  ),
  reference: REFERENCE,
  now: new Date('2026-01-05T00:00:00Z'),
});
const { row } = golden;

const figures = (name: string, level: string, code: string, period: string, columns: readonly string[]) => {
  const r = row(name, level, code, period);
  return Object.fromEntries(columns.map((c) => [c, r[c]]));
};

describe('a PCN that moves ICB and region mid-year: each month goes to the area it was in that month', () => {
  it('referrals: August in QAA / Y56, November in QBB / Y58', () => {
    // QAA: Aug U20001 10 + U20002 20 = 30; Nov U20002 15 only. QBB: Aug U20003 25; Nov 15 + U20001 12 = 27 -> 25.
    // Had U20001 stayed in QAA: QAA Nov 27 -> 25 and QBB Nov 15; had it moved for the whole year: QAA Aug 20.
    const referrals = (level: string, code: string, period: string) => row('rollout', level, code, period).referrals;
    expect([referrals('icb', 'QAA', '2025-08'), referrals('icb', 'QAA', '2025-11')]).toEqual([30, 15]);
    expect([referrals('icb', 'QBB', '2025-08'), referrals('icb', 'QBB', '2025-11')]).toEqual([25, 25]);
    expect([referrals('region', 'Y56', '2025-08'), referrals('region', 'Y56', '2025-11')]).toEqual([30, 15]);
    expect([referrals('region', 'Y58', '2025-08'), referrals('region', 'Y58', '2025-11')]).toEqual([25, 25]);
    // The year: each area has the months the PCN was in it. QAA 10 + 20 + 15 = 45; QBB 25 + 15 + 12 = 52 -> 50;
    // England 97, exact (QAA + QBB, the move counted once); U20001's year is its own 22 -> 20.
    expect(referrals('icb', 'QAA', '2025/26')).toBe(45);
    expect(referrals('icb', 'QBB', '2025/26')).toBe(50);
    expect(referrals('region', 'Y56', '2025/26')).toBe(45);
    expect(referrals('region', 'Y58', '2025/26')).toBe(50);
    expect(referrals('national', 'ENG', '2025/26')).toBe(97);
    expect(referrals('pcn', 'U20001', '2025/26')).toBe(20);
  });

  it('registered lists and PCNs: the version in force on the first day of each month', () => {
    // Months with data: August to November (4). QAA: 30,000, 30,000, 20,000, 20,000 -> mean 25,000, 2 PCNs in the year.
    // QBB: 30,000, 30,000, 42,000, 42,000 -> mean 36,000, 2 PCNs. U20001: 10,000, 10,000, 12,000, 12,000 -> 11,000.
    const columns = ['list_size', 'pcns'];
    expect(figures('rollout', 'icb', 'QAA', '2025-09', columns)).toEqual({ list_size: 30_000, pcns: 2 });
    expect(figures('rollout', 'icb', 'QAA', '2025-10', columns)).toEqual({ list_size: 20_000, pcns: 1 });
    expect(figures('rollout', 'icb', 'QBB', '2025-09', columns)).toEqual({ list_size: 30_000, pcns: 1 });
    expect(figures('rollout', 'icb', 'QBB', '2025-10', columns)).toEqual({ list_size: 42_000, pcns: 2 });
    expect(figures('rollout', 'icb', 'QAA', '2025/26', columns)).toEqual({ list_size: 25_000, pcns: 2 });
    expect(figures('rollout', 'icb', 'QBB', '2025/26', columns)).toEqual({ list_size: 36_000, pcns: 2 });
    expect(figures('rollout', 'pcn', 'U20001', '2025/26', columns)).toEqual({ list_size: 11_000, pcns: 1 });
    expect(figures('rollout', 'national', 'ENG', '2025/26', columns)).toEqual({ list_size: 61_000, pcns: 3 });
  });

  it('workforce: the September snapshot in QAA / Y56, October in QBB / Y58', () => {
    // QAA Sep: 9 + 10 = 19 people (-> 20), 8.5 + 9 = 17.5 FTE; Oct: U20002 alone, 10 people, 9 FTE.
    // QBB Sep: U20003 alone, 12 (-> 10), 10 FTE; Oct: 12 + 9 = 21 (-> 20), 10 + 8.5 = 18.5 FTE.
    // The year is the mean of its 2 snapshots: QAA (17.5 + 9) / 2 = 13.25 FTE, QBB (10 + 18.5) / 2 = 14.25.
    // Below England an FTE is rounded to the nearest 5: 17.5 -> 20, 9 -> 10, 18.5 -> 20, 13.25 -> 15, 14.25 -> 15.
    const columns = ['splw_headcount', 'splw_fte'];
    expect(figures('workforce', 'icb', 'QAA', '2025-09', columns)).toEqual({ splw_headcount: 20, splw_fte: 20 });
    expect(figures('workforce', 'icb', 'QAA', '2025-10', columns)).toEqual({ splw_headcount: 10, splw_fte: 10 });
    expect(figures('workforce', 'icb', 'QBB', '2025-09', columns)).toEqual({ splw_headcount: 10, splw_fte: 10 });
    expect(figures('workforce', 'icb', 'QBB', '2025-10', columns)).toEqual({ splw_headcount: 20, splw_fte: 20 });
    expect(figures('workforce', 'region', 'Y58', '2025-10', columns)).toEqual({ splw_headcount: 20, splw_fte: 20 });
    expect(figures('workforce', 'icb', 'QAA', '2025/26', ['splw_fte'])).toEqual({ splw_fte: 15 });
    expect(figures('workforce', 'icb', 'QBB', '2025/26', ['splw_fte'])).toEqual({ splw_fte: 15 });
    // England is exact: both months 17.5 + 10 = 9 + 18.5 = 27.5 FTE, so the year too.
    expect(figures('workforce', 'national', 'ENG', '2025/26', ['splw_fte'])).toEqual({ splw_fte: 27.5 });
  });

  it('nothing published lets a suppressed figure be worked out, with the move in both ICBs', () => {
    expect(golden.disclosureFindings()).toEqual([]);
  });
});
