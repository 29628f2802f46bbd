import { BarChart } from '@tremor/react';
import { rowsOf, useMetric } from '../api.ts';
import { figure, plottable, rowsFor } from '../chart-data.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { useDashboard } from '../context.ts';
import { formatChange, formatCount, formatDecimal, formatPercent } from '../format.ts';

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
const label = (s: string) => s.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());

/** The three Common Outcomes Framework areas: the person, the health and care system, the community. */
export default function OutcomesPage() {
  const { scope, fy, meta } = useDashboard();
  const area = { level: scope.level, code: scope.code, period: fy };
  const person = useMetric('cof_person', area);
  const wellbeing = useMetric('wellbeing', area);
  const system = useMetric('cof_system', area);
  const community = useMetric('cof_community', area);
  const p = rowsFor(rowsOf(person), 'fy', fy)[0];
  const measures = rowsOf(wellbeing).filter((r) => r.period_type === 'fy');
  const services = rowsOf(system).filter((r) => r.period_type === 'fy');
  const c = rowsFor(rowsOf(community), 'fy', fy)[0];
  const activities = c
    ? Object.keys(c)
        .filter((k) => k.startsWith('activity_'))
        .map((k) => ({ key: k, Activity: label(k.slice(9)), Connections: plottable(c[k]), value: c[k] }))
    : [];
  const t = meta.targets;

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Outcomes</h1>
      <h2 className="text-lg font-semibold text-tremor-content-strong">Impact on the person</h2>
      <div className="grid gap-4 lg:grid-cols-2">
        <ChartCard
          title="Take-up and plans"
          how={person.state === 'ready' ? person.value.description : ''}
          state={person.state}
          empty={!p}
          csv={
            p
              ? {
                  fileName: `outcomes-person-${scope.code}.csv`,
                  columns: [
                    { key: 'period', label: 'Financial year' },
                    { key: 'episodes', label: 'People referred' },
                    { key: 'took_up', label: 'Took up' },
                    { key: 'take_up_pct', label: 'Take-up %' },
                    { key: 'plans_agreed_pct', label: 'Plans agreed %' },
                    { key: 'mean_contacts', label: 'Mean contacts' },
                    { key: 'median_contacts', label: 'Median contacts' },
                    { key: 'share_6_to_12_pct', label: '% with 6-12 contacts' },
                  ],
                  rows: [p],
                }
              : undefined
          }
        >
          <div className="grid grid-cols-2 gap-4">
            <Kpi
              label="Take-up"
              value={<FigureValue value={figure(p, 'take_up_pct')} format={(v) => formatPercent(v)} />}
              testId="kpi-take-up"
              context={`expected ${t.take_up_pct}% · ${formatCount(figure(p, 'episodes') as number)} people referred`}
            />
            <Kpi
              label="Plans agreed"
              value={<FigureValue value={figure(p, 'plans_agreed_pct')} format={(v) => formatPercent(v)} />}
            />
            <Kpi
              label="Contacts per person"
              value={<FigureValue value={figure(p, 'mean_contacts')} format={(v) => formatDecimal(v)} />}
              context={
                <>
                  median <FigureValue value={figure(p, 'median_contacts')} format={(v) => formatDecimal(v, 0)} />,
                  expected {t.contacts_min}–{t.contacts_max}
                </>
              }
            />
            <Kpi
              label="With 6 to 12 contacts"
              value={<FigureValue value={figure(p, 'share_6_to_12_pct')} format={(v) => formatPercent(v)} />}
            />
          </div>
        </ChartCard>
        <ChartCard
          title="Wellbeing change by instrument"
          how={wellbeing.state === 'ready' ? wellbeing.value.description : ''}
          state={wellbeing.state}
          empty={measures.length === 0}
          csv={{
            fileName: `wellbeing-${scope.code}.csv`,
            columns: [
              { key: 'instrument', label: 'Instrument' },
              { key: 'pairs', label: 'People measured twice' },
              { key: 'improved', label: 'Improved' },
              { key: 'improved_pct', label: 'Improved %' },
              { key: 'mean_change', label: 'Mean change (positive = better)' },
            ],
            rows: measures,
          }}
        >
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
        title="GP appointments and A&E attendances"
        how={system.state === 'ready' ? system.value.description : ''}
        state={system.state}
        empty={services.length === 0}
        csv={{
          fileName: `system-use-${scope.code}.csv`,
          columns: [
            { key: 'service', label: 'Service' },
            { key: 'people', label: 'People' },
            { key: 'before_total', label: 'Before referral' },
            { key: 'after_total', label: 'After referral' },
            { key: 'change_pct', label: 'Change %' },
            { key: 'expected_change_pct', label: 'Expected change %' },
          ],
          rows: services,
        }}
      >
        <div className="grid grid-cols-2 gap-4">
          {services.map((s) => (
            <Kpi
              key={String(s.service)}
              label={s.service === 'gp_appointment' ? 'GP appointments' : 'A&E attendances'}
              value={<FigureValue value={figure(s, 'change_pct')} format={(v) => formatChange(v)} />}
              testId={`kpi-${s.service}`}
              context={
                <>
                  expected {formatChange(figure(s, 'expected_change_pct'))} ·{' '}
                  <FigureValue value={figure(s, 'before_total')} /> before,{' '}
                  <FigureValue value={figure(s, 'after_total')} /> after, for{' '}
                  <FigureValue value={figure(s, 'people')} /> people
                </>
              }
            />
          ))}
        </div>
      </ChartCard>
      <h2 className="text-lg font-semibold text-tremor-content-strong">Impact on the community</h2>
      <ChartCard
        title="Community connections by activity"
        how={community.state === 'ready' ? community.value.description : ''}
        state={community.state}
        empty={!c}
        csv={{
          fileName: `community-${scope.code}.csv`,
          columns: [
            { key: 'Activity', label: 'Activity' },
            { key: 'value', label: 'Connections' },
          ],
          rows: activities,
        }}
      >
        <p className="text-tremor-default text-tremor-content-emphasis">
          <FigureValue value={figure(c, 'connections')} /> connections,{' '}
          <FigureValue value={figure(c, 'attendance_pct')} format={(v) => formatPercent(v)} /> attended, to{' '}
          <strong>{formatCount(figure(c, 'providers'))}</strong> organisations.
        </p>
        <BarChart
          className="h-72"
          data={activities}
          index="Activity"
          categories={['Connections']}
          colors={['blue']}
          valueFormatter={(v) => formatCount(v)}
          layout="vertical"
          yAxisWidth={170}
          showAnimation={false}
          showLegend={false}
        />
      </ChartCard>
    </div>
  );
}
