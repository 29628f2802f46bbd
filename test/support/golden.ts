import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import { generateNationalDemo } from '../../cli/synthetic/generate.ts';
import { EVENT_FIELD_NAMES, type EventFieldName } from '../../functions/contract/index.ts';
import type { MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import type { Receipt } from '../../functions/contract/receipt.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { heldPeriodsOf, parentsFrom, SCAN_SPEC, scanPublished } from './disclosure-scan.ts';

/** One event of a hand-worked programme, by contract field. */
export type GoldenEvent = Partial<Record<EventFieldName, string | number | boolean>>;

/** An events CSV of the contract's columns in order; an absent field is an empty cell. */
export const eventsCsv = (rows: readonly GoldenEvent[]) =>
  `${[EVENT_FIELD_NAMES.join(','), ...rows.map((r) => EVENT_FIELD_NAMES.map((h) => r[h] ?? '').join(','))].join('\n')}\n`;

/** An accepted referral (SNOMED 871731000000106) by a GP, its person the hash of the referral id. */
export const referralEvent = (
  pcn: string,
  referralId: string,
  on: string,
  eventId = `E-${referralId}`,
): GoldenEvent => ({
  event_id: eventId,
  event_type: 'referral',
  pcn_code: pcn,
  referral_id: referralId,
  person_id: createHash('sha256').update(referralId).digest('hex'),
  occurred_on: on,
  referral_source: 'gp',
  referral_reasons: 'loneliness_isolation',
  snomed_code: '871731000000106',
  age_band: '45-54',
  sex: 'female',
  ethnicity_group: 'white',
  imd_decile: 2,
});

/** A telephone contact of 30 minutes with a link worker on a referral, its person the hash of the referral id. */
export const contactEvent = (pcn: string, referralId: string, on: string, eventId: string): GoldenEvent => ({
  event_id: eventId,
  event_type: 'contact',
  pcn_code: pcn,
  referral_id: referralId,
  person_id: createHash('sha256').update(referralId).digest('hex'),
  occurred_on: on,
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});

/** A decline (SNOMED 871711000000103, not ready) on a referral or an offer, its person the hash of its id. */
export const declinedEvent = (pcn: string, referralId: string, on: string, eventId: string): GoldenEvent => ({
  event_id: eventId,
  event_type: 'declined',
  pcn_code: pcn,
  referral_id: referralId,
  person_id: createHash('sha256').update(referralId).digest('hex'),
  occurred_on: on,
  snomed_code: '871711000000103',
  decline_reason: 'not_ready',
});

/** The regions of the hand-worked programmes' references, by code. */
const REGION_NAMES: Readonly<Record<string, string>> = {
  Y56: 'London',
  Y58: 'South West',
  Y59: 'South East',
  Y60: 'Midlands',
};

/**
 * The PCN reference of a hand-worked programme, a PCN a [code, ICB, region] row: each named for its number (U00001:
 * PCN 1), with a list of 10,000, in force since April 2019, its ICB named for the ICB code's last letter (QAA: NHS ICB
 * A) and its region by its code (REGION_NAMES).
 */
export function goldenReference(pcns: readonly (readonly [pcn: string, icb: string, region: string])[]): string {
  const rows = pcns.map(([pcn, icb, region]) => {
    const regionName = REGION_NAMES[region];
    if (regionName === undefined) throw new Error(`no region ${region} in the golden references`);
    return `${pcn},PCN ${Number(pcn.slice(1))},${icb},NHS ICB ${icb.slice(-1)},${region},${regionName},10000,2019-04-01,`;
  });
  return `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n${rows.join('\n')}\n`;
}

/**
 * Four PCNs in two ICBs of two regions: U00001 and U00002 in QAA (London), U00003 and U00004 in QBB (South West). The
 * programmes of review 8's cross-document findings (contacts-cohort, equity-dimensions).
 */
export const TWO_ICBS_REFERENCE = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAA', 'Y56'],
  ['U00003', 'QBB', 'Y58'],
  ['U00004', 'QBB', 'Y58'],
]);

/**
 * A workforce CSV of one PCN's link worker (splw) snapshots, one a month: `headcount` in post, `fte` FTE, of them
 * `trained(month)` with accredited training (all of them unless given), no vacancies.
 */
export function splwSnapshots(
  pcn: string,
  months: readonly string[],
  headcount: number,
  fte: number,
  trained: (month: string) => number = () => headcount,
): string {
  const rows = months.map((m) => `${pcn},${m},splw,${headcount},${fte},${trained(m)},0`);
  return `pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\n${rows.join('\n')}\n`;
}

/** Writes each upload's events into `dir` as its name says (`.csv` or `.jsonl`); returns the files' paths. */
export function writeEventFiles(dir: string, uploads: Readonly<Record<string, readonly GoldenEvent[]>>): string[] {
  return Object.entries(uploads).map(([name, rows]) => {
    const path = join(dir, name);
    writeFileSync(path, name.endsWith('.csv') ? eventsCsv(rows) : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    return path;
  });
}

/**
 * Writes `uploads` into `dir` and ingests them into `dataDir` with no output, received at `receivedAt` where given
 * (else the ingest's clock): the test fails unless every file is accepted in full.
 */
export async function ingestAllAccepted(
  dir: string,
  dataDir: string,
  uploads: Readonly<Record<string, readonly GoldenEvent[]>>,
  receivedAt?: (file: string) => Date,
): Promise<void> {
  const files = writeEventFiles(dir, uploads);
  const { summary } = await ingestFiles(files, {
    dataDir,
    out: () => {},
    progress: false,
    ...(receivedAt ? { receivedAt } : {}),
  });
  expect(summary.receipts.map((r) => r.status)).toEqual(files.map(() => 'accepted'));
}

/**
 * For each PCN's months (YYYY-MM): an upload a PCN and month (`<pcn>-<month>.csv`) of ten referrals, one person each,
 * ids `<pcn>-<month>-<i>` (0 to 9), dated the 10th to the 19th.
 */
export function tenReferralsAMonth(
  monthsByPcn: Readonly<Record<string, readonly string[]>>,
): Record<string, GoldenEvent[]> {
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const [pcn, months] of Object.entries(monthsByPcn))
    for (const m of months)
      uploads[`${pcn}-${m}.csv`] = Array.from({ length: 10 }, (_, i) =>
        referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i}`),
      );
  return uploads;
}

/** Ten PCNs, U00001 to U00010. */
export const TEN_PCNS = Array.from({ length: 10 }, (_, i) => `U${String(i + 1).padStart(5, '0')}`);

/** TEN_PCNS' uploads of a month (YYYY-MM): a file each (u00001-<month>.csv), 10 referrals dated the 2nd to the 11th. */
export const tenPcnsMonth = (month: string): Record<string, GoldenEvent[]> =>
  Object.fromEntries(
    TEN_PCNS.map((pcn) => [
      `${pcn.toLowerCase()}-${month}.csv`,
      Array.from({ length: 10 }, (_, i) =>
        referralEvent(pcn, `R-${pcn}-${month}-${i}`, `${month}-${String(2 + i).padStart(2, '0')}`),
      ),
    ]),
  );

/**
 * The reference of TEN_PCNS, each of 10,000 registered patients: U00001-U00005 in ICB QAA (London, Y56), U00006-U00010
 * in QBB (South West, Y58), all in force since April 2019.
 */
export const TEN_PCNS_REFERENCE = `${[
  'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
  ...TEN_PCNS.map(
    (code, i) =>
      `${code},PCN ${i + 1},${i < 5 ? 'QAA,NHS ICB A,Y56,London' : 'QBB,NHS ICB B,Y58,South West'},10000,2019-04-01,`,
  ),
].join('\n')}\n`;

/** Ingests `files` into `dataDir` with no output, received at `receivedAt` where given (else the ingest's clock). */
export const ingestQuietly = (files: readonly string[], dataDir: string, receivedAt?: string) =>
  ingestFiles(files, {
    dataDir,
    out: () => {},
    progress: false,
    ...(receivedAt === undefined ? {} : { receivedAt: () => new Date(receivedAt) }),
  });

/**
 * Runs a hand-worked programme through the whole local pipeline (the PCN reference staged, the files ingested into
 * `dataDir`, one refresh on the clock `now`) and puts the published documents into `docs` by name (`meta` for
 * meta.json). Returns the ingest's receipts.
 */
export async function publishGolden(
  dataDir: string,
  files: readonly string[],
  reference: string,
  now: Date,
  docs: Map<string, MetricDocument>,
  receivedAt?: (file: string) => Date,
): Promise<readonly Receipt[]> {
  const store = new FsObjectStore(dataDir);
  await stageReference(store, reference);
  const { summary } = await ingestFiles(files, {
    dataDir,
    out: () => {},
    progress: false,
    ...(receivedAt ? { receivedAt } : {}),
  });
  await refreshAndRead(dataDir, now, docs);
  return summary.receipts;
}

/**
 * One refresh of `dataDir` on the clock `now` (DuckDB), then every published JSON document into `docs` by name
 * (`meta` for meta.json); metrics/packs/ holds the PDF packs made from them.
 */
export async function refreshAndRead(dataDir: string, now: Date, docs: Map<string, MetricDocument>): Promise<void> {
  const store = new FsObjectStore(dataDir);
  const engine = new DuckDbEngine(dataDir);
  await refreshMetrics({ store, engine, clock: () => now });
  await engine.close();
  for (const key of (await store.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await store.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
}

/**
 * Releases of one store, in turn: each call writes its uploads (named in order, so a file is never overwritten),
 * ingests them into `dataDir` (received at `receivedAt` where given), refreshes on the clock `now` and keeps every
 * published document (`releases`).
 */
export function releaseChain(dir: string, dataDir: string) {
  const releases: Map<string, MetricDocument>[] = [];
  let files = 0;
  const release = async (now: string, uploads: Record<string, GoldenEvent[]>, receivedAt?: string) => {
    const paths = writeEventFiles(
      dir,
      Object.fromEntries(Object.entries(uploads).map(([name, rows]) => [`${files++}-${name}`, rows])),
    );
    await ingestQuietly(paths, dataDir, receivedAt);
    const docs = new Map<string, MetricDocument>();
    await refreshAndRead(dataDir, new Date(now), docs);
    releases.push(docs);
    return docs;
  };
  return { release, releases };
}

/**
 * Finds the one row of a document for an area and period (and the other columns given) in `docs`, as they are when
 * it is called: the test fails unless there is exactly one.
 */
export function rowFinder(docs: ReadonlyMap<string, MetricDocument>) {
  return (name: string, level: string, code: string, period: string, extra: Record<string, unknown> = {}) => {
    const found = docs
      .get(name)
      ?.rows.filter(
        (r) =>
          r.level === level &&
          r.code === code &&
          r.period === period &&
          Object.entries(extra).every(([k, v]) => r[k] === v),
      );
    expect(found, `${name} ${level} ${code} ${period} ${JSON.stringify(extra)}`).toHaveLength(1);
    return found?.[0] as MetricRow;
  };
}

/** What the disclosure scan finds in every published document with rows (no finding is the pass). */
export function disclosureFindings(docs: ReadonlyMap<string, MetricDocument>, reference: string): string[] {
  const meta = docs.get('meta') as unknown as Parameters<typeof parentsFrom>[1];
  const published = [...docs.values()].filter((d) => d.name !== undefined && d.rows !== undefined);
  return scanPublished(published, parentsFrom(reference, meta), SCAN_SPEC, heldPeriodsOf(docs.get('meta') as never));
}

/**
 * A small synthetic demo (2% of PCNs, April to June 2025, no faults; `seed` tells tests apart) written under `demoDir`
 * and ingested into `dataDir` with its reference staged: the store a refresh test starts from.
 */
export async function ingestSmallDemo(dataDir: string, demoDir: string, seed: number): Promise<void> {
  const manifest = generateNationalDemo({
    outDir: demoDir,
    scale: 0.02,
    months: 3,
    endMonth: '2025-06',
    seed,
    faultRate: 0,
  });
  await stageReference(new FsObjectStore(dataDir), readFileSync(join(demoDir, manifest.reference), 'utf8'));
  await ingestFiles(
    manifest.files.map((f) => join(demoDir, f.path)),
    { dataDir, out: () => {}, progress: false },
  );
}
