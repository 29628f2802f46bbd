import { describe, expect, it, vi } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { metricKey } from '../../functions/lib/keys.ts';
import { ALERTS_BASE_RECORD_KEY, alertsBase } from '../../functions/refresh/alerts-base.ts';
import { hasRows, parsedStored } from '../../functions/refresh/stored-document.ts';
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

describe('a stored document that cannot be read is said, by its key, and read as none (one parser with refresh.ts)', () => {
  it('a broken base record and a broken published alerts document: one warning each, naming the key, never the text', async () => {
    const store = new MemoryObjectStore();
    await publish(store, '2026-10-05T09:00:00.000Z', '2026-09-30');
    await alertsBase(store, '2026-10-31');
    // The record of the base is JSON but not a record (null: it read as one and threw on null.data_as_of); the
    // alerts published are cut short. Their text (a made-up marker) must appear in no warning.
    await store.put(ALERTS_BASE_RECORD_KEY, 'null');
    await store.put(metricKey('alerts'), '{"name":"alerts","rows":[{"code":"SECRET-MARKER"');
    const warnings: string[] = [];
    const spy = vi
      .spyOn(console, 'warn')
      .mockImplementation((...args: unknown[]) => void warnings.push(args.join(' ')));
    try {
      const base = await alertsBase(store, '2026-10-31');
      // No record: a new base is taken of what is published now (pcn_comparison and spc readable, alerts not).
      expect([base.funnels?.generated_at, base.spc?.generated_at, base.alerts]).toEqual([
        '2026-10-05T09:00:00.000Z',
        '2026-10-05T09:00:00.000Z',
        undefined,
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(warnings).toEqual([
      `${ALERTS_BASE_RECORD_KEY}: a stored document that cannot be read (not JSON of its shape); read as none`,
      'metrics/alerts.json: a stored document that cannot be read (not JSON of its shape); read as none',
    ]);
  });

  it('reads a stored document of its shape; none stored is no warning', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(parsedStored(new TextEncoder().encode('{"rows":[]}'), 'metrics/spc.json', hasRows)).toEqual({ rows: [] });
      expect(parsedStored(undefined, 'metrics/spc.json', hasRows)).toBeUndefined();
      expect(parsedStored(new TextEncoder().encode('{"name":"spc"}'), 'metrics/spc.json', hasRows)).toBeUndefined();
      expect(warn.mock.calls).toEqual([
        ['metrics/spc.json: a stored document that cannot be read (not JSON of its shape); read as none'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
