import { LineChart } from '@tremor/react';
import { useEffect, useMemo, useState } from 'react';
import type { Figure, Level, MetricDocument, MetricRow } from '../../../functions/contract/metrics.ts';
import {
  areaWithParents,
  BOARD_MEASURES,
  type BoardArea,
  type BoardMeasure,
  type BoardUnit,
  funnelPositionText,
  measureFigure,
  measureNote,
  yearLabel,
} from '../../../functions/reports/board-measures.ts';
import { cohortGapNote } from '../../../functions/reports/cohort-gap-note.ts';
import {
  PCNS_REPORTING_RANGE_NOTE,
  pcnsReportingRange,
  pcnsReportingText,
} from '../../../functions/reports/pcns-reporting.ts';
import { ASSURANCE_TEXT, type Assurance, VARIATION_TEXT, type Variation } from '../../../functions/stats/spc-icons.ts';
import { fetchMetric, type Loadable } from '../api.ts';
import { plottable } from '../chart-data.ts';
import { cohortCoveredWords, cohortsCoveredCsv, windowsCoveredCsv } from '../cohorts.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { ChartLegend, seriesProps } from '../components/ChartLegend.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { FigureValue } from '../components/FigureValue.tsx';
import { useDashboard } from '../context.ts';
import { PARTIAL_HOW, type PartialMonth, partialNote, partialOf, partialSuffix } from '../coverage.ts';
import { periodCsv } from '../csv.ts';
import {
  formatChange,
  formatCount,
  formatDate,
  formatDecimal,
  formatPercent,
  fyOfMonth,
  monthLabel,
} from '../format.ts';

/** The board figures grouped as the cards of the page (issue 18): ids from BOARD_MEASURES. */
const CARDS: readonly { title: string; measures: readonly string[] }[] = [
  { title: 'Offers declined', measures: ['decline_rate_pct'] },
  { title: 'Engagement and connection', measures: ['engaged_pct', 'connected_pct'] },
  { title: 'Contacts', measures: ['mean_contacts'] },
  { title: 'Wellbeing improvement', measures: ['wellbeing_improved_pct'] },
  { title: 'GP and A&E use', measures: ['gp_change_pct', 'ae_change_pct'] },
  { title: 'Link workers', measures: ['splw_fte_per_10000', 'caseload_annualised'] },
  { title: 'Referrals over the year', measures: ['referrals_per_1000', 'pct_list_referred_annualised'] },
];
const DOCUMENTS = [...new Set(BOARD_MEASURES.map((m) => m.document)), 'spc'];
const COLUMN_NAME = { pcn: 'PCN', icb: 'ICB', region: 'Region', national: 'England' } as const;
const LINE_COLOURS = ['blue', 'amber', 'emerald', 'violet'] as const;

const formatters: Record<BoardUnit, (v: Figure | undefined) => string> = {
  count: formatCount,
  rate: (v) => formatDecimal(v),
  percent: (v) => formatPercent(v),
  change: (v) => formatChange(v),
  decimal: (v) => formatDecimal(v),
};
const measureById = (id: string) => BOARD_MEASURES.find((m) => m.id === id) as BoardMeasure;

type AreaDocuments = Map<string, MetricDocument>;

/** Every document the page needs, for each area (only that area's rows: the API filters by level and code). */
function useAreaDocuments(areas: readonly BoardArea[], extra: readonly string[]): Loadable<AreaDocuments> {
  const [result, setResult] = useState<Loadable<AreaDocuments>>({ state: 'loading' });
  const key = JSON.stringify({ asked: areas.map((a) => [a.level, a.code]), extra });
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    const { asked, extra: more } = JSON.parse(key) as { asked: [Level, string][]; extra: string[] };
    const wanted = asked.flatMap(([level, code], i) =>
      [...DOCUMENTS, ...(i === 0 ? more : [])].map((name) => ({ level, code, name })),
    );
    Promise.all(wanted.map(({ level, code, name }) => fetchMetric(name, { level, code })))
      .then((documents) => {
        if (!live) return;
        const map: AreaDocuments = new Map();
        for (const [i, document] of documents.entries()) map.set(`${wanted[i]?.name}|${wanted[i]?.code}`, document);
        setResult({ state: 'ready', value: map });
      })
      .catch((e: Error) => live && setResult({ state: 'error', message: e.message }));
    return () => {
      live = false;
    };
  }, [key]);
  return result;
}

const rowsOf = (docs: Loadable<AreaDocuments>, name: string, area: BoardArea): readonly MetricRow[] =>
  docs.state === 'ready' ? (docs.value.get(`${name}|${area.code}`)?.rows ?? []) : [];

/**
 * Which referrals a card's cohort figures cover (review 31, R31-5), in words for the card and in ISO dates for its CSV,
 * from the documents' own summaries (cof_person's cohorts, cof_system's windows ended); undefined where none of its
 * measures is of a cohort.
 */
export function cardCovers(
  docs: Loadable<AreaDocuments>,
  area: BoardArea,
  measures: readonly BoardMeasure[],
  fy: string,
): { readonly words: string; readonly csv: string } | undefined {
  if (docs.state !== 'ready') return undefined;
  const cohorts = [...new Map(measures.flatMap((m) => (m.cohort ? [[m.cohort, m.document] as const] : []))).entries()];
  const parts = cohorts.flatMap(([cohort, name]) => {
    const document = docs.value.get(`${name}|${area.code}`);
    if (document === undefined) return [];
    const doc = { state: 'ready', value: document } as const;
    const words = cohortCoveredWords(doc, cohort);
    const csv = cohort === 'windows' ? windowsCoveredCsv(doc) : cohortsCoveredCsv(doc, fy, area.level, cohort);
    return words === undefined ? [] : [{ words, csv: csv ?? words }];
  });
  if (parts.length === 0) return undefined;
  return { words: parts.map((p) => p.words).join(' '), csv: parts.map((p) => p.csv).join('; ') };
}

function spcText(rows: readonly MetricRow[], measure: BoardMeasure): string {
  const row = rows.find((r) => r.measure === measure.spc);
  if (!measure.spc || !row) return '';
  // A series with a suppressed month is not charted: say why rather than "too few months".
  if (typeof row.not_charted === 'string') return row.not_charted;
  const variation = VARIATION_TEXT[row.variation as Variation];
  if (!variation) return 'Too few months to chart';
  const assurance = ASSURANCE_TEXT[row.assurance as Assurance];
  return assurance ? `${variation}; ${assurance.toLowerCase()}` : variation;
}

/**
 * The board report's monthly rate chart (red-team review 16, R16-3, as the Rollout page): each month, the areas charted
 * whose month not every PCN expected has sent (rollout's pcns_sent of pcns_expected; a PCN's own row has neither),
 * each named by its level where the chart has more than one area, so a fall from a late file is not read as fewer
 * referrals.
 */
export function boardPartialMonths(
  months: readonly string[],
  areas: readonly BoardArea[],
  rolloutOf: (area: BoardArea) => readonly MetricRow[],
): Map<string, PartialMonth[]> {
  const named = areas.length > 1;
  return new Map(
    months.map((month) => [
      month,
      areas.flatMap((a) => {
        const partial = partialOf(rolloutOf(a).find((r) => r.period_type === 'month' && r.period === month));
        return partial === undefined ? [] : [named ? { ...partial, area: COLUMN_NAME[a.level] } : partial];
      }),
    ]),
  );
}

/**
 * A board report: the area in view beside the areas above it (a PCN beside its ICB, region and England) on the same
 * cards, each with its funnel position and SPC reading where those are published, and the monthly PDF pack.
 */
export default function BoardReportPage() {
  const { scope, fy, meta } = useDashboard();
  const areas = useMemo(() => areaWithParents(meta, scope.level, scope.code), [meta, scope.level, scope.code]);
  const areaSeries = areas.map((a, i) => ({ label: a.name, color: LINE_COLOURS[i] ?? 'violet' }));
  const area = areas[0] as BoardArea;
  const docs = useAreaDocuments(areas, area.level === 'pcn' ? ['pcn_comparison', 'data_quality'] : []);
  const funnelRow = rowsOf(docs, 'pcn_comparison', area).find((r) => r.period === fy);
  const how = (measure: BoardMeasure) =>
    docs.state === 'ready'
      ? (docs.value.get(`${measure.document}|${area.code}`)?.definitions[measure.column] ?? '')
      : '';
  const months = meta.months.filter((m) => fyOfMonth(m) === fy);
  const monthly = measureById('referrals_per_1000');
  const monthlyRows = months.map((month) => ({
    period: month,
    ...Object.fromEntries(areas.map((a) => [a.code, measureFigure(rowsOf(docs, monthly.document, a), monthly, month)])),
  }));
  const partial = boardPartialMonths(months, areas, (a) => rowsOf(docs, 'rollout', a));
  const partialWords = partialNote([...partial.values()].flat());

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Board report</h1>
      <p className="text-tremor-default text-tremor-content" data-testid="board-areas">
        {areas.map((a) => (a.level === 'national' ? a.name : `${COLUMN_NAME[a.level]}: ${a.name}`)).join(' · ')}
      </p>
      {area.level !== 'pcn' && (
        <p className="print-hidden text-tremor-label text-tremor-content">
          Choose a PCN in the filters to see it beside its ICB, region and England.
        </p>
      )}
      <ChartCard
        title="Referrals per 1,000 registered patients by month"
        how={how(monthly)}
        data={docs}
        empty={months.length === 0}
        csv={periodCsv({
          stem: `referrals-per-1000-${area.code}`,
          period: fy,
          periodHeader: 'Month',
          dataAsOf: meta.data_as_of,
          columns: { period: 'Month', ...Object.fromEntries(areas.map((a) => [a.code, a.name])) },
          rows: monthlyRows,
        })}
      >
        <ChartLegend items={areaSeries} />
        <LineChart
          className="h-64"
          data={monthlyRows.map((r) => ({
            Month: monthLabel(r.period) + partialSuffix(partial.get(r.period) ?? []),
            ...Object.fromEntries(areas.map((a) => [a.name, plottable((r as Record<string, unknown>)[a.code])])),
          }))}
          index="Month"
          {...seriesProps(areaSeries)}
          valueFormatter={(v) => formatDecimal(v)}
          connectNulls={false}
          yAxisWidth={48}
        />
        {partialWords && (
          <p className="text-tremor-default text-tremor-content-emphasis" data-testid="partial-months">
            {partialWords}
          </p>
        )}
      </ChartCard>
      <div className="grid gap-4 lg:grid-cols-2">
        {CARDS.map((card) => {
          const measures = card.measures.map(measureById);
          const rows = measures.map((m) => ({
            measure: yearLabel(m),
            ...Object.fromEntries(areas.map((a) => [a.code, measureFigure(rowsOf(docs, m.document, a), m, fy)])),
            expectation: m.expectation?.(meta.targets) ?? '',
            funnel_england:
              area.level === 'pcn' && m.funnel ? (funnelPositionText(funnelRow, m.funnel, 'vs_national') ?? '') : '',
            funnel_region:
              area.level === 'pcn' && m.funnel ? (funnelPositionText(funnelRow, m.funnel, 'vs_region') ?? '') : '',
            spc: spcText(rowsOf(docs, 'spc', area), m),
            // What a figure read from another column covers (England's caseload: R19-6).
            // And why England's year is held, where a cohort gap holds it (R32-2).
            note: [
              ...areas.flatMap((a) => measureNote(rowsOf(docs, m.document, a), m, fy) ?? []),
              ...areas.flatMap((a) =>
                a.level === 'national' && docs.state === 'ready'
                  ? (cohortGapNote(docs.value.get(`${m.document}|${a.code}`), fy) ?? [])
                  : [],
              ),
            ].join(' '),
          }));
          const covers = cardCovers(docs, area, measures, fy);
          const columns = {
            measure: 'Measure',
            ...Object.fromEntries(areas.map((a) => [a.code, `${a.name} (${fy})`])),
            expectation: 'Expectation',
            ...(area.level === 'pcn'
              ? { funnel_england: 'Funnel: against England', funnel_region: 'Funnel: against the region' }
              : {}),
            spc: 'Month by month (SPC)',
            note: 'Note',
          };
          return (
            <ChartCard
              key={card.title}
              title={card.title}
              how={measures.map((m) => `${m.label}: ${how(m)}`).join(' ')}
              data={docs}
              // Cohort figures cover fewer referrals than the year's months (R31-5): say which.
              covers={covers?.words}
              csv={periodCsv({
                stem: `${card.title.toLowerCase().replace(/\W+/g, '-')}-${area.code}`,
                period: fy,
                periodHeader: 'Financial year',
                dataAsOf: meta.data_as_of,
                ...(covers ? { covers: covers.csv } : {}),
                columns,
                rows,
              })}
            >
              <DataTable
                label={card.title}
                rows={measures}
                rowKey={(m) => m.id}
                columns={[
                  {
                    key: 'measure',
                    header: 'Measure',
                    rowHeader: true,
                    className: 'whitespace-normal',
                    cell: (m, i) => (
                      <>
                        {yearLabel(m)}
                        {m.expectation && (
                          <span className="block text-tremor-label text-tremor-content">
                            expected {m.expectation(meta.targets)}
                          </span>
                        )}
                        {rows[i]?.note && (
                          <span className="block text-tremor-label text-tremor-content" data-testid={`note-${m.id}`}>
                            {rows[i]?.note}
                          </span>
                        )}
                        {(rows[i]?.funnel_england || rows[i]?.spc) && (
                          <span
                            className="block text-tremor-label text-tremor-content"
                            data-testid={`position-${m.id}`}
                          >
                            {[
                              rows[i]?.funnel_england && `Funnel: ${rows[i]?.funnel_england} (England)`,
                              rows[i]?.funnel_region && `${rows[i]?.funnel_region} (region)`,
                              rows[i]?.spc,
                            ]
                              .filter(Boolean)
                              .join('; ')}
                          </span>
                        )}
                      </>
                    ),
                  },
                  ...areas.map((a) => ({
                    key: a.code,
                    header: COLUMN_NAME[a.level],
                    numeric: true,
                    testId: (m: (typeof measures)[number]) => `figure-${m.id}-${a.level}`,
                    cell: (m: (typeof measures)[number], i: number) => (
                      <FigureValue
                        value={(rows[i] as Record<string, unknown>)[a.code] as Figure}
                        format={formatters[m.unit]}
                      />
                    ),
                  })),
                ]}
              />
            </ChartCard>
          );
        })}
        <SubmissionCard docs={docs} area={area} />
      </div>
    </div>
  );
}

/** Data submission status: a PCN's files and rows; for a larger area, PCNs reporting in the latest month. */
function SubmissionCard({ docs, area }: { docs: Loadable<AreaDocuments>; area: BoardArea }) {
  const { meta } = useDashboard();
  const quality = rowsOf(docs, 'data_quality', area)[0];
  const latest = meta.months.at(-1) ?? '';
  const rollout = rowsOf(docs, 'rollout', area).find((r) => r.period === latest);
  const rows =
    area.level === 'pcn'
      ? [
          { item: 'Files received', value: formatCount(quality?.uploads as Figure) },
          { item: 'Files rejected whole', value: formatCount(quality?.files_rejected as Figure) },
          { item: 'Rows accepted', value: formatCount(quality?.rows_accepted as Figure) },
          { item: 'Rows rejected', value: formatCount(quality?.rows_rejected as Figure) },
          { item: 'Months missing', value: formatCount(quality?.months_missing as Figure) },
          { item: 'Latest file received', value: formatDate(quality?.last_upload as string | undefined) },
        ]
      : [
          { item: `PCNs open, ${monthLabel(latest)}`, value: formatCount(rollout?.pcns as Figure) },
          // Rounded and capped below the PCNs in force (R31-4): a range where it may be all of them.
          {
            item: 'PCNs with referrals',
            value: pcnsReportingRange(rollout)
              ? `${pcnsReportingText(rollout, (v) => formatCount(v as Figure))} (${PCNS_REPORTING_RANGE_NOTE})`
              : formatCount(rollout?.pcns_reporting as Figure),
          },
          // How many of the PCNs expected have sent the month (red-team review 16, R16-3): partial says so in words.
          ...(typeof rollout?.pcns_sent === 'number' && typeof rollout?.pcns_expected === 'number'
            ? [
                {
                  item: `PCNs sent, ${monthLabel(latest)}`,
                  value: `${rollout.pcns_sent} of ${rollout.pcns_expected} expected${partialOf(rollout) ? ' (partial month)' : ''}`,
                },
              ]
            : []),
        ];
  return (
    <ChartCard
      title="Data submission status"
      how={
        area.level === 'pcn'
          ? 'Files the PCN sent, whole files rejected, rows accepted and rejected, and months with no events since its first (these count files and rows, not people).'
          : `PCNs in force in the latest month, how many of them sent at least one accepted referral, and how many of the PCNs expected (onboarded, extract not stopped) have sent the month. ${PARTIAL_HOW}`
      }
      data={docs}
      empty={area.level === 'pcn' ? !quality : !rollout}
      csv={periodCsv({
        // Files and PCNs up to this release: named by its data-as-of date.
        stem: `data-submission-status-${area.code}`,
        period: meta.data_as_of ?? 'latest',
        periodHeader: 'Period',
        dataAsOf: meta.data_as_of,
        columns: {
          item: 'Item',
          value: area.name,
        },
        rows,
      })}
    >
      <DataTable
        label="Data submission status"
        hideHeader
        rows={rows}
        rowKey={(r) => r.item}
        columns={[
          { key: 'item', header: 'Item', rowHeader: true, cell: (r) => r.item },
          {
            key: 'value',
            header: area.name,
            numeric: true,
            testId: (r) => `submission-${r.item}`,
            cell: (r) => r.value,
          },
        ]}
      />
    </ChartCard>
  );
}
