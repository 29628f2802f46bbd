/**
 * Corrections and retractions laid over a dataset of bench:refresh (refresh-layout.ts), as the generator makes them
 * (cli/synthetic/generate.ts) and the ingest writes them. The national datasets were generated without faults (a
 * fault rate of 0: faults cost the generator nothing, but a dataset takes over an hour to make again), so they held
 * no corrections and no retractions, and the refresh's superseded and withdrawn steps had nothing to find at scale.
 *
 * Each event is drawn once, by a hash of its PCN and event_id (deterministic, whatever the order or the compaction
 * of the objects), as its latest version (an event sent again, as a connection is with its attendance, is amended once,
 * as it stands: drawEvents): with the generator's chance (DEMO_FAULT_RATE) a row gets a fault, and one of the
 * generator's four faults (a quarter each); of those, the two that reach the curated events are made here, in the
 * generator's shapes (correctionOf, retractionOf), and only where the generator makes them: a correction of a contact
 * or a referral, and a retraction of any event, each sent with the file of the month after the one that sent that
 * version (so never for a version sent in the dataset's last month). The other two, a bad value and a repeated row,
 * are rejected by the ingest and never reach the curated events.
 *
 * As the generator sends them with its next month's file, each PCN's corrections and retractions sent in one month are
 * one upload (`<PCN>-events-<that month>-amended`), written as CSV and laid out by layOutUploads exactly as the
 * dataset's own uploads were: a correction keeps its event's occurred_on, so its object is under the event's month; a
 * retraction is dated in the month it is sent in and is under that month. A receipt per upload, the uploads table republished.
 * A marker file beside the dataset (`amendments.json`, versioned) records what was laid over it: a dataset is
 * amended once; amending it again does nothing. An overlay stopped part-way (no marker) is redone whole: it draws
 * from the dataset's own uploads only and writes the same keys again.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvBytes } from '../../cli/synthetic/csv-bytes.ts';
import type { SimEvent } from '../../cli/synthetic/episodes.ts';
import { correctionOf, DEMO_FAULT_RATE, RETRACTION_DAYS, retractionOf } from '../../cli/synthetic/generate.ts';
import { EVENT_FIELD_NAMES, EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { duckDbView } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';
import { duck, layOutMonths, secondsSince, writeReceipts } from './refresh-layout.ts';

/**
 * Bump when the overlay's draw or shapes change: a dataset amended by another version is refused, not amended twice.
 * Still 1 since events sent twice are drawn once (their latest version, sent in its file's month): on the national
 * datasets, whose every event is sent once in its own month's file, that draws and amends the same rows as before.
 */
export const AMENDMENTS_VERSION = 1;
export const AMENDED_SUFFIX = '-amended';

export interface AmendmentsSummary {
  readonly version: number;
  readonly seed: number;
  readonly rate: number;
  readonly corrections: number;
  readonly retractions: number;
  readonly uploads: number;
  readonly objects: number;
  /** Bytes of those objects. */
  readonly bytes: number;
}

/** One drawn event (its latest version): its fields as the generator holds them, the month it was sent in and its draw. */
export interface DrawnEvent {
  readonly event: SimEvent;
  /** The month of the file that sent this version: its amendment is sent with the next month's. */
  readonly month: string;
  /** Uniform in [0, rate): which of the generator's four faults the row gets, a quarter of the range each. */
  readonly draw: number;
  /** Days into the next month a retraction of it is dated: 0 to RETRACTION_DAYS - 1. */
  readonly retractionDay: number;
}

export interface AmendOptions {
  /** The hash's seed, also the generator's seed for a retraction's fallback person. @default 36 (the datasets') */
  readonly seed?: number;
  /** The share of rows given a fault. @default DEMO_FAULT_RATE */
  readonly rate?: number;
  /**
   * Which amendment a drawn event gets; for tests, to pick rows by hand. @default the generator's: the draw's quarter
   * (2: a correction of a contact or referral; 3: a retraction)
   */
  readonly decide?: (drawn: DrawnEvent) => 'correction' | 'retraction' | undefined;
  /** Keeps the amendment uploads' CSV files under `<root>/amendments-input/` (tests ingest them). @default false */
  readonly keepInput?: boolean;
}

const nextMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
};

export function generatorsChoice(drawn: DrawnEvent, rate: number): 'correction' | 'retraction' | undefined {
  const which = Math.min(3, Math.floor((drawn.draw / rate) * 4));
  const type = drawn.event.event_type;
  if (which === 2 && (type === 'contact' || type === 'referral')) return 'correction';
  if (which === 3) return 'retraction';
  return undefined;
}

/** The SQL that reads a column of the curated events back as the generator holds it (dates and times as text). */
function asGenerated(name: string): string {
  const type = EVENTS_TABLE.columns.find((c) => c.name === name)?.type;
  if (type === 'date') return `strftime("${name}", '%Y-%m-%d') AS "${name}"`;
  if (type === 'timestamp') return `strftime("${name}", '%Y-%m-%dT%H:%M:%SZ') AS "${name}"`;
  return `"${name}"`;
}

/**
 * Every event of the dataset's own uploads drawn for a fault, in a stable order: of an event sent more than once (a
 * community connection and its attendance correction, sent with a later month's file: attendanceOf), its latest
 * version only, by the refresh's own order of versions (sql/prepare/superseded.sql), so that an event is amended once
 * and as it stands (drawing every row, a connection attended was retracted twice, once as the version already
 * superseded). Its month is the month of the file that sent that version (the upload id `<PCN>-events-<month>`, as
 * the generator names its files; the event's own month for another id): the generator sends a correction or a
 * retraction with the file after that one. On a dataset whose every event is sent once, in its own month's file (the
 * national datasets, made before attendance came as corrections), the draw is as it was.
 */
async function drawEvents(data: string, seed: number, rate: number, lastMonth: string): Promise<DrawnEvent[]> {
  const { instance, connection } = await duck();
  // The low 64 bits of an MD5: the same in every DuckDB version and on every machine (md5_number, all 128 bits, took
  // ten times as long, in the modulo of its 128-bit integer). Both versions of an event have one hash, so both are
  // drawn or neither, and only the few drawn are ranked.
  const reader = await connection.runAndReadAll(
    `WITH hashed AS (
       SELECT *, md5_number_lower($1 || '/' || pcn_code || '/' || event_id) AS h
       FROM read_parquet('${data}/curated/events/*/*.parquet', hive_partitioning = true, hive_types = {'event_month': VARCHAR})
       WHERE event_type <> 'retraction' AND upload_id NOT LIKE '%${AMENDED_SUFFIX}'
     ),
     drawn AS (
       SELECT *,
         count(*) OVER (PARTITION BY pcn_code, event_id)
           = count(recorded_at) OVER (PARTITION BY pcn_code, event_id) AS every_version_stamped
       FROM hashed
       WHERE CAST(h % 1000000000 AS DOUBLE) / 1e9 < $3
     ),
     latest AS (
       SELECT *, coalesce(nullif(regexp_extract(upload_id, '-events-([0-9]{4}-[0-9]{2})', 1), ''), event_month) AS sent_in
       FROM drawn
       QUALIFY row_number() OVER (
         PARTITION BY pcn_code, event_id
         ORDER BY CASE WHEN every_version_stamped THEN recorded_at END DESC NULLS LAST,
           received_at DESC, upload_id DESC, source_row DESC
       ) = 1
     )
     SELECT ${EVENT_FIELD_NAMES.map(asGenerated).join(', ')}, sent_in,
       CAST(h % 1000000000 AS DOUBLE) / 1e9 AS draw,
       CAST((h // 1000000000) % ${RETRACTION_DAYS} AS INTEGER) AS retraction_day
     FROM latest
     WHERE sent_in < $2
     ORDER BY pcn_code, event_month, upload_id, source_row`,
    [String(seed), lastMonth, rate],
  );
  const drawn: DrawnEvent[] = reader.getRowObjectsJS().map((row) => {
    const event: SimEvent = {};
    for (const name of EVENT_FIELD_NAMES) {
      const value = row[name];
      if (value !== null && value !== undefined) event[name] = value as string | number | boolean;
    }
    return {
      event,
      month: row.sent_in as string,
      draw: row.draw as number,
      retractionDay: row.retraction_day as number,
    };
  });
  connection.closeSync();
  instance.closeSync();
  return drawn;
}

/** The marker of an amended dataset, or undefined if it has none. */
export function amendmentsOf(root: string): AmendmentsSummary | undefined {
  const marker = join(root, 'amendments.json');
  return existsSync(marker) ? (JSON.parse(readFileSync(marker, 'utf8')) as AmendmentsSummary) : undefined;
}

/**
 * Lays corrections and retractions over the dataset in `<root>/data` (once; see above) and returns what was laid.
 * Works on a dataset as ingested or compacted.
 */
export async function amendDataset(root: string, options: AmendOptions = {}): Promise<AmendmentsSummary> {
  const done = amendmentsOf(root);
  if (done !== undefined) {
    if (done.version !== AMENDMENTS_VERSION)
      throw new Error(
        `${root} holds amendments of version ${done.version}, not ${AMENDMENTS_VERSION}: lay the dataset out again`,
      );
    return done;
  }
  const started = performance.now();
  const seed = options.seed ?? 36;
  const rate = options.rate ?? DEMO_FAULT_RATE;
  const decide = options.decide ?? ((drawn: DrawnEvent) => generatorsChoice(drawn, rate));
  const data = join(root, 'data');
  const months = readdirSync(join(data, 'curated', 'events'))
    .filter((p) => p.startsWith('event_month='))
    .map((p) => p.slice('event_month='.length))
    .sort();
  const lastMonth = months[months.length - 1] as string;

  const uploads = new Map<string, { month: string; rows: SimEvent[] }>();
  let corrections = 0;
  let retractions = 0;
  for (const drawn of await drawEvents(data, seed, rate, lastMonth)) {
    const amendment = decide(drawn);
    if (amendment === undefined) continue;
    const following = nextMonth(drawn.month);
    const uploadId = `${drawn.event.pcn_code}-events-${following}${AMENDED_SUFFIX}`;
    const upload = uploads.get(uploadId) ?? { month: following, rows: [] };
    uploads.set(uploadId, upload);
    if (amendment === 'correction') {
      upload.rows.push(correctionOf(drawn.event, following));
      corrections++;
    } else {
      upload.rows.push(retractionOf(drawn.event, following, drawn.retractionDay, seed));
      retractions++;
    }
  }

  const input = join(root, 'amendments-input');
  rmSync(input, { recursive: true, force: true });
  const csv = new CsvBytes();
  for (const [uploadId, { month, rows }] of uploads) {
    mkdirSync(join(input, month), { recursive: true });
    csv.start(EVENT_FIELD_NAMES);
    for (const row of rows) csv.row(EVENT_FIELD_NAMES, row);
    writeFileSync(join(input, month, `${uploadId}.csv`), csv.bytes());
  }
  const objects = existsSync(input) ? await layOutMonths(input, data, ['events']) : 0;
  let bytes = 0;
  for (const file of readdirSync(join(data, 'curated', 'events'), { recursive: true }) as string[])
    if (file.endsWith(`${AMENDED_SUFFIX}.parquet`)) bytes += statSync(join(data, 'curated', 'events', file)).size;
  await writeReceipts(data, `%${AMENDED_SUFFIX}`);
  if (!options.keepInput) rmSync(input, { recursive: true, force: true });

  const summary: AmendmentsSummary = {
    version: AMENDMENTS_VERSION,
    seed,
    rate,
    corrections,
    retractions,
    uploads: uploads.size,
    objects,
    bytes,
  };
  writeFileSync(join(root, 'amendments.json'), `${JSON.stringify(summary, null, 1)}\n`);
  console.log(
    `  amendments: ${corrections.toLocaleString('en-GB')} corrections and ${retractions.toLocaleString('en-GB')} ` +
      `retractions in ${uploads.size.toLocaleString('en-GB')} uploads (${objects.toLocaleString('en-GB')} objects), ${secondsSince(started)}`,
  );
  return summary;
}

export interface RowsNotInForce {
  /** Rows superseded by a later version of their event (the refresh's superseded step). */
  readonly superseded: number;
  /** Rows the refresh leaves out (its withdrawn step): the superseded ones and those of retracted events. */
  readonly withdrawn: number;
}

/**
 * What the refresh's own prepare steps (sql/prepare/{candidates,superseded,retracted,
 * withdrawn}.sql) find in a dataset whose every upload has its receipt, run as the refresh runs them on DuckDB.
 */
export async function rowsNotInForce(data: string): Promise<RowsNotInForce> {
  const { instance, connection } = await duck();
  await connection.run(duckDbView(EVENTS_TABLE, data, true));
  await defineTrinoFunctions(connection);
  // Every upload has its receipt here, so committed_events (the refresh's: the uploads table's uploads) is every event.
  await connection.run('CREATE TEMP VIEW committed_events AS SELECT * FROM events');
  await connection.run('CREATE TEMP VIEW committed_uploads AS SELECT DISTINCT upload_id FROM events');
  for (const step of ['candidates', 'superseded', 'retracted', 'withdrawn'])
    await connection.run(`CREATE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
  const reader = await connection.runAndReadAll(
    'SELECT CAST((SELECT count(*) FROM superseded) AS INTEGER), CAST((SELECT count(*) FROM withdrawn) AS INTEGER)',
  );
  const [superseded, withdrawn] = reader.getRows()[0] as [number, number];
  connection.closeSync();
  instance.closeSync();
  return { superseded, withdrawn };
}
