import type { MetricRow } from '../../../functions/contract/metrics.ts';
import { rowsOf, useMetric } from '../api.ts';
import { ChartCard } from '../components/ChartCard.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { Kpi } from '../components/Kpi.tsx';
import { useDashboard } from '../context.ts';
import { dataAsOfOf, periodCsv } from '../csv.ts';
import { formatCount, formatDate, fyLabel } from '../format.ts';

/** Data submissions: which PCNs have sent files, when, what was rejected and why, and months missing. */
export default function SubmissionsPage() {
  const { scope, meta, fy } = useDashboard();
  const quality = useMetric('data_quality', { level: 'pcn' });
  const icbOf = new Map(meta.pcns.map((p) => [p.code, p.parent]));
  const regionOf = new Map(meta.icbs.map((i) => [i.code, i.parent]));
  const inScope = (code: string) =>
    scope.level === 'national' ||
    code === scope.code ||
    icbOf.get(code) === scope.code ||
    regionOf.get(icbOf.get(code) ?? '') === scope.code;
  const rows = rowsOf(quality)
    .filter((r) => inScope(r.code))
    .map((r): MetricRow & { name: string } => ({
      ...r,
      name: meta.pcns.find((p) => p.code === r.code)?.name ?? r.code,
    }))
    .sort(
      (a, b) =>
        Number(b.months_missing ?? 0) - Number(a.months_missing ?? 0) ||
        Number(b.rows_rejected) - Number(a.rows_rejected) ||
        a.name.localeCompare(b.name),
    );
  const outOfForce = rows.filter((r) => Number(r.events_out_of_force ?? 0) > 0);
  const snapshotsOutOfForce = rows.filter((r) => Number(r.snapshot_rows_out_of_force ?? 0) > 0);
  const months = (first: unknown, last: unknown) => `${first}${last === first ? '' : ` to ${last}`}`;
  const outsideReporting = rows.filter((r) => Number(r.events_outside_reporting ?? 0) > 0);
  const sharedIds = rows.filter((r) => Number(r.person_ids_shared ?? 0) > 0);
  const otherWindows = rows.filter((r) => Number(r.service_use_rows_other_windows ?? 0) > 0);
  const sent = new Set(rows.map((r) => r.code));
  const silent = meta.pcns.filter((p) => inScope(p.code) && !sent.has(p.code));
  const total = (key: string) => rows.reduce((sum, r) => sum + Number(r[key] ?? 0), 0);
  // Rows accepted are published per PCN rounded up to a multiple of 5 (0 stays 0): their sum is at most the rows
  // accepted, and at least it less 4 a PCN with any (review 31, R31-9: 2,460,030 read as the total, 221 over it).
  const acceptedAtMost = total('rows_accepted');
  const acceptedAtLeast = rows.reduce((sum, r) => sum + Math.max(0, Number(r.rows_accepted ?? 0) - 4), 0);
  // The PCNs in the reference data now closed: the summary counts every PCN that has ever sent a file.
  const closed = meta.pcns.filter((p) => inScope(p.code) && typeof p.valid_to === 'string').length;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-tremor-content-strong">Data submissions</h1>
      <ChartCard
        title="Summary"
        method="submissions"
        data={quality}
        empty={false}
        // data_quality counts every file received, whatever its months (its period is `all`): not the year in the
        // filters (review 31, R31-9).
        periodNote={`All files received up to this release (${formatDate(meta.generated_at)}), whatever year their events are in: not only ${fyLabel(fy)}.`}
      >
        <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Kpi
            label="PCNs that have sent data"
            value={`${formatCount(rows.length)} of ${formatCount(rows.length + silent.length)}`}
            context={`every PCN in the reference data${closed > 0 ? `, ${formatCount(closed)} now closed` : ''}`}
            testId="kpi-pcns-sending"
          />
          <Kpi
            label="Files received"
            value={formatCount(total('uploads'))}
            context={`${formatCount(total('files_rejected'))} rejected whole`}
          />
          <Kpi
            label="Rows accepted"
            value={`at most ${formatCount(acceptedAtMost)}`}
            context={`at least ${formatCount(acceptedAtLeast)}: each PCN’s rows accepted are published rounded up to a multiple of 5; the exact counts are on the upload receipts`}
            testId="kpi-rows-accepted"
          />
          <Kpi
            label="Rows rejected"
            value={formatCount(total('rows_rejected'))}
            context={`${formatCount(total('files_with_identifiers'))} files held personal identifiers`}
          />
        </div>
      </ChartCard>
      <ChartCard
        title="By PCN"
        method="submissions"
        data={quality}
        empty={rows.length === 0 && silent.length === 0}
        csv={periodCsv({
          // Files and rows received up to this release: named by its data-as-of date.
          stem: `submissions-${scope.code}`,
          period: dataAsOfOf(quality, meta.data_as_of) ?? 'latest',
          periodHeader: 'Period',
          dataAsOf: dataAsOfOf(quality, meta.data_as_of),
          columns: {
            code: 'PCN code',
            name: 'PCN',
            uploads: 'Files',
            last_upload: 'Last upload',
            rows_accepted: 'Rows accepted',
            rejected_invalid: 'Rejected: invalid value',
            rejected_duplicate: 'Rejected: duplicate',
            rejected_other: 'Rejected: other',
            files_rejected: 'Files rejected',
            first_month: 'First month reported',
            last_month_reported: 'Last month reported',
            months_missing: 'Months missing',
            events_out_of_force: 'Events out of force (in no figure)',
            first_month_out_of_force: 'First month out of force',
            last_month_out_of_force: 'Last month out of force',
            snapshot_rows_out_of_force: 'Workforce snapshot rows out of force (in no figure)',
            person_ids_shared: 'Person ids another PCN sent too (key missing or shared)',
            first_snapshot_month_out_of_force: 'First snapshot month out of force',
            last_snapshot_month_out_of_force: 'Last snapshot month out of force',
            events_outside_reporting: 'Events before first month reported (in no figure)',
            first_month_outside_reporting: 'First month before reporting',
            last_month_outside_reporting: 'Last month before reporting',
            service_use_rows_other_windows: 'Service-use rows of 3 or 12 months (in no figure)',
          },
          rows,
        })}
      >
        {silent.length > 0 && (
          <p role="status" className="rounded-tremor-small bg-amber-50 p-2 text-tremor-default text-amber-900">
            No files yet from {silent.length} PCN{silent.length === 1 ? '' : 's'}:{' '}
            {silent
              .slice(0, 10)
              .map((p) => p.name)
              .join(', ')}
            {silent.length > 10 ? ' …' : ''}
          </p>
        )}
        {outOfForce.length > 0 && (
          // Events dated when their PCN was not in force in the reference data are in no figure (review 7, M10): the
          // PCN's dates or the reference need correcting, so the PCNs are named with their months.
          <p role="status" className="rounded-tremor-small bg-amber-50 p-2 text-tremor-default text-amber-900">
            Events dated when their PCN was not in force in the reference data, left out of every figure:{' '}
            {outOfForce
              .map(
                (r) =>
                  `${r.name} (${r.code}) ${months(r.first_month_out_of_force, r.last_month_out_of_force)}, ${formatCount(r.events_out_of_force as number)} events`,
              )
              .join('; ')}{' '}
            (counts rounded up to a multiple of 5).
          </p>
        )}
        {snapshotsOutOfForce.length > 0 && (
          // Workforce snapshots of a month when their PCN was not in force are in no figure either (review 7, M10).
          <p role="status" className="rounded-tremor-small bg-amber-50 p-2 text-tremor-default text-amber-900">
            Workforce snapshots of a month when their PCN was not in force in the reference data, left out of every
            figure:{' '}
            {snapshotsOutOfForce
              .map(
                (r) =>
                  `${r.name} (${r.code}) ${months(r.first_snapshot_month_out_of_force, r.last_snapshot_month_out_of_force)}, ${formatCount(r.snapshot_rows_out_of_force as number)} snapshot rows`,
              )
              .join('; ')}
            .
          </p>
        )}
        {sharedIds.length > 0 && (
          // The same person id under two PCNs: a pseudonymisation key missing or shared (review 13, R13-5). Ids so
          // made can be traced back to NHS numbers, so these PCNs are named first, in red.
          <p role="alert" className="rounded-tremor-small bg-red-50 p-2 text-tremor-default text-red-900">
            Person ids that another PCN has sent too, so the PCN’s pseudonymisation key is missing or shared and its ids
            can be traced back to NHS numbers; it needs its own key before its next file:{' '}
            {sharedIds
              .map((r) => `${r.name} (${r.code}), ${formatCount(r.person_ids_shared as number)} ids`)
              .join('; ')}{' '}
            (counts rounded up to a multiple of 5).
          </p>
        )}
        {outsideReporting.length > 0 && (
          // Stray events dated before the PCN's reporting span are in no figure (review 7, M5): named for correction.
          <p role="status" className="rounded-tremor-small bg-amber-50 p-2 text-tremor-default text-amber-900">
            Events dated before their PCN's first month reported (stray or mis-dated), left out of every figure:{' '}
            {outsideReporting
              .map(
                (r) =>
                  `${r.name} (${r.code}) ${months(r.first_month_outside_reporting, r.last_month_outside_reporting)}, ${formatCount(r.events_outside_reporting as number)} events`,
              )
              .join('; ')}{' '}
            (counts rounded up to a multiple of 5).
          </p>
        )}
        {otherWindows.length > 0 && (
          // Service-use rows of a 3- or 12-month window are accepted (contract v1) but counted in no figure: the
          // published service use counts 6-month windows alone (review 27, R27-3).
          <p role="status" className="rounded-tremor-small bg-amber-50 p-2 text-tremor-default text-amber-900">
            Service-use rows with a window of 3 or 12 months, accepted but in no figure (the service use before and
            after referral counts 6-month windows only: send those as well):{' '}
            {otherWindows
              .map((r) => `${r.name} (${r.code}), ${formatCount(r.service_use_rows_other_windows as number)} rows`)
              .join('; ')}{' '}
            (counts rounded up to a multiple of 5).
          </p>
        )}
        <DataTable
          testId="submissions-table"
          label="Submissions by PCN"
          scroll="max-h-[36rem]"
          rows={rows}
          rowKey={(r) => r.code}
          columns={[
            {
              key: 'pcn',
              header: 'PCN',
              rowHeader: true,
              cell: (r) => (
                <>
                  {r.name} <span className="text-tremor-content">({r.code})</span>
                  {Number(r.files_rejected) > 0 && (
                    <span className="ml-2 rounded bg-red-100 px-1 text-tremor-label text-red-800">
                      {formatCount(r.files_rejected as number)} file{r.files_rejected === 1 ? '' : 's'} rejected
                    </span>
                  )}
                </>
              ),
            },
            { key: 'files', header: 'Files', numeric: true, cell: (r) => formatCount(r.uploads as number) },
            { key: 'last', header: 'Last upload', cell: (r) => formatDate(r.last_upload as string) },
            {
              key: 'accepted',
              header: 'Rows accepted',
              numeric: true,
              cell: (r) => formatCount(r.rows_accepted as number),
            },
            {
              key: 'rejected',
              header: 'Rejected (invalid / duplicate / other)',
              numeric: true,
              cell: (r) =>
                `${formatCount(r.rejected_invalid as number)} / ${formatCount(r.rejected_duplicate as number)} / ${formatCount(r.rejected_other as number)}`,
            },
            {
              // The PCN's reporting span: after its last month reported its extract has stopped (no data, not 0).
              key: 'reported',
              header: 'Months reported',
              cell: (r) =>
                r.first_month ? `${r.first_month} to ${r.last_month_reported ?? 'not yet published'}` : 'none yet',
            },
            {
              key: 'missing',
              header: 'Months missing',
              numeric: true,
              cell: (r) =>
                Number(r.months_missing) > 0 ? (
                  <strong className="text-red-800">{formatCount(r.months_missing as number)}</strong>
                ) : (
                  formatCount(r.months_missing as number)
                ),
            },
          ]}
        />
      </ChartCard>
    </div>
  );
}
