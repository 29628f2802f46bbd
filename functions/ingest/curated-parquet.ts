import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import type { ColumnSpec, StorageType, TableSpec } from '../contract/index.ts';

type SchemaElement = Parameters<typeof parquetWrite>[0]['schema'] extends (infer E)[] | undefined ? E : never;

const DAY_MS = 86_400_000;

/** The Parquet type of each storage type: fixed by the contract, never inferred from a file's values. */
const PARQUET_TYPES: Record<StorageType, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  int32: { type: 'INT32' },
  double: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  date: { type: 'INT32', converted_type: 'DATE' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

/** Values as stored: dates as days since 1970-01-01, timestamps as epoch milliseconds. */
const STORE: Record<StorageType, (value: unknown) => unknown> = {
  string: (v) => v,
  int32: (v) => v,
  double: (v) => v,
  boolean: (v) => v,
  date: (v) => Date.parse(v as string) / DAY_MS,
  timestamp: (v) => (typeof v === 'number' ? v : Date.parse(v as string)),
};

export function parquetSchemaOf(table: TableSpec): SchemaElement[] {
  return [
    { name: 'root', num_children: table.columns.length },
    ...table.columns.map((column) => ({ name: column.name, repetition_type: 'OPTIONAL' as const, ...PARQUET_TYPES[column.type] })),
  ];
}

/** Accepted rows of one upload, held column by column per partition until the upload commits. */
export class PartitionedColumns {
  private readonly partitions = new Map<string, unknown[][]>();
  private readonly store: ((value: unknown) => unknown)[];

  constructor(readonly table: TableSpec) {
    this.store = table.columns.map((column: ColumnSpec) => STORE[column.type]);
  }

  add(partition: string, row: Record<string, unknown>): void {
    let columns = this.partitions.get(partition);
    if (columns === undefined) {
      columns = this.table.columns.map(() => []);
      this.partitions.set(partition, columns);
    }
    const specs = this.table.columns;
    for (let i = 0; i < specs.length; i++) {
      const value = row[(specs[i] as ColumnSpec).name];
      (columns[i] as unknown[]).push(value === undefined || value === null ? null : (this.store[i] as (v: unknown) => unknown)(value));
    }
  }

  /** Rows per partition, in partition order. */
  counts(): Map<string, number> {
    return new Map([...this.partitions.keys()].sort().map((p) => [p, this.partitions.get(p)?.[0]?.length ?? 0]));
  }

  toParquet(partition: string): Uint8Array {
    const columns = this.partitions.get(partition);
    if (columns === undefined) throw new Error(`no rows for partition ${partition}`);
    const writer = new ByteWriter();
    parquetWrite({
      writer,
      schema: parquetSchemaOf(this.table),
      columnData: this.table.columns.map((column, i) => ({ name: column.name, data: columns[i] as unknown[] })),
      codec: 'SNAPPY',
      rowGroupSize: 100_000,
      createdBy: 'sp-outcomes ingest',
    });
    return new Uint8Array(writer.getBuffer());
  }
}
