import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import { ingestSmallDemo } from '../support/golden.ts';

/**
 * How a refresh writes what it publishes (functions/refresh/refresh.ts): the documents one after another, each
 * serialised while the one before it is stored (never two document puts at once), then the packs, and meta.json
 * last, once everything else is stored. A put that fails fails the refresh, and meta.json is not written.
 */
const dir = tempDir('refresh-writes');
const data = `${dir.path}/data`;

beforeAll(() => ingestSmallDemo(data, `${dir.path}/demo`, 5));
afterAll(() => dir.remove());

/**
 * The store, recording each put of metrics/ as it starts and ends, by its key in the layout before releases (R24-2:
 * metrics/releases/<release>/rollout.json is recorded as metrics/rollout.json); `fail` names a key whose put fails.
 */
class RecordingStore extends FsObjectStore {
  readonly events: string[] = [];
  /** The releases the objects other than meta.json were put under. */
  readonly releases = new Set<string>();
  documentPuts = 0;
  mostDocumentPuts = 0;

  constructor(private readonly fail?: string) {
    super(data);
  }

  override async put(key: string, body: Uint8Array | string): Promise<void> {
    if (!key.startsWith('metrics/')) return super.put(key, body);
    const released = /^metrics\/releases\/([^/]+)\//.exec(key);
    if (released) this.releases.add(released[1] as string);
    const stored = key;
    key = released ? `metrics/${key.slice(released[0].length)}` : key;
    const document = key.endsWith('.json');
    if (document) this.mostDocumentPuts = Math.max(this.mostDocumentPuts, ++this.documentPuts);
    this.events.push(`start ${key}`);
    try {
      if (key === this.fail) throw new Error(`the put of ${key} failed`);
      await super.put(stored, body);
      this.events.push(`end ${key}`);
    } finally {
      if (document) this.documentPuts -= 1;
    }
  }
}

describe('what a refresh writes, and in what order', () => {
  it('stores the documents one at a time in order, then the packs, then meta.json once all are stored', async () => {
    const store = new RecordingStore();
    const engine = new DuckDbEngine(data);
    const result = await refreshMetrics({ store, engine }).finally(() => engine.close());
    const meta = JSON.parse(new TextDecoder().decode(await store.get('metrics/meta.json')));
    // A pack per area, and one more for readers outside England, each region and ICB (functions/reports/packs.ts).
    const packs =
      1 + meta.regions.length + meta.icbs.length + meta.pcns.length + 1 + meta.regions.length + meta.icbs.length;

    const started = store.events.filter((e) => e.startsWith('start ')).map((e) => e.slice(6));
    const documents = started.filter((k) => k.endsWith('.json') && k !== 'metrics/meta.json');
    expect(documents).toEqual(result.documents.map((name) => `metrics/${name}.json`));
    expect(documents).toHaveLength(13);
    expect(started.filter((k) => k.startsWith('metrics/packs/'))).toHaveLength(packs);
    expect(store.mostDocumentPuts).toBe(1);
    // meta.json starts only once every other object has been stored.
    expect(store.events.at(-2)).toBe('start metrics/meta.json');
    expect(store.events.at(-1)).toBe('end metrics/meta.json');
    // Every other object under the one release meta.json names (functions/lib/release.ts).
    expect([...store.releases]).toEqual([meta.release]);
    expect(meta.release).toBe(result.release);
    expect(store.events.filter((e) => e.startsWith('end '))).toHaveLength(13 + packs + 1);
    // The packs once the last document is stored.
    const firstPack = store.events.findIndex((e) => e.startsWith('start metrics/packs/'));
    expect(firstPack).toBeGreaterThan(store.events.indexOf(`end ${documents.at(-1)}`));
  });

  it("fails with a document's failed put, writing no later document, no pack and no meta.json", async () => {
    const store = new RecordingStore('metrics/equity.json');
    await store.delete('metrics/meta.json');
    const engine = new DuckDbEngine(data);
    await expect(refreshMetrics({ store, engine }).finally(() => engine.close())).rejects.toThrow(
      'the put of metrics/equity.json failed',
    );
    expect(await store.get('metrics/meta.json')).toBeUndefined();
    expect(store.events.filter((e) => e.startsWith('start metrics/packs/'))).toEqual([]);
    const documents = store.events.filter((e) => e.startsWith('start ') && e.endsWith('.json'));
    expect(documents.at(-1)).toBe('start metrics/equity.json');
  });
});
