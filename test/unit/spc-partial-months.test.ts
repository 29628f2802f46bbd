import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/index.ts';
import { alertsDocument } from '../../functions/refresh/alerts.ts';
import { DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { spcDocument } from '../../functions/refresh/spc-documents.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { metricDocument, monthsFrom } from '../support/documents.ts';
import { documents, meta } from '../support/pack-documents.ts';

/*
 * A partial month on the SPC chart and in the alerts (red-team review 16, R16-3). ICB QAA's 2 PCNs send about 28
 * referrals a month between them (30, 26, ...); in April 2026 one PCN has not sent yet, and QAA's April is its other
 * PCN's 10: rollout's pcns_sent 1 of pcns_expected 2. The series is 40 less spc-alerts-documents.test.ts's (10, 14
 * six times, then 30: mean 13.38, upper limit 26.68): mean 40 - 13.38 = 26.62, lower limit 40 - 26.68 = 13.32, and
 * April's 10 is below it, a special cause of concern (low) that the variation icon reads: the point, the series and
 * its alert say April is partial, 1 of 2 PCNs sent.
 */
const MONTHS = monthsFrom('2025-04', 13);
const SERIES = [30, 26, 30, 26, 30, 26, 30, 26, 30, 26, 30, 26, 10];
const doc = (name: string, rows: MetricRow[]) =>
  metricDocument({ generated_at: '2026-05-04T00:00:00.000Z', data_as_of: '2026-04-30' }, name, rows);
const rollout = doc(
  'rollout',
  MONTHS.map(
    (period, i) =>
      ({
        level: 'icb',
        code: 'QAA',
        period_type: 'month',
        period,
        referrals: SERIES[i],
        people_referred: SERIES[i],
        decline_rate_pct: 5,
        pcns_sent: i === 12 ? 1 : 2,
        pcns_expected: 2,
      }) as MetricRow,
  ),
);
const spc = spcDocument([rollout], {
  targets: DEFAULT_TARGETS,
  generatedAt: '2026-05-04T00:00:00.000Z',
  dataAsOf: '2026-04-30',
});
const row = (measure: string) => spc.rows.find((r) => r.measure === measure);

describe('SPC: a month not every PCN of the area has sent', () => {
  it('names the partial month of referrals and people referred, with how many PCNs sent it', () => {
    expect(row('referrals')).toMatchObject({
      last_month: '2026-04',
      last_value: 10,
      mean: 26.62,
      lower_limit: 13.32,
      variation: 'concern_low',
      rules: { '2026-04': 'outside:low' },
      partial_months: { '2026-04': '1 of 2 PCNs sent' },
    });
    expect(row('people_referred')?.partial_months).toEqual({ '2026-04': '1 of 2 PCNs sent' });
    // A rate does not fall by a PCN's referrals: not marked.
    expect(row('decline_rate_pct')?.partial_months).toEqual({});
  });

  it("the alert of the partial month's special cause says it is partial", () => {
    const alerts = alertsDocument(
      { funnels: doc('pcn_comparison', []), spc },
      {},
      {
        generatedAt: '2026-05-04T00:00:00.000Z',
        dataAsOf: '2026-04-30',
        placeOf: () => ({ region_code: 'Y56', icb_code: 'QAA' }),
      },
    );
    expect(alerts.rows.map((r) => r.message)).toEqual([
      'Referrals: special cause of concern (lower) in 2026-04 (a partial month: 1 of 2 PCNs sent; a late file may explain it)',
      'People referred: special cause of concern (lower) in 2026-04 (a partial month: 1 of 2 PCNs sent; a late file may explain it)',
    ]);
  });
});

describe("the pack's completeness table: PCNs sent of those expected, each month", () => {
  it('ICB QWE: August 2 of 2, September 1 of 2 (partial); a month without the counts says no data', () => {
    // QWE's 2 PCNs expected; one has not sent September. Months before August carry no counts (an older release).
    const sent: Record<string, number> = { '2025-08': 2, '2025-09': 1 };
    const docs = documents().map((d) =>
      d.name !== 'rollout'
        ? d
        : {
            ...d,
            rows: d.rows.map((r) =>
              r.level === 'icb' && r.code === 'QWE' && String(r.period) in sent
                ? ({ ...r, pcns_sent: sent[String(r.period)], pcns_expected: 2 } as MetricRow)
                : r,
            ),
          },
    );
    const table = packContent('icb', 'QWE', new PublishedRows(docs), meta).completeness;
    expect(table.columns).toEqual(['Month', 'PCNs open', 'PCNs with referrals', 'Share', 'PCNs sent, of expected']);
    expect(table.rows.map((r) => [r[0], r.at(-1)])).toEqual([
      ['Apr 2025', '-'],
      ['May 2025', '-'],
      ['Jun 2025', '-'],
      ['Jul 2025', '-'],
      ['Aug 2025', '2 of 2'],
      ['Sep 2025', '1 of 2 (partial)'],
    ]);
  });
});
