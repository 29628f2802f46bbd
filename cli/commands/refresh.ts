import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { type CompactionResult, compactCurated } from '../../functions/refresh/compact.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { duckDbMerger } from '../../functions/refresh/duckdb-merger.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** A demo covers part of England: scale the national targets to the same share, and say so. */
function demoCoverage(dataDir: string) {
  const manifestPath = join(dataDir, 'demo-input', 'manifest.json');
  if (!existsSync(manifestPath)) return {};
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { pcns: number; englandPcns: number };
  const share = manifest.pcns / manifest.englandPcns;
  if (share >= 0.999) return {};
  const targets = {
    ...DEFAULT_TARGETS,
    annual_referrals: Math.round(DEFAULT_TARGETS.annual_referrals * share),
    trained_link_workers: Math.round(DEFAULT_TARGETS.trained_link_workers * share),
  };
  const note = `Demo data: ${manifest.pcns} of England's ${manifest.englandPcns} PCNs (${(share * 100).toFixed(1)}%); national targets are scaled to the same share.`;
  return { targets, coverage: { share_of_england: Math.round(share * 10_000) / 10_000, note } };
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
