import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Receipt } from '../functions/contract/index.ts';
import { type IngestFilesSummary, ingestFiles } from './commands/ingest.ts';

/** What one worker ingests: its files, each with the time it landed. */
export interface WorkerShare {
  readonly dataDir: string;
  readonly files: readonly string[];
  readonly receivedAtMs: readonly number[];
}

/**
 * Ingests many files on every core (the demo's thousands of uploads): the files are dealt out in turn to worker
 * threads, and each file is given the time it landed from its place in the list, one millisecond apart, so that
 * which version of a row wins does not depend on which worker finished first. The result is the one a single
 * ingest of the files in order gives.
 */
export async function ingestFilesInParallel(
  files: readonly string[],
  options: { readonly dataDir: string; readonly workers?: number; readonly landedFrom?: Date },
): Promise<IngestFilesSummary> {
  const started = performance.now();
  const landedFrom = (options.landedFrom ?? new Date()).getTime() - files.length;
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), files.length));
  if (workers === 1) {
    const landed = new Map(files.map((file, i) => [file, new Date(landedFrom + i)]));
    const { summary } = await ingestFiles(files, {
      dataDir: options.dataDir,
      out: () => {},
      progress: false,
      receivedAt: (file) => landed.get(file),
    });
    return summary;
  }
  const shares = Array.from({ length: workers }, (_, w) => {
    const indexes = files.map((_, i) => i).filter((i) => i % workers === w);
    const share: WorkerShare = {
      dataDir: options.dataDir,
      files: indexes.map((i) => files[i] as string),
      receivedAtMs: indexes.map((i) => landedFrom + i),
    };
    return share;
  });
  const summaries = await Promise.all(shares.map(runWorker));
  // Each worker's receipts in its files' order, worker after worker.
  const receipts: Receipt[] = summaries.flatMap((summary) => summary.receipts);
  const total = (pick: (summary: IngestFilesSummary) => number) => summaries.reduce((sum, s) => sum + pick(s), 0);
  return {
    files: files.length,
    accepted: total((s) => s.accepted),
    partiallyAccepted: total((s) => s.partiallyAccepted),
    rejected: total((s) => s.rejected),
    rowsAccepted: total((s) => s.rowsAccepted),
    rowsRejected: total((s) => s.rowsRejected),
    seconds: (performance.now() - started) / 1000,
    receipts,
  };
}

function runWorker(share: WorkerShare): Promise<IngestFilesSummary> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: share });
    let result: IngestFilesSummary | undefined;
    worker.once('message', (message: { summary: IngestFilesSummary }) => {
      result = message.summary;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`an ingest worker stopped (exit code ${code}) before it had ingested its files`));
    });
  });
}
