import type { Readable } from 'node:stream';
import type { MetaDocument } from '../contract/index.ts';
import {
  META_KEY,
  METRICS_PREFIX,
  RELEASE_ID_PATTERN,
  RELEASES_PREFIX,
  releasedKey,
  releaseIdOf,
  releasePrefix,
} from './keys.ts';
import type { ObjectStore, StoredObject } from './object-store.ts';

/**
 * One release of the metrics (keys.ts, RELEASES_PREFIX) seen with the keys of the layout before releases: its
 * get('metrics/rollout.json') reads metrics/releases/<release>/rollout.json, its list('metrics/') lists the release's
 * objects under those keys, and meta.json and keys outside metrics/ are the store's own. The refresh writes a release
 * through one (writeDocuments and writePacks are unchanged), and readers read the release meta.json names through one.
 */
export class ReleaseStore implements ObjectStore {
  constructor(
    readonly store: ObjectStore,
    /** undefined: the layout before releases (metrics/<name>.json), read as it is. */
    readonly release: string | undefined,
  ) {}

  get(key: string): Promise<Uint8Array | undefined> {
    return this.store.get(releasedKey(this.release, key));
  }

  getStream(key: string): Promise<Readable | undefined> {
    return this.store.getStream(releasedKey(this.release, key));
  }

  put(key: string, body: Uint8Array | string, options?: { contentType?: string }): Promise<void> {
    return this.store.put(releasedKey(this.release, key), body, options);
  }

  list(prefix: string): Promise<string[]> {
    return this.listed(prefix, {
      listing: (under) => this.store.list(under),
      keyOf: (key) => key,
      rekeyed: (_, key) => key,
      meta: async () => ((await this.store.get(META_KEY)) === undefined ? undefined : META_KEY),
    });
  }

  /** As list, with each object's time as the store gives it (meta.json's from a listing of its own key). */
  listModified(prefix: string): Promise<StoredObject[]> {
    return this.listed(prefix, {
      listing: (under) => this.store.listModified(under),
      keyOf: (object) => object.key,
      rekeyed: (object, key) => ({ key, lastModified: object.lastModified }),
      meta: async () => (await this.store.listModified(META_KEY)).find((object) => object.key === META_KEY),
    });
  }

  /** What list and listModified share: the store's listing seen with the keys of the layout before releases. */
  private async listed<T>(prefix: string, how: Listing<T>): Promise<T[]> {
    const { release } = this;
    const { listing, keyOf } = how;
    if (release === undefined)
      return (await listing(prefix)).filter((item) => !keyOf(item).startsWith(RELEASES_PREFIX));
    // Outside metrics/ (and a prefix shorter than metrics/), the store's own keys.
    if (!prefix.startsWith(METRICS_PREFIX)) return listing(prefix);
    // Under metrics/: the release's objects, and meta.json beside them as in the layout before releases.
    const own = releasePrefix(release);
    const items = (await listing(`${own}${prefix.slice(METRICS_PREFIX.length)}`)).map((item) =>
      how.rekeyed(item, `${METRICS_PREFIX}${keyOf(item).slice(own.length)}`),
    );
    const meta = META_KEY.startsWith(prefix) ? await how.meta() : undefined;
    if (meta !== undefined) items.push(meta);
    return items.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  }

  delete(key: string): Promise<void> {
    return this.store.delete(releasedKey(this.release, key));
  }
}

/** How ReleaseStore.listed lists: the store's listing of keys or of objects, and meta.json's entry if it is stored. */
interface Listing<T> {
  readonly listing: (prefix: string) => Promise<T[]>;
  readonly keyOf: (item: T) => string;
  readonly rekeyed: (item: T, key: string) => T;
  readonly meta: () => Promise<T | undefined>;
}

/** meta.json as published, or undefined when there is none. Throws when it cannot be parsed. */
export async function publishedMeta(store: ObjectStore): Promise<(MetaDocument & { release?: string }) | undefined> {
  const bytes = await store.get(META_KEY);
  return bytes === undefined ? undefined : (JSON.parse(new TextDecoder().decode(bytes)) as MetaDocument);
}

/** The release a meta.json names, checked (it becomes part of keys): undefined for one written before releases. */
export function releaseOf(meta: object | undefined): string | undefined {
  const release = (meta as { readonly release?: unknown } | undefined)?.release;
  if (release === undefined) return undefined;
  if (typeof release !== 'string' || !RELEASE_ID_PATTERN.test(release))
    throw new Error('meta.json names a release that is not a release id');
  return release;
}

/** The release published now, read through the keys of the layout before releases (tests, tools, the handler). */
export async function currentRelease(store: ObjectStore): Promise<ReleaseStore> {
  return new ReleaseStore(store, releaseOf(await publishedMeta(store)));
}

/** The releases stored (complete or not), oldest first (their ids sort as their generated_at). */
export async function storedReleases(store: ObjectStore): Promise<string[]> {
  const ids = new Set<string>();
  for (const key of await store.list(RELEASES_PREFIX)) {
    const id = key.slice(RELEASES_PREFIX.length).split('/')[0] as string;
    if (RELEASE_ID_PATTERN.test(id)) ids.add(id);
  }
  return [...ids].sort(compareReleases);
}

/** Release ids in order: by generated_at, then the suffix of a second release of the same generated_at. */
function compareReleases(a: string, b: string): number {
  const [ta, sa = '0'] = a.split('-');
  const [tb, sb = '0'] = b.split('-');
  return (ta as string).localeCompare(tb as string) || Number(sa) - Number(sb);
}

/**
 * The id of a new release generated at `generatedAt`: never one with objects already (a refresh that stopped part-way
 * left some; two refreshes of one clock in tests), so a release is never written over.
 */
export async function newReleaseId(store: ObjectStore, generatedAt: string): Promise<string> {
  const taken = new Set(await storedReleases(store));
  let attempt = 0;
  while (taken.has(releaseIdOf(generatedAt, attempt))) attempt++;
  return releaseIdOf(generatedAt, attempt);
}

/**
 * Releases kept besides the one published: a reader that read meta.json just before a refresh (the API trusts its copy
 * for 30 s; a dashboard page or pack link opened from it) still finds the release it names. Two refreshes at least
 * 30 minutes apart (the catch-up schedule's least interval) leave it an hour or more.
 */
export const RELEASES_KEPT_BEFORE = 2;

/** Deletes at once, as the packs are written (packs.ts PUTS_IN_FLIGHT): a release is some 1,400 objects nationally. */
const DELETES_IN_FLIGHT = 16;

/**
 * After meta.json names `published`: deletes every release but it, the one published before it (`previous`: read by
 * the API instances and pages that read meta.json before), and the RELEASES_KEPT_BEFORE newest before it. A refresh
 * that stopped part-way left a release no meta.json names; it goes once older than those kept. Returns the releases
 * deleted. Run after the commit point only: a failure or stop here leaves the release published whole, and the next
 * refresh deletes what is left. A release whose objects cannot all be deleted is given to `onFailure` with its id (the
 * others are still deleted); without `onFailure`, the first such failure is thrown.
 */
export async function pruneReleases(
  store: ObjectStore,
  published: string,
  previous: string | undefined,
  onFailure?: (release: string, error: unknown) => void,
): Promise<string[]> {
  const releases = await storedReleases(store);
  const before = releases.filter((id) => compareReleases(id, published) < 0);
  const kept = new Set([published, ...(previous ? [previous] : []), ...before.slice(-RELEASES_KEPT_BEFORE)]);
  // A release newer than the one published is being written by a refresh now (refreshes do not overlap in AWS: one
  // FIFO group) or was left by one whose clock ran ahead: never deleted here.
  const deleted: string[] = [];
  for (const id of before.filter((id) => !kept.has(id))) {
    try {
      const keys = await store.list(releasePrefix(id));
      for (let i = 0; i < keys.length; i += DELETES_IN_FLIGHT)
        await Promise.all(keys.slice(i, i + DELETES_IN_FLIGHT).map((key) => store.delete(key)));
      deleted.push(id);
    } catch (error) {
      if (!onFailure) throw error;
      onFailure(id, error);
    }
  }
  return deleted;
}
