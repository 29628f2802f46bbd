import type { ObjectStore } from '../../functions/lib/object-store.ts';

/**
 * The store with some of its methods replaced (a put that fails, a list that is counted): every other method, and
 * what the store is (its class, its folder), is the store's own, through the prototype. Typed, so that a method the
 * interface requires cannot be missing from a test's store unseen (`Object.assign` alone types as any): the gap that
 * let a test store without listModified through to a full run (session 26).
 */
export function storeWith<S extends ObjectStore>(store: S, overrides: Partial<ObjectStore>): S {
  return Object.assign(Object.create(store) as S, overrides);
}
