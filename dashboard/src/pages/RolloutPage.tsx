import { AreaChart, ProgressBar } from '@tremor/react';
import type { Figure, MetricRow, ProgrammeTargets } from '../../../functions/contract/metrics.ts';
import { summaryOf, type TargetProgress } from '../../../functions/contract/summaries.ts';
import {
  PCNS_REPORTING_RANGE_NOTE,
  pcnsReportingRange,
  pcnsReportingText,
} from '../../../functions/reports/pcns-reporting.ts';
import { type PeoplePace, peoplePace, peoplePaceText } from '../../../functions/stats/people-pace.ts';
import { rowsOf, useMetric } from '../api.ts';
import { figure, plottable, rowsFor } from '../chart-data.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ChartLegend, type Series, seriesProps } from '../components/ChartLegend.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { useDashboard } from '../context.ts';
import { partialMonths, partialNote, partialSuffix } from '../coverage.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatCount, formatDate, formatDecimal, formatPercent, monthLabel, monthSpanLabel } from '../format.ts';

/**
 * The Long Term Plan's trained link workers target. A meta.json written before the key's rename has it as
 * link_workers_fte (the same figure): read that until the next refresh writes the new key.
 */
export function trainedLinkWorkers(targets: ProgrammeTargets): number | undefined {
  const written = targets as Partial<ProgrammeTargets> & { readonly link_workers_fte?: number };
  return written.trained_link_workers ?? written.link_workers_fte;
}

/**
 * What the projection sentence must add when England's year holds a revision back (docs/methodology.md, revisions):
 * its people and projection are an earlier release's, so the reader is told which, not shown them as this release's.
 */
export function heldProjectionNote(progress: Pick<TargetProgress, 'held'>): string | undefined {
  if (!progress.held) return undefined;
  return `England's figures for this year are held at the release with data to ${formatDate(progress.held.data_as_of)} while a revision is checked, so these people and this projection are that release's.`;
}

/**
 * An area's % of the list referred against the IIF PC-01 thresholds (a year), as DOMAIN.md compares a part year:
 * the figure so far against the thresholds pro rata to its months (red-team review 26, R26-7). Pro rata is the same
 * test as the figure x 12 / months (the `pct_list_referred_annualised` column) against the thresholds, and neither is
 * a year's figure: people are distinct in the period, and people referred again later in the year count once, so a
 * part year's % grows a little more slowly than its months and the comparison reads slightly in the area's favour
 * early in a year. It says so rather than showing an extrapolated "a year" figure.
 */
export function iifComparison(
  year: MetricRow | undefined,
  targets: Pick<ProgrammeTargets, 'iif_lower_pct' | 'iif_upper_pct'>,
): string {
  const soFar = formatPercent(figure(year, 'pct_list_referred'), 2);
  const months = Number(figure(year, 'months'));
  const thresholds = `${targets.iif_lower_pct}% and ${targets.iif_upper_pct}% a year`;
  if (!(months > 0 && months < 12))
    return `${soFar} of the registered list referred in the year (IIF PC-01 thresholds ${thresholds}).`;
  const proRata = (pct: number) => formatPercent((pct * months) / 12, 2);
  const span = `${months} month${months === 1 ? '' : 's'}`;
  return `${soFar} of the registered list referred in the ${span} so far, against the IIF PC-01 thresholds pro rata: ${proRata(targets.iif_lower_pct)} and ${proRata(targets.iif_upper_pct)} for ${span} (${thresholds}). People referred again later in the year count once, so a part year's % grows a little more slowly than its months: early in a year this reads slightly in the area's favour.`;
}

/**
 * The monthly chart's points. The 900,000 a year target is people referred, so its monthly pace (like for like with a
 * month's people: people-pace.ts, R19-8) is drawn beside people referred, never beside referrals alone (a person
 * referred twice is two referrals): England only. A month fewer of the area's PCNs have sent than expected is labelled partial, with how many, where the axis and the tooltip
 * say the month (red-team review 16, R16-3): "Nov 2026 (partial: 1 of 2 PCNs sent)".
 */
export function monthlyTrend(
  months: readonly MetricRow[],
  national: boolean,
  pace: PeoplePace | null,
): Record<string, string | number | null>[] {
  return months.map((r) => ({
    Month: monthLabel(r.period) + partialSuffix(partialMonths([r])),
    Referrals: plottable(r.referrals),
    ...(national
      ? { 'People referred': plottable(r.people_referred), 'Target pace (people)': pace?.monthly ?? null }
      : {}),
  }));
}

/**
 * What the declines card counts (review 6, K3). PCN systems record a decline either as an offer declined before any
 * referral (no referral event: one more offer beside the referrals) or on the referral of a person referred who then
 * declined (one of the referrals: counted beside take-up, not as another offer).
 */
export const DECLINES_HOW =
  'People referred counts each person once however many referrals they had. Offers declined are declines with no referral (the person declined before being referred); their rate is offers declined / (referrals + offers declined). Referrals declined are referrals the person declined within 3 months of being referred (recorded on the referral), counted once those 3 months have passed, as a share of the referrals of the months whose referrals have all had 3 months (every referral of those months, for a closed year and a year in progress alike): the Outcomes page counts them as not taken up.';

/** The CSV headings of a year's people and declines (the referrals card's download and the declines card's). */
const YEAR_DECLINES_COLUMNS = {
  people_referred: 'People referred',
  declines: 'Offers declined (no referral)',
  decline_rate_pct: 'Offers declined, % of offers made',
  declined_after_referral: 'Referrals declined (of referrals whose 3 months have passed)',
  declined_after_referral_pct: 'Referrals declined, % of referrals (periods all of whose referrals have had 3 months)',
};

/**
 * Referrals declined in words, over the referrals whose 3 months have passed (review 31, R31-2): rollout counts them
 * only for those referrals, and publishes a period's % (declined / referrals) only once all its referrals have had
 * their 3 months. A year in progress's % is of its months with a % published (`months`: rollout's month rows of the
 * year), their referrals declined over their referrals: the same denominator as a closed year's, every referral of
 * those months (review 34, R34-6: it was cof_person's engagement cohort, which leaves out the referrals of a PCN whose
 * data ended within their 3 months while the count has their declines, so a year read 19.8% in progress and 19.0%
 * once closed on the same figures). A rate of sums of published figures only: none where a month's count is `*`.
 * Those sums are true at England only: below England, where months are rounded, no sum is shown and the % is "about"
 * (review 35, R35-1: 100 declined of 500, 20.0%, beside the year's published 90, then 17.6% once closed).
 */
export function declinedAfterReferralText(year: MetricRow | undefined, months: readonly MetricRow[]): string {
  const declined = figure(year, 'declined_after_referral');
  const count = formatCount(declined);
  const closed = figure(year, 'declined_after_referral_pct');
  if (typeof closed === 'number') return `${count} (${formatPercent(closed)} of referrals)`;
  const done = months
    .filter((m) => {
      const pct = figure(m, 'declined_after_referral_pct');
      return pct !== null && pct !== undefined;
    })
    .sort((a, b) => String(a.period).localeCompare(String(b.period)));
  const first = done[0];
  const last = done.at(-1);
  if (first === undefined || last === undefined)
    return `${count} of the referrals whose 3 months have passed (no month of the year yet)`;
  const span = monthSpanLabel(String(first.period), String(last.period));
  const sum = (column: string) =>
    done.reduce<number | null>((total, m) => {
      const value = figure(m, column);
      return total === null || typeof value !== 'number' ? null : total + value;
    }, 0);
  const monthsDeclined = sum('declined_after_referral');
  const referrals = sum('referrals');
  if (monthsDeclined === null || referrals === null || !(referrals > 0))
    return `${count} of the referrals whose 3 months have passed (${span})`;
  // Below England each month is rounded to 5, so a sum of N months is off by up to 2 x N (review 35, R35-1): no sum is
  // shown (it is neither published nor true), and the % is a whole "about", saying why.
  if ((year ?? first).level !== 'national') {
    const about = formatPercent(Math.round((100 * Math.min(monthsDeclined, referrals)) / referrals), 0);
    return `${count} of the referrals whose 3 months have passed; about ${about} of the referrals of ${span} (approximate: from monthly figures rounded to 5)`;
  }
  const pct = formatPercent(Math.round((1000 * Math.min(monthsDeclined, referrals)) / referrals) / 10);
  if (monthsDeclined === declined)
    return `${count} (${pct} of the ${formatCount(referrals)} referrals of ${span}, whose 3 months have passed)`;
  // Data as of a day within a month: the year's count also has the first days' referrals of the month after.
  return `${count} of the referrals whose 3 months have passed; of the ${formatCount(referrals)} referrals of ${span}, ${formatCount(monthsDeclined)} declined (${pct})`;
}

/** National rollout: referrals against the target, the monthly trend, declines, link workers, PCNs reporting. */
export function RolloutPage() {
  const { scope, fy, meta } = useDashboard();
  const rollout = useMetric('rollout', { level: scope.level, code: scope.code });
  const workforce = useMetric('workforce', { level: scope.level, code: scope.code, period_type: 'month' });
  const rows = rowsOf(rollout);
  const year = rowsFor(rows, 'fy', fy)[0];
  const months = rowsFor(rows, 'month', fy);
  const national = scope.level === 'national';
  const series: readonly Series[] = national
    ? [
        { label: 'Referrals', color: 'blue' },
        { label: 'People referred', color: 'emerald' },
        { label: 'Target pace (people)', color: 'amber' },
      ]
    : [{ label: 'Referrals', color: 'blue' }];
  const progress =
    rollout.state === 'ready'
      ? (summaryOf(rollout.value, 'target_progress') ?? []).find((p) => p.fy === fy)
      : undefined;
  const latestStaff = rowsFor(rowsOf(workforce), 'month').at(-1);
  // Like for like with a month's people (R19-8): functions/stats/people-pace.ts.
  const pace = peoplePace(rows, meta.targets.annual_referrals, fy);
  const trend = monthlyTrend(months, national, pace);
  const partial = partialNote(partialMonths(months));

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">National rollout</h1>
      <div className="grid gap-4 lg:grid-cols-3">
        <ChartCard
          title="Referrals this year"
          method="rollout"
          howMore={`Referrals count each referral once (the same figure as on the Outcomes page); the 900,000 target is people referred, a person referred twice counting once. The projection uses complete months only (ended, and sent by 90% of the PCNs uploading by then), the previous year's seasonal profile where there is one, and a 95% interval; a month's people are distinct in the month, the target's in the year, so the months' people are divided by a ratio of monthly people to people: this year's so far, grown as the latest complete year's grew from the same month to its year end (the 95% interval includes how much that growth varied: England's across its complete years where there are 3 or more, otherwise between regions). With no complete year the repeat referrals to come are not known: the projection reads high by them and is never called on track. "On track" only when the whole interval clears the target.`}
          data={rollout}
          empty={!year}
          csv={periodCsv({
            stem: `referrals-${scope.code}`,
            period: fy,
            periodHeader: 'Financial year',
            dataAsOf: dataAsOfOf(rollout, meta.data_as_of),
            columns: {
              period: 'Financial year',
              referrals: 'Referrals',
              ...YEAR_DECLINES_COLUMNS,
              referrals_per_1000: 'Referrals per 1,000 patients',
              pct_list_referred: '% of list referred',
            },
            rows: year ? [year] : [],
          })}
        >
          <Kpi
            label={`Accepted referrals, ${scope.name}`}
            value={<FigureValue value={figure(year, 'referrals')} />}
            testId="kpi-referrals"
            context={
              national && progress
                ? `People referred: ${formatPercent(progress.share_of_target_pct)} of the ${formatCount(progress.target)} people a year target`
                : `${formatDecimal(figure(year, 'referrals_per_1000'))} per 1,000 registered patients`
            }
          />
          {national && progress && (
            <>
              <div
                role="progressbar"
                aria-label="Progress toward the annual target"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.min(100, progress.share_of_target_pct)}
              >
                <ProgressBar value={Math.min(100, progress.share_of_target_pct)} color="blue" />
              </div>
              <p className="text-tremor-default text-tremor-content-emphasis">
                {formatCount(progress.people_referred_to_date)} people referred so far. Projected to year end:{' '}
                <strong>{formatCount(progress.projection_to_year_end)}</strong>
                {progress.projection_low !== null &&
                  ` (95% interval ${formatCount(progress.projection_low)} to ${formatCount(progress.projection_high)})`}{' '}
                from {progress.complete_months.length} complete month{progress.complete_months.length === 1 ? '' : 's'}{' '}
                ({progress.profile === 'flat' ? 'no seasonal profile yet' : "last year's seasonal profile"}) —{' '}
                <strong>{progress.status}</strong>.{progress.note && ` ${progress.note}`}
                {progress.held && ` ${heldProjectionNote(progress)}`}
              </p>
            </>
          )}
          {!national && (
            <p className="text-tremor-default text-tremor-content-emphasis">{iifComparison(year, meta.targets)}</p>
          )}
        </ChartCard>
        <ChartCard
          title="People and declines"
          method="rollout"
          how={DECLINES_HOW}
          data={rollout}
          empty={!year}
          csv={periodCsv({
            stem: `people-and-declines-${scope.code}`,
            period: fy,
            periodHeader: 'Financial year',
            dataAsOf: dataAsOfOf(rollout, meta.data_as_of),
            columns: {
              period: 'Financial year',
              ...YEAR_DECLINES_COLUMNS,
            },
            rows: year ? [year] : [],
          })}
        >
          <div className="grid grid-cols-2 gap-4">
            <Kpi
              label="People referred"
              value={<FigureValue value={figure(year, 'people_referred')} />}
              testId="kpi-people"
            />
            <Kpi
              label="Offers declined"
              value={<FigureValue value={figure(year, 'declines')} />}
              testId="kpi-declines"
              context={
                <>
                  <FigureValue value={figure(year, 'decline_rate_pct')} format={(v) => formatPercent(v)} /> of referrals
                  and offers declined. Referrals declined: {declinedAfterReferralText(year, months)}
                </>
              }
            />
          </div>
        </ChartCard>
        <ChartCard
          title="Link workers and PCNs"
          method="workforce"
          how={`Link worker full-time equivalent in post from the latest monthly workforce snapshot${national ? `; the Long Term Plan's ${formatCount(trainedLinkWorkers(meta.targets))} is a headcount of trained link workers, so it is shown against link workers with accredited training` : ''}; PCNs reporting have sent at least one accepted referral this year (below England a count like any other: 1 to 7 shown as *, others rounded to 5, and * wherever the referrals are).`}
          data={workforce}
          empty={!latestStaff && !year}
          csv={periodCsv({
            // The FTE is the latest month's snapshot, the PCNs the chosen year's: each row says its own period.
            stem: `link-workers-and-pcns-${scope.code}`,
            period: fy,
            periodHeader: 'Period',
            dataAsOf: dataAsOfOf(rollout, meta.data_as_of),
            columns: {
              period: 'Period',
              measure: 'Measure',
              value: 'Value',
            },
            rows: [
              { period: latestStaff?.period, measure: 'Link worker FTE', value: figure(latestStaff, 'splw_fte') },
              {
                period: latestStaff?.period,
                measure: 'Link worker FTE per 10,000 patients',
                value: figure(latestStaff, 'splw_fte_per_10000'),
              },
              { period: fy, measure: 'PCNs reporting', value: figure(year, 'pcns_reporting') },
              { period: fy, measure: 'PCNs', value: figure(year, 'pcns') },
            ],
          })}
        >
          <div className="grid grid-cols-2 gap-4">
            <Kpi
              label="Link worker FTE"
              value={formatDecimal(figure(latestStaff, 'splw_fte'))}
              testId="kpi-link-workers"
              context={
                national
                  ? `${formatCount(figure(latestStaff, 'splw_accredited'))} trained (in the ${formatCount(figure(latestStaff, 'pcns_with_training'))} PCNs that gave training and headcount), against ${formatCount(trainedLinkWorkers(meta.targets))} trained expected`
                  : `${formatDecimal(figure(latestStaff, 'splw_fte_per_10000'), 2)} per 10,000 patients`
              }
            />
            <Kpi
              label="PCNs reporting"
              testId="kpi-pcns-reporting"
              value={
                pcnsReportingRange(year) ? (
                  `${pcnsReportingText(year, (v) => formatCount(v as Figure))} of ${formatCount(figure(year, 'pcns'))}`
                ) : (
                  <>
                    <FigureValue value={figure(year, 'pcns_reporting')} /> of {formatCount(figure(year, 'pcns'))}
                  </>
                )
              }
              context={pcnsReportingRange(year) ? PCNS_REPORTING_RANGE_NOTE : undefined}
            />
          </div>
        </ChartCard>
      </div>
      <ChartCard
        title="Referrals by month"
        method="rollout"
        howMore={national ? `${peoplePaceText(pace)} Compare it with people referred, not referrals.` : undefined}
        data={rollout}
        empty={months.length === 0}
        csv={periodCsv({
          stem: `referrals-by-month-${scope.code}`,
          period: fy,
          periodHeader: 'Month',
          dataAsOf: dataAsOfOf(rollout, meta.data_as_of),
          columns: {
            period: 'Month',
            referrals: 'Referrals',
            people_referred: 'People referred',
            declines: 'Offers declined (no referral)',
            declined_after_referral: 'Referrals declined (0 until the referrals of the month have had 3 months)',
            pcns_sent: 'PCNs sent',
            pcns_expected: 'PCNs expected (onboarded, not stopped)',
          },
          rows: months,
        })}
      >
        <ChartLegend items={series} />
        <AreaChart
          className="h-72"
          data={trend}
          index="Month"
          {...seriesProps(series)}
          valueFormatter={(v) => formatCount(v)}
          connectNulls={false}
          yAxisWidth={64}
        />
        {partial && (
          <p className="text-tremor-default text-tremor-content-emphasis" data-testid="partial-months">
            {partial}
          </p>
        )}
      </ChartCard>
    </div>
  );
}
