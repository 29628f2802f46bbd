/**
 * Every storage key the stages share, in one place (the layout in ARCHITECTURE.md "Storage layout"): the same keys
 * in S3 and on disk. A stage that writes a key and the stage that reads it both take it from here, so no stage
 * imports another to learn where something lives.
 */
import { AREA_CODE_SOURCE } from '../contract/areas.ts';
import type { Level } from '../contract/metrics.ts';
import type { UploadFormat } from '../contract/upload.ts';

export const LANDING_PREFIX = 'landing/';
export const RECEIPTS_PREFIX = 'receipts/';
export const QUARANTINE_PREFIX = 'quarantine/';
export const METRICS_PREFIX = 'metrics/';
/** Versions of the PCN reference file, named so that they sort by when they were staged. */
export const REFERENCE_PREFIX = 'reference/pcns/';

/** An upload id as uploadIdFor makes it: the PCN (group 1) and the first 32 hex digits of the SHA-256 (group 2). */
export const UPLOAD_ID_PATTERN = new RegExp(`^(${AREA_CODE_SOURCE.pcn})-([0-9a-f]{32})$`);

/** The upload id is the PCN and the content hash: the same file from the same PCN is the same upload. */
export function uploadIdFor(pcnCode: string, sha256: string): string {
  return `${pcnCode}-${sha256.slice(0, 32)}`;
}

/** landing/pcn=<PCN>/<upload-id>.<csv|jsonl>[.gz] */
export function landingKey(pcnCode: string, uploadId: string, format: UploadFormat, compressed: boolean): string {
  return `${landingPrefixOf(pcnCode, uploadId)}${format}${compressed ? '.gz' : ''}`;
}

/** What every landing key of one upload starts with, whatever its format. */
export const landingPrefixOf = (pcnCode: string, uploadId: string) => `${LANDING_PREFIX}pcn=${pcnCode}/${uploadId}.`;

/** The landing key for a file by its name: .jsonl/.ndjson is JSON Lines, anything else CSV; .gz is kept. */
export function landingKeyFor(pcnCode: string, uploadId: string, fileName: string): string {
  const lower = fileName.toLowerCase();
  const compressed = lower.endsWith('.gz');
  const base = compressed ? lower.slice(0, -3) : lower;
  return landingKey(
    pcnCode,
    uploadId,
    base.endsWith('.jsonl') || base.endsWith('.ndjson') ? 'jsonl' : 'csv',
    compressed,
  );
}

export const receiptKey = (uploadId: string) => `${RECEIPTS_PREFIX}${uploadId}.json`;

/** The upload id a receipt key names (receipts/<upload-id>.json). */
export const uploadIdOfReceiptKey = (key: string) => key.slice(RECEIPTS_PREFIX.length, -'.json'.length);

export const quarantineKey = (uploadId: string) => `${QUARANTINE_PREFIX}${uploadId}.jsonl`;

/**
 * Where a transfer whose bytes were not the announced file is recorded: not under receipts/<upload-id>, which would
 * answer the genuine file "already received" for ever, but beside quarantine, named by the bytes that came.
 */
export const transferRecordKey = (uploadId: string, sha256: string) =>
  `${QUARANTINE_PREFIX}transfers/${uploadId}-${sha256.slice(0, 16)}.json`;

export const metricKey = (name: string) => `${METRICS_PREFIX}${name}.json`;

/**
 * The refresh's private record of England's published figures and each PCN's exact contribution to them
 * (functions/refresh/revisions.ts): as sensitive as curated data, so outside metrics/ (which the API serves and the
 * packs are made from), written and read by the refresh alone.
 */
export const REVISIONS_PREFIX = 'private/revisions/';
export const REVISIONS_STATE_KEY = `${REVISIONS_PREFIX}england-release.json.gz`;
export const META_KEY = `${METRICS_PREFIX}meta.json`;

/** The refresh Lambda's own record of its runs (functions/refresh/handler.ts): when its last successful one started. */
export const REFRESH_RUNS_PREFIX = 'private/refresh/';
export const LAST_REFRESH_KEY = `${REFRESH_RUNS_PREFIX}last-success.json`;

/**
 * Where an area's monthly PDF pack is stored: beside the metrics documents (the refresh writes metrics/, the API reads
 * it), one per area. Written by functions/reports/, served by functions/api/.
 */
export const PACK_PREFIX = 'metrics/packs/';

/**
 * Whom a pack is written for: the area's own leads and those above it (functions/auth/scope.ts, `inside`), or any other
 * role that may read the area, whose pack leaves out the documents about the area's own business (its alerts).
 */
export type PackReaders = 'inside' | 'outside';

/** metrics/packs/<level>/<code>.pdf; the pack for readers outside the area: <code>.outside.pdf. */
export const packKey = (level: Level, code: string, readers: PackReaders = 'inside') =>
  `${PACK_PREFIX}${level}/${code}${readers === 'outside' ? '.outside' : ''}.pdf`;

/**
 * Releases (review 24, R24-2): every document and pack of one refresh is written under its own prefix,
 * metrics/releases/<release>/<name>.json and metrics/releases/<release>/packs/<level>/<code>[.outside].pdf, never
 * written over, and meta.json (one object, written last) names the release in `release`: a reader that takes meta.json
 * first and then the objects of the release it names sees one whole release, whichever step of a refresh stopped.
 * A meta.json without `release` (written before releases) names the objects at metrics/<name>.json and metrics/packs/.
 */
export const RELEASES_PREFIX = `${METRICS_PREFIX}releases/`;

/** Release ids: the refresh's generated_at as digits (sorting as it does), a suffix when that prefix is taken. */
export const RELEASE_ID_PATTERN = /^\d{8}T\d{9}Z(-\d{1,4})?$/;

/** The release id of a refresh generated at `generatedAt` (an ISO time): 2026-12-02T06:00:00.000Z -> 20261202T060000000Z. */
export const releaseIdOf = (generatedAt: string, attempt = 0) =>
  `${generatedAt.replace(/[-:.]/g, '')}${attempt > 0 ? `-${attempt}` : ''}`;

export const releasePrefix = (release: string) => `${RELEASES_PREFIX}${release}/`;

/**
 * Where a release keeps the object whose key is `key` in the layout before releases (metrics/<name>.json,
 * metrics/packs/...): the same path under the release's prefix. meta.json and keys outside metrics/ are themselves.
 */
export function releasedKey(release: string | undefined, key: string): string {
  if (release === undefined || key === META_KEY || !key.startsWith(METRICS_PREFIX)) return key;
  return `${releasePrefix(release)}${key.slice(METRICS_PREFIX.length)}`;
}
