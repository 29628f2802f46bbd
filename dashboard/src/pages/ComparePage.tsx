import { type ReactNode, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { Figure, MetaDocument, MetricDocument } from '../../../functions/contract/metrics.ts';
import { inForceDuring, periodDays } from '../../../functions/contract/periods.ts';
import { FUNNEL_MEASURES, type FunnelMeasure, summaryOf } from '../../../functions/contract/summaries.ts';
import { type Loadable, rowsOf, useMetric } from '../api.ts';
import { cohortsCovered, cohortsCoveredCsv } from '../cohorts.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { type Column, DataTable } from '../components/DataTable.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { FunnelPlot, type FunnelPoint } from '../components/FunnelPlot.tsx';
import { LabelledSelect } from '../components/LabelledSelect.tsx';
import { useDashboard } from '../context.ts';
import { type CsvDownload, dataAsOfOf, periodCsv } from '../csv.ts';
import { comparisonRows } from '../filters.ts';
import { formatCount, formatDecimal, isSuppressed } from '../format.ts';

const MEASURES = new Map(FUNNEL_MEASURES.map((m) => [m.name, m]));
const FIRST = FUNNEL_MEASURES[0] as FunnelMeasure;

type SortKey = 'name' | 'n' | 'rate';
/**
 * What the plot leaves out: PCNs with a suppressed figure, neither drawn nor placed (review 31, R31-1: a `*` may be a
 * count of 1-7 or a larger count hidden to protect another, so no position of it holds; the region's comparator is
 * its published figure, their counts in it).
 */
export function notDrawnText(notDrawn: number): string {
  if (notDrawn === 0) return '';
  const pcns = (n: number) => `${n} PCN${n === 1 ? '' : 's'}`;
  return `${pcns(notDrawn)} with a suppressed figure ${notDrawn === 1 ? 'is' : 'are'} not drawn or placed: a suppressed figure may be a count of 1-7 or a larger count hidden to protect another, so no position of it would hold.`;
}

const POSITION: Record<string, string> = {
  high: '▲ above',
  low: '▼ below',
  within: 'within',
  too_few_in_region: 'not compared (England only)',
};

/** Why a funnel has no comparator to draw, in words a reader can act on (undefined: the usual empty message). */
export function comparatorMissing(
  useRegion: boolean,
  regionTooSmall: boolean,
  englandHeld: boolean,
): string | undefined {
  if (useRegion && regionTooSmall)
    return 'Fewer than 3 PCNs in this region are placed for this measure, so there is no regional comparator: compare them with England instead.';
  if (!useRegion && englandHeld)
    return "England's figure for this year is held at an earlier release while a revision is checked, so this release has no England comparator (it would compare this release's PCNs with an earlier England): compare PCNs with their region instead.";
  return undefined;
}

/**
 * The funnel card's download: which year, compared with what (England or the region, and its rate) and with which
 * limits, in the file name and on every row, as a position means nothing without them (review 6, K2).
 */
export function compareCsv(o: {
  readonly comparison: Loadable<MetricDocument>;
  readonly measure: FunnelMeasure;
  readonly code: string;
  readonly fy: string;
  /** The region compared with, or null for England. */
  readonly comparator: { readonly code: string; readonly name: string | undefined } | null;
  readonly rate: number | null | undefined;
  readonly adjusted: boolean;
  readonly dataAsOf: string | null;
  readonly rows: readonly Record<string, unknown>[];
}): CsvDownload {
  const m = o.measure;
  return periodCsv({
    stem: `compare-${m.name}-${o.code}-vs-${o.comparator?.code ?? 'ENG'}${o.adjusted ? '' : '-unadjusted'}`,
    period: o.fy,
    periodHeader: 'Financial year',
    dataAsOf: dataAsOfOf(o.comparison, o.dataAsOf),
    covers:
      m.name === 'take_up_pct' || m.name === 'wellbeing_improved_pct'
        ? cohortsCoveredCsv(o.comparison, o.fy, 'pcn', m.name === 'take_up_pct' ? 'engagement' : 'outcomes')
        : undefined,
    columns: {
      code: 'PCN code',
      name: 'PCN',
      n: m.axis.replace(' (log scale)', ''),
      rate: m.unit,
      position: 'Against the 99.8% limits',
    },
    alike: {
      comparator: ['Compared with', o.comparator ? (o.comparator.name ?? o.comparator.code) : 'England'],
      comparator_rate: [
        `Comparator rate (${m.unit})`,
        typeof o.rate === 'number' ? Number((o.rate * m.per).toPrecision(6)) : null,
      ],
      limits: [
        '99.8% limits',
        o.adjusted ? 'widened by the usual spread between PCNs (overdispersion)' : 'chance alone (not adjusted)',
      ],
    },
    rows: o.rows,
  });
}

/**
 * The scale a measure is shown at. A part year's referral rate is per 1,000 patients over the months so far (exposure
 * pro rata to the months of the period: funnel-documents.ts exposureOf), so it is annualised, x 12 / months, as the
 * Board report and the packs show it (referrals_per_1000_annualised), and its unit says so (red-team review 19,
 * R19-9). Every PCN is over the same months, so positions and limits keep their place; only the scale changes.
 */
export function rateScale(
  m: FunnelMeasure,
  fy: string,
  monthsInYear: number,
): { readonly per: number; readonly unit: string } {
  if (m.name !== 'referral_rate' || !(monthsInYear > 0 && monthsInYear < 12)) return { per: m.per, unit: m.unit };
  return {
    per: (m.per * 12) / monthsInYear,
    unit: `${m.unit} a year (annualised from the ${monthsInYear} ${monthsInYear === 1 ? 'month' : 'months'} of ${fy} so far)`,
  };
}

/**
 * The region an area's PCNs are compared with in the year shown: a region its own; a PCN the region its row of the
 * year names, else (no row) the region it was in that year; an ICB the region it was in that year (meta.json's
 * `pcn_versions`, as the rows and the summary's regions are read: review 23, R23-2). The latest geography only
 * without versions (an older meta.json) or in none of the year's.
 */
export function comparatorRegion(
  scope: { readonly level: string; readonly code: string },
  fy: string,
  meta: Pick<MetaDocument, 'icbs' | 'pcns'> & Partial<Pick<MetaDocument, 'pcn_versions'>>,
  ownRow?: Readonly<Record<string, unknown>>,
): string | null {
  if (scope.level === 'national') return null;
  if (scope.level === 'region') return scope.code;
  if (scope.level === 'pcn' && typeof ownRow?.region_code === 'string') return ownRow.region_code;
  const days = periodDays(fy);
  const ofYear = (meta.pcn_versions ?? []).filter(
    (v) => days !== null && inForceDuring(v, days) && (scope.level === 'icb' ? v.icb : v.code) === scope.code,
  );
  const latestIcb = scope.level === 'icb' ? scope.code : meta.pcns.find((p) => p.code === scope.code)?.parent;
  return ofYear.at(-1)?.region ?? meta.icbs.find((i) => i.code === latestIcb)?.parent ?? null;
}

/** Compare PCNs fairly: funnel plots with control limits, and a table that never ranks a suppressed figure. */
export default function ComparePage() {
  const { scope, fy, meta } = useDashboard();
  // An alert's link names the measure (?measure=take_up_pct); anything else starts on the referral rate.
  const [params] = useSearchParams();
  const asked = params.get('measure') ?? '';
  const [measure, setMeasure] = useState<string>(MEASURES.has(asked) ? asked : FIRST.name);
  const [comparator, setComparator] = useState<'national' | 'region'>('national');
  const [adjusted, setAdjusted] = useState(true);
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'rate', descending: true });
  const comparison = useMetric('pcn_comparison', { level: 'pcn', period: fy });
  const m = MEASURES.get(measure) ?? FIRST;
  // The rows of the area in the year shown, by the ICB and region each row carries (R21-1: a PCN's own row and its
  // ICB of that year, a merged ICB's predecessors for their years).
  const rows = comparisonRows(rowsOf(comparison), scope, meta);
  const ownRow = scope.level === 'pcn' ? rows.find((r) => r.code === scope.code) : undefined;
  const rates =
    comparison.state === 'ready' ? (summaryOf(comparison.value, 'funnel_rates')?.[fy]?.[measure] ?? null) : null;
  const region = comparatorRegion(scope, fy, meta, ownRow);
  const useRegion = comparator === 'region' && region !== null;
  const p0 = useRegion ? rates?.regions[region] : rates?.national;
  const curves = adjusted ? rates?.curves : rates?.curves_unadjusted;
  const limits = (useRegion ? curves?.regions[region] : curves?.national) ?? [];
  const dispersion = useRegion ? rates?.overdispersion?.regions[region] : rates?.overdispersion?.national;
  const positionKey = `${measure}_vs_${useRegion ? 'region' : 'national'}${adjusted ? '' : '_unadjusted'}`;
  // A region with fewer than 3 placed PCNs publishes no comparator (it would give away a PCN's own rate): say so.
  const regionTooSmall = useRegion && rows.some((r) => r[`${measure}_vs_region`] === 'too_few_in_region');
  const name = (code: string) => meta.pcns.find((p) => p.code === code)?.name ?? code;
  const placed: FunnelPoint[] = rows
    .filter(
      (r) =>
        typeof r[m.numerator] === 'number' && typeof r[m.denominator] === 'number' && (r[m.denominator] as number) > 0,
    )
    .map((r) => ({
      code: r.code,
      name: name(r.code),
      n: r[m.denominator] as number,
      p: (r[m.numerator] as number) / (r[m.denominator] as number),
      position: ['high', 'low', 'within'].includes(String(r[positionKey]))
        ? (r[positionKey] as FunnelPoint['position'])
        : null,
    }));
  // The months of the year with data: the most months any PCN was open in it (funnel-documents.ts monthsInPeriod).
  const monthsInYear = Math.max(0, ...rowsOf(comparison).map((r) => Number(r.months_open ?? 0) || 0));
  const { per, unit } = rateScale(m, fy, monthsInYear);
  const table = rows
    .map((r) => ({
      code: r.code,
      name: name(r.code),
      n: r[m.denominator],
      // Annualised where the year is part (R19-9): the published rate x 12 / months, to 2 decimals.
      rate:
        typeof r[measure] === 'number' ? Math.round((r[measure] as number) * (per / m.per) * 100) / 100 : r[measure],
      position: r[positionKey] ?? null,
    }))
    .sort((a, b) => {
      // A suppressed figure is never ranked: it always sorts last.
      const value = (row: typeof a) => (sort.key === 'name' ? row.name : row[sort.key]);
      const va = value(a);
      const vb = value(b);
      if (typeof va !== typeof vb) return typeof va === 'number' || sort.key === 'name' ? -1 : 1;
      const order = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return sort.descending ? -order : order;
    });
  type Row = (typeof table)[number];
  const sortable = (key: SortKey, label: string, cell: (r: Row) => ReactNode, numeric = false): Column<Row> => ({
    key,
    numeric,
    cell,
    sort: sort.key === key ? (sort.descending ? 'descending' : 'ascending') : 'none',
    header: (
      <button
        type="button"
        className="font-semibold underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-nhs-blue"
        onClick={() => setSort({ key, descending: sort.key === key ? !sort.descending : key !== 'name' })}
      >
        {label}
      </button>
    ),
  });

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Compare PCNs</h1>
      <fieldset className="flex flex-wrap gap-4">
        <legend className="sr-only">What to compare</legend>
        <LabelledSelect
          id="measure"
          label="Measure"
          value={measure}
          options={FUNNEL_MEASURES.map((v) => ({ value: v.name, label: v.label }))}
          onChange={setMeasure}
        />
        <LabelledSelect
          id="comparator"
          label="Compared with"
          value={comparator}
          options={[
            { value: 'national', label: 'England' },
            {
              value: 'region',
              label: `The region${region === null ? ' (choose a region)' : ''}`,
              disabled: region === null,
            },
          ]}
          onChange={setComparator}
        />
        <div className="flex items-end gap-2 pb-1">
          <input
            id="adjusted"
            type="checkbox"
            checked={adjusted}
            onChange={(event) => setAdjusted(event.target.checked)}
            className="h-4 w-4 accent-nhs-blue"
          />
          <label htmlFor="adjusted" className="text-tremor-default text-tremor-content-strong">
            Limits allow for the usual spread between PCNs (recommended)
          </label>
        </div>
      </fieldset>
      <div className="grid gap-4 xl:grid-cols-5">
        <div className="xl:col-span-3">
          <ChartCard
            title={`${m.label}: funnel plot`}
            method="funnels"
            covers={
              measure === 'take_up_pct'
                ? cohortsCovered(comparison, 'engagement')
                : measure === 'wellbeing_improved_pct'
                  ? cohortsCovered(comparison, 'outcomes')
                  : undefined
            }
            data={comparison}
            empty={placed.length === 0 || p0 === undefined || p0 === null}
            emptyMessage={comparatorMissing(useRegion, regionTooSmall, rates?.national_held !== undefined)}
            csv={compareCsv({
              comparison,
              measure: { ...m, per, unit },
              code: scope.code,
              fy,
              comparator: useRegion ? { code: region, name: meta.regions.find((r) => r.code === region)?.name } : null,
              rate: p0,
              adjusted,
              dataAsOf: meta.data_as_of,
              rows: table,
            })}
          >
            <FunnelPlot
              title={`${m.label} of each PCN against its size, ${scope.name}, FY ${fy}`}
              points={placed}
              limits={limits}
              target={p0 ?? 0}
              per={per}
              xLabel={m.axis}
              yLabel={unit}
            />
            <p className="text-tremor-default text-tremor-content-emphasis" data-testid="funnel-meaning">
              {adjusted
                ? `What the limits mean: PCNs differ for reasons beyond chance (here ${dispersion ? `φ = ${formatDecimal(dispersion.phi, 2)}, ${dispersion.phi > 1 ? `τ² = ${dispersion.tau2.toPrecision(3)}` : 'no more than chance, so no widening'}` : 'no estimate'}), so the limits are widened by the usual spread between PCNs. A PCN outside the 99.8% limits is unusual even allowing for that: worth a conversation about why, not proof of better or worse care. Inside them, its difference is within the usual spread.`
                : 'What the limits mean: these plain limits allow for chance alone. PCNs differ for many other reasons (population, service model, recording), so many fall outside them. Tick the box above for the limits to act on.'}
            </p>
            <p className="text-tremor-default text-tremor-content-emphasis">
              Comparator rate: <strong>{formatDecimal((p0 ?? 0) * per)}</strong> {unit}.{' '}
              {notDrawnText(rows.length - placed.length)}
            </p>
          </ChartCard>
        </div>
        <div className="xl:col-span-2">
          <ChartCard
            title="PCNs"
            method="funnels"
            how="Sort by any column. PCNs whose figure is suppressed are listed last and never ranked."
            data={comparison}
            empty={table.length === 0}
          >
            <DataTable
              testId="compare-table"
              label="PCNs compared"
              scroll="max-h-[32rem]"
              rows={table}
              rowKey={(r) => r.code}
              columns={[
                sortable('name', 'PCN', (r) => r.name),
                sortable('n', 'Size', (r) => formatCount(r.n as number), true),
                sortable(
                  'rate',
                  per === m.per ? m.label : `${m.label} a year (annualised)`,
                  (r) => <FigureValue value={r.rate as Figure} format={(v) => formatDecimal(v)} />,
                  true,
                ),
                {
                  key: 'position',
                  header: 'Position',
                  // A suppressed figure has no position (review 31, R31-1): the cell says why.
                  cell: (r) => (isSuppressed(r.rate) ? 'not shown: suppressed' : (POSITION[String(r.position)] ?? '–')),
                },
              ]}
            />
          </ChartCard>
        </div>
      </div>
    </div>
  );
}
