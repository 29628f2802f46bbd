import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENTS_TABLE, QUERY_TABLES } from '../../functions/contract/index.ts';
import { ATHENA_TYPES, athenaDdl, DUCKDB_TYPES, duckDbView } from '../../functions/lib/table-ddl.ts';
import { duckQuery } from '../support/files.ts';

/** Column name and type pairs of an Athena CREATE TABLE statement, partition columns included. */
function athenaColumns(ddl: string): [string, string][] {
  return [...ddl.matchAll(/^\s*(?:PARTITIONED BY \()?`(\w+)` (\w+)/gm)].map((m) => [m[1] as string, m[2] as string]);
}

describe('one table specification, two engines', () => {
  it('sql/schema holds the Athena DDL generated from the specification (npm run contract:publish)', () => {
    for (const table of QUERY_TABLES)
      expect(readFileSync(`sql/schema/${table.name}.sql`, 'utf8')).toBe(athenaDdl(table));
  });

  it('the events table is partitioned by month with projection, located by the same key layout the ingest writes', () => {
    const ddl = athenaDdl(EVENTS_TABLE);
    expect(ddl).toContain('PARTITIONED BY (`event_month` string)');
    expect(ddl).toContain("'projection.event_month.type' = 'date'");
    expect(ddl).toContain("'projection.event_month.format' = 'yyyy-MM'");
    // ${bucket} and ${event_month} are Athena's placeholders, not JavaScript's.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the DDL text itself holds ${...} placeholders
    expect(ddl).toContain("'storage.location.template' = 's3://${bucket}/curated/events/event_month=${event_month}/'");
    expect(ddl).toContain('STORED AS PARQUET');
  });

  it.each(QUERY_TABLES.map((t) => [t.name, t] as const))(
    '%s: the DuckDB view has exactly the Athena columns, in order, with matching types',
    async (_name, table) => {
      const described = await duckQuery(`${duckDbView(table, '/nowhere', false)}; DESCRIBE ${table.name}`);
      const duck = described.map((r) => [r.column_name as string, r.column_type as string]);
      const athena = athenaColumns(athenaDdl(table));
      expect(duck.map(([name]) => name)).toEqual(athena.map(([name]) => name));
      const athenaOf = Object.fromEntries(
        Object.keys(DUCKDB_TYPES).map((k) => [
          DUCKDB_TYPES[k as keyof typeof DUCKDB_TYPES],
          ATHENA_TYPES[k as keyof typeof ATHENA_TYPES],
        ]),
      );
      expect(duck.map(([, type]) => athenaOf[type as string])).toEqual(athena.map(([, type]) => type));
    },
  );
});
