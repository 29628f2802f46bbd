import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Receipt } from '../functions/contract/index.ts';
import { type IngestFilesSummary, ingestFiles } from './commands/ingest.ts';

/** What the main thread sends an ingest worker: a file with the time it landed, or the end of its files. */
export type IngestWorkerMessage = { readonly file: string; readonly receivedAtMs: number } | { readonly end: true };

/**
 * Ingest worker threads fed one file at a time, so that files can be ingested while others are still being written
 * (the demo's generator hands each PCN's files over as soon as they are on disk). File n goes to worker n modulo the
 * number of workers, and each file carries the time it landed, so which version of a row wins never depends on
 * which worker finished first. finish() resolves with the summary of every file, receipts worker after worker.
 */
export class IngestPool {
  private readonly workers: { worker: Worker; summary: Promise<IngestFilesSummary> }[];
  private sent = 0;
  private readonly started = performance.now();

  constructor(dataDir: string, workers = availableParallelism()) {
    this.workers = Array.from({ length: Math.max(1, workers) }, () => {
      const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: { dataDir } });
      const summary = new Promise<IngestFilesSummary>((resolve, reject) => {
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
      // Awaited in finish(); a worker that fails before then must not go unhandled meanwhile.
      summary.catch(() => {});
      return { worker, summary };
    });
  }

  /** Files handed over so far. */
  get files(): number {
    return this.sent;
  }

  add(file: string, receivedAt: Date): void {
    const { worker } = this.workers[this.sent % this.workers.length] as (typeof this.workers)[number];
    worker.postMessage({ file, receivedAtMs: receivedAt.getTime() } satisfies IngestWorkerMessage);
    this.sent++;
  }

  /** Tells every worker that no more files are coming, and waits until they have ingested theirs. */
  async finish(): Promise<IngestFilesSummary> {
    for (const { worker } of this.workers) worker.postMessage({ end: true } satisfies IngestWorkerMessage);
    const summaries = await Promise.all(this.workers.map((w) => w.summary));
    // Each worker's receipts in its files' order, worker after worker.
    const receipts: Receipt[] = summaries.flatMap((summary) => summary.receipts);
    const total = (pick: (summary: IngestFilesSummary) => number) => summaries.reduce((sum, s) => sum + pick(s), 0);
    return {
      files: this.sent,
      accepted: total((s) => s.accepted),
      partiallyAccepted: total((s) => s.partiallyAccepted),
      rejected: total((s) => s.rejected),
      rowsAccepted: total((s) => s.rowsAccepted),
      rowsRejected: total((s) => s.rowsRejected),
      seconds: (performance.now() - this.started) / 1000,
      receipts,
    };
  }
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
  const pool = new IngestPool(options.dataDir, workers);
  files.forEach((file, i) => {
    pool.add(file, new Date(landedFrom + i));
  });
  return pool.finish();
}
