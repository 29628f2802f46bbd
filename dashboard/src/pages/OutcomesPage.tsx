import { BarChart } from '@tremor/react';
import { SERVICE_USE_WINDOW_MONTHS } from '../../../functions/contract/enums.ts';
import { type AreaRevisionsHeld, summaryOf } from '../../../functions/contract/summaries.ts';
import { rowsOf, useMetric } from '../api.ts';
import { figure, plottable, rowsFor } from '../chart-data.ts';
import { cohortCoveredWords, cohortsCovered, cohortsCoveredCsv, windowsCoveredCsv } from '../cohorts.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ChartLegend } from '../components/ChartLegend.tsx';
import { DataTable, figureColumn } from '../components/DataTable.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { useDashboard } from '../context.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatChange, formatDate, formatDecimal, formatPercent, fyLabel } from '../format.ts';

const INSTRUMENTS: Record<string, string> = {
  ons4_life_satisfaction: 'ONS4 life satisfaction',
  ons4_worthwhile: 'ONS4 worthwhile',
  ons4_happiness: 'ONS4 happiness',
  ons4_anxiety: 'ONS4 anxiety',
  swemwbs: 'SWEMWBS',
  wemwbs: 'WEMWBS',
  pam_level: 'PAM level',
  mycaw: 'MYCaW',
};
const SERVICES: Record<string, string> = {
  gp_appointment: 'GP appointments',
  ae_attendance: 'A&E attendances',
  emergency_admission: 'Emergency admissions',
  outpatient: 'Outpatient appointments',
};
type AreaRevisionsHeldAsAt = NonNullable<AreaRevisionsHeld['as_at']>[string];
const label = (s: string) => s.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

/**
 * The release an area's held figures are as at, in words: "the release of 1 November 2026 (data to 31 October 2026)";
 * "an earlier release" where the document does not say (one published before summary.revisions_held_below_england's
 * `as_at`).
 */
export function heldReleaseText(asAt: AreaRevisionsHeldAsAt | undefined): string {
  if (asAt === undefined) return 'an earlier release';
  const data = asAt.data_as_of === null ? '' : ` (data to ${formatDate(asAt.data_as_of)})`;
  return `the release of ${formatDate(asAt.release)}${data}`;
}

/** The three Common Outcomes Framework areas: the person, the health and care system, the community. */
export default function OutcomesPage() {
  const { scope, fy, meta } = useDashboard();
  const area = { level: scope.level, code: scope.code, period: fy };
  const person = useMetric('cof_person', area);
  const wellbeing = useMetric('wellbeing', area);
  const system = useMetric('cof_system', area);
  const community = useMetric('cof_community', area);
  const p = rowsFor(rowsOf(person), 'fy', fy)[0];
  const covers = cohortsCovered(person);
  const measures = rowsOf(wellbeing).filter((r) => r.period_type === 'fy');
  // Service use over one length of windows before and after referral (window_months, 6 on every row): figures of
  // different lengths are never shown or added together (review 26, R26-3).
  const allServices = rowsOf(system).filter(
    (r) => r.period_type === 'fy' && Number(r.window_months) === SERVICE_USE_WINDOW_MONTHS,
  );
  const services = allServices.filter((r) => r.baseline_band === 'all');
  const bands = allServices.filter((r) => r.baseline_band !== 'all');
  const c = rowsFor(rowsOf(community), 'fy', fy)[0];
  const activities = c
    ? Object.keys(c)
        .filter((k) => k.startsWith('activity_'))
        .map((k) => ({
          key: k,
          Activity: label(k.slice(9)),
          connections: c[k],
          attended: c[`attended_${k.slice(9)}`] ?? null,
        }))
    : [];
  const largest = Math.max(1, ...activities.map((a) => plottable(a.connections) ?? 0));
  // Which connections the attendance covers (summary.attendance_cohort; R19-12): those made by the cut-off, or for
  // England's year held at an earlier release, that release's.
  const attendanceCohort = community.state === 'ready' ? summaryOf(community.value, 'attendance_cohort') : undefined;
  const heldAttendance = scope.level === 'national' ? attendanceCohort?.held?.[fy] : undefined;
  // An ICB's or region's year held at an earlier release (summary.revisions_held_below_england) keeps the attendance
  // cohort of the release its figures are from (R22-3): the card names that release and its data-as-of date (`as_at`;
  // a document published before it: "an earlier release"), not this release's cut-off.
  const areaHeld = community.state === 'ready' ? summaryOf(community.value, 'revisions_held_below_england') : undefined;
  const heldId = `${scope.level}|${scope.code}|${fy}`;
  const heldArea = scope.level !== 'national' && (areaHeld?.rows ?? []).includes(heldId);
  const attendanceCutoff = heldArea ? undefined : (heldAttendance ?? attendanceCohort)?.connected_on_or_before;
  const attendanceCovers = heldArea
    ? `This area's ${fyLabel(fy)} is as at ${heldReleaseText(areaHeld?.as_at?.[heldId])} (a change made by fewer than 3 of its PCNs is not shown yet): its attendance covers connections made by that release's cut-off${attendanceCohort ? `, not by ${formatDate(attendanceCohort.connected_on_or_before)}` : ''}.`
    : attendanceCutoff === undefined
      ? undefined
      : `Attendance covers connections made by ${formatDate(attendanceCutoff)}: whether a person went to the first session of a later one may not be recorded yet, so those connections are counted but not their attendance.${
          heldAttendance
            ? ` England's ${fyLabel(fy)} is held at the release of data to ${formatDate(heldAttendance.data_as_of)}.`
            : ''
        }`;
  const t = meta.targets;

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Outcomes</h1>
      <h2 className="text-lg font-semibold text-tremor-content-strong">Impact on the person</h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard
          title="Engagement, connection and contacts"
          method="person"
          data={person}
          empty={!p}
          covers={covers}
          csv={periodCsv({
            stem: `outcomes-person-${scope.code}`,
            period: fy,
            periodHeader: 'Financial year',
            dataAsOf: dataAsOfOf(person, meta.data_as_of),
            covers: cohortsCoveredCsv(person, fy, scope.level),
            columns: {
              period: 'Financial year',
              episodes: 'Referrals (episodes)',
              engagement_cohort: 'Referred 3 months or more ago',
              engaged: 'Engaged',
              engaged_pct: 'Engaged %',
              connected: 'Connected',
              connected_pct: 'Connected %',
              plans_agreed_pct: 'Plans agreed %',
              outcome_cohort: 'Referred 6 months or more ago',
              mean_contacts: 'Mean link worker contacts',
              median_contacts: 'Median link worker contacts',
              share_6_to_12_pct: '% with 6-12 link worker contacts',
              mean_other_contacts: 'Mean contacts from other roles',
              wellbeing_measured_pct: 'Wellbeing measured twice %',
              wellbeing_improved_pct: 'Wellbeing improved %',
            },
            rows: p ? [p] : [],
          })}
        >
          <div className="grid grid-cols-2 gap-4">
            <Kpi
              label="Engaged (took up the referral)"
              value={<FigureValue value={figure(p, 'engaged_pct')} format={(v) => formatPercent(v)} />}
              testId="kpi-take-up"
              context={`expected ${t.take_up_pct}% · a link worker contact within 3 months of referral, not declined`}
            />
            <Kpi
              label="Connected to a community activity"
              value={<FigureValue value={figure(p, 'connected_pct')} format={(v) => formatPercent(v)} />}
              context={
                <>
                  plans agreed <FigureValue value={figure(p, 'plans_agreed_pct')} format={(v) => formatPercent(v)} />
                </>
              }
            />
            <Kpi
              label="Link worker contacts per referral"
              value={<FigureValue value={figure(p, 'mean_contacts')} format={(v) => formatDecimal(v)} />}
              context={
                <>
                  median <FigureValue value={figure(p, 'median_contacts')} format={(v) => formatDecimal(v, 0)} />,
                  expected {t.contacts_min}–{t.contacts_max}; other roles{' '}
                  <FigureValue value={figure(p, 'mean_other_contacts')} format={(v) => formatDecimal(v)} />
                </>
              }
            />
            <Kpi
              label="With 6 to 12 link worker contacts"
              value={<FigureValue value={figure(p, 'share_6_to_12_pct')} format={(v) => formatPercent(v)} />}
              context={
                <>
                  wellbeing measured twice for{' '}
                  <FigureValue value={figure(p, 'wellbeing_measured_pct')} format={(v) => formatPercent(v)} />
                </>
              }
            />
          </div>
        </ChartCard>
        <ChartCard
          title="Wellbeing change by instrument"
          method="wellbeing"
          data={wellbeing}
          empty={measures.length === 0}
          covers={covers}
          csv={periodCsv({
            stem: `wellbeing-${scope.code}`,
            period: fy,
            periodHeader: 'Financial year',
            dataAsOf: dataAsOfOf(wellbeing, meta.data_as_of),
            covers: cohortsCoveredCsv(wellbeing, fy, scope.level, 'outcomes'),
            columns: {
              instrument: 'Instrument',
              people: 'People measured twice',
              threshold: 'Meaningful change (points)',
              improved: 'Improved by at least that',
              improved_pct: 'Improved %',
              mean_change: 'Mean change (positive = better)',
              mean_change_ci_low: '95% CI low',
              mean_change_ci_high: '95% CI high',
            },
            rows: measures,
          })}
        >
          <ChartLegend items={[{ label: 'Improved by at least the meaningful change, %', color: 'emerald' }]} />
          <BarChart
            className="h-60"
            data={measures.map((m) => ({
              Instrument: INSTRUMENTS[String(m.instrument)] ?? String(m.instrument),
              'Improved %': plottable(m.improved_pct),
            }))}
            index="Instrument"
            categories={['Improved %']}
            colors={['emerald']}
            valueFormatter={(v) => formatPercent(v)}
            layout="vertical"
            yAxisWidth={150}
            showAnimation={false}
            showLegend={false}
          />
        </ChartCard>
      </div>
      <h2 className="text-lg font-semibold text-tremor-content-strong">Impact on the health and care system</h2>
      <ChartCard
        title={`GP, A&E, admissions and outpatients over ${SERVICE_USE_WINDOW_MONTHS} months before and after referral`}
        method="system"
        data={system}
        // Which referrals the figures cover (review 31, R31-5): on the card, as the person and wellbeing cards say.
        covers={cohortCoveredWords(system, 'windows')}
        empty={services.length === 0}
        csv={periodCsv({
          stem: `system-use-${scope.code}`,
          period: fy,
          periodHeader: 'Financial year of referral',
          dataAsOf: dataAsOfOf(system, meta.data_as_of),
          covers: windowsCoveredCsv(system),
          columns: {
            window_months: 'Months before and after referral',
            service: 'Service',
            baseline_band: 'Use before referral',
            people: `Referrals with ${SERVICE_USE_WINDOW_MONTHS}-month windows before and after`,
            before_total: `In the ${SERVICE_USE_WINDOW_MONTHS} months before referral`,
            after_total: `In the ${SERVICE_USE_WINDOW_MONTHS} months after referral`,
            change_pct: 'Change %',
            change_pct_ci_low: '95% CI low',
            change_pct_ci_high: '95% CI high',
            expected_change_pct: 'Expected change %',
          },
          rows: allServices,
        })}
      >
        <div className="grid grid-cols-2 gap-4">
          {services.map((s) => (
            <Kpi
              key={String(s.service)}
              label={SERVICES[String(s.service)] ?? String(s.service)}
              value={<FigureValue value={figure(s, 'change_pct')} format={(v) => formatChange(v)} />}
              testId={`kpi-${s.service}`}
              context={
                <>
                  {s.change_pct_ci_low !== null && s.change_pct_ci_low !== undefined
                    ? `95% CI ${formatChange(figure(s, 'change_pct_ci_low'))} to ${formatChange(figure(s, 'change_pct_ci_high'))} · `
                    : ''}
                  {s.expected_change_pct !== null
                    ? `expected ${formatChange(figure(s, 'expected_change_pct'))} · `
                    : ''}
                  <FigureValue value={figure(s, 'before_total')} /> before,{' '}
                  <FigureValue value={figure(s, 'after_total')} /> after, over {SERVICE_USE_WINDOW_MONTHS} months before
                  and after referral, for <FigureValue value={figure(s, 'people')} /> referrals
                </>
              }
            />
          ))}
        </div>
        {bands.length > 0 && (
          <DataTable
            testId="service-bands"
            caption={`Change by use in the ${SERVICE_USE_WINDOW_MONTHS} months before referral: those who used a service most tend to use it less afterwards whatever happens (regression to the mean).`}
            rows={bands}
            rowKey={(b) => `${b.service}-${b.baseline_band}`}
            columns={[
              { key: 'service', header: 'Service', cell: (b) => SERVICES[String(b.service)] ?? String(b.service) },
              { key: 'band', header: 'Use before', cell: (b) => String(b.baseline_band) },
              figureColumn('people', 'Referrals'),
              figureColumn('change_pct', 'Change', (v) => formatChange(v)),
            ]}
          />
        )}
      </ChartCard>
      <h2 className="text-lg font-semibold text-tremor-content-strong">Impact on the community</h2>
      <ChartCard
        title="Community connections by activity"
        method="community"
        data={community}
        empty={!c}
        covers={attendanceCovers}
        csv={periodCsv({
          stem: `community-${scope.code}`,
          period: fy,
          periodHeader: 'Financial year of the connection',
          dataAsOf: dataAsOfOf(community, meta.data_as_of),
          columns: { Activity: 'Activity', connections: 'Connections made', attended: 'Attended' },
          ...(attendanceCutoff === undefined
            ? {}
            : { alike: { attendance_covers: ['Attended: of connections made by', attendanceCutoff] } }),
          rows: activities,
        })}
      >
        <p className="text-tremor-default text-tremor-content-emphasis" data-testid="community-sentence">
          <FigureValue value={figure(c, 'connections')} /> connections to{' '}
          <strong>
            <FigureValue value={figure(c, 'providers')} />
          </strong>{' '}
          organisations; <FigureValue value={figure(c, 'attendance_pct')} format={(v) => formatPercent(v)} /> attended
          {attendanceCutoff === undefined ? (
            '.'
          ) : (
            <>
              , of the <FigureValue value={figure(c, 'attendance_cohort')} /> made by {formatDate(attendanceCutoff)}.
            </>
          )}
        </p>
        <ChartLegend
          items={[
            { label: 'Connections made', color: 'blue' },
            {
              label:
                attendanceCutoff === undefined
                  ? 'Attended'
                  : `Attended (of those made by ${formatDate(attendanceCutoff)})`,
              color: 'emerald',
            },
          ]}
        />
        <ul className="space-y-2" aria-label="Connections by activity" data-testid="activity-bars">
          {activities.map((a) => (
            <li key={a.key} className="grid grid-cols-[11rem_1fr] items-center gap-2">
              <span className="text-tremor-default text-tremor-content-strong">{a.Activity}</span>
              <span className="space-y-1">
                {(
                  [
                    ['Connections made', a.connections, 'bg-blue-500'],
                    ['Attended', a.attended, 'bg-emerald-500'],
                  ] as const
                ).map(([name, value, colour]) => (
                  <span key={name} className="flex items-center gap-2">
                    <span
                      aria-hidden="true"
                      className={`inline-block h-2 rounded-sm ${colour}`}
                      style={{ width: `${(100 * (plottable(value) ?? 0)) / largest}%` }}
                    />
                    <span className="text-tremor-label text-tremor-content">
                      <span className="sr-only">{name}: </span>
                      <FigureValue value={value as number | '*' | null} />
                    </span>
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      </ChartCard>
    </div>
  );
}
