import { BarChart } from '@tremor/react';
import { useState } from 'react';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { rowsOf, useMetric } from '../api.ts';
import { plottable } from '../chart-data.ts';
import { cohortsCovered, cohortsCoveredCsv } from '../cohorts.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ChartLegend, type Series, seriesProps } from '../components/ChartLegend.tsx';
import { DataTable, figureColumn } from '../components/DataTable.tsx';
import { LabelledSelect } from '../components/LabelledSelect.tsx';
import { useDashboard } from '../context.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatPercent } from '../format.ts';
import { quintileNotice } from '../quintile-notice.ts';

const DIMENSIONS = {
  imd_decile: 'Deprivation decile (1 = most deprived)',
  ethnicity_group: 'Ethnicity group',
  age_band: 'Age band',
  sex: 'Sex',
  pcn_imd_quintile: "Deprivation of the PCN's patients (IMD 2019 quintile, 1 = most deprived)",
} as const;
type Dimension = keyof typeof DIMENSIONS;
const TAKE_UP_SERIES: readonly Series[] = [
  { label: 'Engaged %', color: 'emerald' },
  { label: 'Wellbeing improved %', color: 'violet' },
];
const groupOrder = (a: string, b: string) =>
  Number.isNaN(Number(a)) || Number.isNaN(Number(b)) ? a.localeCompare(b) : Number(a) - Number(b);
const groupLabel = (dimension: Dimension, group: string) =>
  dimension === 'imd_decile' || dimension === 'pcn_imd_quintile'
    ? group === 'unknown'
      ? 'Unknown'
      : `${dimension === 'imd_decile' ? 'Decile' : 'Quintile'} ${group}`
    : group.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

/** Equity: who is referred, who takes up and whose wellbeing improves, by deprivation, ethnicity, age and sex. */
/**
 * Whose lists a quintile's rate is over: a PCN counts from its first month with data, as on the Rollout page, so a
 * quintile whose PCNs join later does not read low (docs/methodology.md, Equity; red-team review 6, K8).
 */
const QUINTILE_LISTS =
  "Each quintile's patients are those of its PCNs from their first month of data (as on the Rollout page): a PCN not yet sending data is in no quintile's list.";

export default function EquityPage() {
  const { meta, scope, fy } = useDashboard();
  const [dimension, setDimension] = useState<Dimension>('imd_decile');
  const equity = useMetric('equity', { level: scope.level, code: scope.code, period: fy });
  const rows = rowsOf(equity)
    .filter((r) => r.dimension === dimension)
    .sort((a, b) => groupOrder(String(a.group), String(b.group)))
    .map((r): MetricRow & { label: string } => ({ ...r, label: groupLabel(dimension, String(r.group)) }));
  const covers = cohortsCovered(equity);
  // Quintile figures withheld by design (disclosure control) say why, rather than showing an empty chart.
  const emptyMessage =
    dimension === 'pcn_imd_quintile' && equity.state === 'ready'
      ? (quintileNotice(meta, scope, fy, rowsOf(equity)) ?? undefined)
      : undefined;
  const csv = periodCsv({
    stem: `equity-${dimension}-${scope.code}`,
    period: fy,
    periodHeader: 'Financial year',
    dataAsOf: dataAsOfOf(equity, meta.data_as_of),
    covers: cohortsCoveredCsv(equity, fy, scope.level),
    columns: {
      label: DIMENSIONS[dimension],
      people_referred: 'People referred',
      people_referred_per_1000: 'People referred per 1,000 patients (PCN quintiles)',
      people_referred_per_1000_annualised: 'The same, a year',
      engaged: 'Referrals engaged',
      engaged_pct: 'Referrals engaged %',
      connected_pct: 'Connected %',
      wellbeing_people: 'People measured twice',
      wellbeing_improved_pct: 'Improved %',
    },
    rows,
  });
  // Every card is of the same rows: one document, one download, the same empty states.
  const card = { method: 'equity', data: equity, empty: rows.length === 0, emptyMessage, csv } as const;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Equity</h1>
      <LabelledSelect
        id="dimension"
        label="Group people by"
        className="max-w-sm"
        value={dimension}
        options={Object.entries(DIMENSIONS).map(([value, label]) => ({ value, label }))}
        onChange={setDimension}
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard
          title={dimension === 'pcn_imd_quintile' ? 'People referred per 1,000 patients a year' : 'People referred'}
          howMore={dimension === 'pcn_imd_quintile' ? QUINTILE_LISTS : undefined}
          {...card}
        >
          <BarChart
            className="h-72"
            data={rows.map((r) => ({
              Group: r.label,
              'People referred':
                dimension === 'pcn_imd_quintile'
                  ? plottable(r.people_referred_per_1000_annualised)
                  : plottable(r.people_referred),
            }))}
            index="Group"
            categories={['People referred']}
            colors={['blue']}
            showAnimation={false}
            showLegend={false}
            yAxisWidth={64}
          />
        </ChartCard>
        <ChartCard title="Engagement and wellbeing improvement" covers={covers} {...card}>
          <ChartLegend items={TAKE_UP_SERIES} />
          <BarChart
            className="h-72"
            data={rows.map((r) => ({
              Group: r.label,
              'Engaged %': plottable(r.engaged_pct),
              'Wellbeing improved %': plottable(r.wellbeing_improved_pct),
            }))}
            index="Group"
            {...seriesProps(TAKE_UP_SERIES)}
            valueFormatter={(v) => formatPercent(v)}
            yAxisWidth={56}
          />
        </ChartCard>
      </div>
      <ChartCard title="By group" covers={covers} {...card}>
        <DataTable
          testId="equity-table"
          label={`By group: ${DIMENSIONS[dimension]}`}
          rows={rows}
          rowKey={(r) => String(r.group)}
          columns={[
            { key: 'group', header: DIMENSIONS[dimension], rowHeader: true, cell: (r) => r.label },
            figureColumn('people_referred', 'People referred'),
            figureColumn('engaged_pct', 'Engaged', (v) => formatPercent(v)),
            figureColumn('wellbeing_improved_pct', 'Wellbeing improved', (v) => formatPercent(v)),
          ]}
        />
      </ChartCard>
    </div>
  );
}
