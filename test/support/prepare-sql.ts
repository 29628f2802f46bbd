import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../../functions/contract/index.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { DUCKDB_TYPES } from '../../functions/lib/table-ddl.ts';
import { defineTrinoFunctions } from '../../functions/refresh/duckdb-engine.ts';

/*
 * The refresh's own prepare SQL run on hand-written committed rows, for unit tests of one of its rules. Each such test
 * set up the same instance, the same committed_events table and the same steps up to events_in_force; written once
 * here, a test keeps only its rows and what it reads back.
 */

/** committed_events as the prepare steps read it: every column of the events table, and event_month. */
const COMMITTED_EVENTS_COLUMNS = [
  ...EVENTS_TABLE.columns.map((c) => `"${c.name}" ${DUCKDB_TYPES[c.type]}`),
  'event_month VARCHAR',
].join(', ');

/**
 * An in-memory DuckDB with the Trino functions the refresh's SQL uses (macros of the whole instance, as the DuckDB
 * engine defines them) and an empty committed_events table on `connection`. Close both when done.
 */
export async function committedEventsDb(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  await defineTrinoFunctions(await instance.connect());
  const connection = await instance.connect();
  await connection.run(`CREATE TEMP TABLE committed_events (${COMMITTED_EVENTS_COLUMNS})`);
  await eventsOfCommitted(connection);
  return { instance, connection };
}

/**
 * The events table and the uploads table as candidates.sql reads them (it hashes the ids of every row of the events
 * table and keeps the committed ones), as views of a test's committed_events: every row there is committed.
 */
export async function eventsOfCommitted(connection: DuckDBConnection): Promise<void> {
  await connection.run('CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM committed_events');
  await connection.run(
    'CREATE OR REPLACE TEMP VIEW committed_uploads AS SELECT DISTINCT upload_id FROM committed_events',
  );
}

/**
 * The prepare steps from committed_events to the events_in_force view (and unreported_months, which episodes and
 * wellbeing_pairs read), for one PCN (U00001, in ICB QAA of region Y56,
 * list 10,000) open in `months` of FY 2025/26, with every month published (the last complete month is the refresh's
 * to decide: data-as-of.ts).
 */
export async function eventsInForceOfOnePcn(connection: DuckDBConnection, months: readonly string[]): Promise<void> {
  // Every month in force in the PCN's reporting span (sql/prepare/onboarded.sql, pcn_months' `reporting`).
  await connection.run(`CREATE TEMP TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR,
    month VARCHAR, fy VARCHAR, list_size BIGINT, reporting BOOLEAN)`);
  await connection.run(
    `INSERT INTO pcn_months VALUES ${months.map((m) => `('U00001', 'QAA', 'Y56', '${m}', '2025/26', 10000, true)`).join(', ')}`,
  );
  await connection.run(
    `CREATE TEMP TABLE onboarded AS SELECT 'U00001' AS pcn_code, '2019-01' AS first_month, '9999-12' AS last_month`,
  );
  await connection.run(`CREATE TEMP TABLE published_through AS SELECT '9999-12' AS month`);
  // No PCN's extract has stopped (the refresh keeps them as table stopped_pcns: data-as-of.ts; episodes.sql reads it).
  await connection.run('CREATE TEMP TABLE stopped_pcns (pcn_code VARCHAR, last_month VARCHAR)');
  for (const step of ['candidates', 'superseded', 'retracted', 'withdrawn', 'event_months', 'unreported_months'])
    await connection.run(`CREATE TEMP TABLE ${step} AS ${loadSql(`prepare/${step}`)}`);
  await connection.run(`CREATE TEMP VIEW events_in_force AS ${loadSql('prepare/events_in_force')}`);
}
