import { describe, expect, it } from 'vitest';
import { CURATED_TABLES } from '../../functions/contract/index.ts';
import {
  type CompactionPolicy,
  compactCurated,
  DEFAULT_COMPACTION_POLICY,
  type ParquetMerger,
} from '../../functions/refresh/compact.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/**
 * The compaction budget (CompactionPolicy.budgetMs) on a clock of the test's own: a merge is started only if the
 * time left covers it, estimated from the partitions done so far. Each fake merge takes 40 ms a source object.
 */
const MS_PER_OBJECT = 40;

/** Three months of events, each with `objects` committed upload objects (their receipts written). */
async function storeWithMonths(objectsPerMonth: readonly number[]): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  const { events } = CURATED_TABLES;
  for (const [m, objects] of objectsPerMonth.entries()) {
    for (let i = 0; i < objects; i++) {
      const uploadId = `U${String(10_000 + m * 100 + i)}-${'0'.repeat(32)}`;
      await store.put(`${events.prefix}/${events.partition.name}=2026-0${m + 1}/${uploadId}.parquet`, 'rows');
      await store.put(`receipts/${uploadId}.json`, '{}');
    }
  }
  return store;
}

/** A merger whose merges take MS_PER_OBJECT on the test clock for each source object; records when each began. */
function timedMerger(clock: { ms: number }, concurrency: number) {
  const began: number[] = [];
  const merger: ParquetMerger = {
    concurrency,
    async merge(_table, keys, _maxRows, write) {
      began.push(clock.ms);
      clock.ms += MS_PER_OBJECT * keys.length;
      await write(new TextEncoder().encode('merged'), keys.length);
    },
  };
  return { merger, began };
}

describe('compaction within its time budget', () => {
  const policy = (budgetMs: number): CompactionPolicy => ({ ...DEFAULT_COMPACTION_POLICY, budgetMs });

  for (const concurrency of [1, 2]) {
    it(`starts no merge the time left cannot cover (${concurrency} at a time)`, async () => {
      // Months of 2 objects (80 ms each). Budget 200 ms: month 1 ends at 80 ms, month 2 at 160 ms; month 3 would end
      // at 240 ms, past the budget, so it is not started although 40 ms were left when month 2 ended.
      const store = await storeWithMonths([2, 2, 2]);
      const clock = { ms: 1_000 };
      const { merger, began } = timedMerger(clock, concurrency);
      const result = await compactCurated(store, merger, policy(200), undefined, () => clock.ms);
      expect(began).toEqual([1_000, 1_080]);
      expect(clock.ms - 1_000).toBe(160);
      expect(result).toEqual({ partitions: 2, objectsBefore: 6, objectsAfter: 2 + 2 });
      // The month left as it was keeps its upload objects, for the next run.
      expect((await store.list('curated/events/event_month=2026-03/')).length).toBe(2);
    });
  }

  it('still starts a smaller merge that fits after passing over one that does not', async () => {
    // 2, 4 and 1 objects: after month 1 (80 ms of a 170 ms budget), month 2 needs 160 ms and is passed over;
    // month 3 needs 40 ms and is done, ending at 120 ms.
    const store = await storeWithMonths([2, 4, 1]);
    const clock = { ms: 0 };
    const { merger, began } = timedMerger(clock, 1);
    const result = await compactCurated(
      store,
      merger,
      { ...policy(170), minUploadObjects: 1 },
      undefined,
      () => clock.ms,
    );
    expect(began).toEqual([0, 80]);
    expect(clock.ms).toBe(120);
    expect(result).toEqual({ partitions: 2, objectsBefore: 7, objectsAfter: 1 + 4 + 1 });
  });

  it('always starts the first merge, alone, when there is no estimate yet', async () => {
    // A budget shorter than any merge: the first month is still compacted (each run gets somewhere), no other.
    const store = await storeWithMonths([2, 2, 2]);
    const clock = { ms: 0 };
    const { merger, began } = timedMerger(clock, 2);
    const result = await compactCurated(store, merger, policy(50), undefined, () => clock.ms);
    expect(began).toEqual([0]);
    expect(result.partitions).toBe(1);
  });

  it('compacts every partition when there is no budget', async () => {
    const store = await storeWithMonths([2, 2, 2]);
    const clock = { ms: 0 };
    const { merger, began } = timedMerger(clock, 2);
    const result = await compactCurated(store, merger, DEFAULT_COMPACTION_POLICY, undefined, () => clock.ms);
    expect(began).toEqual([0, 80, 160]);
    expect(result).toEqual({ partitions: 3, objectsBefore: 6, objectsAfter: 3 });
  });
});
