/**
 * PROTOTYPE: PartitionedColumns in a worker thread. The ingest's thread packs each accepted row's values into a batch
 * (texts joined by NUL, which no accepted file holds; numbers in a Float64Array) and posts it; the worker unpacks the
 * rows and adds them to its own PartitionedColumns, encoding pages while the ingest reads on.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { PartitionedTableSpec } from '../contract/index.ts';
import { type Lineage, PartitionedColumns } from './parquet.ts';

const BATCH_ROWS = 4096;

interface Init {
  readonly table: PartitionedTableSpec;
  readonly lineage: Lineage;
  /** Per value position of a row: -1 not stored, else 0 text, 1 number. */
  readonly kinds: Int8Array;
  readonly slots: Int32Array;
}

interface Batch {
  readonly type: 'batch';
  readonly names: string[];
  readonly parts: Int32Array;
  readonly rows: Int32Array;
  readonly count: number;
  readonly text: string;
  readonly numbers: Float64Array;
}

export class WorkerColumns {
  private readonly worker: Worker;
  private readonly counted = new Map<string, number>();
  private readonly partIndex = new Map<string, number>();
  private newNames: string[] = [];
  private readonly kinds: Int8Array;
  private readonly numbersPerRow: number;
  private texts: string[] = [];
  private numbers: Float64Array;
  private parts = new Int32Array(BATCH_ROWS);
  private rows = new Int32Array(BATCH_ROWS);
  private count = 0;
  private files: Promise<Map<string, Uint8Array>> | undefined;
  private failure: unknown;

  constructor(
    readonly table: PartitionedTableSpec,
    lineage: Lineage,
    fieldTypes: readonly (string | undefined)[],
    private readonly slots: Int32Array,
  ) {
    this.kinds = Int8Array.from(fieldTypes, (type, j) =>
      (slots[j] as number) < 0 || type === undefined
        ? -1
        : type === 'int32' || type === 'double' || type === 'boolean'
          ? 1
          : 0,
    );
    this.numbersPerRow = this.kinds.filter((kind) => kind === 1).length;
    this.numbers = new Float64Array(BATCH_ROWS * this.numbersPerRow);
    const data = { workerData: { table, lineage, kinds: this.kinds, slots } satisfies Init };
    // Run from TypeScript (tsx, in development): the worker registers tsx's loader before it loads this module.
    this.worker = process.env.INGEST_WORKER_URL
      ? new Worker(new URL(process.env.INGEST_WORKER_URL), data)
      : import.meta.url.endsWith('.ts')
        ? new Worker(
            `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`,
            { ...data, eval: true },
          )
        : new Worker(new URL(import.meta.url), data);
    this.worker.on('error', (error) => {
      this.failure = error;
    });
  }

  add(partition: string, values: readonly unknown[], _slots: Int32Array, sourceRow: number): void {
    this.counted.set(partition, (this.counted.get(partition) ?? 0) + 1);
    let part = this.partIndex.get(partition);
    if (part === undefined) {
      part = this.partIndex.size;
      this.partIndex.set(partition, part);
      this.newNames.push(partition);
    }
    const at = this.count++;
    this.parts[at] = part;
    this.rows[at] = sourceRow;
    const { kinds, texts, numbers } = this;
    let n = at * this.numbersPerRow;
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[j];
      if (kind === -1) continue;
      const value = values[j];
      if (kind === 0) texts.push(value === undefined || value === null ? '' : (value as string));
      else numbers[n++] = value === undefined || value === null ? Number.NaN : Number(value);
    }
    if (this.count === BATCH_ROWS) this.post();
  }

  private post(): void {
    if (this.count === 0) return;
    const batch: Batch = {
      type: 'batch',
      names: this.newNames,
      parts: this.parts,
      rows: this.rows,
      count: this.count,
      text: this.texts.join('\0'),
      numbers: this.numbers,
    };
    this.worker.postMessage(batch, [this.parts.buffer, this.rows.buffer, this.numbers.buffer] as ArrayBuffer[]);
    this.newNames = [];
    this.texts = [];
    this.parts = new Int32Array(BATCH_ROWS);
    this.rows = new Int32Array(BATCH_ROWS);
    this.numbers = new Float64Array(BATCH_ROWS * this.numbersPerRow);
    this.count = 0;
  }

  counts(): Map<string, number> {
    return new Map([...this.counted.keys()].sort().map((p) => [p, this.counted.get(p) as number]));
  }

  /** Every partition's Parquet file, once the worker has encoded every row; the worker then ends. */
  finish(): Promise<Map<string, Uint8Array>> {
    this.files ??= new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.post();
      this.worker.once('message', (files: Map<string, Uint8Array>) => {
        void this.worker.terminate();
        resolve(files);
      });
      this.worker.once('error', reject);
      this.worker.postMessage({ type: 'finish' });
    });
    return this.files;
  }

  close(): void {
    void this.worker.terminate();
  }
}

function serve(init: Init): void {
  const columns = new PartitionedColumns(init.table, init.lineage);
  const { kinds } = init;
  // The worker's rows carry only stored values, in value order: slots of those.
  const stored: number[] = [];
  kinds.forEach((kind, j) => {
    if (kind !== -1) stored.push(j);
  });
  const slots = Int32Array.from(stored, (j) => init.slots[j] as number);
  const values: unknown[] = stored.map(() => undefined);
  const isNumber = stored.map((j) => kinds[j] === 1);
  const booleans = stored.map((j) => init.table.columns[init.slots[j] as number]?.type === 'boolean');
  const names: string[] = [];
  const port = parentPort as NonNullable<typeof parentPort>;
  port.on('message', (message: Batch | { type: 'finish' }) => {
    if (message.type === 'finish') {
      const files = new Map<string, Uint8Array>();
      for (const partition of columns.counts().keys()) files.set(partition, columns.toParquet(partition));
      port.postMessage(
        files,
        [...files.values()].map((file) => file.buffer as ArrayBuffer),
      );
      return;
    }
    names.push(...message.names);
    const texts = message.text.split('\0');
    let t = 0;
    let n = 0;
    const { numbers, parts, rows, count } = message;
    for (let r = 0; r < count; r++) {
      for (let k = 0; k < values.length; k++) {
        if (isNumber[k]) {
          const value = numbers[n++] as number;
          // biome-ignore lint/suspicious/noSelfCompare: NaN is none.
          values[k] = value !== value ? undefined : booleans[k] ? value === 1 : value;
        } else {
          const text = texts[t++] as string;
          values[k] = text === '' ? undefined : text;
        }
      }
      columns.add(names[parts[r] as number] as string, values, slots, rows[r] as number);
    }
  });
}

if (!isMainThread && (workerData as Init | undefined)?.kinds !== undefined) serve(workerData as Init);
