import { describe, expect, it } from 'vitest';
import { documentToCsv } from '../../functions/api/metrics-api.ts';
import type { MetricRow } from '../../functions/contract/index.ts';

/*
 * Red-team review 7, M8: the API's CSV of a document whose rows below England disclosure control withheld says so on
 * the rows of those periods (and keys), so that a file saved on its own tells them from no data. Written by hand.
 */
describe('documentToCsv of a document with rows withheld below England', () => {
  it("names the levels withheld on England's row of that period and key; other rows say nothing", () => {
    const rows = [
      { level: 'national', code: 'ENG', period_type: 'fy', period: '2024/25', contacts: 18, episodes: 2 },
      { level: 'national', code: 'ENG', period_type: 'fy', period: '2024/25', contacts: 2, episodes: 70 },
      { level: 'pcn', code: 'U10001', period_type: 'fy', period: '2024/25', contacts: 2, episodes: 30 },
    ] as unknown as MetricRow[];
    const summary = {
      withheld_below_england: {
        reason: 'Withheld for disclosure control, not missing.',
        withheld: [{ period_type: 'fy', period: '2024/25', keys: { contacts: 18 }, levels: ['region', 'icb', 'pcn'] }],
      },
    };
    expect(documentToCsv(rows, { data_as_of: '2025-03-31', summary })).toBe(
      'level,code,period_type,period,contacts,episodes,data_as_of,withheld_below_england\r\n' +
        'national,ENG,fy,2024/25,18,2,2025-03-31,"rows withheld for disclosure control: region, icb, pcn"\r\n' +
        'national,ENG,fy,2024/25,2,70,2025-03-31,\r\n' +
        'pcn,U10001,fy,2024/25,2,30,2025-03-31,\r\n',
    );
    // Nothing withheld: no such column.
    expect(documentToCsv(rows.slice(1, 2), { data_as_of: '2025-03-31', summary: {} })).toBe(
      'level,code,period_type,period,contacts,episodes,data_as_of\r\nnational,ENG,fy,2024/25,2,70,2025-03-31\r\n',
    );
  });

  it("says England's figures are held on a row whose England figures the revisions policy holds (england_held)", () => {
    const rows = [
      { level: 'national', code: 'ENG', period_type: 'month', period: '2024-10', instrument: 'wemwbs', people: null },
    ] as unknown as MetricRow[];
    const summary = {
      withheld_below_england: {
        reason: 'Withheld for disclosure control, not missing.',
        withheld: [
          {
            period_type: 'month',
            period: '2024-10',
            keys: { instrument: 'wemwbs' },
            levels: ['region', 'icb', 'pcn'],
            england_held: true,
          },
        ],
      },
    };
    expect(documentToCsv(rows, { data_as_of: '2025-05-31', summary })).toBe(
      'level,code,period_type,period,instrument,people,data_as_of,withheld_below_england\r\n' +
        'national,ENG,month,2024-10,wemwbs,,2025-05-31,' +
        `"rows withheld for disclosure control: region, icb, pcn; England's figures held while a revision is checked"\r\n`,
    );
  });
});
