import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * cof_community's organisations are distinct at every area and period (an organisation that receives people from two
 * PCNs is one organisation for their ICB, region and England). They are counted once per month and year with the range
 * of ICBs and regions each was in (issue 17): one in a single ICB counts once there, one in several goes through the
 * exact path, counted distinct in each; an organisation sent as NULL is one organisation on both paths.
 *
 * PCNs: P1 and P2 in ICB I1, P3 in I2 (all region R1), P4 in I3 (region R2). May 2025: A at P1, P2 and P3 (two ICBs,
 * one region); B at P1 and P4 (two ICBs, two regions); NULL at P1 and P4; C at P1 twice. June 2025: A at P2.
 */
const CONNECTIONS: [string, string, string | null][] = [
  ['P1', '2025-05', 'A'],
  ['P2', '2025-05', 'A'],
  ['P3', '2025-05', 'A'],
  ['P1', '2025-05', 'B'],
  ['P4', '2025-05', 'B'],
  ['P1', '2025-05', null],
  ['P4', '2025-05', null],
  ['P1', '2025-05', 'C'],
  ['P1', '2025-05', 'C'],
  ['P2', '2025-06', 'A'],
];
const PLACES = [
  ['P1', 'I1', 'R1'],
  ['P2', 'I1', 'R1'],
  ['P3', 'I2', 'R1'],
  ['P4', 'I3', 'R2'],
];

async function providers(): Promise<Record<string, number>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const run = (sql: string) => connection.run(sql);
    const events = CONNECTIONS.map(
      ([pcn, month, provider], i) =>
        `('community_connection', '${pcn}', '${month}', ${provider === null ? 'NULL' : `'${provider}'`}, 'other', true, 'u${i}', ${i + 2})`,
    );
    await run(`CREATE TABLE committed_events (event_type VARCHAR, pcn_code VARCHAR, event_month VARCHAR,
      provider_id VARCHAR, activity_category VARCHAR, attended BOOLEAN, upload_id VARCHAR, source_row INTEGER)`);
    await run(`INSERT INTO committed_events VALUES ${events.join(', ')}`);
    await run('CREATE TABLE withdrawn (upload_id VARCHAR, source_row INTEGER)');
    await run(`CREATE TABLE published_through AS SELECT '2025-06' AS month`);
    const months = PLACES.flatMap(([pcn, icb, region]) =>
      ['2025-05', '2025-06'].map((m) => `('${pcn}', '${icb}', '${region}', '${m}', '2025/26', 1000, true)`),
    );
    await run(`CREATE TABLE pcn_months (pcn_code VARCHAR, icb_code VARCHAR, region_code VARCHAR, month VARCHAR,
      fy VARCHAR, list_size BIGINT, reporting BOOLEAN)`);
    await run(`INSERT INTO pcn_months VALUES ${months.join(', ')}`);
    await run(`CREATE VIEW rollups AS ${loadSql('prepare/rollups')}`);
    // The attendance cohort's cut-off (catalogue.ts params): data as of 30 June, connections made by 31 May.
    const rows = (await connection.runAndReadAll(loadSql('metrics/cof_community'), ['2025-05-31'])).getRowObjectsJS();
    return Object.fromEntries(rows.map((r) => [`${r.level} ${r.code} ${r.period}`, Number(r.providers)]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('cof_community: organisations distinct at every area and period', () => {
  it('counts an organisation in two ICBs or regions once in each, and once above them', async () => {
    expect(await providers()).toEqual({
      // May: P1 has A, B, NULL and C (C twice, one organisation); P2 A; P3 A; P4 B and NULL.
      'pcn P1 2025-05': 4,
      'pcn P2 2025-05': 1,
      'pcn P3 2025-05': 1,
      'pcn P4 2025-05': 2,
      // I1 (P1, P2): A, B, NULL, C; I2 (P3): A; I3 (P4): B, NULL.
      'icb I1 2025-05': 4,
      'icb I2 2025-05': 1,
      'icb I3 2025-05': 2,
      // R1 (P1, P2, P3): A, B, NULL, C; R2 (P4): B, NULL; England A, B, NULL, C.
      'region R1 2025-05': 4,
      'region R2 2025-05': 2,
      'national ENG 2025-05': 4,
      // June: A at P2 only.
      'pcn P2 2025-06': 1,
      'icb I1 2025-06': 1,
      'region R1 2025-06': 1,
      'national ENG 2025-06': 1,
      // The year: May's organisations, A in June again (P2's A is one organisation over the year).
      'pcn P1 2025/26': 4,
      'pcn P2 2025/26': 1,
      'pcn P3 2025/26': 1,
      'pcn P4 2025/26': 2,
      'icb I1 2025/26': 4,
      'icb I2 2025/26': 1,
      'icb I3 2025/26': 2,
      'region R1 2025/26': 4,
      'region R2 2025/26': 2,
      'national ENG 2025/26': 4,
    });
  });
});
