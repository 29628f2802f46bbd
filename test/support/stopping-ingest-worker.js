// An ingest worker that stops on a given file (test/integration/parallel-ingest.test.ts): workers do not inherit the
// main thread's tsx loader, so it registers its own before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./stopping-ingest-worker.ts');
