import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * withdrawn carries each row's own event_type, and events_in_force joins on it too, so that a pass over one kind of
 * event holds only that kind's withdrawn rows in its join (issue 17: nationally about 3 million withdrawn rows, most
 * of them community connections, joined by every pass over the events). Worked out by hand, PCN U00001 in May 2025:
 *   - referral E1 sent in upload u1 (row 2, recorded 2025-05-02) and again in u2 (row 2, recorded 2025-05-03): u1's
 *     row is superseded (the later recorded_at wins), a referral;
 *   - contact C1 in u1 (row 3), retracted by X1 in u3 (row 2, no recorded_at: retracted for good): withdrawn, a
 *     contact;
 *   - service use S1 in u1 (row 4): in force.
 * withdrawn: (u1, 2, referral) and (u1, 3, contact). In force: E1 from u2 and S1; no contact.
 */
const ROWS = [
  // upload_id, source_row, received_at, recorded_at, event_id, event_type, occurred_on, retracts_event_id
  `('u1', 2, TIMESTAMP '2025-06-02 09:00:00', TIMESTAMP '2025-05-02 10:00:00', 'E1', 'referral', DATE '2025-05-02', NULL)`,
  `('u2', 2, TIMESTAMP '2025-06-03 09:00:00', TIMESTAMP '2025-05-03 10:00:00', 'E1', 'referral', DATE '2025-05-02', NULL)`,
  `('u1', 3, TIMESTAMP '2025-06-02 09:00:00', NULL, 'C1', 'contact', DATE '2025-05-06', NULL)`,
  `('u3', 2, TIMESTAMP '2025-06-04 09:00:00', NULL, 'X1', 'retraction', DATE '2025-06-01', 'C1')`,
  `('u1', 4, TIMESTAMP '2025-06-02 09:00:00', NULL, 'S1', 'service_use', DATE '2025-05-20', NULL)`,
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  ({ instance, connection } = await committedEventsDb());
  await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, event_id,
    event_type, occurred_on, retracts_event_id) VALUES ${ROWS.join(', ')}`);
  await connection.run(`UPDATE committed_events SET pcn_code = 'U00001', event_month = '2025-05'`);
  await eventsInForceOfOnePcn(connection, ['2025-05']);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

/** The operators of DuckDB's plan of `sql`, each with its extra info as text. */
async function planNodes(sql: string): Promise<{ name: string; info: string }[]> {
  const reader = await connection.runAndReadAll(`EXPLAIN (FORMAT json) ${sql}`);
  const nodes: { name: string; info: string }[] = [];
  const walk = (node: Record<string, unknown>) => {
    nodes.push({ name: String(node.name ?? ''), info: JSON.stringify(node.extra_info ?? {}) });
    for (const child of (node.children ?? []) as Record<string, unknown>[]) walk(child);
  };
  for (const root of JSON.parse(String(reader.getRows()[0]?.[1])) as Record<string, unknown>[]) walk(root);
  return nodes;
}

describe('withdrawn rows by kind (issue 17)', () => {
  it('gives each withdrawn row its own event_type', async () => {
    const rows = (
      await connection.runAndReadAll('SELECT upload_id, source_row, event_type FROM withdrawn ORDER BY ALL')
    ).getRowObjectsJS();
    expect(rows).toEqual([
      { upload_id: 'u1', source_row: 2, event_type: 'referral' },
      { upload_id: 'u1', source_row: 3, event_type: 'contact' },
    ]);
  });

  it('leaves the withdrawn rows of every kind out of events_in_force', async () => {
    const rows = (
      await connection.runAndReadAll('SELECT event_id, event_type FROM events_in_force ORDER BY ALL')
    ).getRowObjectsJS();
    expect(rows).toEqual([
      { event_id: 'E1', event_type: 'referral' },
      { event_id: 'S1', event_type: 'service_use' },
    ]);
  });

  it("reads only the kind's withdrawn rows in a pass over one kind of event", async () => {
    const nodes = await planNodes(`SELECT count(*) FROM events_in_force WHERE event_type = 'referral'`);
    const scans = nodes.filter((n) => n.info.includes('withdrawn'));
    expect(scans).toHaveLength(1);
    expect(scans[0]?.info).toContain("event_type='referral'");
  });

  it("reads only the wellbeing measures' withdrawn rows in wellbeing_pairs' two passes over them", async () => {
    // Both passes read wellbeing measures only and join withdrawn on the row's kind too (nationally 9.0 -> 7.3 CPU s
    // for the first, the same rows: perfs30 in docs/benchmarks.md); the rows here are the same with or without it.
    // A withdrawn measure for the plan to read (with none, DuckDB's statistics of the table drop the filtered join);
    // taken out again after.
    await connection.run(`CREATE OR REPLACE TEMP TABLE episodes AS ${loadSql('prepare/episodes')}`);
    await connection.run(`INSERT INTO withdrawn VALUES ('u9', 2, 'wellbeing_measure')`);
    try {
      const nodes = await planNodes(loadSql('prepare/wellbeing_pairs'));
      const scans = nodes.filter((n) => n.info.includes('withdrawn'));
      expect(scans).toHaveLength(2);
      for (const scan of scans) expect(scan.info).toContain("event_type='wellbeing_measure'");
    } finally {
      await connection.run(`DELETE FROM withdrawn WHERE upload_id = 'u9'`);
    }
  });
});
