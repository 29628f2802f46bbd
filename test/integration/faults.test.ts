import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { type FileEntry, generateNationalDemo } from '../../cli/synthetic/generate.ts';
import type { MetricDocument, Receipt } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { type BatchLogger, ingestLandedObjects, type LandedObject } from '../../functions/ingest/ingest-batch.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { landingKeyFor, uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore, type ObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { currentRelease } from '../../functions/lib/release.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { s3Error, startFaultProxy } from '../support/fault-proxy.ts';
import { tempDir } from '../support/files.ts';
import { type LocalS3, startLocalS3 } from '../support/s3.ts';
import { storeWith } from '../support/store-with.ts';

/**
 * Faults that happen in production, each ending with exactly the counts of a fault-free run: storage errors and an
 * outage mid-ingest (against s3rver), the ingest process killed mid-batch, duplicate and out-of-order deliveries,
 * and a file that changes while it is read. (Empty, header-only and truncated gzip files: ingest.test.ts; a refresh
 * whose query fails part-way: refresh-handler.test.ts.)
 */
const dir = tempDir('faults');
const demo = join(dir.path, 'demo');
const silent: BatchLogger = { info: () => {}, error: () => {} };
// After every recorded_at the demo writes for its months to September 2026 (events up to 72 hours after their day,
// corrections on 4 October, retractions within October): a row recorded more than a day after its upload landed is
// refused (R19-10), and the run killed part-way lands its files now.
const LANDED_AT = new Date('2026-11-01T09:00:00Z');
let files: FileEntry[];
let referenceCsv: string;
let baseline: FsObjectStore;
let baselineFigures: unknown;
let s3: LocalS3;

/** Every curated object's and receipt's meaning: keys, row counts, content hashes of the Parquet. */
async function snapshot(store: ObjectStore, only?: readonly LandedObject[]) {
  const ids = only?.map((o) => o.key.split('/')[2]?.split('.')[0] as string);
  const keys = (await store.list('')).filter(
    (k) =>
      ['curated/events/', 'curated/workforce/', 'receipts/'].some((prefix) => k.startsWith(prefix)) &&
      (ids === undefined || ids.some((id) => k.includes(id))),
  );
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const bytes = (await store.get(key)) as Uint8Array;
    if (key.startsWith('receipts/')) {
      const { timings_ms: _t, processed_at: _p, ...receipt } = JSON.parse(new TextDecoder().decode(bytes)) as Receipt;
      out[key] = receipt;
    } else out[key] = createHash('sha256').update(bytes).digest('hex');
  }
  return out;
}

/** The national and PCN figures a refresh publishes from a local store (generated_at left out). */
async function figures(dataDir: string) {
  const store = new FsObjectStore(dataDir);
  // The figures the data yields as it is, each call a first release: otherwise the revisions policy
  // (functions/refresh/revisions.ts) holds England's change when fewer than 3 PCNs' uploads changed it.
  await store.delete('metrics/meta.json');
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => new Date('2026-10-05T06:00:00Z') });
  await engine.close();
  const out: Record<string, unknown> = {};
  for (const name of ['rollout', 'cof_person', 'workforce']) {
    const doc = JSON.parse(
      new TextDecoder().decode(await (await currentRelease(store)).get(`metrics/${name}.json`)),
    ) as MetricDocument;
    out[name] = doc.rows;
  }
  return out;
}

const landingKeyOf = (file: FileEntry, bytes: Uint8Array) =>
  landingKeyFor(file.pcn, uploadIdFor(file.pcn, createHash('sha256').update(bytes).digest('hex')), file.path);

/** The SQS batch for every demo file, as the S3 notifications would deliver it. */
function messages(): { message: LandedObject; bytes: Uint8Array }[] {
  return files.map((file, i) => {
    const bytes = readFileSync(join(demo, file.path));
    return { message: { messageId: `m${i}`, key: landingKeyOf(file, bytes), landedAt: LANDED_AT }, bytes };
  });
}

/** Delivers the batch, then redelivers whatever failed, as SQS does, until nothing fails (or gives up). */
async function deliverUntilDone(objects: readonly LandedObject[], store: ObjectStore, rounds = 30) {
  let pending = [...objects];
  let deliveries = 0;
  for (let round = 0; round < rounds && pending.length > 0; round++) {
    deliveries += pending.length;
    const { batchItemFailures } = await ingestLandedObjects(pending, { store, logger: silent });
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending.filter((o) => failed.has(o.messageId));
  }
  expect(pending).toEqual([]);
  return deliveries;
}

beforeAll(async () => {
  const manifest = generateNationalDemo({
    outDir: demo,
    scale: 0.01,
    months: 2,
    endMonth: '2026-09',
    seed: 3,
    faultRate: 0.01,
  });
  files = manifest.files;
  referenceCsv = readFileSync(join(demo, manifest.reference), 'utf8');
  baseline = new FsObjectStore(join(dir.path, 'baseline'));
  for (const { message, bytes } of messages()) await baseline.put(message.key, bytes);
  await deliverUntilDone(
    messages().map((m) => m.message),
    baseline,
    1,
  );
  await stageReference(baseline, referenceCsv);
  baselineFigures = await figures(baseline.root);
  s3 = await startLocalS3();
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  dir.remove();
});

describe('faults, each ending with the counts of a fault-free run', () => {
  it('s3rver answering 500, 503 and SlowDown to a share of requests: failed files are redelivered and done once', async () => {
    await s3.createBucket('faulty');
    // A dozen files: every storage call of theirs meets the faults, and the SDK's backoff keeps this slow enough.
    const batch = messages().slice(0, 12);
    const direct = new S3ObjectStore(s3.client, 'faulty');
    for (const { message, bytes } of batch) await direct.put(message.key, bytes);
    const proxy = await startFaultProxy(
      s3.endpoint,
      [
        {
          match: () => true,
          share: 0.06,
          status: 500,
          body: s3Error('InternalError', 'We encountered an internal error.'),
        },
        {
          match: () => true,
          share: 0.06,
          status: 503,
          body: s3Error('ServiceUnavailable', 'Reduce your request rate.'),
        },
        { match: () => true, share: 0.06, status: 503, body: s3Error('SlowDown', 'Please reduce your request rate.') },
      ],
      7,
    );
    const faulty = new S3ObjectStore(s3.clientVia(proxy.url, 2), 'faulty');
    const objects = batch.map((m) => m.message);
    const deliveries = await deliverUntilDone(objects, faulty);
    await proxy.close();
    const injected = proxy.seen.filter((l) => l.endsWith('(injected)')).length;
    expect(injected).toBeGreaterThan(5);
    expect(deliveries).toBeGreaterThan(objects.length); // some files failed and were redelivered
    expect(await snapshot(direct)).toEqual(await snapshot(baseline, objects));
  }, 120_000);

  it('the storage server stopped in the middle of an ingest and started again: the rest is redelivered', async () => {
    await s3.createBucket('outage');
    const direct = new S3ObjectStore(s3.client, 'outage');
    for (const { message, bytes } of messages()) await direct.put(message.key, bytes);
    const store = new S3ObjectStore(s3.clientVia(s3.endpoint, 1), 'outage');
    const objects = messages().map((m) => m.message);
    const first = ingestLandedObjects(objects, { store, logger: silent });
    // Stop the server once a few uploads are done, mid-batch.
    while ((await direct.list('receipts/')).length < 3) await new Promise((r) => setTimeout(r, 5));
    await s3.stopServer();
    const { batchItemFailures } = await first;
    expect(batchItemFailures.length).toBeGreaterThan(0);
    await s3.startAgain();
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    await deliverUntilDone(
      objects.filter((o) => failed.has(o.messageId)),
      store,
    );
    expect(await snapshot(direct)).toEqual(await snapshot(baseline));
  }, 120_000);

  it('the ingest process killed (SIGKILL) part-way through a batch and started again: exactly-once counts', async () => {
    const dataDir = join(dir.path, 'killed');
    const paths = files.map((f) => join(demo, f.path));
    const run = () => spawn(process.execPath, ['cli/sp-outcomes.js', 'ingest', '--data', dataDir, '--json', ...paths]);
    const child = run();
    const receipts = join(dataDir, 'receipts');
    while (!existsSync(receipts) || readdirSync(receipts).length < 5) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const doneBefore = readdirSync(receipts).length;
    expect(doneBefore).toBeLessThan(files.length);

    const again = run();
    let out = '';
    again.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => again.once('exit', resolve));
    expect(code).toBe(1); // the demo's file holding an NHS number is rejected, as in the fault-free run
    expect(JSON.parse(out).files).toBe(files.length);
    expect(readdirSync(receipts)).toHaveLength(files.length);
    const store = new FsObjectStore(dataDir);
    await stageReference(store, referenceCsv);
    expect(await figures(dataDir)).toEqual(baselineFigures);
  }, 180_000);

  it('an ingest that stopped between its partitions (no receipt) counts for nothing until it is completed, then once', async () => {
    const dataDir = join(dir.path, 'partial');
    const store = new FsObjectStore(dataDir);
    await ingestFiles(
      files.map((f) => join(demo, f.path)),
      { dataDir, out: () => {}, progress: false },
    );
    await stageReference(store, referenceCsv);
    const complete = await figures(dataDir);
    // An upload with partitions in two months loses its receipt, as if the process died just before writing it.
    const receipts = await store.list('receipts/');
    const victims: string[] = [];
    for (const key of receipts) {
      const receipt = JSON.parse(new TextDecoder().decode(await store.get(key))) as Receipt;
      if (receipt.kind === 'events' && receipt.rows.accepted > 0) victims.push(key);
      if (victims.length === 3) break;
    }
    for (const key of victims) await store.delete(key);
    const partial = (await figures(dataDir)) as { rollout: { level: string; referrals: number }[] };
    const national = (f: typeof partial) =>
      f.rollout.filter((r) => r.level === 'national').reduce((sum, r) => sum + r.referrals, 0);
    expect(national(partial)).toBeLessThan(national(complete as typeof partial));
    // The redelivery completes them (the same keys again), and they count once.
    for (const key of victims) {
      const uploadId = key.slice('receipts/'.length, -'.json'.length);
      const [landing] = await store.list(`landing/pcn=${uploadId.slice(0, 6)}/${uploadId}.`);
      await ingestUpload({ store }, { key: landing as string });
    }
    expect(await figures(dataDir)).toEqual(complete);
  }, 180_000);

  it('the same S3 event delivered twice and out of order: one receipt per upload, and the same figures', async () => {
    const store = new FsObjectStore(join(dir.path, 'duplicates'));
    const batch = messages();
    for (const { message, bytes } of batch) await store.put(message.key, bytes);
    const shuffled = [...batch].reverse().map((m) => m.message);
    const twice = shuffled.flatMap((m) => [m, { ...m, messageId: `${m.messageId}-again` }]);
    await deliverUntilDone(twice, store, 1);
    await deliverUntilDone(shuffled.slice(0, 5), store, 1);
    expect(await snapshot(store)).toEqual(await snapshot(baseline));
    // The demo's corrections and retractions now arrive before the rows they change: the same versions win.
    expect(files.reduce((n, f) => n + f.corrections + f.retractions, 0)).toBeGreaterThan(0);
    await stageReference(store, referenceCsv);
    expect(await figures(store.root)).toEqual(baselineFigures);
  }, 60_000);

  it('a file that changes while it is read is refused whole as not the file announced, and nothing is written', async () => {
    const store = new FsObjectStore(join(dir.path, 'changing'));
    const file = files.find((f) => f.kind === 'events' && !f.identifiable) as FileEntry;
    const original = readFileSync(join(demo, file.path));
    const key = await stageUpload(store, file.pcn, file.path, original);
    // A store whose reader sees the first half of the file as announced and the rest of a newer version.
    const changed = Buffer.from(original.toString('utf8').replaceAll(',gp,', ',self,'));
    const changing = storeWith(store, {
      getStream: async () =>
        Readable.from([original.subarray(0, original.length / 2), changed.subarray(changed.length / 2)]),
    });
    const { receipt } = await ingestUpload({ store: changing }, { key });
    expect(receipt).toMatchObject({
      status: 'rejected',
      file_error: { code: 'checksum_mismatch' },
      rows: { accepted: 0 },
      outputs: { curated: [], quarantine: null },
    });
    expect((await store.list('curated/')).length).toBe(0);
  });
});
