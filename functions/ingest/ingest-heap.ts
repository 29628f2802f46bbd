import { setFlagsFromString } from 'node:v8';

/**
 * The garbage collector's schedule for a process that does nothing but ingest (the ingest Lambda; issue 17). V8 is
 * told to collect the old generation in one pause when it is full, not by incremental marking started ahead of it.
 *
 * Why: Lambda's Node.js runtime starts node with `--max-semi-space-size` of a tenth of the function's memory halved
 * (102 MB at 2,048 MB). The ingest's old generation stays small (15-25 MB: the writer's values are in typed arrays),
 * so the limit V8 sets after each full collection leaves less room than its grown young generation, and V8 then starts
 * incremental marking at once (`--trace-incremental-marking`: "Start (task)" at 17 MB of a 56 MB limit): 27-34 full
 * collections per 1,000,000-row file, each finding almost nothing (19 -> 17 MB), with their marking work on the main
 * thread and its helpers. Without incremental marking the old generation is collected when it reaches its limit: 8-9
 * full collections for the same file, the same peak memory. Measured in fresh processes with Lambda's heap flags
 * (docs/benchmarks.md, ingest27): 6.93-7.05 CPU s against 7.80-8.17 for the same code without it.
 *
 * Process-wide (V8's flags are per process, not per isolate), so only a process that is the ingest sets it: the
 * Lambda handler at load. The local pipeline's ingest workers share their process with the refresh and the API, and
 * keep V8's default. Nothing the ingest writes depends on when memory is collected.
 */
export function scheduleIngestCollections(): void {
  setFlagsFromString('--no-incremental-marking');
}
