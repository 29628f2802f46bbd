import { LineChart } from '@tremor/react';
import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { rowsOf, useMetric } from '../api.ts';
import { figure, plottable, rowsFor } from '../chart-data.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ChartLegend, type Series, seriesProps } from '../components/ChartLegend.tsx';
import { DataTable, figureColumn } from '../components/DataTable.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { useDashboard } from '../context.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatCount, formatDecimal, formatFte, formatPercent, isSuppressed, monthLabel } from '../format.ts';

const FTE_SERIES: readonly Series[] = [
  { label: 'Link workers', color: 'blue' },
  { label: 'Coaches', color: 'emerald' },
  { label: 'Care coordinators', color: 'amber' },
];

/** The month and the FTE of each role, as both cards' CSVs have them. */
const FTE_COLUMNS = {
  period: 'Month',
  splw_fte: 'Link worker FTE',
  hwbc_fte: 'Coach FTE',
  cc_fte: 'Care coordinator FTE',
};

/**
 * Which PCNs a figure covers: FTE per 10,000 and caseload are over the PCNs that sent a workforce snapshot (review 6,
 * K7), so the card says how many of the PCNs in force that is.
 */
export function reportingCoverage(row: MetricRow | undefined): string {
  return `${formatCount(figure(row, 'pcns_reporting'))} of ${formatCount(figure(row, 'pcns'))} PCNs sent a snapshot`;
}

/** "1 PCN" or "3 PCNs". */
const pcnCount = (n: ReturnType<typeof figure>): string => `${formatCount(n)} ${n === 1 ? 'PCN' : 'PCNs'}`;

/**
 * Why a year's caseload leaves PCNs out: PCNs that referred people sent no snapshot, so their people have no link
 * worker FTE beside them (review 6, K7), or PCNs sent snapshots for months before their referral data begins, so their
 * link workers have no people beside them (a later rollout wave; review 8, N6), or for months after their referral data
 * ends (an extract stopped or late; review 9, R9-3), or PCNs reported months without a snapshot for them, so their
 * people of those months have no link worker FTE beside them (an area's; review 26, R26-2). Undefined where none.
 */
function caseloadGaps(year: MetricRow | undefined): string | undefined {
  const unstaffed = figure(year, 'pcns_referring_without_snapshot');
  const early = figure(year, 'pcns_staffed_before_onboarding');
  const after = figure(year, 'pcns_staffed_after_reporting');
  // A PCN's own caseload is over its own months: the count holds back an area's only.
  const missing = year?.level === 'pcn' ? undefined : figure(year, 'pcns_missing_snapshot_months');
  const gaps = [
    typeof unstaffed === 'number' && unstaffed > 0
      ? `${pcnCount(unstaffed)} that referred people this year sent no workforce snapshot, so their people have no link worker FTE beside them`
      : undefined,
    typeof early === 'number' && early > 0
      ? `${pcnCount(early)} sent workforce snapshots for months before their referral data begins, so their link workers have no people referred beside them`
      : undefined,
    typeof after === 'number' && after > 0
      ? `${pcnCount(after)} sent workforce snapshots for months after their last month of referral data (their extract stopped or is late), so their link workers have no people referred beside them`
      : undefined,
    typeof missing === 'number' && missing > 0
      ? `${pcnCount(missing)} reported referral data for months they sent no workforce snapshot for (months whose snapshots are due), so their people of those months have no link worker FTE beside them`
      : undefined,
  ].filter(Boolean);
  return gaps.length > 0 ? gaps.join('; ') : undefined;
}

/** Why a year has no caseload (workforce.sql). Undefined where there is a caseload or nothing to say. */
export function caseloadWithheld(year: MetricRow | undefined): string | undefined {
  const gaps = caseloadGaps(year);
  return gaps === undefined ? undefined : `not shown: ${gaps}`;
}

/**
 * England's caseload where some PCNs are left out (caseloadGaps): over the PCNs that sent a snapshot and have
 * referral data, people and FTE both theirs from their first month with events (workforce.sql, caseload_covered),
 * with its coverage. Undefined where there is none (below England, a caseload over every PCN, or withheld: it would
 * give away the PCNs left out).
 */
export function coveredCaseload(year: MetricRow | undefined): string | undefined {
  const covered = figure(year, 'caseload_covered_annualised');
  if (typeof covered !== 'number' || typeof figure(year, 'caseload') === 'number') return undefined;
  const pcns = figure(year, 'caseload_pcns');
  const gaps = caseloadGaps(year);
  return `over the ${pcnCount(pcns)} that sent a snapshot for each month of referral data whose snapshots are due, holding ${formatPercent(figure(year, 'caseload_coverage_pct'), 0)} of the people referred${gaps === undefined ? '' : ` (${gaps})`}`;
}

/**
 * What the accredited % covers: the link workers of the PCNs that gave training and headcount, of those that gave
 * headcount (pcns_with_training of pcns_with_headcount). England's is withheld where few PCNs gave headcount without
 * training (England's headcount less the headcount where training was given would be theirs; review 27, R27-1): said so.
 */
export function accreditedContext(row: MetricRow | undefined, expected: unknown): string {
  const covers = `of the link workers in the ${formatCount(figure(row, 'pcns_with_training'))} of ${formatCount(figure(row, 'pcns_with_headcount'))} PCNs giving headcount that gave training too; expected ${String(expected)}%`;
  const withheld =
    row?.level === 'national' &&
    figure(row, 'splw_accredited_pct') === null &&
    typeof figure(row, 'splw_accredited') === 'number';
  return withheld
    ? `not shown for England this month: fewer than 3 PCNs gave headcount without training, one of them has most of their link workers or each has 1, and England's headcount less the headcount where training was given would be theirs (${covers})`
    : covers;
}

/** A published figure above 0: a number, or `*` (a count of 1 to 7). */
const aboveZero = (v: unknown): boolean => isSuppressed(v) || (typeof v === 'number' && v > 0);

/**
 * Whether a PCN's snapshot has no link worker in post, by the published rule (workforce.sql: a link worker is a
 * headcount or an FTE above 0): an FTE of 0 or a headcount of 0, and neither above 0. NHS Digital's publication, which
 * `workforce import` reads, has FTE only, so headcount is usually empty (review 31, R31-3); an FTE of 0 is published as
 * 0 on the PCN's row, so listing it says nothing new. A snapshot with neither figure is not listed (not known).
 */
export function hasNoLinkWorker(row: MetricRow): boolean {
  return (row.splw_fte === 0 || row.splw_headcount === 0) && !aboveZero(row.splw_fte) && !aboveZero(row.splw_headcount);
}

/**
 * What the "PCNs without a link worker" card and the "PCNs with a link worker" % count: the PCNs of the area that sent
 * a snapshot for the month, of those in force; those that sent none are neither listed nor "in post" (not known).
 */
export function snapshotCoverage(row: MetricRow | undefined, month: string): string {
  const sent = figure(row, 'pcns_reporting');
  const pcns = figure(row, 'pcns');
  const none = typeof sent === 'number' && typeof pcns === 'number' ? Math.max(0, pcns - sent) : 0;
  return `${formatCount(sent)} of ${formatCount(pcns)} PCNs sent a snapshot for ${monthLabel(month)}${
    none > 0 ? `; the link workers of the ${pcnCount(none)} that sent none are not known` : ''
  }`;
}

/** Workforce: link workers, coaches and care coordinators over time, coverage, training and caseload. */
export default function WorkforcePage() {
  const { scope, fy, meta } = useDashboard();
  const workforce = useMetric('workforce', { level: scope.level, code: scope.code });
  const months = rowsFor(rowsOf(workforce), 'month');
  const year = rowsFor(rowsOf(workforce), 'fy', fy)[0];
  const latest = months.at(-1);
  // Only the latest month of every PCN: all PCNs x all months is too big to send (issue 12).
  const pcnLevel = useMetric('workforce', latest ? { level: 'pcn', period: String(latest.period) } : null);
  const inScope = new Set(
    meta.pcns
      .filter(
        (p) =>
          scope.level === 'national' ||
          p.code === scope.code ||
          p.parent === scope.code ||
          meta.icbs.find((i) => i.code === p.parent)?.parent === scope.code,
      )
      .map((p) => p.code),
  );
  const latestMonth = latest?.period;
  const withoutLinkWorker = rowsOf(pcnLevel)
    .filter((r) => r.period === latestMonth && inScope.has(r.code) && hasNoLinkWorker(r))
    .map((r) => ({ ...r, name: meta.pcns.find((p) => p.code === r.code)?.name ?? r.code }));
  const t = meta.targets;

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Workforce</h1>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard
          title="In post now"
          method="workforce"
          data={workforce}
          empty={!latest}
          csv={periodCsv({
            // In post in the latest month's snapshot; the caseload is the chosen year's, with the months it is from.
            stem: `workforce-${scope.code}`,
            period: String(latest?.period ?? fy),
            periodHeader: 'Month',
            dataAsOf: dataAsOfOf(workforce, meta.data_as_of),
            columns: {
              ...FTE_COLUMNS,
              splw_fte_per_10000: 'Link worker FTE per 10,000 (patients of the PCNs that sent a snapshot)',
              pcns_reporting: 'PCNs that sent a snapshot',
              pcns: 'PCNs in force',
              splw_accredited_pct: 'Accredited % (of the link workers in the PCNs that gave training and headcount)',
              pcns_with_training: 'PCNs that gave training and headcount',
              pcns_with_link_worker_pct: 'PCNs with a link worker %',
              caseload_fy: 'Caseload: financial year',
              caseload_annualised: 'Caseload a year (pro rata)',
              referral_months: 'Caseload: months of referrals it is pro rata from',
              pcns_referring_without_snapshot:
                'Caseload: PCNs that referred people and sent no snapshot (none shown where any)',
              pcns_staffed_before_onboarding:
                'Caseload: PCNs with snapshots before their referral data begins (none shown where any)',
              pcns_staffed_after_reporting:
                'Caseload: PCNs with snapshots after their referral data ends (none shown where any)',
              pcns_missing_snapshot_months:
                'Caseload: PCNs with months of referral data without a snapshot (none shown for an area where any)',
              caseload_covered_annualised:
                'England: caseload a year over the PCNs that sent a snapshot and referral data (pro rata)',
              caseload_pcns: 'England: PCNs that caseload covers',
              caseload_coverage_pct: 'England: % of people referred that caseload covers',
            },
            rows: latest
              ? [
                  {
                    ...latest,
                    caseload_fy: fy,
                    caseload_annualised: year?.caseload_annualised ?? null,
                    referral_months: year?.referral_months ?? null,
                    pcns_referring_without_snapshot: year?.pcns_referring_without_snapshot ?? null,
                    pcns_staffed_before_onboarding: year?.pcns_staffed_before_onboarding ?? null,
                    pcns_staffed_after_reporting: year?.pcns_staffed_after_reporting ?? null,
                    pcns_missing_snapshot_months: year?.pcns_missing_snapshot_months ?? null,
                    caseload_covered_annualised: year?.caseload_covered_annualised ?? null,
                    caseload_pcns: year?.caseload_pcns ?? null,
                    caseload_coverage_pct: year?.caseload_coverage_pct ?? null,
                  },
                ]
              : [],
          })}
        >
          <div className="grid grid-cols-2 gap-4">
            <Kpi
              label={`Link worker FTE (${monthLabel(latest?.period ?? '')})`}
              value={<FigureValue value={figure(latest, 'splw_fte')} format={(v) => formatFte(v, scope.level)} />}
              testId="kpi-splw-fte"
              context={`${formatDecimal(figure(latest, 'splw_fte_per_10000'), 2)} per 10,000 patients of the PCNs reporting (about 1 expected); ${reportingCoverage(latest)}${
                scope.level === 'national' ? '' : '; FTE rounded to the nearest 5'
              }`}
            />
            <Kpi
              label="Accredited training"
              value={<FigureValue value={figure(latest, 'splw_accredited_pct')} format={(v) => formatPercent(v)} />}
              testId="kpi-accredited"
              context={accreditedContext(latest, t.accredited_pct)}
            />
            <Kpi
              label="PCNs with a link worker"
              value={formatPercent(figure(latest, 'pcns_with_link_worker_pct'))}
              testId="kpi-with-link-worker"
              context={snapshotCoverage(latest, String(latestMonth ?? ''))}
            />
            <Kpi
              label={`Caseload, FY ${fy}`}
              value={
                <FigureValue
                  value={figure(
                    year,
                    coveredCaseload(year) === undefined ? 'caseload_annualised' : 'caseload_covered_annualised',
                  )}
                  format={(v) => formatDecimal(v, 0)}
                />
              }
              testId="kpi-caseload"
              context={
                coveredCaseload(year) !== undefined ? (
                  <span data-testid="caseload-covered">
                    people referred per link worker FTE a year (pro rata from{' '}
                    {formatDecimal(figure(year, 'caseload_covered'), 0)} in{' '}
                    {String(figure(year, 'referral_months') ?? 0)} months), {coveredCaseload(year)}; expected{' '}
                    {t.caseload_min}–{t.caseload_max} a year
                  </span>
                ) : caseloadWithheld(year) !== undefined ? (
                  <span data-testid="caseload-withheld">
                    people referred per link worker FTE a year, {caseloadWithheld(year)} ({reportingCoverage(year)}, a
                    mean of the months); expected {t.caseload_min}–{t.caseload_max} a year
                  </span>
                ) : (
                  <>
                    people referred per link worker FTE a year (pro rata from{' '}
                    <FigureValue value={figure(year, 'caseload')} format={(v) => formatDecimal(v, 0)} /> in{' '}
                    {String(figure(year, 'referral_months') ?? 0)} months; every PCN that referred people sent a
                    snapshot); expected {t.caseload_min}–{t.caseload_max} a year
                  </>
                )
              }
            />
          </div>
        </ChartCard>
        <ChartCard
          title="FTE by role over time"
          method="workforce"
          how="Full-time equivalent in post from each month's snapshot: social prescribing link workers (SPLW), health and wellbeing coaches (HWBC) and care coordinators (CC)."
          data={workforce}
          empty={months.length === 0}
          csv={periodCsv({
            stem: `workforce-by-month-${scope.code}-to`,
            period: String(latest?.period ?? ''),
            periodHeader: 'Month',
            dataAsOf: dataAsOfOf(workforce, meta.data_as_of),
            columns: FTE_COLUMNS,
            rows: months,
          })}
        >
          <ChartLegend items={FTE_SERIES} />
          <LineChart
            className="h-64"
            data={months.map((m) => ({
              Month: monthLabel(m.period),
              'Link workers': plottable(m.splw_fte),
              Coaches: plottable(m.hwbc_fte),
              'Care coordinators': plottable(m.cc_fte),
            }))}
            index="Month"
            {...seriesProps(FTE_SERIES)}
            valueFormatter={(v) => formatFte(v, scope.level)}
            yAxisWidth={56}
          />
        </ChartCard>
      </div>
      <ChartCard
        title="PCNs without a link worker"
        method="workforce"
        how={`PCNs whose snapshot for ${monthLabel(latestMonth ?? '')} has no social prescribing link worker in post: link worker FTE 0 (or headcount 0 where given). PCNs that sent no snapshot for the month are not listed: their link workers are not known.`}
        data={workforce.state === 'ready' && !latest ? workforce : pcnLevel}
        empty={!latest}
        csv={periodCsv({
          stem: `pcns-without-link-worker-${scope.code}`,
          period: String(latestMonth ?? ''),
          periodHeader: 'Month',
          dataAsOf: dataAsOfOf(pcnLevel, meta.data_as_of),
          columns: {
            code: 'PCN code',
            name: 'PCN',
            splw_vacancies_fte: 'Vacant link worker FTE',
          },
          rows: withoutLinkWorker,
        })}
      >
        {withoutLinkWorker.length === 0 ? (
          <p className="text-tremor-default text-tremor-content-emphasis" data-testid="no-gaps">
            Every PCN in {scope.name} that sent a snapshot has a link worker in post (
            {snapshotCoverage(latest, String(latestMonth ?? ''))}).
          </p>
        ) : (
          <>
            <p className="text-tremor-default text-tremor-content-emphasis" data-testid="gaps-coverage">
              {pcnCount(withoutLinkWorker.length)} with no link worker in post (
              {snapshotCoverage(latest, String(latestMonth ?? ''))}).
            </p>
            <DataTable
              label={`PCNs without a link worker in ${scope.name}`}
              rows={withoutLinkWorker}
              rowKey={(r) => r.code}
              columns={[
                { key: 'name', header: 'PCN', rowHeader: true, cell: (r) => r.name },
                { key: 'code', header: 'Code', cell: (r) => r.code },
                figureColumn('splw_vacancies_fte', 'Vacant link worker FTE', (v) => formatDecimal(v)),
              ]}
            />
          </>
        )}
      </ChartCard>
    </div>
  );
}
