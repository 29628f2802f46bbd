import { describe, expect, it } from 'vitest';
import { documentToCsv, MetricsApi } from '../../functions/api/metrics-api.ts';
import { NATIONAL_LOCAL_USER } from '../../functions/auth/scope.ts';
import type { MetricRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { testTempDir } from '../support/files.ts';

/*
 * Review 6, K2: the API's CSV of a document says what its JSON says beside the rows: the data-as-of date, and for
 * cohort-based figures which referrals they cover (England's held periods by their release's cut-offs). Expected text
 * written out by hand.
 */
const rows = [
  { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', engaged_pct: 71.5 },
  { level: 'national', code: 'ENG', period_type: 'fy', period: '2026/27', engaged_pct: 70 },
  { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2025/26', engaged_pct: '*' },
] as unknown as MetricRow[];
const cut = (engagement: string, outcomes: string) => ({
  engagement: { months: 3, referred_on_or_before: engagement },
  outcomes: { months: 6, referred_on_or_before: outcomes },
});

describe('documentToCsv with its document', () => {
  it('adds data_as_of and covers; a held England year covers its release, a PCN of that year this release', () => {
    const summary = {
      cohorts: {
        ...cut('2026-08-31', '2026-05-31'),
        held: { '2025/26': { release: 'r1', data_as_of: '2026-09-30', ...cut('2026-06-30', '2026-03-31') } },
      },
    };
    expect(documentToCsv(rows, { data_as_of: '2026-11-30', summary })).toBe(
      'level,code,period_type,period,engaged_pct,data_as_of,covers\r\n' +
        'national,ENG,fy,2025/26,71.5,2026-11-30,' +
        'engagement: referrals made by 2026-06-30; outcomes: referrals made by 2026-03-31 (held at the release of data to 2026-09-30)\r\n' +
        'national,ENG,fy,2026/27,70,2026-11-30,engagement: referrals made by 2026-08-31; outcomes: referrals made by 2026-05-31\r\n' +
        'pcn,U10001,fy,2025/26,*,2026-11-30,engagement: referrals made by 2026-08-31; outcomes: referrals made by 2026-05-31\r\n',
    );
  });

  it('service use says each window length by its cut-off; a document with no cohorts only its data-as-of date', () => {
    const one = [rows[2]] as MetricRow[];
    const windows = [
      { months: 3, referred_on_or_before: '2026-08-31' },
      { months: 12, referred_on_or_before: '2025-11-30' },
    ];
    expect(documentToCsv(one, { data_as_of: '2026-11-30', summary: { windows_ended: windows } })).toBe(
      'level,code,period_type,period,engaged_pct,data_as_of,covers\r\n' +
        'pcn,U10001,fy,2025/26,*,2026-11-30,' +
        '3-month windows: referrals made by 2026-08-31; 12-month windows: referrals made by 2025-11-30\r\n',
    );
    expect(documentToCsv(one, { data_as_of: null })).toBe(
      'level,code,period_type,period,engaged_pct,data_as_of\r\npcn,U10001,fy,2025/26,*,\r\n',
    );
  });

  it("community attendance says which connections it covers: the attendance cohort's cut-off (R19-12)", () => {
    // Data as of 30 November 2026: connections made by 31 October; England's 2025/26 held at the release of data to
    // 30 September, whose cut-off was 31 August.
    const community = [
      { level: 'national', code: 'ENG', period_type: 'fy', period: '2025/26', attendance_pct: 80 },
      { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2025/26', attendance_pct: 83.3 },
    ] as unknown as MetricRow[];
    const summary = {
      attendance_cohort: {
        months: 1,
        connected_on_or_before: '2026-10-31',
        held: {
          '2025/26': { release: 'r1', data_as_of: '2026-09-30', months: 1, connected_on_or_before: '2026-08-31' },
        },
      },
    };
    expect(documentToCsv(community, { data_as_of: '2026-11-30', summary })).toBe(
      'level,code,period_type,period,attendance_pct,data_as_of,covers\r\n' +
        'national,ENG,fy,2025/26,80,2026-11-30,' +
        'attendance: connections made by 2026-08-31 (held at the release of data to 2026-09-30)\r\n' +
        'pcn,U10001,fy,2025/26,83.3,2026-11-30,attendance: connections made by 2026-10-31\r\n',
    );
  });

  it('rows without a period are given the data-as-of date as theirs', () => {
    const alerts = [{ level: 'pcn', code: 'U10001', measure: 'take_up_pct' }] as unknown as MetricRow[];
    expect(documentToCsv(alerts, { data_as_of: '2026-11-30' })).toBe(
      'level,code,measure,period,data_as_of\r\npcn,U10001,take_up_pct,2026-11-30,2026-11-30\r\n',
    );
  });
});

describe('the API route /api/metrics/<name>.csv', () => {
  it('names the file by the period asked for and the data-as-of date, and gives its rows both', async () => {
    const store = new FsObjectStore(testTempDir('document-csv'));
    const document = {
      name: 'cof_person',
      data_as_of: '2026-11-30',
      summary: { cohorts: cut('2026-08-31', '2026-05-31') },
      rows,
    };
    await store.put('metrics/cof_person.json', JSON.stringify(document));
    await store.put('metrics/meta.json', JSON.stringify({ months: [], regions: [], icbs: [], pcns: [] }));
    const api = new MetricsApi(store);
    const get = async (query: string) => {
      const answer = await api.handle({
        method: 'GET',
        path: '/api/metrics/cof_person.csv',
        query: new URLSearchParams(query),
        identity: NATIONAL_LOCAL_USER,
      });
      return [answer.headers['content-disposition'], answer.encoded?.identity.toString() ?? answer.body];
    };
    const covers = 'engagement: referrals made by 2026-08-31; outcomes: referrals made by 2026-05-31';
    expect(await get('level=national&period=2026/27')).toEqual([
      'attachment; filename="cof_person-2026-27-2026-11-30.csv"',
      `level,code,period_type,period,engaged_pct,data_as_of,covers\r\nnational,ENG,fy,2026/27,70,2026-11-30,${covers}\r\n`,
    ]);
    expect((await get(''))[0]).toBe('attachment; filename="cof_person-2026-11-30.csv"');
  });
});
