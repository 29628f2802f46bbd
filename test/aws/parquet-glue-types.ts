import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { type FileMetaData, parquetMetadata, type SchemaElement } from 'hyparquet';

/**
 * Whether Athena reads a Parquet object's columns as the types its Glue table declares (review 33, R33-6b). Athena
 * engine version 3 (the workgroup's, infra/constructs/metrics-workgroup.ts) reads Parquet by column name and checks
 * each column's Parquet physical type and logical (or converted) type against the table's type before reading; a
 * mismatch fails the query with HIVE_BAD_DATA. DuckDB, which the stand-in runs on, would CAST almost anything
 * (a BIGINT or a VARCHAR column reads fine as INTEGER or DATE), so the stand-in applies Athena's rules itself.
 *
 * Sources (PARQUET_TYPE_SOURCES), each rule beside its code below:
 *  - types: the Glue/Hive column types Athena knows (boolean, tinyint, smallint, int, bigint, float, double,
 *    decimal(p,s), string, date, timestamp, binary...).
 *  - timestamps: "If you have a table column of type DATE, Athena expects the corresponding column ... of the data to
 *    be ... a built-in date type like those for Parquet"; "of type TIMESTAMP ... a built-in time type like those for
 *    Parquet": a date column must be Parquet's DATE (INT32 annotated DATE), a timestamp column Parquet's TIMESTAMP
 *    (INT64 annotated TIMESTAMP, in MILLIS, MICROS or NANOS; TIMESTAMP_MILLIS/_MICROS as converted types) or the
 *    legacy INT96 timestamp.
 *  - changingType: "Only certain data types can be read as other data types": STRING as BYTE, TINYINT, SMALLINT, INT,
 *    BIGINT; BYTE as TINYINT...; TINYINT as SMALLINT, INT, BIGINT; SMALLINT as INT, BIGINT; INT as BIGINT; FLOAT as
 *    DOUBLE. And: "For data in Parquet and ORC, you cannot use a different data type for a column if the table is not
 *    partitioned. For partitioned tables in Parquet and ORC, a partition's column type can be different ... and Athena
 *    will CAST to the desired type, if possible." So a column of an unpartitioned table must be of the declared type
 *    exactly; of a partitioned table, of it or of a type that table lets Athena widen to it.
 *  - engineV3 / trinoReader: engine version 3 is based on Trino, whose Parquet reader (ColumnReaderFactory) is where
 *    "if possible" is decided: it widens INT32 to BIGINT and FLOAT to DOUBLE, rescales a decimal, but reads a
 *    BYTE_ARRAY as a number only when it is a DECIMAL ("Unsupported Trino column type (integer) for Parquet column
 *    ... binary"), so STRING→INT of the table above (for text formats) is not taken for Parquet.
 *  - badData: the failure Athena reports, HIVE_BAD_DATA: "Field <name>'s type <Parquet type> in parquet file <path> is
 *    incompatible with type <type> defined in table schema" (e.g. an INT64 or DOUBLE column declared int).
 *  - byName: "For Parquet ... Athena relies on the column names ... Parquet ... by default" (updates-and-partitions):
 *    a declared column a file lacks reads as NULL, a column the table does not declare is not read (no failure).
 * The stand-in is as strict as these pages, which may be stricter than what Athena lets through in practice (an
 * INT32 with no annotation declared date, which Trino's reader takes): a failure here is one the documentation allows.
 */
export const PARQUET_TYPE_SOURCES = {
  types: 'https://docs.aws.amazon.com/athena/latest/ug/data-types.html',
  timestamps: 'https://docs.aws.amazon.com/athena/latest/ug/data-types-timestamps.html',
  changingType: 'https://docs.aws.amazon.com/athena/latest/ug/updates-changing-column-type.html',
  byName: 'https://docs.aws.amazon.com/athena/latest/ug/updates-and-partitions.html',
  engineV3: 'https://docs.aws.amazon.com/athena/latest/ug/engine-versions-reference-0003.html',
  trinoReader:
    'https://github.com/trinodb/trino/blob/master/lib/trino-parquet/src/main/java/io/trino/parquet/reader/ColumnReaderFactory.java',
  badData: 'https://repost.aws/knowledge-center/athena-hive-bad-data-parsing-field-value',
} as const;

/** A Glue column as the template declares it. */
export interface GlueColumn {
  readonly name: string;
  readonly type: string;
}

/** The Parquet type of a column as Athena's messages name it: the physical type and its annotation, if any. */
export function parquetTypeText(element: SchemaElement): string {
  const logical = element.logical_type;
  const annotation =
    logical?.type === 'TIMESTAMP' || logical?.type === 'TIME'
      ? `${logical.type}(${logical.unit},${logical.isAdjustedToUTC})`
      : logical?.type === 'INTEGER'
        ? `INTEGER(${logical.bitWidth},${logical.isSigned})`
        : logical?.type === 'DECIMAL'
          ? `DECIMAL(${logical.precision},${logical.scale})`
          : (logical?.type ?? element.converted_type);
  return `${element.type ?? 'group'}${annotation ? ` (${annotation})` : ''}`;
}

/**
 * The Glue type a Parquet column is by its physical and logical type (PARQUET_TYPE_SOURCES.types, timestamps,
 * trinoReader), or undefined when Athena maps it to no column type this check knows (TIME, UUID, unsigned integers,
 * a group or a repeated field).
 */
export function glueTypeOfParquet(element: SchemaElement): string | undefined {
  if (element.type === undefined || element.repetition_type === 'REPEATED') return undefined;
  const logical = element.logical_type;
  const converted = element.converted_type;
  const decimal =
    logical?.type === 'DECIMAL'
      ? `decimal(${logical.precision},${logical.scale})`
      : converted === 'DECIMAL'
        ? `decimal(${element.precision},${element.scale ?? 0})`
        : undefined;
  const integer = logical?.type === 'INTEGER' ? logical : undefined;
  const plain = logical === undefined && converted === undefined;
  switch (element.type) {
    case 'BOOLEAN':
      return plain ? 'boolean' : undefined;
    case 'INT32':
      if (decimal) return decimal;
      if (logical?.type === 'DATE' || converted === 'DATE') return 'date';
      if ((integer && !integer.isSigned) || converted?.startsWith('UINT_')) return undefined;
      if (integer?.bitWidth === 8 || converted === 'INT_8') return 'tinyint';
      if (integer?.bitWidth === 16 || converted === 'INT_16') return 'smallint';
      return plain || integer?.bitWidth === 32 || converted === 'INT_32' ? 'int' : undefined;
    case 'INT64':
      if (decimal) return decimal;
      if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS')
        return 'timestamp';
      if ((integer && !integer.isSigned) || converted?.startsWith('UINT_')) return undefined;
      return plain || integer?.bitWidth === 64 || converted === 'INT_64' ? 'bigint' : undefined;
    case 'INT96':
      return 'timestamp';
    case 'FLOAT':
      return plain ? 'float' : undefined;
    case 'DOUBLE':
      return plain ? 'double' : undefined;
    case 'BYTE_ARRAY':
      if (decimal) return decimal;
      if (
        ['STRING', 'ENUM', 'JSON'].includes(logical?.type ?? '') ||
        ['UTF8', 'ENUM', 'JSON'].includes(converted ?? '')
      )
        return 'string';
      return plain ? 'binary' : undefined;
    case 'FIXED_LEN_BYTE_ARRAY':
      if (decimal) return decimal;
      return plain ? 'binary' : undefined;
    default:
      return undefined;
  }
}

/**
 * The widenings Athena makes of a partitioned table's Parquet column (PARQUET_TYPE_SOURCES.changingType's table, less
 * STRING→numbers, which Trino's Parquet reader refuses: PARQUET_TYPE_SOURCES.trinoReader).
 */
const WIDENS_TO: Readonly<Record<string, readonly string[]>> = {
  tinyint: ['smallint', 'int', 'bigint'],
  smallint: ['int', 'bigint'],
  int: ['bigint'],
  float: ['double'],
};

const decimalParts = (type: string) => {
  const match = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  return match ? { precision: Number(match[1]), scale: Number(match[2]) } : undefined;
};

/** Glue's spellings of one type (integer is int; char/varchar are strings to the Parquet reader). */
const canonical = (type: string) => {
  const t = type.trim().toLowerCase().replace(/\s+/g, '');
  if (t === 'integer') return 'int';
  if (/^(var)?char\(\d+\)$/.test(t)) return 'string';
  return t;
};

/** Whether Athena reads a Parquet column of Glue type `file` as the declared type (PARQUET_TYPE_SOURCES). */
export function readsAs(file: string, declared: string, partitioned: boolean): boolean {
  const want = canonical(declared);
  if (file === want) return true;
  if (!partitioned) return false;
  if (WIDENS_TO[file]?.includes(want)) return true;
  // A decimal into one that holds every value it can (Trino rescales; a smaller scale fails: "target scale must be
  // larger than source scale", PARQUET_TYPE_SOURCES.badData).
  const from = decimalParts(file);
  const to = decimalParts(want);
  return !!from && !!to && to.scale >= from.scale && to.precision - to.scale >= from.precision - from.scale;
}

/**
 * Each declared column of a table that a Parquet object's schema holds with a type Athena does not read as the
 * declared one, as Athena's HIVE_BAD_DATA message (PARQUET_TYPE_SOURCES.badData); empty when Athena reads every one.
 * Columns are matched by name, case-insensitively (Hive's names are lower case); a declared column the file lacks
 * reads as NULL (PARQUET_TYPE_SOURCES.byName).
 */
export function parquetTypeProblems(
  metadata: FileMetaData,
  columns: readonly GlueColumn[],
  partitioned: boolean,
  path: string,
): string[] {
  const [, ...fields] = metadata.schema;
  // Only the root's direct children are columns: skip each group's descendants.
  const top: SchemaElement[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as SchemaElement;
    top.push(field);
    let skip = field.num_children ?? 0;
    while (skip > 0) {
      i++;
      skip += (fields[i]?.num_children ?? 0) - 1;
    }
  }
  const problems: string[] = [];
  for (const column of columns) {
    const field = top.find((f) => f.name.toLowerCase() === column.name.toLowerCase());
    if (!field) continue;
    const type = glueTypeOfParquet(field);
    if (type !== undefined && readsAs(type, column.type, partitioned)) continue;
    problems.push(
      `HIVE_BAD_DATA: Field ${column.name}'s type ${parquetTypeText(field)} in parquet file ${path} is incompatible with type ${athenaTypeName(column.type)} defined in table schema`,
    );
  }
  return problems;
}

/** Athena's name of a declared type in its messages (Trino's: int is integer). */
const athenaTypeName = (type: string) => (canonical(type) === 'int' ? 'integer' : canonical(type));

/** The footer of a Parquet file, read from its tail only: its last 8 bytes give the footer's length. */
export function readParquetFooter(file: string): FileMetaData {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 12) throw new Error(`${file} is no Parquet file (${size} bytes)`);
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`${file} is no Parquet file (no PAR1 at its end)`);
    const length = tail.readUInt32LE(0);
    const footer = Buffer.alloc(length + 8);
    readSync(fd, footer, 0, length + 8, size - 8 - length);
    return parquetMetadata(footer.buffer.slice(footer.byteOffset, footer.byteOffset + footer.byteLength));
  } finally {
    closeSync(fd);
  }
}

/** A Glue table's Parquet objects in s3rver's folder, checked: each object's key and the problems found in it. */
export function checkTableObjects(
  s3Directory: string,
  table: { bucket: string; prefix: string; columns: readonly GlueColumn[]; partition?: unknown },
): { key: string; problems: string[] }[] {
  const dir = join(s3Directory, table.bucket, ...table.prefix.split('/').filter(Boolean));
  let files: string[];
  try {
    files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('._S3rver_object'));
  } catch {
    return [];
  }
  return files.sort().map((file) => {
    const key = `${table.prefix}${file.replace(/\._S3rver_object$/, '')}`;
    const metadata = readParquetFooter(join(dir, file));
    return {
      key,
      problems: parquetTypeProblems(
        metadata,
        table.columns,
        table.partition !== undefined,
        `s3://${table.bucket}/${key}`,
      ),
    };
  });
}
