import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type IngestWorkerData, serveIngestJobs } from '../../cli/parallel-ingest.ts';

/**
 * The real ingest worker (serveIngestJobs), except that it stops, as a worker out of memory would, when it comes to
 * the file named `stopOn`: the first `times` times any worker does (counted by marks left in `marks`).
 */
const data = workerData as IngestWorkerData & { stopOn: string; times: number; marks: string };
if (parentPort)
  await serveIngestJobs(parentPort, data, (job) => {
    if (basename(job.file) !== data.stopOn) return;
    const stopped = readdirSync(data.marks).length;
    if (stopped >= data.times) return;
    writeFileSync(join(data.marks, String(stopped)), '');
    process.exit(70);
  });
