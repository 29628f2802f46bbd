import { Link } from 'react-router-dom';
import { Scope } from '../../../functions/auth/scope.ts';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { FUNNEL_MEASURES, summaryOf } from '../../../functions/contract/summaries.ts';
import type { Assurance, Improvement, Variation } from '../../../functions/stats/spc-icons.ts';
import { rowsOf, useMetric } from '../api.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { SpcChart } from '../components/SpcChart.tsx';
import { useDashboard } from '../context.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatCount, formatDecimal } from '../format.ts';

const MEASURES = [
  { name: 'referrals', title: 'Referrals by month', format: (n: number) => formatCount(Math.round(n)) },
  {
    // The rate the board report reads (R19-5): a count moves with the area's PCNs, the rate does not.
    name: 'referrals_per_1000',
    title: 'Referrals per 1,000 registered patients by month',
    format: (n: number) => formatDecimal(n),
  },
  { name: 'people_referred', title: 'People referred by month', format: (n: number) => formatCount(Math.round(n)) },
  { name: 'decline_rate_pct', title: 'Offers declined, % by month', format: (n: number) => `${formatDecimal(n)}%` },
  {
    name: 'engagement_pct',
    title: 'Engagement, % by month of referral',
    format: (n: number) => `${formatDecimal(n)}%`,
  },
  { name: 'splw_fte', title: 'Link worker FTE by month', format: (n: number) => formatDecimal(n) },
  {
    name: 'splw_fte_per_10000',
    title: 'Link worker FTE per 10,000 registered patients by month',
    format: (n: number) => formatDecimal(n, 2),
  },
] as const;

const MEASURE_LABEL: Record<string, string> = {
  ...Object.fromEntries(FUNNEL_MEASURES.map((m) => [m.name, m.label])),
  ...Object.fromEntries(MEASURES.map((m) => [m.name, m.title.replace(/ by month.*$|, % by month.*$/, '')])),
};

/** The refresh the alerts compare this one with (their summary.compared_with), null before there is one. */
function comparedWith(alerts: ReturnType<typeof useMetric>): string | null {
  return alerts.state === 'ready' ? (summaryOf(alerts.value, 'compared_with') ?? null) : null;
}

/** What changed since the previous release (R21-6: every refresh of a release lists the release's alerts), for the area chosen (the server already keeps to the role's rows). */
function WhatChanged() {
  const { scope, meta } = useDashboard();
  const alerts = useMetric('alerts', {});
  // The alerts about the area chosen (itself, or an area inside it): the rule the API applies to the role.
  const area = new Scope({ role: scope.level, code: scope.code, subject: 'dashboard' }, meta);
  const rows = rowsOf(alerts).filter((r) => area.inside(r.level, r.code));
  const dataAsOf = dataAsOfOf(alerts, meta.data_as_of);
  const nameOf = (r: MetricRow) =>
    r.level === 'national'
      ? 'England'
      : ((r.level === 'pcn' ? meta.pcns : r.level === 'icb' ? meta.icbs : meta.regions).find((a) => a.code === r.code)
          ?.name ?? r.code);
  return (
    <ChartCard
      title="What changed"
      method="alerts"
      data={alerts}
      empty={false}
      csv={periodCsv({
        // The alerts of this release (named by its data-as-of date); each row's own period is the year or month it is of.
        stem: `what-changed-${scope.code}`,
        period: dataAsOf ?? 'latest',
        periodHeader: 'Period',
        dataAsOf,
        columns: {
          period: 'Period',
          area: 'Area',
          measure: 'Measure',
          message: 'What changed',
          figure: 'Figure',
          limit: 'Limit',
        },
        alike: { compared_with: ['Compared with the release of', comparedWith(alerts)] },
        rows: rows.map((r) => ({ ...r, area: nameOf(r), measure: MEASURE_LABEL[String(r.measure)] ?? r.measure })),
      })}
    >
      {rows.length === 0 ? (
        <p className="text-tremor-default text-tremor-content" data-testid="what-changed-none">
          Nothing new for {scope.name} since the previous release: no PCN newly outside the adjusted 99.8% limits and no
          new special cause of concern.
        </p>
      ) : (
        <ul
          className="divide-y divide-gray-200 text-tremor-default text-tremor-content-strong"
          data-testid="what-changed"
        >
          {rows.map((r) => (
            <li key={`${r.kind}-${r.level}-${r.code}-${r.measure}-${r.comparator ?? ''}`} className="py-2">
              <span className="font-semibold">{nameOf(r)}</span> ·{' '}
              {MEASURE_LABEL[String(r.measure)] ?? String(r.measure)}: {String(r.message)}. Figure{' '}
              {formatDecimal(r.figure as number, 2)}, limit {formatDecimal(r.limit as number, 2)}.{' '}
              <Link className="font-medium text-nhs-blue underline" to={String(r.link)}>
                Open the view
                <span className="sr-only">
                  : {nameOf(r)}, {MEASURE_LABEL[String(r.measure)]}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </ChartCard>
  );
}

/** Change over time: Making Data Count charts of the monthly series for the area chosen, and what changed. */
export default function TrendsPage() {
  const { scope, meta } = useDashboard();
  const spc = useMetric('spc', { level: scope.level, code: scope.code });
  const rows = rowsOf(spc);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Trends and what changed</h1>
      <WhatChanged />
      <div className="grid gap-4 xl:grid-cols-2">
        {MEASURES.map((m) => {
          const row = rows.find((r) => r.measure === m.name);
          const values = (row?.values ?? {}) as Record<string, number | string | null>;
          const months = Object.keys(values).sort();
          return (
            <ChartCard
              key={m.name}
              title={`${m.title}, ${scope.name}`}
              method="spc"
              data={spc}
              empty={!row || (row.points === 0 && !row.not_charted)}
              csv={periodCsv({
                stem: `trend-${m.name}-${scope.code}-to`,
                period: months.at(-1) ?? '',
                periodHeader: 'Month',
                dataAsOf: dataAsOfOf(spc, meta.data_as_of),
                columns: {
                  period: 'Month',
                  value: m.title.replace(' by month', ''),
                  rules: 'Special cause rules',
                  ...(m.name === 'referrals' || m.name === 'people_referred' ? { partial: 'Partial month' } : {}),
                },
                rows: months.map((month) => ({
                  period: month,
                  value: values[month],
                  rules: (row?.rules as Record<string, string> | undefined)?.[month] ?? '',
                  partial: (row?.partial_months as Record<string, string> | undefined)?.[month] ?? '',
                })),
              })}
            >
              {row && (
                <SpcChart
                  title={`${m.title}, ${scope.name}: XmR chart`}
                  format={m.format}
                  series={{
                    months,
                    values,
                    rules: (row.rules ?? {}) as Record<string, string>,
                    mean: row.mean as number | null,
                    median: (row.median ?? null) as number | null,
                    upperLimit: row.upper_limit as number | null,
                    lowerLimit: row.lower_limit as number | null,
                    target: row.target as number | null,
                    improvement: row.improvement as Improvement,
                    variation: (row.variation ?? null) as Variation | null,
                    assurance: (row.assurance ?? null) as Assurance | null,
                    notCharted: typeof row.not_charted === 'string' ? row.not_charted : null,
                    partial: (row.partial_months ?? {}) as Record<string, unknown>,
                  }}
                />
              )}
            </ChartCard>
          );
        })}
      </div>
    </div>
  );
}
