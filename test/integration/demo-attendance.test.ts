import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { type GenerateManifest, generateNationalDemo } from '../../cli/synthetic/generate.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDirs } from '../support/files.ts';

/*
 * The demo sends a community connection's attendance as a clinical system does (docs/methodology.md, "Community": the
 * attendance cohort): the connection with its own month's file as attended=false, and, if the person went to the first
 * session, the same event again (same event_id, attended=true, a later recorded_at) with a later month's file: most
 * with the next month's, a PCN's month in ten two months on (cli/synthetic/generate.ts, attendanceOf). Until then
 * every attendance was sent with the connection, so the demo never showed the newest month's attendance waiting.
 *
 * A tiny demo (0.1% of England: 87 PCNs, July to September 2026, no faults but the one file holding an NHS number,
 * which is rejected whole), ingested through the CLI's ingest core and refreshed on 5 October 2026: data as of 30
 * September, so the attendance cohort is the connections made by 31 August. The expected figures are counted exactly
 * from the files the generator wrote, as the contract reads them (the latest recorded_at of an event wins):
 *   July: every connection in the cohort; attended = its connections whose correction came with August's or
 *         September's file (its own file sends none attended);
 *   August: in the cohort; attended = those corrected with September's file (October's, two months on, not yet sent);
 *   September: not in the cohort (attended 0); its connections are the recent ones.
 */
const dirs = tempDirs();
afterAll(dirs.removeAll);

const OPTIONS = { scale: 0.001, months: 3, endMonth: '2026-09', seed: 11, faultRate: 0 };
let demoDir: string;
let manifest: GenerateManifest;
const docs = new Map<string, MetricDocument>();

type Row = Record<string, string>;
const rowsOf = (path: string) =>
  Papa.parse<Row>(readFileSync(join(demoDir, path), 'utf8'), { header: true, skipEmptyLines: true }).data;

beforeAll(async () => {
  demoDir = dirs.make('demo-attendance');
  manifest = generateNationalDemo({ outDir: demoDir, ...OPTIONS });
  const dataDir = dirs.make('demo-attendance-store');
  const { summary } = await ingestFiles(
    manifest.files.map((f) => join(demoDir, f.path)),
    { dataDir, out: () => {}, progress: false },
  );
  // The file with an NHS number is rejected whole; every other file is accepted in full.
  expect(summary.rejected).toBe(1);
  expect(summary.partiallyAccepted).toBe(0);
  const store = new FsObjectStore(dataDir);
  await stageReference(store, readFileSync(join(demoDir, manifest.reference), 'utf8'));
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => new Date('2026-10-05T06:00:00Z') });
  await engine.close();
  const published = await currentRelease(store);
  for (const name of ['meta', 'cof_community'])
    docs.set(name, JSON.parse(new TextDecoder().decode(await published.get(`metrics/${name}.json`))) as MetricDocument);
}, 600_000); // generating, ingesting 150,000 rows and a refresh: minutes on a busy 2-core machine

describe("the demo's attendance, sent as corrections in a later month's file", () => {
  it('sends each connection attended=false in its own month, and its attendance with the next month or the one after', () => {
    const connections = manifest.files
      .filter((f) => f.kind === 'events')
      .flatMap((f) =>
        rowsOf(f.path)
          .filter((r) => r.event_type === 'community_connection')
          .map((r): Row => ({ ...r, file: f.path, fileMonth: f.month })),
      );
    const own = connections.filter((r) => (r.occurred_on as string).slice(0, 7) === r.fileMonth);
    const later = connections.filter((r) => (r.occurred_on as string).slice(0, 7) !== r.fileMonth);
    // No connection is sent attended with its own month's file; every row sent later is its attendance.
    expect(own.length).toBeGreaterThan(1_000);
    expect(own.filter((r) => r.attended !== 'false')).toEqual([]);
    expect(later.filter((r) => r.attended !== 'true')).toEqual([]);
    expect(later).toHaveLength(manifest.totals.attendanceCorrections);
    // Each correction is an earlier file's connection (the same event_id, every other field the same), recorded in
    // its own file's month, after the row it corrects.
    const originals = new Map(own.map((r) => [`${r.pcn_code}/${r.event_id}`, r]));
    // The file with an NHS number has it in a connection's provider_id (the guard must reject it whole).
    const identifiable = manifest.files.find((f) => f.identifiable)?.path;
    const monthsOn = new Map<number, number>();
    for (const { file, fileMonth, attended, recorded_at, ...correction } of later) {
      const original = originals.get(`${correction.pcn_code}/${correction.event_id}`);
      expect(original, file).toBeDefined();
      const { file: from, fileMonth: _m, attended: was, recorded_at: recordedBefore, ...rest } = original as Row;
      if (from === identifiable) rest.provider_id = correction.provider_id as string;
      expect(correction).toEqual(rest);
      expect(was).toBe('false');
      expect((recorded_at as string).slice(0, 7)).toBe(fileMonth);
      expect((recorded_at as string) > (recordedBefore as string)).toBe(true);
      const [y1, m1] = (correction.occurred_on as string).split('-').map(Number) as [number, number];
      const [y2, m2] = (fileMonth as string).split('-').map(Number) as [number, number];
      const on = y2 * 12 + m2 - (y1 * 12 + m1);
      monthsOn.set(on, (monthsOn.get(on) ?? 0) + 1);
    }
    // Most with the next month's file, a few two months on (a PCN's month in ten, ATTENDANCE_TWO_MONTHS_ON: here only
    // July's can be, its attendance sent with September's file).
    expect([...monthsOn.keys()].sort()).toEqual([1, 2]);
    expect(monthsOn.get(2)).toBeGreaterThan(0);
    expect(monthsOn.get(1)).toBeGreaterThan(5 * (monthsOn.get(2) as number));
    // Those sent are the attended connections less those due after September (August's two months on, September's).
    expect(later.length).toBeLessThan(manifest.totals.attended);
  });

  it("is read by the refresh's attendance cohort: July's and August's attendance is their corrections, September's waits", () => {
    expect((docs.get('meta') as unknown as { data_as_of: string }).data_as_of).toBe('2026-09-30');
    // The rows the contract keeps: of each connection, the version with the latest recorded_at, from every file
    // accepted (the one with an NHS number is rejected whole, its corrections with it).
    const latest = new Map<string, Row>();
    for (const file of manifest.files.filter((f) => f.kind === 'events' && !f.identifiable))
      for (const row of rowsOf(file.path)) {
        if (row.event_type !== 'community_connection') continue;
        const key = `${row.pcn_code}/${row.event_id}`;
        const seen = latest.get(key);
        if (seen === undefined || (row.recorded_at as string) > (seen.recorded_at as string)) latest.set(key, row);
      }
    const counts = (month: string) => {
      const rows = [...latest.values()].filter((r) => (r.occurred_on as string).startsWith(month));
      return { connections: rows.length, attended: rows.filter((r) => r.attended === 'true').length };
    };
    const [july, august, september] = ['2026-07', '2026-08', '2026-09'].map(counts) as [
      ReturnType<typeof counts>,
      ReturnType<typeof counts>,
      ReturnType<typeof counts>,
    ];
    expect(july.attended).toBeGreaterThan(100);
    expect(august.attended).toBeGreaterThan(100);
    expect(september.attended).toBe(0); // none of September's attendance is sent yet
    const national = (period: string) =>
      docs.get('cof_community')?.rows.find((r) => r.level === 'national' && r.code === 'ENG' && r.period === period);
    expect(national('2026-07')).toMatchObject({
      connections: july.connections,
      attendance_cohort: july.connections,
      recent_connections: 0,
      attended: july.attended,
    });
    expect(national('2026-08')).toMatchObject({
      connections: august.connections,
      attendance_cohort: august.connections,
      recent_connections: 0,
      attended: august.attended,
    });
    expect(national('2026-09')).toMatchObject({
      connections: september.connections,
      attendance_cohort: 0,
      recent_connections: september.connections,
      attended: 0,
    });
  });
});
