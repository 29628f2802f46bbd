import type { DuckDBConnection } from '@duckdb/node-api';
import { loadSql } from '../../functions/lib/query-engine.ts';
import {
  type DataAsOf,
  dataAsOfOn,
  monthSubmissions,
  PUBLISHED_THROUGH,
  SENDING_PCNS,
  STOPPED_PCNS,
  stoppedBefore,
} from '../../functions/refresh/data-as-of.ts';

/**
 * The refresh's publishCompleteMonths (functions/refresh/data-as-of.ts) on a DuckDB connection, for the bench scripts
 * that run the prepare steps themselves (refresh-profile.ts, refresh-variants.ts): the stopped PCNs kept and the
 * sending PCNs' view made on `today`, the data-as-of date decided; returns that decision and the statement making the
 * published_through table (the caller runs it, timed or not).
 */
export async function decidePublishedThrough(
  connection: DuckDBConnection,
  today: string,
): Promise<{ decided: DataAsOf; statement: string; params: string[] }> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${STOPPED_PCNS} AS ${loadSql(`meta/${STOPPED_PCNS}`)}`, [
    stoppedBefore(today),
  ]);
  await connection.run(`CREATE OR REPLACE TEMP VIEW ${SENDING_PCNS} AS ${loadSql(`meta/${SENDING_PCNS}`)}`);
  const months = (await connection.runAndReadAll(loadSql('meta/data_as_of'))).getRowObjectsJS();
  const decided = dataAsOfOn(monthSubmissions(months), today);
  return {
    decided,
    statement: `CREATE OR REPLACE TEMP TABLE ${PUBLISHED_THROUGH} AS ${loadSql(`meta/${PUBLISHED_THROUGH}`)}`,
    // No month is before '0000-00': nothing is published while no month is complete.
    params: [decided.lastMonth ?? '0000-00'],
  };
}
