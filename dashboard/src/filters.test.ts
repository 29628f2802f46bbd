import { describe, expect, it } from 'vitest';
import { changeFilter, choices, readFilters, scopeOf, writeFilters } from './filters.ts';

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
