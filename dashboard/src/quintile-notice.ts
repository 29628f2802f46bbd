import type { Level, MetaDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { areaName } from './context.ts';
import { fyLabel } from './format.ts';

/**
 * Why the PCN-deprivation-quintile figures are missing for an area and year, in words a regional lead or a PCN user
 * can act on (docs/methodology.md, Equity): never published for an ICB or a PCN, and for England or a region only in
 * years where no quintile would give away a PCN's figures. null where nothing was withheld: the area has no equity
 * figures at all for the year (the card's ordinary empty state says so) or its quintile rows are there.
 */
export function quintileNotice(
  meta: MetaDocument,
  scope: { readonly level: Level; readonly code: string },
  fy: string,
  rows: readonly MetricRow[],
): string | null {
  if (rows.some((r) => r.dimension === 'pcn_imd_quintile')) return null;
  if (scope.level === 'icb' || scope.level === 'pcn') {
    const region = regionOf(meta, scope.level, scope.code);
    return (
      "Figures by the deprivation of the PCN's patients are not published for an ICB or a PCN: in most ICBs a " +
      "quintile holds only one or two PCNs, so its figures would be one PCN's own (disclosure control). They are " +
      `published for England and the regions: choose ${region ? `${areaName(meta, 'region', region)} or ` : ''}England.`
    );
  }
  if (rows.length === 0) return null;
  const area = areaName(meta, scope.level, scope.code);
  return (
    `Not published for ${area} in ${fyLabel(fy)}: in that year a deprivation quintile holds too few PCNs (fewer than ` +
    "3, or one left once an ICB's or region's own PCNs are taken away), so its figures would give away a PCN's " +
    `(disclosure control). ${scope.level === 'region' ? 'Choose England or another year.' : 'Choose another year.'}`
  );
}

/** The region of an ICB or PCN (its ICB's region), from the current geography. */
function regionOf(meta: MetaDocument, level: 'icb' | 'pcn', code: string): string | undefined {
  const icb = level === 'icb' ? code : meta.pcns.find((p) => p.code === code)?.parent;
  return meta.icbs.find((i) => i.code === icb)?.parent ?? undefined;
}
