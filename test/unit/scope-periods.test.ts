import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsApi } from '../../functions/api/metrics-api.ts';
import { type Identity, identityOf, Scope } from '../../functions/auth/scope.ts';
import type { MetaDocument } from '../../functions/contract/metrics.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { tempDir } from '../support/files.ts';

/**
 * R21-1: each user reads the rows of the areas that were theirs in the period shown. A hand-made merger: QAA (U00001,
 * U00002, region Y01) becomes QCC from 2026-04-01; U00003 stays in QBB (Y01); U00004 is in QDD (region Y02) until
 * 2026-03-31 and in QCC (Y01) from 2026-04-01; U00005 opens in QBB on 2025-10-01.
 */
const geography: Pick<MetaDocument, 'icbs' | 'pcns' | 'pcn_versions'> = {
  icbs: [
    { code: 'QAA', name: 'A', parent: 'Y01', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'QBB', name: 'B', parent: 'Y01', valid_from: '2019-04-01', valid_to: null },
    { code: 'QCC', name: 'C', parent: 'Y01', valid_from: '2026-04-01', valid_to: null },
    { code: 'QDD', name: 'D', parent: 'Y02', valid_from: '2019-04-01', valid_to: '2026-03-31' },
  ],
  pcns: [
    { code: 'U00001', name: 'One', parent: 'QCC', list_size: 1 },
    { code: 'U00002', name: 'Two', parent: 'QCC', list_size: 1 },
    { code: 'U00003', name: 'Three', parent: 'QBB', list_size: 1 },
    { code: 'U00004', name: 'Four', parent: 'QCC', list_size: 1 },
    { code: 'U00005', name: 'Five', parent: 'QBB', list_size: 1 },
  ],
  pcn_versions: [
    { code: 'U00001', icb: 'QAA', region: 'Y01', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U00001', icb: 'QCC', region: 'Y01', valid_from: '2026-04-01', valid_to: null },
    { code: 'U00002', icb: 'QAA', region: 'Y01', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U00002', icb: 'QCC', region: 'Y01', valid_from: '2026-04-01', valid_to: null },
    { code: 'U00003', icb: 'QBB', region: 'Y01', valid_from: '2019-04-01', valid_to: null },
    { code: 'U00004', icb: 'QDD', region: 'Y02', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U00004', icb: 'QCC', region: 'Y01', valid_from: '2026-04-01', valid_to: null },
    { code: 'U00005', icb: 'QBB', region: 'Y01', valid_from: '2025-10-01', valid_to: null },
  ],
};
const as = (role: 'region' | 'icb' | 'pcn', code: string) => new Scope({ role, code, subject: 't' }, geography);

describe('Scope reads each row by the geography of its period (R21-1)', () => {
  it('a PCN reads the aggregates of the ICB and region it was in during the period, and no other', () => {
    const u1 = as('pcn', 'U00001');
    // 2025/26 (2025-04-01..2026-03-31): U00001 in QAA only; 2026/27: QCC only.
    expect(['QAA', 'QBB', 'QCC', 'QDD'].filter((icb) => u1.allows('icb', icb, '2025/26'))).toEqual(['QAA']);
    expect(['QAA', 'QBB', 'QCC', 'QDD'].filter((icb) => u1.allows('icb', icb, '2026/27'))).toEqual(['QCC']);
    // A month is read on its first day: March 2026 QAA, April 2026 QCC.
    expect([u1.allows('icb', 'QAA', '2026-03'), u1.allows('icb', 'QCC', '2026-03')]).toEqual([true, false]);
    expect([u1.allows('icb', 'QAA', '2026-04'), u1.allows('icb', 'QCC', '2026-04')]).toEqual([false, true]);
    // U00004 moved region: Y02's 2025/26, Y01's 2026/27, never the other way round.
    const u4 = as('pcn', 'U00004');
    expect([u4.allows('region', 'Y02', '2025/26'), u4.allows('region', 'Y01', '2025/26')]).toEqual([true, false]);
    expect([u4.allows('region', 'Y02', '2026/27'), u4.allows('region', 'Y01', '2026/27')]).toEqual([false, true]);
    // Its own rows whatever the period; another PCN's never.
    expect([u4.allows('pcn', 'U00004', '2025/26'), u4.allows('pcn', 'U00001', '2025/26')]).toEqual([true, false]);
    // Without a period ('all', a pack) the latest versions, as before: QCC, not QAA.
    expect([u1.allows('icb', 'QCC', 'all'), u1.allows('icb', 'QAA', 'all'), u1.allows('icb', 'QAA')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("an ICB's or region's lead reads the PCN rows of the PCNs that were in its area in the period", () => {
    const qcc = as('icb', 'QCC');
    const qaa = as('icb', 'QAA');
    const pcns = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005'];
    expect(pcns.filter((p) => qcc.allows('pcn', p, '2025/26'))).toEqual([]);
    expect(pcns.filter((p) => qcc.allows('pcn', p, '2026/27'))).toEqual(['U00001', 'U00002', 'U00004']);
    expect(pcns.filter((p) => qaa.allows('pcn', p, '2025/26'))).toEqual(['U00001', 'U00002']);
    expect(pcns.filter((p) => qaa.allows('pcn', p, '2026-04'))).toEqual([]);
    const y02 = as('region', 'Y02');
    expect(pcns.filter((p) => y02.allows('pcn', p, '2025/26'))).toEqual(['U00004']);
    expect(pcns.filter((p) => y02.allows('pcn', p, '2026-05'))).toEqual([]);
    // U00005 opened 2025-10-01: in QBB's 2025/26 (a day of the year), not in its September 2025 (not in force).
    const qbb = as('icb', 'QBB');
    expect([qbb.allows('pcn', 'U00005', '2025/26'), qbb.allows('pcn', 'U00005', '2025-09')]).toEqual([true, false]);
    // Inside (a lead's own business, alerts): Y02's lead reads U00004's and QDD's of 2025/26 only.
    expect([y02.inside('pcn', 'U00004', '2025-06'), y02.inside('pcn', 'U00004', '2026-06')]).toEqual([true, false]);
    expect([y02.inside('icb', 'QDD', '2025/26'), as('region', 'Y01').inside('icb', 'QAA', '2025/26')]).toEqual([
      true,
      true,
    ]);
    expect(as('region', 'Y01').inside('icb', 'QDD', '2025/26')).toBe(false);
  });

  it('a query naming an area the role had in some period is accepted; a never-held one refused', () => {
    expect(as('pcn', 'U00001').allowsInSomePeriod('icb', 'QAA')).toBe(true);
    expect(as('pcn', 'U00001').allowsInSomePeriod('icb', 'QBB')).toBe(false);
    expect(as('pcn', 'U00001').allowsInSomePeriod('region', 'Y02')).toBe(false);
    expect(as('region', 'Y02').allowsInSomePeriod('pcn', 'U00004')).toBe(true);
    expect(as('region', 'Y02').allowsInSomePeriod('pcn', 'U00001')).toBe(false);
    expect(as('icb', 'QAA').allowsInSomePeriod('pcn', 'U00003')).toBe(false);
  });
});

describe('alerts (inside_area) go to the ICB and region they are filed under (review 23, R23-3)', () => {
  it('an alert of 2026/27 about a PCN that moved from QAA/Y01 to QBB/Y03 on 2026-06-01 goes to QBB and Y03 only', () => {
    const moved: Pick<MetaDocument, 'icbs' | 'pcns' | 'pcn_versions'> = {
      icbs: [
        { code: 'QAA', name: 'A', parent: 'Y01' },
        { code: 'QBB', name: 'B', parent: 'Y03' },
      ],
      pcns: [{ code: 'U00007', name: 'Seven', parent: 'QBB', list_size: 1 }],
      pcn_versions: [
        { code: 'U00007', icb: 'QAA', region: 'Y01', valid_from: '2019-04-01', valid_to: '2026-05-31' },
        { code: 'U00007', icb: 'QBB', region: 'Y03', valid_from: '2026-06-01', valid_to: null },
      ],
    };
    // Made in December, filed under the PCN's ICB and region then; by the year's geography (the PCN was in QAA/Y01
    // in April and May) it also went to QAA's and Y01's leads.
    const alert = {
      level: 'pcn',
      code: 'U00007',
      period_type: 'fy',
      period: '2026/27',
      icb_code: 'QBB',
      region_code: 'Y03',
    } as const;
    const seen = (role: 'icb' | 'region' | 'pcn', code: string) =>
      new Scope({ role, code, subject: 't' }, moved).rows([alert], 'inside_area').length;
    expect([seen('icb', 'QBB'), seen('region', 'Y03'), seen('icb', 'QAA'), seen('region', 'Y01')]).toEqual([
      1, 1, 0, 0,
    ]);
    expect(seen('pcn', 'U00007')).toBe(1);
  });
});

describe('the API answers each role with the rows of its areas of each row period (R21-1)', () => {
  const dir = tempDir('scope-periods');
  const api = new MetricsApi(new FsObjectStore(dir.path));
  // QAA's, QCC's and QDD's years, and U00004's (the PCN that moved region).
  const rows = [
    ['icb', 'QAA', '2025/26'],
    ['icb', 'QCC', '2026/27'],
    ['icb', 'QDD', '2025/26'],
    ['region', 'Y02', '2025/26'],
    ['pcn', 'U00004', '2025/26'],
    ['pcn', 'U00004', '2026/27'],
  ].map(([level, code, period]) => ({ level, code, period, period_type: 'fy', referrals: 10 }));
  beforeAll(async () => {
    const store = new FsObjectStore(dir.path);
    await store.put('metrics/meta.json', JSON.stringify({ months: [], regions: [], ...geography }));
    await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows }));
  });
  afterAll(() => dir.remove());
  const seen = async (identity: Identity, query: string) => {
    const response = await api.handle({
      method: 'GET',
      path: '/api/metrics/rollout',
      query: new URLSearchParams(query),
      identity,
    });
    if (response.status !== 200) return response.status;
    return (JSON.parse(response.body) as { rows: { code: string; period: string }[] }).rows.map(
      (r) => `${r.code} ${r.period}`,
    );
  };

  it('reads a former ICB by its years, and refuses an area never held', async () => {
    const u1 = identityOf('pcn', 'U00001', 'p');
    expect(await seen(u1, 'level=icb&code=QAA')).toEqual(['QAA 2025/26']);
    expect(await seen(u1, 'level=icb')).toEqual(['QAA 2025/26', 'QCC 2026/27']);
    expect(await seen(u1, 'level=icb&code=QDD')).toBe(403);
    const u4 = identityOf('pcn', 'U00004', 'p');
    expect(await seen(u4, '')).toEqual([
      'QCC 2026/27',
      'QDD 2025/26',
      'Y02 2025/26',
      'U00004 2025/26',
      'U00004 2026/27',
    ]);
    // Y02's lead: U00004's 2025/26 only (every aggregate, as a region lead reads them).
    const y02 = identityOf('region', 'Y02', 'r');
    expect(await seen(y02, 'level=pcn&code=U00004')).toEqual(['U00004 2025/26']);
    expect(await seen(identityOf('region', 'Y01', 'r'), 'level=pcn&code=U00004')).toEqual(['U00004 2026/27']);
  });
});

describe("a document's summary by region is read by the period it is under, as rows are (review 23, R23-2)", () => {
  // pcn_comparison's summary: funnel_rates[fy][measure].regions / overdispersion.regions / curves.regions, each region's
  // comparator of that year (funnel-documents.ts keys a region by its PCNs' region_code of the year).
  const rates = (regions: readonly string[]) => {
    const byRegion = (value: number) => Object.fromEntries(regions.map((r) => [r, value]));
    return {
      referral_rate: {
        national: 0.5,
        regions: byRegion(0.4),
        overdispersion: { national: null, regions: byRegion(1.2) },
        curves: { national: [], regions: byRegion(7) },
      },
    };
  };
  const summary = { funnel_rates: { '2025/26': rates(['Y01', 'Y02']), '2026/27': rates(['Y01', 'Y02']) } };
  const regionsOf = (seen: unknown, fy: string) => {
    const r = (seen as { funnel_rates: Record<string, ReturnType<typeof rates>> }).funnel_rates[fy]?.referral_rate;
    return [r?.regions, r?.overdispersion.regions, r?.curves.regions].map((o) => Object.keys(o ?? {}));
  };

  it('U00004 (Y02 until 2026-03-31, Y01 from 2026-04-01) reads Y02 for 2025/26 and Y01 for 2026/27', () => {
    const seen = as('pcn', 'U00004').summary(summary);
    // Before: every period by its latest region, Y01 (so Y02's 2025/26 comparator, the one its own row names, was
    // missing and Y01's, not its region then, was shown).
    expect(regionsOf(seen, '2025/26')).toEqual([['Y02'], ['Y02'], ['Y02']]);
    expect(regionsOf(seen, '2026/27')).toEqual([['Y01'], ['Y01'], ['Y01']]);
    // England's figures untouched; U00001 (Y01 throughout) reads Y01 in both years.
    expect((seen as typeof summary).funnel_rates['2025/26'].referral_rate.national).toBe(0.5);
    expect(regionsOf(as('pcn', 'U00001').summary(summary), '2025/26')).toEqual([['Y01'], ['Y01'], ['Y01']]);
  });

  it('through the API: the summary answered to U00004 names its region of each year', async () => {
    const dir = tempDir('scope-summary');
    try {
      const store = new FsObjectStore(dir.path);
      await store.put('metrics/meta.json', JSON.stringify({ months: [], regions: [], ...geography }));
      await store.put('metrics/pcn_comparison.json', JSON.stringify({ name: 'pcn_comparison', rows: [], summary }));
      const response = await new MetricsApi(store).handle({
        method: 'GET',
        path: '/api/metrics/pcn_comparison',
        query: new URLSearchParams(),
        identity: identityOf('pcn', 'U00004', 'p'),
      });
      const body = JSON.parse(response.body) as { summary: unknown };
      expect([regionsOf(body.summary, '2025/26')[0], regionsOf(body.summary, '2026/27')[0]]).toEqual([
        ['Y02'],
        ['Y01'],
      ]);
    } finally {
      dir.remove();
    }
  });
});
