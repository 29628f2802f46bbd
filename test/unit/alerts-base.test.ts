import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { metricKey } from '../../functions/lib/keys.ts';
import { alertsBase } from '../../functions/refresh/alerts-base.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/** A published document of a release: only its name, refresh and data-as-of date matter here. */
const published = (name: string, generatedAt: string, dataAsOf: string) =>
  ({ name, generated_at: generatedAt, data_as_of: dataAsOf, rows: [] }) as unknown as MetricDocument;

async function publish(store: MemoryObjectStore, generatedAt: string, dataAsOf: string) {
  for (const name of ['pcn_comparison', 'spc', 'alerts'])
    await store.put(metricKey(name), JSON.stringify(published(name, generatedAt, dataAsOf)));
}

describe('alertsBase: the alerts compare with the previous release, not the previous refresh (R21-6)', () => {
  it('keeps the release before as the base through every refresh of a release, and moves on with the next', async () => {
    const store = new MemoryObjectStore();
    // Nothing published yet: nothing to compare with (every current signal is listed).
    expect(await alertsBase(store, '2026-09-30')).toEqual({ funnels: undefined, spc: undefined, alerts: undefined });
    await publish(store, '2026-10-05T09:00:00.000Z', '2026-09-30');
    // October's release (data to 31 October) compares with September's, at its first refresh...
    const first = await alertsBase(store, '2026-10-31');
    expect([first.funnels?.generated_at, first.spc?.generated_at, first.alerts?.generated_at]).toEqual([
      '2026-10-05T09:00:00.000Z',
      '2026-10-05T09:00:00.000Z',
      '2026-10-05T09:00:00.000Z',
    ]);
    expect(first.listedBefore).toBeUndefined();
    await publish(store, '2026-11-05T09:00:00.000Z', '2026-10-31');
    // ...and at the next day's refresh of the same release, still with September's; November 5's alerts say since
    // when each has been listed.
    const again = await alertsBase(store, '2026-10-31');
    expect(again.funnels?.generated_at).toBe('2026-10-05T09:00:00.000Z');
    expect(again.alerts?.generated_at).toBe('2026-10-05T09:00:00.000Z');
    expect(again.listedBefore?.generated_at).toBe('2026-11-05T09:00:00.000Z');
    await publish(store, '2026-11-06T06:00:00.000Z', '2026-10-31');
    // November's release compares with the last refresh of October's.
    const next = await alertsBase(store, '2026-11-30');
    expect(next.spc?.generated_at).toBe('2026-11-06T06:00:00.000Z');
    expect(next.listedBefore).toBeUndefined();
  });

  it('a refresh that failed after taking its base compares with the same base when tried again', async () => {
    const store = new MemoryObjectStore();
    await publish(store, '2026-10-05T09:00:00.000Z', '2026-09-30');
    await alertsBase(store, '2026-10-31');
    // The refresh failed before publishing: metrics/ still holds September's release; tried again, same base.
    const retried = await alertsBase(store, '2026-10-31');
    expect(retried.funnels?.generated_at).toBe('2026-10-05T09:00:00.000Z');
    expect(retried.listedBefore).toBeUndefined();
  });
});
