import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';
import { committedEventsDb, eventsInForceOfOnePcn } from '../support/prepare-sql.ts';

/*
 * The community connections in force are made once (sql/prepare/connections_in_force.sql) and read by episodes and
 * cof_community, which each tested every connection against the withdrawn rows before (issue 17: nationally 3.04 of
 * the 3.09 million withdrawn rows are connections, every attended one being sent twice). Worked out by hand, PCN
 * U00001 (ICB QAA, region Y56), reporting April and May 2025 (June is in no figure: not in force here):
 *   - referral R1 on 2025-04-10 (u1); a link worker contact on 04-12 (u1): engaged, 1 contact;
 *   - connection K1 on 04-15 (physical_activity at provider P1), sent attended=false (u1, recorded 04-15), then sent
 *     again attended=true (u2, recorded 05-02): u1's row superseded, u2's in force, attended;
 *   - connection K2 on 04-20 (arts_culture at P2, u1), retracted by X2 (u2): withdrawn;
 *   - connection K3 on 06-03 (June, u2): its PCN-month is in no figure (unreported_months);
 *   - connection K4 on 05-05 (nature_green at P1, u2, attended=false): in force, for no referral sent here.
 * In force: K1 (u2's row) and K4; R1 has 1 connection, connected. cof_community for U00001: April 1 connection, 1
 * attended (in the attendance cohort: made by 31 May), 1 organisation; May 1 connection, 0 attended, 1 organisation.
 */
const at = (day: string | null) => (day ? `TIMESTAMP '${day} 10:00:00'` : 'NULL');
let sourceRow = 1;
/** upload_id, source_row, received_at, recorded_at, event_id, event_type, referral_id, occurred_on, event_month, ... */
function row(
  upload: string,
  recorded: string | null,
  id: string,
  type: string,
  on: string,
  extra: { activity?: string; provider?: string; attended?: boolean; role?: string; retracts?: string } = {},
): string {
  sourceRow += 1;
  const text = (v: string | undefined) => (v ? `'${v}'` : 'NULL');
  return `('${upload}', ${sourceRow}, TIMESTAMP '2025-0${upload === 'u1' ? 5 : 6}-01 09:00:00', ${at(recorded)},
    '${id}', '${type}', ${type === 'retraction' ? 'NULL' : "'R1'"}, DATE '${on}', '${on.slice(0, 7)}',
    ${type === 'referral' ? "'871731000000106'" : 'NULL'}, ${text(extra.activity)}, ${text(extra.provider)},
    ${extra.attended === undefined ? 'NULL' : extra.attended}, ${text(extra.role)}, ${text(extra.retracts)})`;
}

const ROWS = [
  row('u1', null, 'E1', 'referral', '2025-04-10'),
  row('u1', null, 'C1', 'contact', '2025-04-12', { role: 'splw' }),
  row('u1', '2025-04-15', 'K1', 'community_connection', '2025-04-15', {
    activity: 'physical_activity',
    provider: 'P1',
    attended: false,
  }),
  row('u2', '2025-05-02', 'K1', 'community_connection', '2025-04-15', {
    activity: 'physical_activity',
    provider: 'P1',
    attended: true,
  }),
  row('u1', null, 'K2', 'community_connection', '2025-04-20', {
    activity: 'arts_culture',
    provider: 'P2',
    attended: true,
  }),
  row('u2', null, 'X2', 'retraction', '2025-05-02', { retracts: 'K2' }),
  row('u2', null, 'K3', 'community_connection', '2025-06-03', { activity: 'other', provider: 'P3', attended: true }),
  row('u2', null, 'K4', 'community_connection', '2025-05-05', {
    activity: 'nature_green',
    provider: 'P1',
    attended: false,
  }),
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  ({ instance, connection } = await committedEventsDb());
  await connection.run(`INSERT INTO committed_events (upload_id, source_row, received_at, recorded_at, event_id,
    event_type, referral_id, occurred_on, event_month, snomed_code, activity_category, provider_id, attended,
    worker_role, retracts_event_id) VALUES ${ROWS.join(', ')}`);
  await connection.run(`UPDATE committed_events SET pcn_code = 'U00001',
    person_id = CASE WHEN event_type = 'retraction' THEN NULL ELSE 'person-1' END`);
  await eventsInForceOfOnePcn(connection, ['2025-04', '2025-05']);
  await connection.run(`CREATE TEMP TABLE episodes AS ${loadSql('prepare/episodes')}`);
  await connection.run(`CREATE TEMP VIEW rollups AS ${loadSql('prepare/rollups')}`);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function rows(sql: string, params: string[] = []): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, params)).getRowObjectsJS();
}

/** The operators of DuckDB's plan of `sql` that read a table or file, each with its extra info as text. */
async function scans(sql: string, params: string[] = []): Promise<string[]> {
  const reader = await connection.runAndReadAll(`EXPLAIN (FORMAT json) ${sql}`, params);
  const found: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    if (String(node.name ?? '').includes('SCAN')) found.push(JSON.stringify(node.extra_info ?? {}));
    for (const child of (node.children ?? []) as Record<string, unknown>[]) walk(child);
  };
  for (const root of JSON.parse(String(reader.getRows()[0]?.[1])) as Record<string, unknown>[]) walk(root);
  return found;
}

describe('connections in force, made once for episodes and cof_community (issue 17)', () => {
  it('keeps each connection in force once, in a reporting PCN-month', async () => {
    expect(
      await rows(`SELECT pcn_code, month, referral_id, strftime(occurred_on, '%Y-%m-%d') AS occurred_on, attended,
        activity_category, provider_id FROM connections_in_force ORDER BY occurred_on`),
    ).toEqual([
      {
        pcn_code: 'U00001',
        month: '2025-04',
        referral_id: 'R1',
        occurred_on: '2025-04-15',
        attended: true,
        activity_category: 'physical_activity',
        provider_id: 'P1',
      },
      {
        pcn_code: 'U00001',
        month: '2025-05',
        referral_id: 'R1',
        occurred_on: '2025-05-05',
        attended: false,
        activity_category: 'nature_green',
        provider_id: 'P1',
      },
    ]);
  });

  it("counts a referral's connections and attendance from them, and its other follow-ups as before", async () => {
    expect(
      await rows(`SELECT referral_id, CAST(contacts AS INTEGER) AS contacts, engaged,
        CAST(connections AS INTEGER) AS connections, connected FROM episodes`),
    ).toEqual([{ referral_id: 'R1', contacts: 1, engaged: true, connections: 2, connected: true }]);
  });

  it("counts cof_community's connections, attendances and organisations from them", async () => {
    // The attendance cohort's cut-off (catalogue.ts params): connections made by 31 May.
    const counts = await rows(
      `SELECT period, CAST(connections AS INTEGER) AS connections, CAST(attended AS INTEGER) AS attended,
         CAST(providers AS INTEGER) AS providers, CAST(activity_physical_activity AS INTEGER) AS physical,
         CAST(activity_nature_green AS INTEGER) AS nature, CAST(activity_arts_culture AS INTEGER) AS arts
       FROM (${loadSql('metrics/cof_community')}) WHERE level = 'pcn' ORDER BY period`,
      ['2025-05-31'],
    );
    expect(counts).toEqual([
      { period: '2025-04', connections: 1, attended: 1, providers: 1, physical: 1, nature: 0, arts: 0 },
      { period: '2025-05', connections: 1, attended: 0, providers: 1, physical: 0, nature: 1, arts: 0 },
      { period: '2025/26', connections: 2, attended: 1, providers: 1, physical: 1, nature: 1, arts: 0 },
    ]);
  });

  it('tests no connection against the withdrawn rows outside connections_in_force', async () => {
    // cof_community reads neither the events nor the withdrawn rows; episodes reads the withdrawn rows of other kinds
    // only (a withdrawn row's event_type is its row's own: withdrawn.sql).
    const community = await scans(loadSql('metrics/cof_community'), ['2025-05-31']);
    expect(community.filter((s) => /committed_events|withdrawn/.test(s))).toEqual([]);
    expect(community.filter((s) => s.includes('connections_in_force'))).toHaveLength(1);
    const withdrawn = (await scans(loadSql('prepare/episodes'))).filter((s) => s.includes('withdrawn'));
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]).toContain("event_type!='community_connection'");
  });
});
