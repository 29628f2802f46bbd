import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const scheduled = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../functions/ingest/ingest-heap.ts', async (original) => ({
  ...(await original<typeof import('../../functions/ingest/ingest-heap.ts')>()),
  scheduleIngestCollections: () => {
    scheduled.calls += 1;
  },
}));

/**
 * A fresh node process (with the heap flags Lambda gives a 2,048 MB function) that keeps a growing old generation
 * while it makes young garbage, as an ingest does; prints V8's incremental-marking trace. With `schedule`, it first
 * calls scheduleIngestCollections as the ingest Lambda's handler does.
 */
function marking(schedule: boolean): string {
  const module = resolve('functions/ingest/ingest-heap.ts');
  const script = `
    ${schedule ? `(await import(${JSON.stringify(module)})).scheduleIngestCollections();` : ''}
    const kept = [];
    let garbage = 0;
    for (let i = 0; i < 400_000; i++) {
      garbage += [i, String(i)].length;
      if (i % 4 === 0) kept.push({ i, text: 'x'.repeat(32) + i });
    }
    console.log('kept', kept.length, garbage);
  `;
  return execFileSync(
    process.execPath,
    [
      '--max-semi-space-size=102',
      '--max-old-space-size=1844',
      '--trace-incremental-marking',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ],
    { encoding: 'utf8' },
  );
}

describe('the ingest Lambda schedules V8 collections for a process that only ingests (issue 17)', () => {
  afterEach(() => {
    scheduled.calls = 0;
  });

  it('its handler schedules them on its first call, once', async () => {
    vi.stubEnv('DATA_BUCKET', 'sp-outcomes-data');
    const { handler } = await import('../../functions/ingest/handler.ts');
    expect(scheduled.calls).toBe(0);
    const context = { functionName: 'sp-outcomes-ingest', awsRequestId: 'r1' } as never;
    expect(await handler({ Records: [] }, context)).toEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [] }, context)).toEqual({ batchItemFailures: [] });
    expect(scheduled.calls).toBe(1);
    vi.unstubAllEnvs();
  });

  it('a process so scheduled collects its old generation without incremental marking', () => {
    // The control: V8's default starts incremental marking for this workload, so the trace can show it.
    expect(marking(false)).toContain('[IncrementalMarking] Start');
    const scheduledRun = marking(true);
    expect(scheduledRun).toContain('kept 100000');
    expect(scheduledRun).not.toContain('[IncrementalMarking] Start');
  });
});
