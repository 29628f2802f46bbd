import { EVENT_FIELDS, type FieldSpec, type StorageType, WORKFORCE_FIELDS } from './fields.ts';
import { PCN_REFERENCE_COLUMNS } from './reference.ts';

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
  readonly name: string;
  readonly description: string;
  /** Key prefix under the object store, before the partition folder. */
  readonly prefix: string;
  /** Hive partition column (YYYY-MM): part of the key, not stored in the file. */
  readonly partition?: { readonly name: string; readonly description: string };
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

export interface PartitionedTableSpec extends TableSpec {
  readonly partition: { readonly name: string; readonly description: string };
}

export const EVENTS_TABLE: PartitionedTableSpec = {
  name: 'events',
  description: 'Every accepted event row as uploaded, corrections and retractions included.',
  prefix: 'curated/events',
  partition: { name: 'event_month', description: 'Month of occurred_on, YYYY-MM.' },
  columns: [...columnsOf(EVENT_FIELDS), ...LINEAGE],
};

export const WORKFORCE_TABLE: PartitionedTableSpec = {
  name: 'workforce',
  description: 'Every accepted workforce snapshot row.',
  prefix: 'curated/workforce',
  partition: { name: 'snapshot_month', description: WORKFORCE_FIELDS.snapshot_month.description },
  columns: [...columnsOf(WORKFORCE_FIELDS, ['snapshot_month']), ...LINEAGE],
};

export const CURATED_TABLES = { events: EVENTS_TABLE, workforce: WORKFORCE_TABLE } as const;
export type UploadKind = keyof typeof CURATED_TABLES;

/** The storage type and description of every column of the PCN reference file: the compiler checks none is missing. */
const PCN_COLUMNS: Readonly<Record<(typeof PCN_REFERENCE_COLUMNS)[number], Omit<ColumnSpec, 'name'>>> = {
  pcn_code: { type: 'string', description: 'ODS code of the PCN.' },
  pcn_name: { type: 'string', description: 'Name of the PCN.' },
  icb_code: { type: 'string', description: 'ODS code of the ICB the PCN belongs to in this period.' },
  icb_name: { type: 'string', description: 'Name of the ICB.' },
  region_code: { type: 'string', description: 'NHS England region code (Y56-Y63).' },
  region_name: { type: 'string', description: 'Name of the region.' },
  list_size: { type: 'int32', description: 'Registered patients.' },
  valid_from: { type: 'date', description: 'First day in force.' },
  valid_to: { type: 'date', description: 'Last day in force; null while current.' },
};

/** The PCN reference data in force over time (one row per PCN and period), published from reference/pcns/. */
export const PCNS_TABLE: TableSpec = {
  name: 'pcns',
  description: 'PCN to ICB to region, with list size, one row per period in force.',
  prefix: 'curated/pcns',
  columns: PCN_REFERENCE_COLUMNS.map((name) => ({ name, ...PCN_COLUMNS[name] })),
};

/** One row per upload, built from the receipts at each refresh, for the data-quality metrics. */
export const UPLOADS_TABLE: TableSpec = {
  name: 'uploads',
  description: 'One row per upload receipt.',
  prefix: 'curated/uploads',
  columns: [
    { name: 'upload_id', type: 'string', description: 'PCN + content hash.' },
    { name: 'pcn_code', type: 'string', description: 'The sending PCN.' },
    { name: 'kind', type: 'string', description: 'events or workforce (null when the file could not be read).' },
    { name: 'status', type: 'string', description: 'accepted, partially_accepted or rejected.' },
    { name: 'received_at', type: 'timestamp', description: 'When the upload landed.' },
    { name: 'rows_read', type: 'int32', description: 'Rows read.' },
    { name: 'rows_accepted', type: 'int32', description: 'Rows accepted.' },
    { name: 'rows_rejected', type: 'int32', description: 'Rows rejected.' },
    { name: 'file_error', type: 'string', description: 'Why the whole file was refused, if it was.' },
    {
      name: 'rejected_invalid',
      type: 'int32',
      description: 'Rows rejected for a missing, malformed or out-of-range value.',
    },
    { name: 'rejected_duplicate', type: 'int32', description: 'Rows rejected as a repeated event id or snapshot.' },
    { name: 'rejected_other', type: 'int32', description: 'Rows rejected for any other reason.' },
  ],
};

export const QUERY_TABLES = [EVENTS_TABLE, WORKFORCE_TABLE, PCNS_TABLE, UPLOADS_TABLE] as const;
