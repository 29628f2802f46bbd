import { AREA_CODE_PATTERN } from '../../functions/contract/areas.ts';
import type { Area, Level, MetaDocument } from '../../functions/contract/metrics.ts';
import { FINANCIAL_YEAR_PATTERN } from '../../functions/contract/periods.ts';

/** What the filter bar narrows every figure to; held in the URL so any view can be bookmarked and shared. */
export interface Filters {
  readonly fy: string | null;
  readonly region: string | null;
  readonly icb: string | null;
  readonly pcn: string | null;
}

const KEYS = ['fy', 'region', 'icb', 'pcn'] as const;
const PATTERNS: Record<(typeof KEYS)[number], RegExp> = {
  fy: FINANCIAL_YEAR_PATTERN,
  region: AREA_CODE_PATTERN.region,
  icb: AREA_CODE_PATTERN.icb,
  pcn: AREA_CODE_PATTERN.pcn,
};

/** Filters from the query string; anything malformed is ignored rather than trusted. */
export function readFilters(params: URLSearchParams): Filters {
  const value = (key: (typeof KEYS)[number]) => {
    const v = params.get(key);
    return v !== null && PATTERNS[key].test(v) ? v : null;
  };
  return { fy: value('fy'), region: value('region'), icb: value('icb'), pcn: value('pcn') };
}

export function writeFilters(filters: Filters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key]) params.set(key, filters[key] as string);
  return params;
}

/** The most specific area chosen: a PCN, else an ICB, else a region, else England. */
export function scopeOf(filters: Filters): { level: Level; code: string } {
  if (filters.pcn) return { level: 'pcn', code: filters.pcn };
  if (filters.icb) return { level: 'icb', code: filters.icb };
  if (filters.region) return { level: 'region', code: filters.region };
  return { level: 'national', code: 'ENG' };
}

/**
 * Changes one filter and keeps the others consistent with the geography: choosing a PCN sets its ICB and region;
 * choosing an ICB sets its region and clears a PCN outside it; choosing a region clears an ICB or PCN outside it.
 */
export function changeFilter(
  filters: Filters,
  key: keyof Filters,
  value: string | null,
  meta: Pick<MetaDocument, 'icbs' | 'pcns'>,
): Filters {
  const icbOf = (pcn: string | null) => meta.pcns.find((p) => p.code === pcn)?.parent ?? null;
  const regionOf = (icb: string | null) => meta.icbs.find((i) => i.code === icb)?.parent ?? null;
  if (key === 'fy') return { ...filters, fy: value };
  if (key === 'pcn') {
    if (value === null) return { ...filters, pcn: null };
    const icb = icbOf(value);
    return { ...filters, pcn: value, icb, region: regionOf(icb) };
  }
  if (key === 'icb') {
    if (value === null) return { ...filters, icb: null, pcn: null };
    return {
      ...filters,
      icb: value,
      region: regionOf(value),
      pcn: filters.pcn && icbOf(filters.pcn) === value ? filters.pcn : null,
    };
  }
  if (value === null) return { fy: filters.fy, region: null, icb: null, pcn: null };
  const icbStays = filters.icb !== null && regionOf(filters.icb) === value;
  return { fy: filters.fy, region: value, icb: icbStays ? filters.icb : null, pcn: icbStays ? filters.pcn : null };
}

/** The areas a filter may offer, given the others: ICBs of the region, PCNs of the ICB (or region). */
export function choices(
  filters: Filters,
  meta: Pick<MetaDocument, 'regions' | 'icbs' | 'pcns'>,
): { regions: readonly Area[]; icbs: readonly Area[]; pcns: readonly Area[] } {
  const icbs = filters.region ? meta.icbs.filter((i) => i.parent === filters.region) : meta.icbs;
  const icbCodes = new Set(icbs.map((i) => i.code));
  const pcns = filters.icb
    ? meta.pcns.filter((p) => p.parent === filters.icb)
    : meta.pcns.filter((p) => icbCodes.has(p.parent ?? ''));
  return { regions: meta.regions, icbs, pcns };
}
