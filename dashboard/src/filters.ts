import { AREA_CODE_PATTERN } from '../../functions/contract/areas.ts';
import type { Area, Level, MetaDocument, MetricRow, PcnVersion } from '../../functions/contract/metrics.ts';
import { FINANCIAL_YEAR_PATTERN, inForceDuring, periodDays } from '../../functions/contract/periods.ts';

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

/** The meta a filter reads: the areas, and (in a meta.json written since R21-1) every PCN version and the years. */
type Geography = Pick<MetaDocument, 'icbs' | 'pcns'> & Partial<Pick<MetaDocument, 'pcn_versions' | 'financial_years'>>;

/** The year the filters show: the one chosen, else the latest published (as App.tsx reads it). */
const yearOf = (filters: Filters, meta: Geography) => filters.fy ?? meta.financial_years?.at(-1) ?? null;

/**
 * The PCN versions in force during a financial year (any day of it, as the refresh places a PCN in a year), or null
 * when the year or the versions are unknown (the latest versions then stand for every year).
 */
function versionsOf(fy: string | null, meta: Geography): readonly PcnVersion[] | null {
  const days = fy === null ? null : periodDays(fy);
  if (days === null || meta.pcn_versions === undefined) return null;
  return meta.pcn_versions.filter((v) => inForceDuring(v, days));
}

/**
 * Changes one filter and keeps the others consistent with the geography of the year shown: choosing a PCN sets its
 * ICB and region (of that year: a merged ICB's predecessor for a year before the merger, R21-1); choosing an ICB sets
 * its region and clears a PCN outside it; choosing a region clears an ICB or PCN outside it; choosing a year moves a
 * chosen PCN's ICB and region to that year's.
 */
export function changeFilter(filters: Filters, key: keyof Filters, value: string | null, meta: Geography): Filters {
  const year = (f: Filters) => versionsOf(yearOf(f, meta), meta);
  const icbOf = (pcn: string | null, f: Filters) =>
    year(f)
      ?.filter((v) => v.code === pcn)
      .at(-1)?.icb ??
    meta.pcns.find((p) => p.code === pcn)?.parent ??
    null;
  const regionOf = (icb: string | null, f: Filters) =>
    year(f)
      ?.filter((v) => v.icb === icb)
      .at(-1)?.region ??
    meta.icbs.find((i) => i.code === icb)?.parent ??
    null;
  if (key === 'fy') {
    const moved = { ...filters, fy: value };
    if (filters.pcn === null) return moved;
    const icb = icbOf(filters.pcn, moved);
    return { ...moved, icb, region: regionOf(icb, moved) };
  }
  if (key === 'pcn') {
    if (value === null) return { ...filters, pcn: null };
    const icb = icbOf(value, filters);
    return { ...filters, pcn: value, icb, region: regionOf(icb, filters) };
  }
  if (key === 'icb') {
    if (value === null) return { ...filters, icb: null, pcn: null };
    return {
      ...filters,
      icb: value,
      region: regionOf(value, filters),
      pcn: filters.pcn && icbOf(filters.pcn, filters) === value ? filters.pcn : null,
    };
  }
  if (value === null) return { fy: filters.fy, region: null, icb: null, pcn: null };
  const icbStays = filters.icb !== null && regionOf(filters.icb, filters) === value;
  return { fy: filters.fy, region: value, icb: icbStays ? filters.icb : null, pcn: icbStays ? filters.pcn : null };
}

/**
 * The areas a filter may offer, given the others and the year shown (chosen, else the latest): the ICBs of the region
 * that year, the PCNs of the ICB (or region) that year. After a merger a past year offers the predecessor ICBs and the
 * merged ICB's years from the merger on (R21-1). Without PCN versions (an older meta.json) the latest geography.
 */
export function choices(
  filters: Filters,
  meta: Pick<MetaDocument, 'regions'> & Geography,
): { regions: readonly Area[]; icbs: readonly Area[]; pcns: readonly Area[] } {
  const versions = versionsOf(yearOf(filters, meta), meta);
  if (versions === null) {
    const icbs = filters.region ? meta.icbs.filter((i) => i.parent === filters.region) : meta.icbs;
    const icbCodes = new Set(icbs.map((i) => i.code));
    const pcns = filters.icb
      ? meta.pcns.filter((p) => p.parent === filters.icb)
      : meta.pcns.filter((p) => icbCodes.has(p.parent ?? ''));
    return { regions: meta.regions, icbs, pcns };
  }
  const inRegion = versions.filter((v) => filters.region === null || v.region === filters.region);
  const icbCodes = new Set(inRegion.map((v) => v.icb));
  const icbs = meta.icbs.filter((i) => icbCodes.has(i.code));
  const pcnCodes = new Set(inRegion.filter((v) => filters.icb === null || v.icb === filters.icb).map((v) => v.code));
  const regionCodes = new Set(versions.map((v) => v.region));
  return {
    regions: meta.regions.filter((r) => regionCodes.has(r.code)),
    icbs,
    pcns: meta.pcns.filter((p) => pcnCodes.has(p.code)),
  };
}

/**
 * The Compare page's rows for the area shown (rows of one financial year of pcn_comparison, each carrying the ICB and
 * region its PCN was in that year): a region's or ICB's, by the codes the rows carry (a past ICB's rows for its years);
 * a PCN's own row whatever ICB it carries, and the rows of the ICB its own row carries (R21-1: after a merger its
 * current ICB is not the one its past rows carry). Without its own row, the PCN's ICB of that year from the versions.
 */
export function comparisonRows<T extends MetricRow>(
  rows: readonly T[],
  scope: { readonly level: Level; readonly code: string },
  meta: Geography,
): T[] {
  if (scope.level === 'national') return [...rows];
  if (scope.level === 'region') return rows.filter((r) => r.region_code === scope.code);
  if (scope.level === 'icb') return rows.filter((r) => r.icb_code === scope.code);
  const own = rows.find((r) => r.code === scope.code);
  const fy = String(rows[0]?.period ?? '');
  const icb =
    own?.icb_code ??
    versionsOf(FINANCIAL_YEAR_PATTERN.test(fy) ? fy : null, meta)
      ?.filter((v) => v.code === scope.code)
      .at(-1)?.icb ??
    meta.pcns.find((p) => p.code === scope.code)?.parent;
  return rows.filter((r) => r.code === scope.code || (icb !== undefined && r.icb_code === icb));
}
