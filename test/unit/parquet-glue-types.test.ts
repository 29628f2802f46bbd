import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, parquetWrite } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { QUERY_TABLES } from '../../functions/contract/index.ts';
import { tableToParquet } from '../../functions/lib/parquet.ts';
import { ATHENA_TYPES } from '../../functions/lib/table-ddl.ts';
import { AthenaStandIn } from '../aws/athena-stand-in.ts';
import { glueTypeOfParquet, parquetTypeProblems, readParquetFooter, readsAs } from '../aws/parquet-glue-types.ts';
import { tempDir } from '../support/files.ts';

/*
 * Review 33, R33-6b: the Athena stand-in reads each Parquet object's column types as Athena does
 * (test/aws/parquet-glue-types.ts, PARQUET_TYPE_SOURCES), where DuckDB's CAST would take nearly anything. test:aws
 * checks every object the bundles write against the tables of cdk.out's template; these are the rules themselves.
 */
const column = (element: Omit<SchemaElement, 'name'>): SchemaElement => ({
  name: 'c',
  repetition_type: 'OPTIONAL',
  ...element,
});

describe("a Parquet column's physical and logical type, as the Glue type Athena reads it as", () => {
  it('maps each annotation to its type, and none where Athena has no column type for it', () => {
    const cases: [Omit<SchemaElement, 'name'>, string | undefined][] = [
      [{ type: 'BYTE_ARRAY', converted_type: 'UTF8' }, 'string'],
      [{ type: 'BYTE_ARRAY', logical_type: { type: 'STRING' } }, 'string'],
      [{ type: 'BYTE_ARRAY' }, 'binary'],
      [{ type: 'INT32' }, 'int'],
      [{ type: 'INT32', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } }, 'smallint'],
      [{ type: 'INT32', converted_type: 'UINT_32' }, undefined],
      [{ type: 'INT32', converted_type: 'DATE' }, 'date'],
      [{ type: 'INT32', logical_type: { type: 'DATE' } }, 'date'],
      [{ type: 'INT64' }, 'bigint'],
      [{ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }, 'timestamp'],
      [{ type: 'INT64', converted_type: 'TIMESTAMP_MICROS' }, 'timestamp'],
      [{ type: 'INT64', logical_type: { type: 'TIMESTAMP', unit: 'NANOS', isAdjustedToUTC: false } }, 'timestamp'],
      [{ type: 'INT64', logical_type: { type: 'TIME', unit: 'MICROS', isAdjustedToUTC: false } }, undefined],
      [{ type: 'INT96' }, 'timestamp'],
      [{ type: 'DOUBLE' }, 'double'],
      [{ type: 'FLOAT' }, 'float'],
      [{ type: 'BOOLEAN' }, 'boolean'],
      [{ type: 'INT64', logical_type: { type: 'DECIMAL', precision: 12, scale: 2 } }, 'decimal(12,2)'],
      [
        { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 8, converted_type: 'DECIMAL', precision: 18, scale: 4 },
        'decimal(18,4)',
      ],
      [{ type: 'INT32', repetition_type: 'REPEATED' }, undefined],
    ];
    expect(cases.map(([element]) => glueTypeOfParquet(column(element)))).toEqual(cases.map(([, type]) => type));
  });

  it('reads a type as itself; a partitioned table also widens int to bigint, float to double, a decimal to a wider one', () => {
    expect(readsAs('int', 'int', false)).toBe(true);
    expect(readsAs('int', 'INTEGER', false)).toBe(true);
    // "For data in Parquet and ORC, you cannot use a different data type for a column if the table is not partitioned."
    expect(readsAs('int', 'bigint', false)).toBe(false);
    expect(readsAs('int', 'bigint', true)).toBe(true);
    expect(readsAs('smallint', 'int', true)).toBe(true);
    expect(readsAs('float', 'double', true)).toBe(true);
    // Never narrower, never across kinds: BIGINT as int, a STRING as int (Trino's Parquet reader), a timestamp as date.
    expect(readsAs('bigint', 'int', true)).toBe(false);
    expect(readsAs('string', 'int', true)).toBe(false);
    expect(readsAs('timestamp', 'date', true)).toBe(false);
    expect(readsAs('binary', 'string', true)).toBe(false);
    expect(readsAs('decimal(10,2)', 'decimal(12,4)', true)).toBe(true);
    expect(readsAs('decimal(10,2)', 'decimal(10,1)', true)).toBe(false);
    expect(readsAs('decimal(10,2)', 'decimal(10,2)', false)).toBe(true);
  });
});

/** A one-row Parquet file with the given columns, written by hyparquet-writer as the project's own writer does. */
function parquetOf(columns: { element: SchemaElement; value: unknown }[]): Uint8Array {
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: [{ name: 'root', num_children: columns.length }, ...columns.map((c) => c.element)],
    columnData: columns.map((c) => ({ name: c.element.name, data: [c.value] })),
  });
  return new Uint8Array(writer.getBuffer());
}

describe("each object's footer against a table's declared types", () => {
  const dir = tempDir('parquet-glue-types');
  afterAll(() => dir.remove());
  const footer = (bytes: Uint8Array) => {
    const file = join(dir.path, `f${Math.random().toString(36).slice(2)}.parquet`);
    writeFileSync(file, bytes);
    return readParquetFooter(file);
  };

  it("the project's writer gives every curated, reference and uploads table the types infra declares (ATHENA_TYPES)", () => {
    for (const table of QUERY_TABLES) {
      const metadata = footer(tableToParquet(table, []));
      const declared = table.columns.map((c) => ({ name: c.name, type: ATHENA_TYPES[c.type] }));
      expect(parquetTypeProblems(metadata, declared, false, `s3://b/${table.prefix}/x.parquet`), table.name).toEqual(
        [],
      );
    }
  });

  it("names each column Athena would refuse, as Athena's HIVE_BAD_DATA; a column the file lacks is no problem", () => {
    const metadata = footer(
      parquetOf([
        { element: { name: 'source_row', type: 'INT64', repetition_type: 'OPTIONAL' }, value: 7n },
        {
          element: { name: 'occurred_on', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          value: '2024-01-02',
        },
        { element: { name: 'received_at', type: 'INT64', repetition_type: 'OPTIONAL' }, value: 1_700_000_000_000n },
        {
          element: {
            name: 'Recorded_At',
            type: 'INT64',
            converted_type: 'TIMESTAMP_MICROS',
            repetition_type: 'OPTIONAL',
          },
          value: 1_700_000_000_000_000n,
        },
        { element: { name: 'list_size', type: 'INT32', repetition_type: 'OPTIONAL' }, value: 5 },
      ]),
    );
    const declared = [
      { name: 'source_row', type: 'int' },
      { name: 'occurred_on', type: 'date' },
      { name: 'received_at', type: 'timestamp' },
      { name: 'recorded_at', type: 'timestamp' },
      { name: 'list_size', type: 'bigint' },
      { name: 'not_in_file', type: 'string' },
    ];
    const path = 's3://data/curated/events/event_month=2024-01/u.parquet';
    expect(parquetTypeProblems(metadata, declared, true, path)).toEqual([
      `HIVE_BAD_DATA: Field source_row's type INT64 in parquet file ${path} is incompatible with type integer defined in table schema`,
      `HIVE_BAD_DATA: Field occurred_on's type BYTE_ARRAY (UTF8) in parquet file ${path} is incompatible with type date defined in table schema`,
      `HIVE_BAD_DATA: Field received_at's type INT64 in parquet file ${path} is incompatible with type timestamp defined in table schema`,
    ]);
    // Unpartitioned, the INT32 column declared bigint is refused too.
    expect(parquetTypeProblems(metadata, declared, false, path).at(-1)).toBe(
      `HIVE_BAD_DATA: Field list_size's type INT32 in parquet file ${path} is incompatible with type bigint defined in table schema`,
    );
  });
});

describe('the Athena stand-in fails a query over an object Athena would refuse, with HIVE_BAD_DATA', () => {
  it('reads a table whose objects match its types, and fails once an object with an INT64 declared int lands', async () => {
    const dir = tempDir('athena-parquet-types');
    const s3 = new S3Client({ region: 'eu-west-2' });
    s3.send = (async () => ({ Contents: [] })) as unknown as S3Client['send'];
    const partition = join(dir.path, 'data', 't', 'm=2024-01');
    mkdirSync(partition, { recursive: true });
    const object = (name: string, element: SchemaElement, value: unknown) =>
      writeFileSync(join(partition, `${name}._S3rver_object`), parquetOf([{ element, value }]));
    object('a.parquet', { name: 'n', type: 'INT32', repetition_type: 'OPTIONAL' }, 1);
    const standIn = new AthenaStandIn({
      workgroups: [{ name: 'wg', enforced: true, outputLocation: 's3://results/out/' }],
      tables: [
        {
          name: 't',
          bucket: 'data',
          prefix: 't/',
          columns: [{ name: 'n', type: 'int' }],
          partition: { name: 'm', range: ['2024-01', 'NOW'] },
        },
      ],
      s3Directory: dir.path,
      s3,
    });
    const endpoint = await standIn.start();
    const call = async (operation: string, input: object) =>
      (await (
        await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonAthena.${operation}` },
          body: JSON.stringify(input),
        })
      ).json()) as {
        QueryExecutionId: string;
        QueryExecution: { Status: { State: string; StateChangeReason?: string } };
      };
    const outcome = async (QueryString: string) => {
      const { QueryExecutionId } = await call('StartQueryExecution', { QueryString, WorkGroup: 'wg' });
      for (;;) {
        const { Status } = (await call('GetQueryExecution', { QueryExecutionId })).QueryExecution;
        if (Status.State === 'SUCCEEDED' || Status.State === 'FAILED') return Status;
      }
    };
    try {
      expect((await outcome('SELECT sum(n) AS s FROM t')).State).toBe('SUCCEEDED');
      object('b.parquet', { name: 'n', type: 'INT64', repetition_type: 'OPTIONAL' }, 2n);
      expect(await outcome('SELECT sum(n) AS s FROM t')).toMatchObject({
        State: 'FAILED',
        StateChangeReason:
          "HIVE_BAD_DATA: Field n's type INT64 in parquet file s3://data/t/m=2024-01/b.parquet is incompatible with type integer defined in table schema",
      });
      // Through a view too; a statement not reading the table runs.
      expect((await outcome('CREATE OR REPLACE VIEW v AS SELECT n FROM t')).State).toBe('SUCCEEDED');
      expect((await outcome('SELECT count(*) AS c FROM v')).State).toBe('FAILED');
      expect((await outcome('SELECT 1 AS one')).State).toBe('SUCCEEDED');
    } finally {
      await standIn.stop();
      dir.remove();
    }
  });
});
