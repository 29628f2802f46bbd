import { EVENT_FIELDS, type FieldSpec, type StorageType, WORKFORCE_FIELDS } from './fields.ts';

/**
 * The curated tables: the one specification that the Parquet writer, the Athena/Glue DDL and the DuckDB
 * views are all generated from, so the engines and the files cannot drift apart.
 */
export interface ColumnSpec {
  readonly name: string;
  readonly type: StorageType;
  readonly description: string;
}

export interface TableSpec {
  readonly name: 'events' | 'workforce';
  /** Key prefix under the object store, before the partition folder. */
  readonly prefix: string;
  /** Hive partition column: part of the key, not stored in the file. */
  readonly partition: { readonly name: string; readonly description: string };
  readonly columns: readonly ColumnSpec[];
}

const LINEAGE: readonly ColumnSpec[] = [
  { name: 'upload_id', type: 'string', description: 'Upload that delivered the row (PCN + content hash).' },
  { name: 'source_row', type: 'int32', description: 'Row of the uploaded file, counting the CSV header as row 1.' },
  {
    name: 'received_at',
    type: 'timestamp',
    description:
      'When the upload landed; breaks ties between two versions of an event that carry the same recorded_at.',
  },
];

function columnsOf(fields: Record<string, FieldSpec>, skip: readonly string[] = []): ColumnSpec[] {
  return Object.entries(fields)
    .filter(([name]) => !skip.includes(name))
    .map(([name, spec]) => ({ name, type: spec.storage, description: spec.description }));
}

export const EVENTS_TABLE: TableSpec = {
  name: 'events',
  prefix: 'curated/events',
  partition: { name: 'event_month', description: 'Month of occurred_on, YYYY-MM.' },
  columns: [...columnsOf(EVENT_FIELDS), ...LINEAGE],
};

export const WORKFORCE_TABLE: TableSpec = {
  name: 'workforce',
  prefix: 'curated/workforce',
  partition: { name: 'snapshot_month', description: WORKFORCE_FIELDS.snapshot_month.description },
  columns: [...columnsOf(WORKFORCE_FIELDS, ['snapshot_month']), ...LINEAGE],
};

export const CURATED_TABLES = { events: EVENTS_TABLE, workforce: WORKFORCE_TABLE } as const;
export type UploadKind = keyof typeof CURATED_TABLES;
