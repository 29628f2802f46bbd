import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { compactCurated } from '../../functions/refresh/compact.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';
import {
  AMENDMENTS_VERSION,
  type AmendOptions,
  amendDataset,
  type DrawnEvent,
  rowsNotInForce,
} from '../bench/refresh-amendments.ts';
import { duck, layOutMonths, RECEIVED_AT, writeReceipts } from '../bench/refresh-layout.ts';

/**
 * bench:refresh's corrections and retractions (test/bench/refresh-amendments.ts), on a small dataset laid out as the
 * bench lays out England: the objects and rows are those the ingest writes for the same uploads, and the refresh's
 * superseded and withdrawn steps find exactly the rows they replace and withdraw.
 */
let dir: string;
let root: string;
let data: string;
const MONTHS = ['2025-01', '2025-02', '2025-03'];

interface CuratedRow {
  event_id: string;
  event_type: string;
  pcn_code: string;
  occurred_on: string;
  recorded_at: string | null;
  upload_id: string;
  source_row: number;
  [column: string]: unknown;
}

/** Every curated event row under a folder (or one object), every column cast to its type, in a stable order. */
async function curatedRows(glob: string): Promise<CuratedRow[]> {
  const { instance, connection } = await duck();
  const columns = EVENTS_TABLE.columns.map((c) => `"${c.name}"`).join(', ');
  const reader = await connection.runAndReadAll(
    `SELECT ${columns}, event_month FROM read_parquet('${glob}', hive_partitioning = true, hive_types = {'event_month': VARCHAR})
     ORDER BY upload_id, source_row`,
  );
  const rows = reader.getRowObjectsJson() as unknown as CuratedRow[];
  connection.closeSync();
  instance.closeSync();
  return rows;
}

/** The parquet files under curated/events, as `event_month=<M>/<file>`. */
const eventObjects = (dataDir: string) =>
  (readdirSync(join(dataDir, 'curated', 'events'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.parquet'))
    .sort();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bench-amendments-'));
  root = join(dir, 'refresh-layout');
  data = join(root, 'data');
  const manifest = generateNationalDemo({
    outDir: join(root, 'input'),
    scale: 0.002,
    months: MONTHS.length,
    endMonth: MONTHS[MONTHS.length - 1] as string,
    seed: 36,
    faultRate: 0,
  });
  expect(manifest.totals.corrections + manifest.totals.retractions).toBe(0);
  await layOutMonths(join(root, 'input', 'uploads'), data);
  await writeReceipts(data);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corrections and retractions laid over a bench dataset', () => {
  it('are the rows the ingest writes for the same uploads, and the refresh supersedes and withdraws exactly their events', async () => {
    // Prepare: five events of the first PCN picked by hand (rows drawn at a rate of 1: every row sent before the last
    // month): in January its first contact and first referral recorded before 4 February are corrected, and its first
    // plan agreed retracted; in February its first contact is retracted; and its first January community connection
    // attended whose attendance came with February's file is retracted: an event sent twice (attended=false with
    // January's file, attended=true as a correction with February's: attendanceOf), drawn once, as its latest version.
    const original = await curatedRows(`${data}/curated/events/*/*.parquet`);
    // Before the overlay: the demo's own versions (each attendance correction supersedes its connection's first row).
    const before = await rowsNotInForce(data);
    const pcn = original[0]?.pcn_code as string;
    const recordedBefore = (row: CuratedRow, day: string) =>
      row.recorded_at !== null && row.recorded_at < `${day}T00:00:00`;
    const first = (month: string, type: string, day?: string) =>
      original.find(
        (r) =>
          r.pcn_code === pcn &&
          r.occurred_on.startsWith(month) &&
          r.event_type === type &&
          (day === undefined || recordedBefore(r, day)),
      ) as CuratedRow;
    const corrected = [first('2025-01', 'contact', '2025-02-04'), first('2025-01', 'referral', '2025-02-04')];
    const attendance = original.find(
      (r) =>
        r.pcn_code === pcn &&
        r.event_type === 'community_connection' &&
        r.occurred_on.startsWith('2025-01') &&
        r.upload_id === `${pcn}-events-2025-02`,
    ) as CuratedRow;
    const connection = original.filter((r) => r.pcn_code === pcn && r.event_id === attendance?.event_id);
    const retracted = [first('2025-01', 'plan_agreed'), first('2025-02', 'contact'), attendance];
    // The hand-picked events exist in the tiny dataset (the expected counts below are worked out from these five), and
    // the connection is sent twice: unattended with January's file, attended with February's.
    expect([...corrected, ...retracted].map((row) => row?.event_type)).toEqual([
      'contact',
      'referral',
      'plan_agreed',
      'contact',
      'community_connection',
    ]);
    expect(connection.map((r) => [r.upload_id, r.attended])).toEqual([
      [`${pcn}-events-2025-01`, false],
      [`${pcn}-events-2025-02`, true],
    ]);
    const picks = new Map<string, 'correction' | 'retraction'>([
      ...corrected.map((r) => [r.event_id, 'correction'] as const),
      ...retracted.map((r) => [r.event_id, 'retraction'] as const),
    ]);
    const decide: AmendOptions['decide'] = (drawn: DrawnEvent) =>
      drawn.event.pcn_code === pcn ? picks.get(drawn.event.event_id as string) : undefined;

    // Act
    const summary = await amendDataset(root, { rate: 1, decide, keepInput: true });

    // Assess: two uploads, one per month the amendments are sent in (February's carries January's corrections, in
    // January's partition, and its plan's retraction, dated in February; March's carries the retractions of the
    // connection, whose latest version February's file sent, and of February's contact, both dated in March). One
    // retraction of the connection: drawing both its rows, the overlay sent two, with February's file.
    expect(summary).toEqual({
      version: AMENDMENTS_VERSION,
      seed: 36,
      rate: 1,
      corrections: 2,
      retractions: 3,
      uploads: 2,
      objects: 3,
      bytes: expect.any(Number),
    });
    const amended = eventObjects(data).filter((f) => f.includes('-amended'));
    expect(amended).toEqual([
      `event_month=2025-01/${pcn}-events-2025-02-amended.parquet`,
      `event_month=2025-02/${pcn}-events-2025-02-amended.parquet`,
      `event_month=2025-03/${pcn}-events-2025-03-amended.parquet`,
    ]);

    // The same CSV files through the real ingest, under the same upload ids, landed at the same time: the same
    // objects, and in them the same rows, column for column (lineage included).
    const ingested = join(dir, 'ingested');
    const store = new FsObjectStore(ingested);
    const input = join(root, 'amendments-input');
    for (const month of readdirSync(input)) {
      for (const file of readdirSync(join(input, month))) {
        const key = `landing/pcn=${pcn}/${file}`;
        await store.put(key, readFileSync(join(input, month, file)));
        const { receipt } = await ingestUpload({ store }, { key, receivedAt: new Date(RECEIVED_AT) });
        const ours = JSON.parse(readFileSync(join(data, 'receipts', file.replace('.csv', '.json')), 'utf8'));
        expect([receipt.status, receipt.rows]).toEqual([ours.status, ours.rows]);
      }
    }
    expect(eventObjects(ingested)).toEqual(amended);
    for (const object of amended) {
      const ours = await curatedRows(join(data, 'curated', 'events', object));
      expect(await curatedRows(join(ingested, 'curated', 'events', object))).toEqual(ours);
    }

    // The amendments in the generator's shapes: a correction is its event with a recorded_at of 4 February and a
    // contact's duration 5 minutes longer or a referral's source "self"; a retraction names its event.
    const [january, february] = [
      await curatedRows(join(data, 'curated', 'events', amended[0] as string)),
      await curatedRows(join(data, 'curated', 'events', amended[1] as string)),
    ];
    // February's upload lists January's three amendments in the order of their events' rows; March's upload the
    // connection's retraction (an event of January) then February's contact's (the CSV header is row 1).
    const [contact, referral] = corrected as [CuratedRow, CuratedRow];
    const sentInFebruary = [contact, referral, retracted[0] as CuratedRow].sort((a, b) => a.source_row - b.source_row);
    const rowSent = (event: CuratedRow) => 2 + sentInFebruary.indexOf(event);
    const unchanged = ({
      upload_id,
      source_row,
      recorded_at,
      duration_minutes,
      referral_source,
      ...rest
    }: CuratedRow) => rest;
    const inOrder = [contact, referral].sort((a, b) => a.source_row - b.source_row);
    expect(january.map(unchanged)).toEqual(inOrder.map(unchanged));
    expect(january.map((r) => [r.source_row, r.recorded_at, r.duration_minutes, r.referral_source])).toEqual(
      inOrder.map((r) =>
        r === contact
          ? [rowSent(r), '2025-02-04 00:00:00', (r.duration_minutes as number) + 5, r.referral_source]
          : [rowSent(r), '2025-02-04 00:00:00', r.duration_minutes, 'self'],
      ),
    );
    const retraction = (event: CuratedRow, row: number) => [
      row,
      `${event.event_id}.x`,
      'retraction',
      event.event_id,
      event.person_id,
    ];
    expect(february.map((r) => [r.source_row, r.event_id, r.event_type, r.retracts_event_id, r.person_id])).toEqual([
      retraction(retracted[0] as CuratedRow, rowSent(retracted[0] as CuratedRow)),
    ]);
    const march = await curatedRows(join(data, 'curated', 'events', amended[2] as string));
    expect(march.map((r) => [r.source_row, r.event_id, r.event_type, r.retracts_event_id, r.person_id])).toEqual([
      retraction(attendance, 2),
      retraction(retracted[1] as CuratedRow, 3),
    ]);
    // Dated in March: after the attendance it withdraws (recorded in February), which would otherwise stand.
    expect(
      march.every(
        (r) => r.occurred_on.startsWith('2025-03') && (r.recorded_at as string) > (attendance.recorded_at as string),
      ),
    ).toBe(true);

    // The refresh's steps: each correction supersedes its earlier version (recorded before 4 February), each
    // retraction withdraws its event's rows: 2 superseded, and withdrawn those 2, the plan's and the contact's rows
    // and the connection's two (its first version, superseded already, listed again as retracted: withdrawn.sql lists
    // both), 2 + 1 + 1 + 2 = 6. The same after compaction.
    const added = (rows: { superseded: number; withdrawn: number }) => ({
      superseded: rows.superseded - before.superseded,
      withdrawn: rows.withdrawn - before.withdrawn,
    });
    expect(added(await rowsNotInForce(data))).toEqual({ superseded: 2, withdrawn: 6 });
    const compacted = join(dir, 'compacted');
    cpSync(data, compacted, { recursive: true });
    await compactCurated(new FsObjectStore(compacted), duckDbMerger(compacted));
    expect(eventObjects(compacted).filter((f) => f.includes('-amended'))).toEqual([]);
    expect(added(await rowsNotInForce(compacted))).toEqual({ superseded: 2, withdrawn: 6 });

    // A dataset is amended once: again, nothing is written and the marker's summary is returned.
    const objects = eventObjects(data);
    expect(await amendDataset(root, { rate: 1, decide: () => 'retraction' })).toEqual(summary);
    expect(eventObjects(data)).toEqual(objects);
  }, 180_000);

  it('refuses a dataset amended by another version of the overlay', async () => {
    const other = join(dir, 'other');
    cpSync(root, other, { recursive: true });
    writeFileSync(join(other, 'amendments.json'), JSON.stringify({ version: AMENDMENTS_VERSION + 1 }));
    await expect(amendDataset(other)).rejects.toThrow(`holds amendments of version ${AMENDMENTS_VERSION + 1}`);
  });
});
