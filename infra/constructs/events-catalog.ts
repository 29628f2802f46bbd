import { Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { QUERY_TABLES, type TableSpec } from '../../functions/contract/index.ts';
import { ATHENA_TYPES } from '../../functions/lib/table-ddl.ts';

export interface EventsCatalogProps {
  /** The bucket that holds curated/. */
  readonly bucketName: string;
  /** Glue database name. @default sp_outcomes */
  readonly databaseName?: string;
  /** First month of the partition projection. @default 2019-01 */
  readonly firstMonth?: string;
}

/**
 * The Glue database and tables Athena queries, generated from the same table specification as the DuckDB views
 * (functions/contract/tables.ts), with partition projection on the month, so no crawler or MSCK REPAIR is needed.
 */
export class EventsCatalog extends Construct {
  readonly databaseName: string;
  readonly tables: Readonly<Record<string, CfnTable>>;

  constructor(scope: Construct, id: string, props: EventsCatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? 'sp_outcomes';
    const catalogId = Stack.of(this).account;
    const database = new CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: this.databaseName,
        description: 'Social prescribing curated events, workforce and reference data',
      },
    });
    const tables: Record<string, CfnTable> = {};
    for (const spec of QUERY_TABLES) {
      const table = new CfnTable(this, `Table-${spec.name}`, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: tableInput(spec, props),
      });
      table.node.addDependency(database);
      tables[spec.name] = table;
    }
    this.tables = tables;
  }
}

export function tableInput(spec: TableSpec, props: EventsCatalogProps): CfnTable.TableInputProperty {
  const location = `s3://${props.bucketName}/${spec.prefix}/`;
  const projection: Record<string, string> = spec.partition
    ? {
        'projection.enabled': 'true',
        [`projection.${spec.partition.name}.type`]: 'date',
        [`projection.${spec.partition.name}.format`]: 'yyyy-MM',
        [`projection.${spec.partition.name}.range`]: `${props.firstMonth ?? '2019-01'},NOW`,
        [`projection.${spec.partition.name}.interval`]: '1',
        [`projection.${spec.partition.name}.interval.unit`]: 'MONTHS',
        'storage.location.template': `${location}${spec.partition.name}=\${${spec.partition.name}}/`,
      }
    : {};
  return {
    name: spec.name,
    description: spec.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY', ...projection },
    partitionKeys: spec.partition
      ? [{ name: spec.partition.name, type: 'string', comment: spec.partition.description }]
      : [],
    storageDescriptor: {
      location,
      columns: spec.columns.map((c) => ({
        name: c.name,
        type: ATHENA_TYPES[c.type],
        comment: c.description.slice(0, 255),
      })),
      inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };
}
