import { parentPort, workerData } from 'node:worker_threads';
import { type IngestWorkerData, serveIngestJobs } from './parallel-ingest.ts';

// A worker thread of the parallel ingest (cli/parallel-ingest.ts): ingests the files it is sent, one after another
// in the order sent, answering for each, until told there are no more.
if (parentPort) await serveIngestJobs(parentPort, workerData as IngestWorkerData);
