// A worker thread of the parallel demo ingest (cli/parallel-ingest.ts): workers do not inherit the main thread's
// tsx loader, so each registers its own before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./ingest-worker.ts');
