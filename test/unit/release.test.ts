import { describe, expect, it } from 'vitest';
import { releasedKey, releaseIdOf } from '../../functions/lib/keys.ts';
import {
  currentRelease,
  newReleaseId,
  pruneReleases,
  ReleaseStore,
  releaseOf,
  storedReleases,
} from '../../functions/lib/release.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/** Releases (R24-2): objects under metrics/releases/<release>/, meta.json naming one. */
describe('releases of the metrics', () => {
  it('names a release by its generated_at, and maps the keys before releases into it', () => {
    expect(releaseIdOf('2026-12-02T06:00:00.000Z')).toBe('20261202T060000000Z');
    expect(releaseIdOf('2026-12-02T06:00:00.000Z', 2)).toBe('20261202T060000000Z-2');
    expect(releasedKey('R', 'metrics/rollout.json')).toBe('metrics/releases/R/rollout.json');
    expect(releasedKey('R', 'metrics/packs/pcn/U00001.pdf')).toBe('metrics/releases/R/packs/pcn/U00001.pdf');
    // meta.json is the pointer, outside every release; keys outside metrics/ are themselves; no release, no change.
    expect(releasedKey('R', 'metrics/meta.json')).toBe('metrics/meta.json');
    expect(releasedKey('R', 'private/alerts-base/record.json')).toBe('private/alerts-base/record.json');
    expect(releasedKey(undefined, 'metrics/rollout.json')).toBe('metrics/rollout.json');
  });

  it('refuses a meta.json whose release is not a release id (it becomes part of keys)', () => {
    expect(releaseOf({ release: '20261202T060000000Z' })).toBe('20261202T060000000Z');
    expect(releaseOf({})).toBeUndefined();
    expect(() => releaseOf({ release: '../packs' })).toThrow('not a release id');
  });

  it('never reuses a prefix that holds anything: a second release of one generated_at gets a suffix', async () => {
    const store = new MemoryObjectStore();
    const at = '2026-12-02T06:00:00.000Z';
    expect(await newReleaseId(store, at)).toBe('20261202T060000000Z');
    await store.put('metrics/releases/20261202T060000000Z/rollout.json', '{}');
    expect(await newReleaseId(store, at)).toBe('20261202T060000000Z-1');
    await store.put('metrics/releases/20261202T060000000Z-1/packs/national/ENG.pdf', '%PDF');
    expect(await newReleaseId(store, at)).toBe('20261202T060000000Z-2');
  });

  it('reads and lists the release meta.json names under the keys before releases', async () => {
    const store = new MemoryObjectStore();
    await store.put('metrics/releases/20261102T060000000Z/rollout.json', 'old');
    await store.put('metrics/releases/20261102T060000000Z/packs/national/ENG.pdf', 'old pack');
    await store.put('metrics/releases/20261202T060000000Z/rollout.json', 'new, not named');
    await store.put('metrics/meta.json', JSON.stringify({ release: '20261102T060000000Z' }));
    const release = await currentRelease(store);
    expect(new TextDecoder().decode(await release.get('metrics/rollout.json'))).toBe('old');
    expect(await release.list('metrics/')).toEqual([
      'metrics/meta.json',
      'metrics/packs/national/ENG.pdf',
      'metrics/rollout.json',
    ]);
    // Before releases (no `release` in meta.json): the flat keys, never a release's.
    await store.put('metrics/meta.json', JSON.stringify({}));
    await store.put('metrics/rollout.json', 'flat');
    const flat = await currentRelease(store);
    expect(flat).toBeInstanceOf(ReleaseStore);
    expect(new TextDecoder().decode(await flat.get('metrics/rollout.json'))).toBe('flat');
    expect(await flat.list('metrics/')).toEqual(['metrics/meta.json', 'metrics/rollout.json']);
  });

  it("lists with times as it lists keys: each object's own time, meta.json's its own (listModified)", async () => {
    // Each put a minute after the one before.
    let minute = 0;
    const store = new MemoryObjectStore(() => new Date(Date.UTC(2026, 11, 2, 6, minute++)));
    const at = (m: number) => new Date(Date.UTC(2026, 11, 2, 6, m));
    await store.put('metrics/releases/20261102T060000000Z/rollout.json', 'old'); // 06:00
    await store.put('metrics/releases/20261102T060000000Z/packs/national/ENG.pdf', 'old pack'); // 06:01
    await store.put('metrics/releases/20261202T060000000Z/rollout.json', 'new, not named'); // 06:02
    await store.put('receipts/U00001-a.json', '{}'); // 06:03
    await store.put('metrics/meta.json', JSON.stringify({ release: '20261102T060000000Z' })); // 06:04
    const release = await currentRelease(store);
    expect(await release.listModified('metrics/')).toEqual([
      { key: 'metrics/meta.json', lastModified: at(4) },
      { key: 'metrics/packs/national/ENG.pdf', lastModified: at(1) },
      { key: 'metrics/rollout.json', lastModified: at(0) },
    ]);
    expect(await release.listModified('metrics/packs/')).toEqual([
      { key: 'metrics/packs/national/ENG.pdf', lastModified: at(1) },
    ]);
    // Outside metrics/, the store's own objects.
    expect(await release.listModified('receipts/')).toEqual([{ key: 'receipts/U00001-a.json', lastModified: at(3) }]);
    // Before releases: the flat keys, never a release's.
    await store.put('metrics/meta.json', JSON.stringify({})); // 06:05
    await store.put('metrics/rollout.json', 'flat'); // 06:06
    const flat = await currentRelease(store);
    expect(await flat.listModified('metrics/')).toEqual([
      { key: 'metrics/meta.json', lastModified: at(5) },
      { key: 'metrics/rollout.json', lastModified: at(6) },
    ]);
    // list is listModified's keys, whatever the prefix.
    for (const view of [release, flat])
      for (const prefix of ['', 'metrics/', 'metrics/m', 'metrics/packs/', 'receipts/', 'nothing/'])
        expect(await view.list(prefix)).toEqual((await view.listModified(prefix)).map((object) => object.key));
  });

  it('keeps the release published, the one before it and the two newest before it; deletes the older ones', async () => {
    const store = new MemoryObjectStore();
    // Six releases: 01..06 November; 06 is published now, 02 was published before it (03, 04, 05 stopped part-way),
    // and 07 is newer than the one published (being written): kept whatever its age.
    const ids = ['01', '02', '03', '04', '05', '06', '07'].map((d) => `202611${d}T060000000Z`);
    for (const id of ids) {
      await store.put(`metrics/releases/${id}/rollout.json`, id);
      await store.put(`metrics/releases/${id}/packs/pcn/U00001.pdf`, id);
    }
    const [r01, r02, r03, r04, r05, r06, r07] = ids as [string, string, string, string, string, string, string];
    // Before 06: 01..05; the two newest of them (04, 05) and the previous one (02) are kept: 01 and 03 go.
    expect(await pruneReleases(store, r06, r02)).toEqual([r01, r03]);
    expect(await storedReleases(store)).toEqual([r02, r04, r05, r06, r07]);
    expect(await store.list(`metrics/releases/${r01}/`)).toEqual([]);
  });
});
