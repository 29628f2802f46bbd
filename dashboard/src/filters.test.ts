import { describe, expect, it } from 'vitest';
import { changeFilter, choices, comparisonRows, type Filters, readFilters, scopeOf, writeFilters } from './filters.ts';

const meta = {
  regions: [
    { code: 'Y56', name: 'London', parent: 'ENG' },
    { code: 'Y58', name: 'South West', parent: 'ENG' },
  ],
  icbs: [
    { code: 'QWE', name: 'South West London', parent: 'Y56' },
    { code: 'QKK', name: 'South East London', parent: 'Y56' },
    { code: 'QSL', name: 'Somerset', parent: 'Y58' },
  ],
  pcns: [
    { code: 'U10001', name: 'Alpha', parent: 'QWE', list_size: 10_000 },
    { code: 'U10002', name: 'Bravo', parent: 'QKK', list_size: 20_000 },
    { code: 'U10004', name: 'Delta', parent: 'QSL', list_size: 40_000 },
  ],
};
const none = { fy: null, region: null, icb: null, pcn: null };

describe('filters in the URL', () => {
  it('reads only well-formed values and writes back only those set', () => {
    expect(readFilters(new URLSearchParams('fy=2025/26&region=Y56&icb=<script>&pcn=U1'))).toEqual({
      fy: '2025/26',
      region: 'Y56',
      icb: null,
      pcn: null,
    });
    expect(writeFilters({ fy: '2025/26', region: null, icb: 'QWE', pcn: null }).toString()).toBe(
      'fy=2025%2F26&icb=QWE',
    );
  });

  it('the scope is the most specific area chosen', () => {
    expect(scopeOf(none)).toEqual({ level: 'national', code: 'ENG' });
    expect(scopeOf({ ...none, region: 'Y56' })).toEqual({ level: 'region', code: 'Y56' });
    expect(scopeOf({ ...none, region: 'Y56', icb: 'QWE', pcn: 'U10001' })).toEqual({ level: 'pcn', code: 'U10001' });
  });

  it('choosing a PCN sets its ICB and region; changing region clears an ICB outside it', () => {
    const pcn = changeFilter(none, 'pcn', 'U10001', meta);
    expect(pcn).toEqual({ fy: null, region: 'Y56', icb: 'QWE', pcn: 'U10001' });
    expect(changeFilter(pcn, 'region', 'Y58', meta)).toEqual({ fy: null, region: 'Y58', icb: null, pcn: null });
    expect(changeFilter(pcn, 'region', 'Y56', meta)).toEqual(pcn);
    expect(changeFilter(pcn, 'icb', 'QKK', meta)).toEqual({ fy: null, region: 'Y56', icb: 'QKK', pcn: null });
    expect(changeFilter(pcn, 'icb', null, meta)).toEqual({ fy: null, region: 'Y56', icb: null, pcn: null });
    expect(changeFilter(pcn, 'fy', '2024/25', meta)).toEqual({ ...pcn, fy: '2024/25' });
  });

  it('offers only the ICBs and PCNs inside the areas chosen', () => {
    const inLondon = choices({ ...none, region: 'Y56' }, meta);
    expect(inLondon.icbs.map((i) => i.code)).toEqual(['QWE', 'QKK']);
    expect(inLondon.pcns.map((p) => p.code)).toEqual(['U10001', 'U10002']);
    expect(choices({ ...none, region: 'Y56', icb: 'QKK' }, meta).pcns.map((p) => p.code)).toEqual(['U10002']);
  });
});

/*
 * R21-1: an ICB merger. QAA (U10001, U10002) is QCC from 2026-04-01; U10003 moves from QSL (South West) to QCC
 * (London) on the same day; U10004 stays in QSL. meta.icbs lists every ICB any version had.
 */
const merged = {
  regions: [
    { code: 'Y56', name: 'London', parent: 'ENG' },
    { code: 'Y58', name: 'South West', parent: 'ENG' },
  ],
  icbs: [
    { code: 'QAA', name: 'A', parent: 'Y56', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'QCC', name: 'C', parent: 'Y56', valid_from: '2026-04-01', valid_to: null },
    { code: 'QSL', name: 'Somerset', parent: 'Y58', valid_from: '2019-04-01', valid_to: null },
  ],
  pcns: [
    { code: 'U10001', name: 'Alpha', parent: 'QCC', list_size: 1 },
    { code: 'U10002', name: 'Bravo', parent: 'QCC', list_size: 1 },
    { code: 'U10003', name: 'Charlie', parent: 'QCC', list_size: 1 },
    { code: 'U10004', name: 'Delta', parent: 'QSL', list_size: 1 },
  ],
  pcn_versions: [
    { code: 'U10001', icb: 'QAA', region: 'Y56', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U10001', icb: 'QCC', region: 'Y56', valid_from: '2026-04-01', valid_to: null },
    { code: 'U10002', icb: 'QAA', region: 'Y56', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U10002', icb: 'QCC', region: 'Y56', valid_from: '2026-04-01', valid_to: null },
    { code: 'U10003', icb: 'QSL', region: 'Y58', valid_from: '2019-04-01', valid_to: '2026-03-31' },
    { code: 'U10003', icb: 'QCC', region: 'Y56', valid_from: '2026-04-01', valid_to: null },
    { code: 'U10004', icb: 'QSL', region: 'Y58', valid_from: '2019-04-01', valid_to: null },
  ],
  financial_years: ['2025/26', '2026/27'],
};

describe('the pickers after an ICB merger offer the areas of the year shown (R21-1)', () => {
  const codes = (f: Filters) => {
    const c = choices(f, merged);
    return [c.icbs.map((i) => i.code), c.pcns.map((p) => p.code)];
  };

  it("offers a merged ICB's predecessors for the years before the merger, the merged ICB after", () => {
    expect(codes({ ...none, fy: '2025/26', region: 'Y56' })).toEqual([['QAA'], ['U10001', 'U10002']]);
    expect(codes({ ...none, fy: '2026/27', region: 'Y56' })).toEqual([['QCC'], ['U10001', 'U10002', 'U10003']]);
    expect(codes({ ...none, fy: '2025/26', region: 'Y58' })).toEqual([['QSL'], ['U10003', 'U10004']]);
    expect(codes({ ...none, fy: '2026/27', region: 'Y58', icb: 'QSL' })).toEqual([['QSL'], ['U10004']]);
    // No year chosen: the latest (2026/27).
    expect(codes({ ...none, region: 'Y56' })).toEqual([['QCC'], ['U10001', 'U10002', 'U10003']]);
    // A meta.json without versions: the latest geography whatever the year (and every ICB it lists).
    const { pcn_versions: _, ...older } = merged;
    expect(choices({ ...none, fy: '2025/26', region: 'Y56' }, older).icbs.map((i) => i.code)).toEqual(['QAA', 'QCC']);
  });

  it("choosing a PCN, or a year with a PCN chosen, sets that year's ICB and region", () => {
    expect(changeFilter({ ...none, fy: '2025/26' }, 'pcn', 'U10003', merged)).toEqual({
      fy: '2025/26',
      region: 'Y58',
      icb: 'QSL',
      pcn: 'U10003',
    });
    expect(changeFilter({ fy: '2025/26', region: 'Y58', icb: 'QSL', pcn: 'U10003' }, 'fy', '2026/27', merged)).toEqual({
      fy: '2026/27',
      region: 'Y56',
      icb: 'QCC',
      pcn: 'U10003',
    });
    // No year chosen: the latest year's ICB.
    expect(changeFilter(none, 'pcn', 'U10001', merged)).toEqual({ fy: null, region: 'Y56', icb: 'QCC', pcn: 'U10001' });
  });

  it("the Compare page: a PCN's own row and its ICB of the year; a past ICB's rows by the ICB they carry", () => {
    // pcn_comparison 2025/26: each row carries the ICB and region its PCN was in that year.
    const rows = [
      { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2025/26', icb_code: 'QAA', region_code: 'Y56' },
      { level: 'pcn', code: 'U10002', period_type: 'fy', period: '2025/26', icb_code: 'QAA', region_code: 'Y56' },
      { level: 'pcn', code: 'U10003', period_type: 'fy', period: '2025/26', icb_code: 'QSL', region_code: 'Y58' },
      { level: 'pcn', code: 'U10004', period_type: 'fy', period: '2025/26', icb_code: 'QSL', region_code: 'Y58' },
    ] as const;
    const seen = (level: 'pcn' | 'icb' | 'region', code: string, from = rows as readonly (typeof rows)[number][]) =>
      comparisonRows(from, { level, code }, merged).map((r) => r.code);
    expect(seen('pcn', 'U10001')).toEqual(['U10001', 'U10002']);
    expect(seen('pcn', 'U10003')).toEqual(['U10003', 'U10004']);
    expect(seen('icb', 'QAA')).toEqual(['U10001', 'U10002']);
    expect(seen('icb', 'QCC')).toEqual([]);
    expect(seen('region', 'Y58')).toEqual(['U10003', 'U10004']);
    // Its own row missing (suppressed from the year): the versions give its ICB of the year (QAA), not QCC.
    expect(seen('pcn', 'U10001', rows.slice(1))).toEqual(['U10002']);
  });
});
