import { parentPort, workerData } from 'node:worker_threads';
import type { Receipt } from '../functions/contract/index.ts';
import { INGEST_EXIT, ingestFiles, reportReceipts } from './commands/ingest.ts';
import type { IngestWorkerMessage } from './parallel-ingest.ts';

// A worker thread of the parallel ingest (cli/parallel-ingest.ts): ingests the files it is sent, one after another
// in the order sent, until told there are no more; then posts the summary of its files.
const { dataDir } = workerData as { dataDir: string };
const queue: { file: string; receivedAtMs: number }[] = [];
let ended = false;
let wake: (() => void) | undefined;
parentPort?.on('message', (message: IngestWorkerMessage) => {
  if ('end' in message) ended = true;
  else queue.push(message);
  wake?.();
});

const started = performance.now();
const receipts: Receipt[] = [];
let files = 0;
let failed = false;
for (;;) {
  const next = queue.shift();
  if (next === undefined) {
    if (ended) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
    continue;
  }
  const { summary, exitCode } = await ingestFiles([next.file], {
    dataDir,
    out: () => {},
    progress: false,
    receivedAt: () => new Date(next.receivedAtMs),
  });
  files++;
  receipts.push(...summary.receipts);
  if (exitCode === INGEST_EXIT.failed) failed = true;
}
const { summary } = reportReceipts(files, receipts, failed, started, { out: () => {} });
parentPort?.postMessage({ summary });
parentPort?.close();
