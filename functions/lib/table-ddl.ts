import type { StorageType, TableSpec } from '../contract/index.ts';

/**
 * The two engines' definitions of the curated tables, generated from the one table specification
 * (functions/contract/tables.ts) so that Athena/Glue and DuckDB see the same columns with the same types.
 */
export const ATHENA_TYPES: Record<StorageType, string> = {
  string: 'string',
  int32: 'int',
  double: 'double',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
};

export const DUCKDB_TYPES: Record<StorageType, string> = {
  string: 'VARCHAR',
  int32: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** Athena DDL: Parquet, partition projection on the month partition. `${bucket}` is replaced at deploy time. */
export function athenaDdl(table: TableSpec, firstMonth = '2019-01'): string {
  const columns = table.columns
    .map((c) => `  \`${c.name}\` ${ATHENA_TYPES[c.type]} COMMENT '${c.description.replaceAll("'", "''")}'`)
    .join(',\n');
  const location = `s3://\${bucket}/${table.prefix}/`;
  const lines = [
    `-- Generated from functions/contract/tables.ts by npm run contract:publish; do not edit.`,
    `-- ${table.description}`,
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${table.name} (`,
    columns,
    ')',
  ];
  if (table.partition) lines.push(`PARTITIONED BY (\`${table.partition.name}\` string)`);
  lines.push('STORED AS PARQUET', `LOCATION '${location}'`);
  const properties: [string, string][] = [['parquet.compression', 'SNAPPY']];
  if (table.partition) {
    const p = table.partition.name;
    properties.push(
      ['projection.enabled', 'true'],
      [`projection.${p}.type`, 'date'],
      [`projection.${p}.format`, 'yyyy-MM'],
      [`projection.${p}.range`, `${firstMonth},NOW`],
      [`projection.${p}.interval`, '1'],
      [`projection.${p}.interval.unit`, 'MONTHS'],
      ['storage.location.template', `${location}${p}=\${${p}}/`],
    );
  }
  lines.push(`TBLPROPERTIES (\n${properties.map(([k, v]) => `  '${k}' = '${v}'`).join(',\n')}\n)`);
  return `${lines.join('\n')};\n`;
}

const quote = (name: string) => `"${name}"`;
const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * A DuckDB view over the table's Parquet files under root. With no files yet it is an empty view with the
 * same typed columns, so every metric still runs on an empty store.
 */
export function duckDbView(table: TableSpec, root: string, hasFiles: boolean): string {
  const columns = [
    ...table.columns.map((c) => ({ name: c.name, type: DUCKDB_TYPES[c.type] })),
    ...(table.partition ? [{ name: table.partition.name, type: 'VARCHAR' }] : []),
  ];
  if (!hasFiles) {
    const nulls = columns.map((c) => `CAST(NULL AS ${c.type}) AS ${quote(c.name)}`).join(', ');
    return `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${nulls} WHERE 1 = 0`;
  }
  const glob = `${root.replace(/\/$/, '')}/${table.prefix}/${table.partition ? '*/' : ''}*.parquet`;
  const hive = table.partition
    ? `, hive_partitioning = true, hive_types = {${sqlString(table.partition.name)}: VARCHAR}`
    : '';
  // Explicit casts pin every column to the specification's type, whatever a file holds.
  const select = columns.map((c) => `CAST(${quote(c.name)} AS ${c.type}) AS ${quote(c.name)}`).join(', ');
  return `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${select} FROM read_parquet(${sqlString(glob)}, union_by_name = true${hive})`;
}
