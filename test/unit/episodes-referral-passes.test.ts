import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * episodes.sql reads the referral events in passes of their own (issue 17, epi38): a narrow grouping of every referral
 * (its first date and number of events), every single-event referral as it is, and the first event of each repeated
 * one. Read as one CTE by three parts, DuckDB materialised every referral event's columns for the statement (a CTE
 * operator in its plan), which nationally spilled at the 2 GB limit. The episodes stay the first event's, one per
 * referral, worked out by hand (PCN U00001, nothing withdrawn, every month published):
 *
 *   R1  two referral events: E2 on 2025-01-10 (age 25-34) and E1 on 2025-03-05 (age 35-44): the episode is E2's, on
 *       10 January, aged 25-34 (the first by date, though E1's id comes first).
 *   R2  two referral events on one day, 2025-02-14: E4 (sex F) and E3 (sex M): the episode is E3's (the first by id).
 *   R3  one referral event, E5 on 2025-04-01, in a month the reference lists the PCN twice (two versions in force
 *       that month): the view gives its event twice, and it is still one episode, E5's.
 *   R4  one referral event, E6 on 2025-02-20: its episode as it is.
 */
/** upload_id, source_row, pcn_code, event_id, event_type, referral_id, person_id, occurred_on, event_month, snomed_code, age_band, sex */
const ROWS = [
  `('u1', 2, 'U00001', 'E2', 'referral', 'R1', 'P1', DATE '2025-01-10', '2025-01', '871731000000106', '25-34', 'F')`,
  `('u1', 3, 'U00001', 'E1', 'referral', 'R1', 'P1', DATE '2025-03-05', '2025-03', '871731000000106', '35-44', 'F')`,
  `('u1', 4, 'U00001', 'E4', 'referral', 'R2', 'P2', DATE '2025-02-14', '2025-02', '871731000000106', '45-54', 'F')`,
  `('u1', 5, 'U00001', 'E3', 'referral', 'R2', 'P2', DATE '2025-02-14', '2025-02', '871731000000106', '45-54', 'M')`,
  `('u1', 6, 'U00001', 'E5', 'referral', 'R3', 'P3', DATE '2025-04-01', '2025-04', '871731000000106', '18-24', 'M')`,
  `('u1', 7, 'U00001', 'E6', 'referral', 'R4', 'P4', DATE '2025-02-20', '2025-02', '871731000000106', '65-74', 'F')`,
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let folder: string;

beforeAll(async () => {
  ({ instance, connection } = await committedEventsDb());
  await connection.run(`INSERT INTO committed_events (upload_id, source_row, pcn_code, event_id, event_type, referral_id,
    person_id, occurred_on, event_month, snomed_code, age_band, sex) VALUES ${ROWS.join(', ')}`);
  await eventsInForceOfOnePcn(connection, ['2025-01', '2025-02', '2025-03', '2025-04', '2025-04']);
  // The events read from Parquet, as the refresh's views read them (DuckDB plans a scan of a temporary table otherwise:
  // there it shares one subplan of events_in_force among the passes, which it does not do over Parquet).
  folder = mkdtempSync(join(tmpdir(), 'episodes-passes-'));
  await connection.run(`COPY committed_events TO '${join(folder, 'events.parquet')}' (FORMAT parquet)`);
  await connection.run('DROP TABLE committed_events');
  await connection.run(
    `CREATE TEMP VIEW committed_events AS SELECT * FROM read_parquet('${join(folder, 'events.parquet')}')`,
  );
});

afterAll(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(folder, { recursive: true, force: true });
});

describe('episodes: the referral events in passes of their own', () => {
  it('keeps one episode per referral, its first event', async () => {
    const reader = await connection.runAndReadAll(
      `SELECT referral_id, person_id, strftime(referred_on, '%Y-%m-%d') AS referred_on, month, age_band, sex
       FROM (${loadSql('prepare/episodes')}) AS e ORDER BY referral_id`,
    );
    expect(reader.getRowObjectsJS()).toEqual([
      { referral_id: 'R1', person_id: 'P1', referred_on: '2025-01-10', month: '2025-01', age_band: '25-34', sex: 'F' },
      { referral_id: 'R2', person_id: 'P2', referred_on: '2025-02-14', month: '2025-02', age_band: '45-54', sex: 'M' },
      { referral_id: 'R3', person_id: 'P3', referred_on: '2025-04-01', month: '2025-04', age_band: '18-24', sex: 'M' },
      { referral_id: 'R4', person_id: 'P4', referred_on: '2025-02-20', month: '2025-02', age_band: '65-74', sex: 'F' },
    ]);
  });

  it('materialises no referral event in DuckDB: no CTE of its plan holds person_id (each pass streams)', async () => {
    const reader = await connection.runAndReadAll(`EXPLAIN (FORMAT json) ${loadSql('prepare/episodes')}`);
    interface PlanNode {
      readonly name: string;
      readonly extra_info?: Record<string, unknown>;
      readonly children?: readonly PlanNode[];
    }
    const text = (node: PlanNode): string =>
      JSON.stringify(node.extra_info ?? {}) + (node.children ?? []).map(text).join('');
    const ctes: { name: string; wide: boolean }[] = [];
    const walk = (node: PlanNode): void => {
      if (node.name === 'CTE')
        // A CTE's first child is what it materialises; the second the plan that reads it.
        ctes.push({
          name: String(node.extra_info?.['CTE Name']),
          wide: /person_id/.test(text(node.children?.[0] ?? node)),
        });
      for (const child of node.children ?? []) walk(child);
    };
    for (const node of JSON.parse(String(reader.getRows()[0]?.[1])) as PlanNode[]) walk(node);
    expect(ctes.map((c) => c.name)).toContain('referral_counts');
    expect(ctes.filter((c) => c.wide)).toEqual([]);
  });

  it('reads the referral events from events_in_force in three passes, and no CTE reads them', () => {
    const sql = readFileSync('sql/prepare/episodes.sql', 'utf8').replace(/--.*$/gm, '');
    expect(sql.match(/\bFROM events_in_force\b/g)?.length).toBe(3);
    expect(sql).not.toMatch(/\breferral_events AS \(/);
  });
});
