import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup (vitest.config.ts's `base`: `npm test`'s projects, test:aws and test:load): the test processes
 * of a run make their temporary folders (os.tmpdir(): tempDir, CDK's synths, DuckDB, s3rver, the Athena stand-in's
 * CTAS files, the CLI's child processes) in one folder of the run's own, removed when the run ends. Each test removes
 * what it makes; this is for what a run leaves that no test can: a test file whose tests a filter (`-t`) skips runs
 * none of its hooks, its afterAll included, though its module made its folders on import.
 */
export default function runTempFolder(): () => void {
  // Every project of the run takes the root's global setup (extends: true): the first one's folder serves them all.
  if (process.env.SP_OUTCOMES_TEST_RUN_TMP) return () => {};
  const folder = mkdtempSync(join(tmpdir(), 'sp-outcomes-test-run-'));
  process.env.TMPDIR = folder;
  process.env.SP_OUTCOMES_TEST_RUN_TMP = folder;
  // Retried: a process a test left running may still be writing into the folder as the run ends (review 42, R42-1).
  return () => rmSync(folder, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
