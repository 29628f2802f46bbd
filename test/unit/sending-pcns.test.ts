import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * "Onboarded, not stopped" stated once (sql/meta/sending_pcns.sql): the months each PCN is expected to send, which the
 * data-as-of rule (meta/data_as_of.sql: pcns_stopped, list_sending, list_continuing) and rollout (pcns_expected) both
 * read, where each wrote the rule again from onboarded and stopped_pcns (they could drift).
 *
 *   PCN     onboarded.sql first..last   on 4 October 2025 (stopped before 2025-06)   expected to send
 *   U00001  2025-04..2025-05            stopped (last 2025-05 < 2025-06)             2025-04..2025-05
 *   U00002  2025-05..2025-09            sending                                      2025-05 on, no end
 *   U00003  2025-06..2025-06            late, not stopped (2025-06 >= 2025-06)       2025-06 on, no end
 */
const withoutComments = (sql: string) => sql.replace(/--.*$/gm, '');

describe('sending_pcns: the months each PCN is expected to send', () => {
  it('runs from first_month to the last month reported where the extract has stopped, else with no end', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(`CREATE TABLE onboarded AS SELECT * FROM (VALUES ('U00001', '2025-04', '2025-05'),
        ('U00002', '2025-05', '2025-09'), ('U00003', '2025-06', '2025-06')) AS o (pcn_code, first_month, last_month)`);
      // stoppedBefore('2025-10-04') is 2025-06 (data-as-of.ts): no extract covers June to September.
      await connection.run(`CREATE TABLE stopped_pcns AS ${loadSql('meta/stopped_pcns')}`, ['2025-06']);
      await connection.run(`CREATE VIEW sending_pcns AS ${loadSql('meta/sending_pcns')}`);
      const rows = (await connection.runAndReadAll('SELECT * FROM sending_pcns ORDER BY pcn_code')).getRowObjectsJS();
      expect(rows).toEqual([
        { pcn_code: 'U00001', sending_from: '2025-04', sending_to: '2025-05' },
        { pcn_code: 'U00002', sending_from: '2025-05', sending_to: '9999-12' },
        { pcn_code: 'U00003', sending_from: '2025-06', sending_to: '9999-12' },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('is what the data-as-of rule and rollout read: neither states "stopped" again', () => {
    for (const file of ['meta/data_as_of', 'metrics/rollout']) {
      const sql = withoutComments(loadSql(file));
      expect(sql, file).toMatch(/\bJOIN sending_pcns AS g\b/);
      expect(sql, file).not.toMatch(/\bstopped_pcns\b/);
      // last_month only once, in data_as_of: a month sent counts only within the PCN's span (its events after its span
      // are no sending: review 20, R20-8), not as a stop.
      expect(sql.match(/\blast_month\b/g) ?? [], file).toHaveLength(file === 'meta/data_as_of' ? 1 : 0);
    }
  });
});
