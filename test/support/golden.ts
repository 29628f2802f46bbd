import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { EVENT_FIELD_NAMES, type EventFieldName } from '../../functions/contract/index.ts';
import type { MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import type { Receipt } from '../../functions/contract/receipt.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { heldPeriodsOf, parentsFrom, SCAN_SPEC, scanPublished } from './disclosure-scan.ts';

/** One event of a hand-worked programme, by contract field. */
export type GoldenEvent = Partial<Record<EventFieldName, string | number | boolean>>;

/** An events CSV of the contract's columns in order; an absent field is an empty cell. */
export const eventsCsv = (rows: readonly GoldenEvent[]) =>
  `${[EVENT_FIELD_NAMES.join(','), ...rows.map((r) => EVENT_FIELD_NAMES.map((h) => r[h] ?? '').join(','))].join('\n')}\n`;

/** An accepted referral (SNOMED 871731000000106) by a GP, its person the hash of the referral id. */
export const referralEvent = (
  pcn: string,
  referralId: string,
  on: string,
  eventId = `E-${referralId}`,
): GoldenEvent => ({
  event_id: eventId,
  event_type: 'referral',
  pcn_code: pcn,
  referral_id: referralId,
  person_id: createHash('sha256').update(referralId).digest('hex'),
  occurred_on: on,
  referral_source: 'gp',
  referral_reasons: 'loneliness_isolation',
  snomed_code: '871731000000106',
  age_band: '45-54',
  sex: 'female',
  ethnicity_group: 'white',
  imd_decile: 2,
});

/** Writes each upload's events into `dir` as its name says (`.csv` or `.jsonl`); returns the files' paths. */
export function writeEventFiles(dir: string, uploads: Readonly<Record<string, readonly GoldenEvent[]>>): string[] {
  return Object.entries(uploads).map(([name, rows]) => {
    const path = join(dir, name);
    writeFileSync(path, name.endsWith('.csv') ? eventsCsv(rows) : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    return path;
  });
}

/**
 * Runs a hand-worked programme through the whole local pipeline (the PCN reference staged, the files ingested into
 * `dataDir`, one refresh on the clock `now`) and puts the published documents into `docs` by name (`meta` for
 * meta.json). Returns the ingest's receipts.
 */
export async function publishGolden(
  dataDir: string,
  files: readonly string[],
  reference: string,
  now: Date,
  docs: Map<string, MetricDocument>,
): Promise<readonly Receipt[]> {
  const store = new FsObjectStore(dataDir);
  await stageReference(store, reference);
  const { summary } = await ingestFiles(files, { dataDir, out: () => {}, progress: false });
  await refreshAndRead(dataDir, now, docs);
  return summary.receipts;
}

/**
 * One refresh of `dataDir` on the clock `now` (DuckDB), then every published JSON document into `docs` by name
 * (`meta` for meta.json); metrics/packs/ holds the PDF packs made from them.
 */
export async function refreshAndRead(dataDir: string, now: Date, docs: Map<string, MetricDocument>): Promise<void> {
  const store = new FsObjectStore(dataDir);
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => now });
  await engine.close();
  for (const key of (await store.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await store.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
}

/**
 * Finds the one row of a document for an area and period (and the other columns given) in `docs`, as they are when
 * it is called: the test fails unless there is exactly one.
 */
export function rowFinder(docs: ReadonlyMap<string, MetricDocument>) {
  return (name: string, level: string, code: string, period: string, extra: Record<string, unknown> = {}) => {
    const found = docs
      .get(name)
      ?.rows.filter(
        (r) =>
          r.level === level &&
          r.code === code &&
          r.period === period &&
          Object.entries(extra).every(([k, v]) => r[k] === v),
      );
    expect(found, `${name} ${level} ${code} ${period} ${JSON.stringify(extra)}`).toHaveLength(1);
    return found?.[0] as MetricRow;
  };
}

/** What the disclosure scan finds in every published document with rows (no finding is the pass). */
export function disclosureFindings(docs: ReadonlyMap<string, MetricDocument>, reference: string): string[] {
  const meta = docs.get('meta') as unknown as Parameters<typeof parentsFrom>[1];
  const published = [...docs.values()].filter((d) => d.name !== undefined && d.rows !== undefined);
  return scanPublished(published, parentsFrom(reference, meta), SCAN_SPEC, heldPeriodsOf(docs.get('meta') as never));
}

/**
 * A small synthetic demo (2% of PCNs, April to June 2025, no faults; `seed` tells tests apart) written under `demoDir`
 * and ingested into `dataDir` with its reference staged: the store a refresh test starts from.
 */
export async function ingestSmallDemo(dataDir: string, demoDir: string, seed: number): Promise<void> {
  const manifest = generateNationalDemo({
    outDir: demoDir,
    scale: 0.02,
    months: 3,
    endMonth: '2025-06',
    seed,
    faultRate: 0,
  });
  await stageReference(new FsObjectStore(dataDir), readFileSync(join(demoDir, manifest.reference), 'utf8'));
  await ingestFiles(
    manifest.files.map((f) => join(demoDir, f.path)),
    { dataDir, out: () => {}, progress: false },
  );
}
