import { randomUUID } from 'node:crypto';
import { parquetRead } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { CURATED_TABLES, type PartitionedTableSpec } from '../contract/index.ts';
import type { ObjectStore } from '../lib/object-store.ts';
import { parquetSchemaOf } from '../lib/parquet.ts';
import { listReceipts } from './publish-tables.ts';

/**
 * Compaction of the curated Parquet: the ingest writes one object per upload per month (about 2,500 a month
 * nationally, each a few kB); a refresh reading them all spends its time listing and opening objects. Compaction
 * merges a month's objects into a few, row for row: every column is kept, upload_id, source_row and received_at
 * included, so corrections, retractions and the receipt rule read the compacted rows exactly as the small ones.
 *
 * The commit protocol, so that a reader never sees a row twice or not at all:
 *  1. the merged objects are written as `<table>/<partition>=<M>/compacted.<id>.<n>.parquet` (a dot, which no upload
 *     id holds, so a compacted object is never taken for an upload's);
 *  2. the compaction's record `compactions/<table>/<partition>=<M>/<id>.json` is written: it is the commit, as the
 *     receipt is an upload's, and names the objects it replaces;
 *  3. the replaced objects are deleted.
 * Athena reads every object under a partition and cannot be told to skip one
 * (https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html), nor can DuckDB's glob, so between
 * steps 1 and 3 a reader would see rows twice. So recoverCompactions() runs first in every refresh and every
 * compaction: an object named by a record's `replaces` is deleted (a crash after step 2 rolls forward), a compacted
 * object with no record is deleted (a crash before step 2 rolls back). Refreshes and compactions never overlap (one FIFO message group in AWS, one process locally), and the
 * refresh runs the recovery before it reads, so what it reads is always a whole, committed state. Objects of uploads
 * without a receipt are never compacted (their ingest may still be writing them).
 */

export const COMPACTIONS_PREFIX = 'compactions/';

/**
 * The event types the refresh's SQL reads apart, each on its own (sql/prepare, sql/metrics: the referrals in
 * episodes.sql, the retractions in candidates.sql, the service use in cof_system.sql, the wellbeing measures in
 * wellbeing_pairs.sql): compaction writes each one's rows together, so a scan that asks for one of them reads its
 * row groups and skips every other by the row group's min and max of event_type (DuckDB and Trino alike). The other
 * kinds (contacts, community connections, plans, declines, discharges: the follow-ups episodes.sql reads together)
 * are written together before them, in the order they were sent, so that a person's events stay side by side there
 * and Snappy still finds their person_id repeated: sorted by every event type instead, a national month's object was
 * 46% larger (77.1 MB against 52.8, person_id 61.4 against 35.3 MB; reverted for it, 0bcff74), this way 25% (66.7
 * MB, person_id 50.8). Their event types sort before 'referral', so those row groups' range leaves the four out.
 * Within each group the rows are in upload and source row order: the order is total, and a compaction's output does
 * not depend on the order its sources were listed or read in. Issue 17 (perfsql4; docs/benchmarks.md).
 */
export const SEPARATE_EVENT_TYPES: readonly string[] = ['referral', 'retraction', 'service_use', 'wellbeing_measure'];

/** Rows per row group of compacted objects (at most; the hyparquet merger also starts one at each group's start). */
export const COMPACTED_ROW_GROUP_ROWS = 100_000;

/**
 * The group of an event row in the compacted order: its event type when SEPARATE_EVENT_TYPES holds it, '' for the
 * others (so they come first). The DuckDB merger's ORDER BY writes the same as eventGroupSql.
 */
export const eventGroupOf = (eventType: unknown): string =>
  typeof eventType === 'string' && SEPARATE_EVENT_TYPES.includes(eventType) ? eventType : '';

/** eventGroupOf in SQL, for the events table's ORDER BY. */
export const EVENT_GROUP_SQL = `CASE WHEN "event_type" IN (${SEPARATE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')}) THEN "event_type" ELSE '' END`;

/** Whether compaction writes a table's rows grouped by event type (the events) or in the order read. */
export const groupsByEventType = (table: PartitionedTableSpec): boolean =>
  table.columns.some((c) => c.name === 'event_type');

export interface CompactionRecord {
  readonly id: string;
  readonly table: string;
  readonly partition: string;
  readonly created_at: string;
  /** The compacted objects this compaction wrote. */
  readonly objects: readonly string[];
  /** The objects they replace (upload objects or earlier compacted objects). */
  readonly replaces: readonly string[];
  /** Every upload whose rows the objects hold. */
  readonly uploads: readonly string[];
  readonly rows: number;
}

/** Merges Parquet objects of one table into objects of at most maxRows rows each (a larger source stays whole). */
export interface ParquetMerger {
  merge(
    table: PartitionedTableSpec,
    keys: readonly string[],
    maxRows: number,
    write: (bytes: Uint8Array, rows: number) => Promise<void>,
  ): Promise<void>;
  /**
   * Partitions it may merge at once. Past 1, the merged objects of the partitions ahead are held in memory until
   * their turn: the partitions still commit one after another, in order, exactly as with 1. @default 1
   */
  readonly concurrency?: number;
  /** Releases what the merges held open (an engine); compactCurated calls it when it ends. It may merge again after. */
  close?(): Promise<void>;
}

export interface CompactionPolicy {
  /** A partition is compacted once it holds at least this many upload objects. @default 2 */
  readonly minUploadObjects: number;
  /**
   * Compacted objects a partition may hold beyond the fewest its rows need (rows / maxRowsPerObject, rounded up);
   * past that they are merged again, with the upload objects. @default 4
   */
  readonly maxCompactedObjects: number;
  /** Rows per compacted object, so that a merge holds a bounded amount in memory. @default 1,000,000 */
  readonly maxRowsPerObject: number;
  /**
   * The time compaction may take, in milliseconds: a partition's merge is started only if the time left covers it,
   * as estimated from the partitions done so far (see compactCurated). Each partition commits on its own, so the
   * next run goes on where this one stopped (a Lambda has 15 minutes for compaction and the refresh). @default no limit
   */
  readonly budgetMs?: number;
  /**
   * Only these partitions (months) are compacted, and counted in the result; the others are left as they are. For a
   * compaction that runs while uploads of other months are still being ingested (npm start). @default every one
   */
  readonly partitions?: ReadonlySet<string>;
}

export const DEFAULT_COMPACTION_POLICY: CompactionPolicy = {
  minUploadObjects: 2,
  maxCompactedObjects: 4,
  maxRowsPerObject: 1_000_000,
};

const COMPACTED_FILE = /^compacted\.([a-z0-9-]+)\.\d+\.parquet$/;
const fileOf = (key: string) => key.slice(key.lastIndexOf('/') + 1);

/** The compaction id of a compacted object's key, or undefined for an upload's object. */
export function compactionIdOf(key: string): string | undefined {
  return COMPACTED_FILE.exec(fileOf(key))?.[1];
}

/** The upload id of an upload's curated object, or undefined for a compacted object. */
export function uploadIdOf(key: string): string | undefined {
  const file = fileOf(key);
  return file.endsWith('.parquet') && !COMPACTED_FILE.test(file) ? file.slice(0, -'.parquet'.length) : undefined;
}

const recordKey = (table: PartitionedTableSpec, partition: string, id: string) =>
  `${COMPACTIONS_PREFIX}${table.name}/${table.partition.name}=${partition}/${id}.json`;

/** Every compaction record in the store. */
export async function compactionRecords(store: ObjectStore): Promise<CompactionRecord[]> {
  const records: CompactionRecord[] = [];
  for (const key of await store.list(COMPACTIONS_PREFIX)) {
    const bytes = await store.get(key);
    if (bytes !== undefined) records.push(JSON.parse(new TextDecoder().decode(bytes)) as CompactionRecord);
  }
  return records;
}

export interface RecoveryResult {
  /** Objects a committed compaction replaced, deleted now (its run stopped before deleting them). */
  readonly rolledForward: number;
  /** Compacted objects with no record, deleted now (their run stopped before committing). */
  readonly rolledBack: number;
  /** The records in force afterwards. */
  readonly records: readonly CompactionRecord[];
}

/** Finishes or undoes any compaction that stopped part-way (see the protocol above). */
export async function recoverCompactions(store: ObjectStore): Promise<RecoveryResult> {
  let records = await compactionRecords(store);
  const replaced = new Set(records.flatMap((r) => r.replaces));
  const committed = new Set(records.flatMap((r) => r.objects));
  let rolledForward = 0;
  let rolledBack = 0;
  const present = new Set<string>();
  for (const table of Object.values(CURATED_TABLES)) {
    for (const key of await store.list(`${table.prefix}/`)) {
      if (replaced.has(key)) {
        await store.delete(key);
        rolledForward++;
      } else if (compactionIdOf(key) !== undefined && !committed.has(key)) {
        await store.delete(key);
        rolledBack++;
      } else {
        present.add(key);
      }
    }
  }
  // A record whose objects have all been replaced by a later compaction commits nothing any more.
  const spent = records.filter((r) => r.objects.every((key) => !present.has(key)));
  for (const record of spent)
    await store.delete(
      recordKey(CURATED_TABLES[record.table as keyof typeof CURATED_TABLES], record.partition, record.id),
    );
  records = records.filter((r) => !spent.includes(r));
  return { rolledForward, rolledBack, records };
}

export interface CompactionResult {
  readonly partitions: number;
  readonly objectsBefore: number;
  readonly objectsAfter: number;
}

/** Test seam: called between the steps of each partition's compaction (a throw stands for a crash there). */
export type CompactionStep = 'merged' | 'committed' | 'deleted';

/** A partition the policy says to compact, with the objects its compaction replaces. */
interface PlannedPartition {
  readonly table: PartitionedTableSpec;
  readonly partition: string;
  /** Every object the partition holds now. */
  readonly keys: readonly string[];
  /** The objects this compaction merges (and then replaces). */
  readonly sources: readonly string[];
}

type MergedObjects = { readonly bytes: Uint8Array; readonly rows: number }[];

/** Which partitions the policy says to compact, with the objects each compaction replaces; the rest stay as they are. */
async function planCompaction(
  store: ObjectStore,
  records: readonly CompactionRecord[],
  receipts: ReadonlySet<string>,
  policy: CompactionPolicy,
): Promise<{ planned: PlannedPartition[]; objectsBefore: number; objectsAfter: number }> {
  let objectsBefore = 0;
  let objectsAfter = 0;
  const planned: PlannedPartition[] = [];
  for (const table of Object.values(CURATED_TABLES)) {
    const byPartition = new Map<string, string[]>();
    for (const key of await store.list(`${table.prefix}/`)) {
      const partition = /=([^/]+)\/[^/]+$/.exec(key)?.[1];
      if (partition === undefined || !key.endsWith('.parquet')) continue;
      const keys = byPartition.get(partition);
      if (keys) keys.push(key);
      else byPartition.set(partition, [key]);
    }
    for (const [partition, keys] of byPartition) {
      if (policy.partitions !== undefined && !policy.partitions.has(partition)) continue;
      objectsBefore += keys.length;
      const compacted = keys.filter((key) => compactionIdOf(key) !== undefined);
      const uploads = keys.filter((key) => receipts.has(uploadIdOf(key) ?? ''));
      const compactedRows = records
        .filter((r) => r.table === table.name && r.partition === partition)
        .reduce((sum, r) => sum + r.rows, 0);
      const fewest = Math.ceil(compactedRows / policy.maxRowsPerObject);
      const mergeAll = compacted.length + 1 > fewest + policy.maxCompactedObjects;
      if (uploads.length < policy.minUploadObjects && !mergeAll) objectsAfter += keys.length;
      else planned.push({ table, partition, keys, sources: mergeAll ? [...compacted, ...uploads] : uploads });
    }
  }
  return { planned, objectsBefore, objectsAfter };
}

/**
 * Compacts every partition of the curated tables that needs it (CompactionPolicy), committing each partition on its
 * own, in order. Upload objects are taken only once their receipt exists. A merger with concurrency above 1 merges
 * the next partitions while one commits; the commits themselves go one after another, as with one merge at a time.
 */
export async function compactCurated(
  store: ObjectStore,
  merger: ParquetMerger,
  policy: CompactionPolicy = DEFAULT_COMPACTION_POLICY,
  onStep?: (step: CompactionStep, partition: string) => void,
  /** Milliseconds on a monotonic clock (a test's own clock). @default performance.now */
  now: () => number = () => performance.now(),
  /**
   * The upload ids of the receipts (listReceipts), as the refresh listed them once at its start (R24-5a): an upload
   * whose receipt came later is compacted by the next refresh. @default listed here
   */
  listed?: readonly string[],
): Promise<CompactionResult> {
  const { records } = await recoverCompactions(store);
  const uploadsOfCompacted = new Map(records.flatMap((r) => r.objects.map((key) => [key, r.uploads] as const)));
  const receipts = new Set(listed ?? (await listReceipts(store)));
  const started = now();
  const plan = await planCompaction(store, records, receipts, policy);
  const { planned, objectsBefore } = plan;
  let objectsAfter = plan.objectsAfter;

  // The budget: a merge is started only if the time left covers it. Its time is estimated from the partitions done
  // so far, per object merged, from the start of a partition's merge to the end of its commit (a merge started
  // ahead waits for its turn to commit, so the estimate errs long). Before any partition is done there is no
  // estimate: the first merge is started alone (so that a run always gets somewhere), none beside it.
  let spentMs = 0;
  let objectsDone = 0;
  let merging = 0;
  const fits = (objects: number) => {
    if (policy.budgetMs === undefined) return true;
    const left = policy.budgetMs - (now() - started);
    if (left <= 0) return false;
    if (objectsDone === 0) return merging === 0;
    return (spentMs / objectsDone) * objects <= left;
  };

  const concurrency = Math.max(1, Math.floor(merger.concurrency ?? 1));
  // Merges started ahead of their turn (concurrency > 1), by place in the plan, with when each started.
  const ahead = new Map<number, { merged: Promise<MergedObjects>; startedAt: number }>();
  const mergeAhead = (index: number) => {
    const next = planned[index];
    if (next === undefined || ahead.has(index) || !fits(next.sources.length)) return;
    const startedAt = now();
    merging++;
    const objects: MergedObjects = [];
    const merged = merger
      .merge(next.table, next.sources, policy.maxRowsPerObject, async (bytes, rows) => {
        objects.push({ bytes, rows });
      })
      .then(() => objects);
    // Awaited in its turn; should an earlier partition fail first, its failure must not go unhandled meanwhile.
    merged.catch(() => {});
    ahead.set(index, { merged, startedAt });
  };
  let partitions = 0;
  try {
    for (const [index, plan] of planned.entries()) {
      const { table, partition, keys, sources } = plan;
      if (concurrency > 1) for (let i = index; i < index + concurrency; i++) mergeAhead(i);
      const mergedAhead = ahead.get(index);
      if (concurrency > 1 ? mergedAhead === undefined : !fits(sources.length)) {
        objectsAfter += keys.length;
        continue;
      }
      const startedAt = mergedAhead?.startedAt ?? now();
      if (mergedAhead === undefined) merging++;
      const id = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
      const written: string[] = [];
      const uploadIds = new Set<string>();
      for (const key of sources)
        for (const upload of uploadsOfCompacted.get(key) ?? [uploadIdOf(key) as string]) uploadIds.add(upload);
      let rows = 0;
      const put = async (bytes: Uint8Array, n: number) => {
        const key = `${table.prefix}/${table.partition.name}=${partition}/compacted.${id}.${written.length}.parquet`;
        await store.put(key, bytes, { contentType: 'application/vnd.apache.parquet' });
        written.push(key);
        rows += n;
      };
      if (mergedAhead === undefined) await merger.merge(table, sources, policy.maxRowsPerObject, put);
      else for (const { bytes, rows: n } of await mergedAhead.merged) await put(bytes, n);
      ahead.delete(index);
      onStep?.('merged', partition);
      const record: CompactionRecord = {
        id,
        table: table.name,
        partition,
        created_at: new Date().toISOString(),
        objects: written,
        replaces: sources,
        uploads: [...uploadIds].sort(),
        rows,
      };
      await store.put(recordKey(table, partition, id), JSON.stringify(record), { contentType: 'application/json' });
      onStep?.('committed', partition);
      for (const key of sources) await store.delete(key);
      onStep?.('deleted', partition);
      merging--;
      spentMs += now() - startedAt;
      objectsDone += sources.length;
      partitions++;
      objectsAfter += keys.length - sources.length + written.length;
    }
  } finally {
    // Merges still running ahead (a commit failed) finish before the merger lets go of its engine.
    await Promise.allSettled([...ahead.values()].map((a) => a.merged));
    await merger.close?.();
  }
  // Records whose objects a merge-all replaced are spent now.
  await recoverCompactions(store);
  return { partitions, objectsBefore, objectsAfter };
}

const DAY_MS = 86_400_000;
const READS_IN_FLIGHT = 16;

/** Two texts in the byte order of their UTF-8 (DuckDB's order of VARCHAR; JavaScript's < compares UTF-16 units). */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** The row numbers of events in the compacted order: eventGroupOf, then upload_id, then source_row. */
export function compactedEventOrder(
  eventTypes: readonly unknown[],
  uploadIds: readonly unknown[],
  sourceRows: readonly unknown[],
): Uint32Array {
  // A rank per distinct text, so that the sort compares numbers.
  const rankOf = (values: readonly string[]) => {
    const distinct = [...new Set(values)].sort(byteOrder);
    const rank = new Map(distinct.map((value, i) => [value, i]));
    return Float64Array.from(values, (value) => rank.get(value) as number);
  };
  const groups = rankOf(eventTypes.map(eventGroupOf));
  const uploads = rankOf(uploadIds.map((u) => String(u ?? '')));
  const order = Uint32Array.from({ length: eventTypes.length }, (_, i) => i);
  return order.sort(
    (a, b) =>
      (groups[a] as number) - (groups[b] as number) ||
      (uploads[a] as number) - (uploads[b] as number) ||
      Number(sourceRows[a] ?? 0) - Number(sourceRows[b] ?? 0) ||
      a - b,
  );
}

/**
 * Row group sizes that never put two groups' rows in one row group: each run of one value is cut into the fewest
 * groups of at most maxRows rows, of near-equal sizes.
 */
export function rowGroupsByRuns(values: readonly unknown[], maxRows: number): number[] {
  const sizes: number[] = [];
  let start = 0;
  for (let i = 1; i <= values.length; i++) {
    if (i < values.length && values[i] === values[start]) continue;
    const run = i - start;
    const parts = Math.ceil(run / maxRows);
    for (let p = 0; p < parts; p++) sizes.push(Math.floor((run * (p + 1)) / parts) - Math.floor((run * p) / parts));
    start = i;
  }
  return sizes;
}

/**
 * The merger that runs anywhere (the refresh Lambda in AWS): reads each object with hyparquet, column by column,
 * and writes the rows with the contract's Parquet schema. Holds at most one output object's rows; the events it puts
 * in the compacted order (SEPARATE_EVENT_TYPES: the group, then upload and source row) before writing them, each
 * group in row groups of its own with whole min/max statistics of event_type, as the DuckDB merger's COPY writes them
 * (the order holds within each object; the objects of a partition overlap).
 */
export function hyparquetMerger(store: ObjectStore): ParquetMerger {
  return {
    async merge(table, keys, maxRows, write) {
      const names = table.columns.map((c) => c.name);
      const types = table.columns.map((c) => c.type);
      let columns: unknown[][] = names.map(() => []);
      let rows = 0;
      const grouped = groupsByEventType(table);
      const eventType = names.indexOf('event_type');
      const flush = async () => {
        if (rows === 0) return;
        let rowGroupSize: number | number[] = COMPACTED_ROW_GROUP_ROWS;
        if (grouped) {
          const order = compactedEventOrder(
            columns[eventType] as unknown[],
            columns[names.indexOf('upload_id')] as unknown[],
            columns[names.indexOf('source_row')] as unknown[],
          );
          // One column at a time, so that at most one column is held twice.
          for (const [c, column] of columns.entries()) {
            const target = new Array<unknown>(rows);
            for (let r = 0; r < rows; r++) target[r] = column[order[r] as number];
            columns[c] = target;
          }
          rowGroupSize = rowGroupsByRuns((columns[eventType] as unknown[]).map(eventGroupOf), COMPACTED_ROW_GROUP_ROWS);
        }
        const writer = new ByteWriter();
        parquetWrite({
          writer,
          schema: parquetSchemaOf(table),
          columnData: names.map((name, i) => ({
            name,
            data: columns[i] as unknown[],
            // and event_type's, by which a reader skips the row groups of the other groups
            statistics: types[i] !== 'string' || (grouped && i === eventType),
          })),
          // Whole values: truncated to 16 bytes (the default), 'community_connection' and 'wellbeing_measure' would
          // not be their own min and max.
          statisticsTruncateLength: Number.POSITIVE_INFINITY,
          codec: 'SNAPPY',
          rowGroupSize,
          createdBy: 'sp-outcomes compaction',
        });
        await write(new Uint8Array(writer.getBuffer()), rows);
        columns = names.map(() => []);
        rows = 0;
      };
      // Objects are a few kB each: fetch READS_IN_FLIGHT at a time, merge them in key order.
      const fetches = new Map<string, Promise<Uint8Array | undefined>>();
      const fetchFrom = (index: number) => {
        for (let i = index; i < Math.min(keys.length, index + READS_IN_FLIGHT); i++) {
          const key = keys[i] as string;
          if (fetches.has(key)) continue;
          const fetched = store.get(key);
          // Awaited in turn below; a failure before its turn must not go unhandled meanwhile.
          fetched.catch(() => {});
          fetches.set(key, fetched);
        }
      };
      for (const [index, key] of keys.entries()) {
        fetchFrom(index);
        const bytes = await fetches.get(key);
        fetches.delete(key);
        if (bytes === undefined) throw new Error(`compaction: ${key} is gone`);
        const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        const chunks = new Map<string, unknown[][]>();
        let count = 0;
        await parquetRead({
          file,
          columns: names,
          onChunk: (chunk) => {
            const list = chunks.get(chunk.columnName) ?? [];
            list.push(Array.from(chunk.columnData as ArrayLike<unknown>));
            chunks.set(chunk.columnName, list);
          },
        });
        names.forEach((name, i) => {
          const values = (chunks.get(name) ?? []).flat();
          if (i === 0) count = values.length;
          const target = columns[i] as unknown[];
          const type = types[i];
          for (const value of values) {
            if (value instanceof Date)
              target.push(type === 'date' ? Math.round(value.getTime() / DAY_MS) : value.getTime());
            else if (typeof value === 'bigint') target.push(Number(value));
            else target.push(value ?? null);
          }
        });
        rows += count;
        if (rows >= maxRows) await flush();
      }
      await flush();
    },
  };
}
