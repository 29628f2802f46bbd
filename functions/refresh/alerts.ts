import type { MetricDocument, MetricRow } from '../contract/index.ts';
import { FUNNEL_MEASURES } from './funnel-documents.ts';
import { SPC_MEASURES } from './spc-documents.ts';

/**
 * "What changed" since the previous refresh, for regional leads (issue 15): PCNs newly outside the adjusted 99.8%
 * funnel limits in the latest financial year, and series whose latest point is newly a special cause of concern.
 * Each alert gives the figure, the limit it crossed and a link to the view. Rows carry the area they are about
 * (level and code) and its region and ICB, so the API's role scope (functions/auth/scope.ts) applies to them as to
 * every document, and a region's list can be sent to that region's leads. On the first refresh there is nothing
 * to compare with, so every current signal is listed.
 */
export type AlertRow = MetricRow & {
  readonly kind: 'funnel' | 'spc';
  readonly measure: string;
  readonly message: string;
  readonly link: string;
};

const COMPARATORS = [
  { column: 'vs_national', label: 'England' },
  { column: 'vs_region', label: 'its region' },
] as const;

interface FunnelSummary {
  funnel_rates?: Record<string, Record<string, { curves?: unknown; overdispersion?: unknown } | undefined>>;
  per?: Record<string, number>;
}

/** The financial year the alerts are about: the latest with PCN rows. */
const latestYear = (document: MetricDocument | undefined) =>
  document?.rows
    .map((r) => String(r.period))
    .sort()
    .at(-1);

function funnelAlerts(current: MetricDocument, previous: MetricDocument | undefined): AlertRow[] {
  const fy = latestYear(current);
  if (fy === undefined) return [];
  const before = new Map(
    (previous?.rows ?? []).filter((r) => String(r.period) === fy).map((r) => [String(r.code), r] as const),
  );
  const limitsOf = (row: MetricRow, measure: string, comparator: string, side: string): number | null => {
    const rates = (current.summary as FunnelSummary | undefined)?.funnel_rates?.[fy]?.[measure] as
      | { curves?: { national?: LimitRow[]; regions?: Record<string, LimitRow[]> } }
      | undefined;
    const curve =
      comparator === 'vs_national' ? rates?.curves?.national : rates?.curves?.regions?.[String(row.region_code)];
    const n = Number(row[FUNNEL_MEASURES.find((m) => m.name === measure)?.denominator ?? '']);
    // The limit at the PCN's size, from the nearest point of the published curve (a drawing aid, to 6 digits).
    const nearest = curve?.reduce((best, p) => (Math.abs(p.n - n) < Math.abs(best.n - n) ? p : best));
    return nearest ? nearest[side === 'high' ? 'upper998' : 'lower998'] : null;
  };
  const alerts: AlertRow[] = [];
  for (const row of current.rows.filter((r) => String(r.period) === fy)) {
    for (const m of FUNNEL_MEASURES) {
      for (const comparator of COMPARATORS) {
        const column = `${m.name}_${comparator.column}`;
        const side = row[column];
        if (side !== 'high' && side !== 'low') continue;
        if (before.get(String(row.code))?.[column] === side) continue;
        const limit = limitsOf(row, m.name, comparator.column, side);
        const per = m.per;
        alerts.push({
          level: 'pcn',
          code: row.code,
          period_type: 'fy',
          period: fy,
          region_code: String(row.region_code),
          icb_code: String(row.icb_code),
          kind: 'funnel',
          measure: m.name,
          comparator: comparator.label === 'England' ? 'national' : 'region',
          direction: side,
          figure: row[m.name] as number,
          limit: limit === null ? null : Math.round(limit * per * 100) / 100,
          message: `${side === 'high' ? 'Above' : 'Below'} the 99.8% limit around ${comparator.label} (adjusted for overdispersion)`,
          link: `/compare?fy=${encodeURIComponent(fy)}&pcn=${row.code}&measure=${m.name}`,
        });
      }
    }
  }
  return alerts;
}

type LimitRow = { n: number; upper998: number; lower998: number };

function spcAlerts(
  current: MetricDocument,
  previous: MetricDocument | undefined,
  regionOf: (level: string, code: string) => string | undefined,
): AlertRow[] {
  const key = (r: MetricRow) => `${r.level}|${r.code}|${r.measure}`;
  const before = new Map((previous?.rows ?? []).map((r) => [key(r), r] as const));
  const alerts: AlertRow[] = [];
  for (const row of current.rows) {
    const variation = String(row.variation);
    if (!variation.startsWith('concern_')) continue;
    // New: the series was not already showing this concern at the previous refresh.
    if (before.get(key(row))?.variation === variation) continue;
    const high = variation === 'concern_high';
    const label = SPC_MEASURES.find((m) => m.name === row.measure)?.label ?? String(row.measure);
    alerts.push({
      level: row.level,
      code: row.code,
      period_type: 'month',
      period: String(row.last_month),
      ...(row.level === 'national' ? {} : { region_code: regionOf(row.level, row.code) ?? null }),
      kind: 'spc',
      measure: String(row.measure),
      direction: high ? 'high' : 'low',
      figure: row.last_value as number,
      limit: (high ? row.upper_limit : row.lower_limit) as number | null,
      message: `${label}: special cause of concern (${high ? 'higher' : 'lower'}) in ${row.last_month}`,
      link: `/trends?${row.level === 'national' ? '' : `${row.level}=${row.code}&`}measure=${row.measure}`,
    });
  }
  return alerts;
}

export function alertsDocument(
  current: { funnels: MetricDocument; spc: MetricDocument },
  previous: { funnels?: MetricDocument; spc?: MetricDocument },
  context: {
    generatedAt: string;
    dataAsOf: string | null;
    /** The region an area is in (itself for a region). */
    regionOf: (level: string, code: string) => string | undefined;
  },
): MetricDocument {
  const rows = [
    ...funnelAlerts(current.funnels, previous.funnels),
    ...spcAlerts(current.spc, previous.spc, context.regionOf),
  ];
  return {
    name: 'alerts',
    title: 'What changed',
    description:
      'Since the previous refresh: PCNs newly outside the 99.8% funnel limits adjusted for overdispersion (around England or their region) in the latest financial year, and monthly series whose latest point is newly a special cause of concern on a Making Data Count chart. Each gives the figure, the limit and a link to the view. After the first refresh every current signal is listed.',
    generated_at: context.generatedAt,
    data_as_of: context.dataAsOf,
    definitions: {
      kind: 'funnel (a PCN against the funnel limits) or spc (a monthly series).',
      measure: 'The measure.',
      comparator: 'funnel: national (England) or region.',
      direction: 'high or low.',
      figure: 'The published figure (a funnel rate per 1,000 or per 100; the last month of a series).',
      limit: 'The limit crossed (funnel: at the PCN size, from the published curve; spc: the process limit).',
      message: 'What changed, in words.',
      link: 'The dashboard view.',
      compared_with: 'The refresh this one is compared with.',
    },
    disclosure: 'Alerts repeat figures and limits already published (rounded below England) in pcn_comparison and spc.',
    keys: ['kind', 'measure', 'comparator'],
    rows,
    summary: {
      compared_with: previous.funnels?.generated_at ?? previous.spc?.generated_at ?? null,
      by_region: rows.reduce<Record<string, number>>((counts, r) => {
        const region = r.region_code;
        if (typeof region === 'string') counts[region] = (counts[region] ?? 0) + 1;
        return counts;
      }, {}),
    },
  };
}
