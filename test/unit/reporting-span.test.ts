import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * sql/prepare/onboarded.sql, each PCN's reporting span (red-team review 7, M5 and M15), on hand-made months with events
 * and upload receipts. Runs of months with events are split by gaps of more than 3 months without one; the start is
 * the first month of the earliest run of 3 or more months, else of the latest run; the end is the last month with
 * events, or the last month an events upload (accepted or partly accepted) covers: its latest row's month, at most the
 * month before it was received (an upload whose rows stop earlier is a late extract of an earlier month or a
 * correction: red-team review 9, R9-6, and review 16, R16-1); a retraction's row covers no month (its month is the
 * day it was made: review 17, R17-1). Each upload's rows' months are in brackets below, an event sent again marked
 * "again".
 *
 *   PCN     months with events                          latest events extract  span
 *   U00001  2023-05; 2025-04..2025-07                   2025-08-02             2025-04..2025-07 (2023-05 alone: stray)
 *   U00002  2025-01, 2025-05..2025-07 (3 empty between)  2025-08-02            2025-01..2025-07 (a gap of 3 is one run)
 *   U00003  2024-01..2024-03; 2025-01..2025-07          2025-08-02             2024-01..2025-07 (an earlier run of 3
 *                                                                              is reporting: a long outage keeps it)
 *   U00004  2025-03..2025-05                            2025-06-03             2025-03..2025-05 (stopped)
 *   U00005  2025-03..2025-05                            2025-08-02 (a retrac-  2025-03..2025-05 (a retraction's month
 *                                                       tion alone, made in    is the day it was made: it covers no
 *                                                       August)                month; review 17, R17-1)
 *   U00006  2025-03..2025-05                            rejected 2025-08-02,   2025-03..2025-05 (a rejected file or a
 *                                                       workforce 2025-08-02   workforce snapshot is no extract)
 *   U00007  2024-02; 2025-07 (a new wave, one month)    2025-08-02             2025-07..2025-07
 *   U00008  2025-05..2025-07                            none (no receipt)      2025-05..2025-07
 *   U00009  2024-09..2024-10 (a pilot: 2 months)        2024-11-02             2024-09..2024-10 (its latest run, ended
 *                                                                              with its extract)
 *   U00010  2025-04 (one month, a new wave)             2025-08-02 (April: its 2025-04..2025-04 (its history covers
 *                                                       history, new rows)     April: May to July no data yet)
 *   U00011  2025-03..2025-05                            2025-05-03 (April),    2025-03..2025-05 (a correction of April
 *                                                       2025-06-03 (May),      extends nothing: R9-6)
 *                                                       2025-08-03 (April again)
 *   U00012  2025-03..2025-06                            2025-06-03 (May),      2025-03..2025-06 (June's extract sent
 *                                                       2025-08-03 (June)      late: July no data, not 0; R16-1)
 *   U00013  2025-03..2025-05                            2025-06-03 (May),      2025-03..2025-05 (May sent again two
 *                                                       2025-08-03 (May again) months on: a correction)
 *   U00014  2025-03..2025-05                            2025-06-03 (May),      2025-03..2025-05 (new May entries two
 *                                                       2025-08-03 (May)       months late: June and July no data)
 *   U00015  2025-03..2025-05                            2025-06-03 (May),      2025-03..2025-05 (a retraction of a May
 *                                                       2025-08-03 (a retraction event alone: a correction; review 10)
 *                                                       of May's event)
 *   U00016  2025-03..2025-05                            2025-04-03 (March),    2025-03..2025-05 (May's extract failed,
 *                                                       2025-05-03 (April),    its rows sent again on 1 July, before
 *                                                       2025-07-01 (May, new   June's file: June no data, not a real
 *                                                       rows)                  0 with an SPC alert; R16-1)
 *   U00017  2025-05..2025-07                            2025-06-03 (May),      2025-05..2025-06 (July's rows sent on 20
 *                                                       2025-07-03 (June),     July, July not over: it covers June;
 *                                                       2025-07-20 (July)      July no data until its file; R18-4)
 *   U00018  2025-05..2025-07                            2025-06-03, 2025-07-03, 2025-05..2025-07 (July's file received at
 *                                                       2025-07-31 23:30 UTC   00:30 BST on 1 August covers July; R20-6)
 * The other uploads hold rows of their PCN's latest month with events before they were received.
 */
const MONTHS: Record<string, string[]> = {
  U00001: ['2023-05', '2025-04', '2025-05', '2025-06', '2025-07'],
  U00002: ['2025-01', '2025-05', '2025-06', '2025-07'],
  U00003: [
    '2024-01',
    '2024-02',
    '2024-03',
    '2025-01',
    '2025-02',
    '2025-03',
    '2025-04',
    '2025-05',
    '2025-06',
    '2025-07',
  ],
  U00004: ['2025-03', '2025-04', '2025-05'],
  U00005: ['2025-03', '2025-04', '2025-05'],
  U00006: ['2025-03', '2025-04', '2025-05'],
  U00007: ['2024-02', '2025-07'],
  U00008: ['2025-05', '2025-06', '2025-07'],
  U00009: ['2024-09', '2024-10'],
  U00010: ['2025-04'],
  U00011: ['2025-03', '2025-04', '2025-05'],
  U00012: ['2025-03', '2025-04', '2025-05', '2025-06'],
  U00013: ['2025-03', '2025-04', '2025-05'],
  U00014: ['2025-03', '2025-04', '2025-05'],
  U00015: ['2025-03', '2025-04', '2025-05'],
  U00016: ['2025-03', '2025-04', '2025-05'],
  U00017: ['2025-05', '2025-06', '2025-07'],
  U00018: ['2025-05', '2025-06', '2025-07'],
};
// [PCN, kind, status, received at, the months of its rows (none: an empty extract), an event it sends again or first,
// the event its retraction retracts (documentation only: since R16-1 a correction is read as any other upload whose
// rows stop before the month before receipt)]
const UPLOADS: [
  pcn: string,
  kind: string,
  status: string,
  receivedAt: string,
  rows: string[],
  again?: string,
  retracts?: string,
][] = [
  ['U00001', 'events', 'accepted', '2025-08-02 07:00:00', ['2025-06', '2025-07']],
  ['U00002', 'events', 'accepted', '2025-08-02 07:00:00', ['2025-07']],
  ['U00003', 'events', 'partially_accepted', '2025-08-02 07:00:00', ['2025-07']],
  ['U00004', 'events', 'accepted', '2025-05-03 07:00:00', ['2025-04']],
  ['U00004', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00005', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00005', 'events', 'accepted', '2025-08-02 07:00:00', ['2025-08'], 'R-0501', 'E-0501'],
  ['U00006', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00006', 'events', 'rejected', '2025-08-02 07:00:00', []],
  ['U00006', 'workforce', 'accepted', '2025-08-02 07:00:00', []],
  ['U00007', 'events', 'accepted', '2025-08-02 07:00:00', ['2025-07']],
  ['U00009', 'events', 'accepted', '2024-11-02 07:00:00', ['2024-10']],
  ['U00010', 'events', 'accepted', '2025-08-02 07:00:00', ['2025-04']],
  ['U00011', 'events', 'accepted', '2025-05-03 07:00:00', ['2025-04'], 'E-0411'],
  ['U00011', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00011', 'events', 'accepted', '2025-08-03 07:00:00', ['2025-04'], 'E-0411'],
  ['U00012', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00012', 'events', 'accepted', '2025-08-03 07:00:00', ['2025-06']],
  ['U00013', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05'], 'E-0513'],
  ['U00013', 'events', 'accepted', '2025-08-03 07:00:00', ['2025-05'], 'E-0513'],
  ['U00014', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00014', 'events', 'accepted', '2025-08-03 07:00:00', ['2025-05']],
  ['U00015', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05'], 'E-0515'],
  ['U00015', 'events', 'accepted', '2025-08-03 07:00:00', ['2025-05'], 'R-0515', 'E-0515'],
  ['U00016', 'events', 'accepted', '2025-04-03 07:00:00', ['2025-03']],
  ['U00016', 'events', 'accepted', '2025-05-03 07:00:00', ['2025-04']],
  ['U00016', 'events', 'accepted', '2025-07-01 08:00:00', ['2025-05']],
  ['U00017', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00017', 'events', 'accepted', '2025-07-03 07:00:00', ['2025-06']],
  ['U00017', 'events', 'accepted', '2025-07-20 07:00:00', ['2025-07']],
  ['U00018', 'events', 'accepted', '2025-06-03 07:00:00', ['2025-05']],
  ['U00018', 'events', 'accepted', '2025-07-03 07:00:00', ['2025-06']],
  ['U00018', 'events', 'accepted', '2025-07-31 23:30:00', ['2025-07']],
];

async function spans(): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run('CREATE TABLE event_months (pcn_code VARCHAR, month VARCHAR)');
    await connection.run(
      `INSERT INTO event_months VALUES ${Object.entries(MONTHS)
        .flatMap(([pcn, months]) => months.map((m) => `('${pcn}', '${m}')`))
        .join(', ')}`,
    );
    await connection.run(
      'CREATE TABLE committed_uploads (upload_id VARCHAR, pcn_code VARCHAR, kind VARCHAR, status VARCHAR, received_at TIMESTAMP)',
    );
    await connection.run(
      `INSERT INTO committed_uploads VALUES ${UPLOADS.map(([p, k, s, at], i) => `('u${i}', '${p}', '${k}', '${s}', TIMESTAMP '${at}')`).join(', ')}`,
    );
    await connection.run('CREATE TABLE committed_events (upload_id VARCHAR, event_month VARCHAR, event_type VARCHAR)');
    // onboarded.sql groups the events table by upload and reads the committed uploads' groups: every row here is one.
    await connection.run('CREATE VIEW events AS SELECT * FROM committed_events');
    // An upload naming a retracted event holds that retraction (its rows' months), the others referrals.
    await connection.run(
      `INSERT INTO committed_events VALUES ${UPLOADS.flatMap(([, , , , rows, , retracts], i) => rows.map((m) => `('u${i}', '${m}', '${retracts ? 'retraction' : 'referral'}')`)).join(', ')}`,
    );
    const reader = await connection.runAndReadAll(`${loadSql('prepare/onboarded')} ORDER BY 1`);
    return reader.getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("each PCN's reporting span (onboarded.sql)", () => {
  it('starts at its sustained reporting and ends at its last month reported', async () => {
    expect(await spans()).toEqual([
      { pcn_code: 'U00001', first_month: '2025-04', last_month: '2025-07' },
      { pcn_code: 'U00002', first_month: '2025-01', last_month: '2025-07' },
      { pcn_code: 'U00003', first_month: '2024-01', last_month: '2025-07' },
      { pcn_code: 'U00004', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00005', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00006', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00007', first_month: '2025-07', last_month: '2025-07' },
      { pcn_code: 'U00008', first_month: '2025-05', last_month: '2025-07' },
      { pcn_code: 'U00009', first_month: '2024-09', last_month: '2024-10' },
      { pcn_code: 'U00010', first_month: '2025-04', last_month: '2025-04' },
      { pcn_code: 'U00011', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00012', first_month: '2025-03', last_month: '2025-06' },
      { pcn_code: 'U00013', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00014', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00015', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00016', first_month: '2025-03', last_month: '2025-05' },
      { pcn_code: 'U00017', first_month: '2025-05', last_month: '2025-06' },
      { pcn_code: 'U00018', first_month: '2025-05', last_month: '2025-07' },
    ]);
  });
});
