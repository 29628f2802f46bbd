import { describe, expect, it } from 'vitest';
import { choices, comparisonRows } from '../../dashboard/src/filters.ts';
import { Scope } from '../../functions/auth/scope.ts';
import type { MetaDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * R21-1 (review 21): the April 2026 ICB mergers. QAA (U20001, U20002) and QBB (U20003, U20004), both London (Y56), are
 * one ICB, QCC, from 2026-04-01 (the reference as `reference import --icb-changes` makes it: each PCN a new version
 * from the effective month). U20005 is in QDD (Y58) throughout; U20006 is in QDD (Y58) until 2026-03-31 and in QCC
 * (Y56) from 2026-04-01 (a PCN that moved region at the same time). Every PCN refers 10 people a month, April 2025 to
 * November 2026; the refresh runs on 5 December 2026 (data as of 2026-11-30).
 * Before the fix meta.icbs held only QCC and QDD (each PCN's latest version), so QAA's and QBB's published 2025/26
 * rows could not be chosen, a PCN user's 2025/26 Compare page was empty and scoping followed the latest version.
 */
const MONTHS = Array.from({ length: 20 }, (_, i) => {
  const n = 2025 * 12 + 3 + i;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
});
const PCNS = ['U20001', 'U20002', 'U20003', 'U20004', 'U20005', 'U20006'];
const UPLOADS: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.map((pcn) => [
    `${pcn.toLowerCase()}.csv`,
    MONTHS.flatMap((m) => Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-12`))),
  ]),
);
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U20001,One PCN,QAA,NHS A ICB,Y56,London,10000,2019-04-01,2026-03-31
U20001,One PCN,QCC,NHS C ICB,Y56,London,10000,2026-04-01,
U20002,Two PCN,QAA,NHS A ICB,Y56,London,10000,2019-04-01,2026-03-31
U20002,Two PCN,QCC,NHS C ICB,Y56,London,10000,2026-04-01,
U20003,Three PCN,QBB,NHS B ICB,Y56,London,10000,2019-04-01,2026-03-31
U20003,Three PCN,QCC,NHS C ICB,Y56,London,10000,2026-04-01,
U20004,Four PCN,QBB,NHS B ICB,Y56,London,10000,2019-04-01,2026-03-31
U20004,Four PCN,QCC,NHS C ICB,Y56,London,10000,2026-04-01,
U20005,Five PCN,QDD,NHS D ICB,Y58,South West,10000,2019-04-01,
U20006,Six PCN,QDD,NHS D ICB,Y58,South West,10000,2019-04-01,2026-03-31
U20006,Six PCN,QCC,NHS C ICB,Y56,London,10000,2026-04-01,
`;

const golden = goldenProgramme('icbmerger', {
  uploads: UPLOADS,
  reference: REFERENCE,
  now: new Date('2026-12-05T09:00:00Z'),
  timeoutMs: 400_000,
});

const none = { fy: null, region: null, icb: null, pcn: null };
const meta = () => golden.docs.get('meta') as unknown as MetaDocument;
const rowsOf = (name: string) => (golden.docs.get(name)?.rows ?? []) as unknown as MetricRow[];
/** The ICB rows of rollout's financial years a user reads: [code, period]. */
const icbYears = (scope: Scope) =>
  scope
    .rows(rowsOf('rollout').filter((r) => r.level === 'icb' && r.period_type === 'fy'))
    .map((r) => `${r.code} ${r.period}`)
    .sort();
const pcnYears = (scope: Scope) =>
  scope
    .rows(rowsOf('rollout').filter((r) => r.level === 'pcn' && r.period_type === 'fy'))
    .map((r) => `${r.code} ${r.period}`)
    .sort();

describe('R21-1 after an ICB merger the predecessor ICBs stay in the published geography for the years they existed', () => {
  it('meta lists every ICB any version had, with the dates it existed and its region', () => {
    // QAA and QBB: their PCNs' versions run 2019-04-01..2026-03-31; QCC from 2026-04-01, open; QDD open throughout.
    expect(meta().icbs.map((i) => [i.code, i.parent, i.valid_from, i.valid_to])).toEqual([
      ['QAA', 'Y56', '2019-04-01', '2026-03-31'],
      ['QBB', 'Y56', '2019-04-01', '2026-03-31'],
      ['QCC', 'Y56', '2026-04-01', null],
      ['QDD', 'Y58', '2019-04-01', null],
    ]);
    // The PCNs as before: each by its latest version (the current ICB).
    expect(meta().pcns.map((p) => `${p.code}:${p.parent}`)).toEqual([
      'U20005:QDD',
      'U20004:QCC',
      'U20001:QCC',
      'U20006:QCC',
      'U20003:QCC',
      'U20002:QCC',
    ]);
    // Every version: 4 merged PCNs x 2 + U20005 + U20006 x 2 = 11.
    expect(meta().pcn_versions?.length).toBe(11);
    // The published 2025/26 rows of the predecessors: 2 PCNs x 10 a month x 12 months = 240 each.
    const qaa = rowsOf('rollout').find((r) => r.level === 'icb' && r.code === 'QAA' && r.period === '2025/26');
    expect(qaa?.referrals).toBe(240);
  });

  it('the ICB picker offers the ICBs of the financial year chosen', () => {
    const m = meta();
    const codes = (f: Parameters<typeof choices>[0]) => {
      const c = choices(f, m);
      return [c.icbs.map((i) => i.code), c.pcns.map((p) => p.code)];
    };
    // 2025/26 in London: the two predecessors and their four PCNs (sorted by name: Four, One, Three, Two).
    expect(codes({ ...none, fy: '2025/26', region: 'Y56' })).toEqual([
      ['QAA', 'QBB'],
      ['U20004', 'U20001', 'U20003', 'U20002'],
    ]);
    expect(codes({ ...none, fy: '2025/26', region: 'Y56', icb: 'QAA' })).toEqual([
      ['QAA', 'QBB'],
      ['U20001', 'U20002'],
    ]);
    // 2026/27 in London: the merged ICB and its five PCNs (U20006 moved in).
    expect(codes({ ...none, fy: '2026/27', region: 'Y56' })).toEqual([
      ['QCC'],
      ['U20004', 'U20001', 'U20006', 'U20003', 'U20002'],
    ]);
    // The South West: U20006 in 2025/26, not in 2026/27.
    expect(codes({ ...none, fy: '2025/26', region: 'Y58' })).toEqual([['QDD'], ['U20005', 'U20006']]);
    expect(codes({ ...none, fy: '2026/27', region: 'Y58' })).toEqual([['QDD'], ['U20005']]);
  });

  it('the Compare page shows a PCN its own row and its ICB of the year, and a past ICB its rows', () => {
    const rows = rowsOf('pcn_comparison').filter((r) => r.period === '2025/26');
    const codes = (scope: { level: 'pcn' | 'icb' | 'region' | 'national'; code: string }) =>
      comparisonRows(rows, scope, meta())
        .map((r) => r.code)
        .sort();
    // U20001 was in QAA in 2025/26: itself and U20002.
    expect(codes({ level: 'pcn', code: 'U20001' })).toEqual(['U20001', 'U20002']);
    expect(codes({ level: 'icb', code: 'QAA' })).toEqual(['U20001', 'U20002']);
    expect(codes({ level: 'icb', code: 'QCC' })).toEqual([]);
    expect(codes({ level: 'region', code: 'Y58' })).toEqual(['U20005', 'U20006']);
    const later = rowsOf('pcn_comparison').filter((r) => r.period === '2026/27');
    expect(
      comparisonRows(later, { level: 'pcn', code: 'U20006' }, meta())
        .map((r) => r.code)
        .sort(),
    ).toEqual(['U20001', 'U20002', 'U20003', 'U20004', 'U20006']);
  });

  it('each user reads the rows of the areas that were theirs in the period shown, and no others', () => {
    const as = (role: 'region' | 'icb' | 'pcn', code: string) => new Scope({ role, code, subject: 't' }, meta());
    // U20001: QAA's years while it was in QAA (2025/26), QCC's from the merger (2026/27); never QBB or QDD.
    expect(icbYears(as('pcn', 'U20001'))).toEqual(['QAA 2025/26', 'QCC 2026/27']);
    // U20006: QDD's 2025/26 (it was in QDD), QCC's 2026/27; not QDD's 2026/27.
    expect(icbYears(as('pcn', 'U20006'))).toEqual(['QCC 2026/27', 'QDD 2025/26']);
    // PCN rows: the South West lead reads U20006's 2025/26, not its 2026/27 (London's lead the other way round).
    expect(pcnYears(as('region', 'Y58'))).toEqual(['U20005 2025/26', 'U20005 2026/27', 'U20006 2025/26']);
    expect(pcnYears(as('region', 'Y56')).filter((r) => r.startsWith('U20006'))).toEqual(['U20006 2026/27']);
    // QAA's lead (a past ICB): its two PCNs' 2025/26 only; QCC's lead: its five PCNs' 2026/27 only.
    expect(pcnYears(as('icb', 'QAA'))).toEqual(['U20001 2025/26', 'U20002 2025/26']);
    expect(pcnYears(as('icb', 'QCC'))).toEqual([
      'U20001 2026/27',
      'U20002 2026/27',
      'U20003 2026/27',
      'U20004 2026/27',
      'U20006 2026/27',
    ]);
    // Months likewise: U20001 reads QAA's March 2026, not its April (QAA has none) nor QCC's March.
    const u1 = as('pcn', 'U20001');
    expect(u1.allows('icb', 'QAA', '2026-03')).toBe(true);
    expect(u1.allows('icb', 'QCC', '2026-03')).toBe(false);
    expect(u1.allows('icb', 'QCC', '2026-04')).toBe(true);
    expect(u1.allows('region', 'Y58', '2025/26')).toBe(false);
    // The Y56 lead's own business (alerts, `inside`): QAA's of its years.
    expect(as('region', 'Y56').inside('icb', 'QAA', '2025/26')).toBe(true);
    expect(as('region', 'Y58').inside('pcn', 'U20006', '2025/26')).toBe(true);
    expect(as('region', 'Y58').inside('pcn', 'U20006', '2026-04')).toBe(false);
  });
});
