import type { MetricDocument } from '../contract/index.ts';
import { metricKey, REFRESH_RUNS_PREFIX } from '../lib/keys.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { hasRows, parsedStored } from './stored-document.ts';

/**
 * What the alerts of a refresh compare with (red-team review 21, R21-6): the documents of the previous RELEASE, the
 * last refresh whose data-as-of date differed from this one's, not those of the previous refresh. A month's release
 * is refreshed again and again before the next month's (the daily schedule, a file sent again, a correction or a
 * workforce return); compared with the refresh before, each of those found the month's signals "not new" and emptied
 * the What changed panel and every pack's "What changed" within a day of the release, and England's own signals,
 * which go to no region's e-mail, were then nowhere.
 *
 * So when a refresh's data-as-of date moves, the documents published until then (funnels, SPC and alerts: the
 * alerts' summary carries England's positions through a held release) are copied under ALERTS_BASE_PREFIX, with a
 * record of the release they are the base of written last; every refresh of the same release reads them from there.
 * A refresh that fails after the copies compares with the same base when tried again (the record already names its
 * release, and the copies are still the release before's). The previous refresh's alerts document, when it is of
 * the same release, says since when each alert has been listed (`first_listed`), so that only alerts new at a
 * refresh are sent by e-mail (handler.ts) while the panel and packs keep the release's whole list.
 *
 * The first refresh of this rule in the middle of a release has no base of the release before: it and the rest of that
 * release compare with the refresh before it, as before this rule; from the next release on, with the release before.
 */
export const ALERTS_BASE_PREFIX = `${REFRESH_RUNS_PREFIX}alerts-base/`;
export const ALERTS_BASE_RECORD_KEY = `${ALERTS_BASE_PREFIX}release.json`;
const BASE_DOCUMENTS = ['pcn_comparison', 'spc', 'alerts'] as const;
type BaseDocument = (typeof BASE_DOCUMENTS)[number];

const baseKey = (name: BaseDocument) => `${ALERTS_BASE_PREFIX}${name}.json`;

interface AlertsBaseRecord {
  /** The release (data-as-of date) whose refreshes compare with the copies. */
  readonly data_as_of: string | null;
  /** The documents copied (a document the release before did not publish has no copy). */
  readonly documents: readonly BaseDocument[];
}

export interface AlertsBase {
  readonly funnels?: MetricDocument;
  readonly spc?: MetricDocument;
  readonly alerts?: MetricDocument;
  /** The previous refresh's alerts when it was of the same release: since when each alert has been listed. */
  readonly listedBefore?: MetricDocument;
}

/** A stored document, or undefined (none, or one that cannot be read: said, naming the key; stored-document.ts). */
const documentAt = async (store: ObjectStore, key: string) =>
  parsedStored<MetricDocument>(await store.get(key), key, hasRows);

/** The documents this refresh's alerts compare with; on a new release, copies the documents published until now. */
export async function alertsBase(store: ObjectStore, dataAsOf: string | null): Promise<AlertsBase> {
  const record = parsedStored<AlertsBaseRecord>(await store.get(ALERTS_BASE_RECORD_KEY), ALERTS_BASE_RECORD_KEY, (r) =>
    Array.isArray(r.documents),
  );
  const previousAlerts = await documentAt(store, metricKey('alerts'));
  if (record !== undefined && record.data_as_of === dataAsOf) {
    const documents = new Map<BaseDocument, MetricDocument | undefined>();
    for (const name of record.documents) documents.set(name, await documentAt(store, baseKey(name)));
    return {
      funnels: documents.get('pcn_comparison'),
      spc: documents.get('spc'),
      alerts: documents.get('alerts'),
      listedBefore: previousAlerts?.data_as_of === dataAsOf ? previousAlerts : undefined,
    };
  }
  // A new release (or the first refresh of this rule): the documents published until now are the release before's.
  const documents = new Map<BaseDocument, MetricDocument | undefined>();
  for (const name of BASE_DOCUMENTS) {
    const bytes = await store.get(metricKey(name));
    if (bytes === undefined) continue;
    await store.put(baseKey(name), bytes, { contentType: 'application/json' });
    // The alerts published were read above (once: a broken one is said once).
    documents.set(
      name,
      name === 'alerts' ? previousAlerts : parsedStored<MetricDocument>(bytes, metricKey(name), hasRows),
    );
  }
  const written: AlertsBaseRecord = { data_as_of: dataAsOf, documents: [...documents.keys()] };
  await store.put(ALERTS_BASE_RECORD_KEY, JSON.stringify(written), { contentType: 'application/json' });
  return { funnels: documents.get('pcn_comparison'), spc: documents.get('spc'), alerts: documents.get('alerts') };
}
