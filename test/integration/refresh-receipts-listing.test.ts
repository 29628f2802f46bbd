import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DEFAULT_COMPACTION_POLICY, hyparquetMerger } from '../../functions/refresh/compact.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';
import { storeWith } from '../support/store-with.ts';

/*
 * Review 24, R24-5a: receipts/ holds one object per upload ever (some 2,500 more a month nationally), and a refresh
 * listed it in full more than once (the uploads table, compaction's plan; review 24 counted three with a step since
 * removed): each listing is O(all receipts) of ListObjectsV2 pages. A refresh now lists it once and gives the listing
 * to each step that needs it. The refresh here is the Lambda's: compaction by the hyparquet merger, then the catalogue.
 */
const dir = tempDir('refresh-receipts-listing');
const data = `${dir.path}/data`;

beforeAll(() => ingestSmallDemo(data, `${dir.path}/demo`, 7));
afterAll(() => dir.remove());

describe('the receipts of one refresh', () => {
  it('are listed once, with compaction and without anything left to compact', async () => {
    const fs = new FsObjectStore(data);
    const lists: string[] = [];
    const store = storeWith(fs, {
      list: (prefix) => {
        lists.push(prefix);
        return fs.list(prefix);
      },
    });
    const refresh = async () => {
      lists.length = 0;
      const engine = new DuckDbEngine(data);
      try {
        return await refreshMetrics({
          store,
          engine,
          compaction: { merger: hyparquetMerger(store), policy: DEFAULT_COMPACTION_POLICY },
        });
      } finally {
        await engine.close();
      }
    };
    // The first compacts the demo's 3 months of both kinds (one object per upload per month until now).
    const first = await refresh();
    expect(first.compaction?.partitions).toBe(6);
    expect(lists.filter((prefix) => prefix.startsWith('receipts/'))).toEqual(['receipts/']);
    // The second has nothing to compact, and still lists the receipts once (the uploads table, compaction's plan).
    const second = await refresh();
    expect(second.compaction?.partitions).toBe(0);
    expect(lists.filter((prefix) => prefix.startsWith('receipts/'))).toEqual(['receipts/']);
  }, 300_000);
});
