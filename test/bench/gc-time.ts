/**
 * Preloaded into a benchmark's process (`node --import tsx --import ./test/bench/gc-time.ts ...`, as semi-space.ts
 * runs it): counts V8's garbage collections by kind and their pause time, and prints one line when the process exits,
 * with the V8 semi-space the process runs with. The refresh's disclosure step is synchronous: the entries are read
 * at exit (takeRecords), not only when the observer is called back.
 */
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
const totals = new Map<string, { count: number; ms: number }>();
const add = (entries: readonly PerformanceEntry[]) => {
  for (const entry of entries) {
    const kind = KINDS[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
    const total = totals.get(kind) ?? { count: 0, ms: 0 };
    total.count++;
    total.ms += entry.duration;
    totals.set(kind, total);
  }
};
const observer = new PerformanceObserver((list) => add(list.getEntries()));
observer.observe({ entryTypes: ['gc'] });
process.on('exit', () => {
  add(observer.takeRecords());
  observer.disconnect();
  const all = [...totals.values()].reduce((sum, t) => sum + t.ms, 0);
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(
    `gc: ${(all / 1000).toFixed(2)} s in pauses (${[...totals]
      .map(([kind, t]) => `${kind} ${t.count} in ${(t.ms / 1000).toFixed(2)} s`)
      .join(', ')}); new space now ${((newSpace?.space_size ?? 0) / 2 ** 20).toFixed(0)} MB`,
  );
});
