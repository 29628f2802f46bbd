import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { type CompactionResult, compactCurated } from '../../functions/refresh/compact.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { loadRealMap } from '../synthetic/geography.ts';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** England as the demo is drawn from it: each PCN's list in force and its link worker FTE (the NHS Digital copies). */
export interface EnglandShares {
  /** Registered patients of each PCN in force at the reference's end (its open version), by code. */
  readonly lists: ReadonlyMap<string, number>;
  /** Social prescribing link worker FTE of each PCN in the workforce publication, by code. */
  readonly linkWorkerFte: ReadonlyMap<string, number>;
}

/** England's PCN lists and link worker FTE from the reference data the demo is generated from (cli/synthetic). */
export function englandShares(): EnglandShares {
  const map = loadRealMap();
  const lists = new Map<string, number>();
  for (const row of map.reference) if (row.valid_to === undefined) lists.set(row.pcn_code, row.list_size);
  const linkWorkerFte = new Map<string, number>();
  for (const [code, rows] of map.workforce)
    linkWorkerFte.set(
      code,
      rows.filter((r) => r.role === 'splw').reduce((sum, r) => sum + r.fte, 0),
    );
  return { lists, linkWorkerFte };
}

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/**
 * A demo covers part of England: scale the national targets to the share they scale with, and say so (review 31,
 * R31-7). The people referred target (900,000 a year) is set for England's registered population, so it is scaled by
 * the demo PCNs' share of England's registered patients (their lists in force, of every PCN's); the trained link
 * worker target by their share of England's link worker FTE. The demo's PCNs are not a list-proportional sample:
 * their share of PCNs (8.7%) is not their share of patients (8.2%), and the target scaled by it was 6.5% high.
 */
export function demoCoverage(dataDir: string, england: () => EnglandShares = englandShares) {
  const manifestPath = join(dataDir, 'demo-input', 'manifest.json');
  if (!existsSync(manifestPath)) return {};
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    pcns: number;
    englandPcns: number;
    reference: string;
  };
  if (manifest.pcns / manifest.englandPcns >= 0.999) return {};
  // The demo's PCNs in force at the reference's end (an open version), from the reference file it was generated with.
  const demo = Papa.parse<Record<string, string>>(
    readFileSync(join(dataDir, 'demo-input', manifest.reference), 'utf8'),
    {
      header: true,
      skipEmptyLines: true,
    },
  ).data;
  const codes = new Set(demo.map((r) => String(r.pcn_code)));
  const demoList = sum(demo.filter((r) => !r.valid_to).map((r) => Number(r.list_size)));
  const { lists, linkWorkerFte } = england();
  const listShare = demoList / sum(lists.values());
  const fteShare = sum([...codes].map((code) => linkWorkerFte.get(code) ?? 0)) / sum(linkWorkerFte.values());
  const targets = {
    ...DEFAULT_TARGETS,
    annual_referrals: Math.round(DEFAULT_TARGETS.annual_referrals * listShare),
    trained_link_workers: Math.round(DEFAULT_TARGETS.trained_link_workers * fteShare),
  };
  const note = `Demo data: ${manifest.pcns} of England's ${manifest.englandPcns} PCNs, with ${pct(listShare)} of its registered patients and ${pct(fteShare)} of its link worker FTE; the people referred target is scaled by the share of patients, the link worker target by the share of link worker FTE.`;
  return { targets, coverage: { share_of_england: Math.round(listShare * 10_000) / 10_000, note } };
}

/**
 * Compaction of the local store's curated Parquet (functions/refresh/compact.ts), and a line saying what it did, the
 * months compacted `earlier` (while the demo was being ingested, npm start) included.
 */
export async function runCompaction(
  dataDir: string,
  log = console.log,
  earlier?: CompactionResult,
): Promise<CompactionResult> {
  const started = performance.now();
  const now = await compactCurated(new FsObjectStore(dataDir), duckDbMerger(dataDir));
  // The months compacted earlier are counted by this run too, as the objects they were compacted into.
  const result: CompactionResult =
    earlier === undefined
      ? now
      : {
          partitions: earlier.partitions + now.partitions,
          objectsBefore: earlier.objectsBefore + now.objectsBefore - earlier.objectsAfter,
          objectsAfter: now.objectsAfter,
        };
  log(
    `    ${result.objectsBefore.toLocaleString('en-GB')} curated objects now ${result.objectsAfter.toLocaleString('en-GB')}, ${result.partitions} months and kinds compacted (${seconds(started)})`,
  );
  return result;
}

export async function runRefresh(
  dataDir: string,
  log = console.log,
  /** compact: false when the caller has just compacted (npm start times it as a step of its own). */
  { compact = true }: { readonly compact?: boolean } = {},
): Promise<void> {
  const started = performance.now();
  const engine = new DuckDbEngine(dataDir);
  try {
    // Compaction first (functions/refresh/compact.ts): a month's upload objects merged into one before they are read.
    const result = await refreshMetrics({
      store: new FsObjectStore(dataDir),
      engine,
      ...(compact ? { compaction: { merger: duckDbMerger(dataDir) } } : {}),
      ...demoCoverage(dataDir),
      dashboardUrl: process.env.DASHBOARD_URL, // the packs link to its Methodology page (as the Lambda's DASHBOARD_URL)
    });
    log(
      `    ${result.documents.length} metric documents, data as of ${result.dataAsOf ?? 'no data'} (${seconds(started)})`,
    );
  } finally {
    await engine.close();
  }
}
