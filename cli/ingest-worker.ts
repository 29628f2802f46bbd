import { parentPort, workerData } from 'node:worker_threads';
import { ingestFiles } from './commands/ingest.ts';
import type { WorkerShare } from './parallel-ingest.ts';

const { dataDir, files, receivedAtMs } = workerData as WorkerShare;
const landed = new Map(files.map((file, i) => [file, new Date(receivedAtMs[i] as number)]));
const { summary, exitCode } = await ingestFiles(files, {
  dataDir,
  out: () => {},
  progress: false,
  receivedAt: (file) => landed.get(file),
});
parentPort?.postMessage({ summary, exitCode });
