import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../functions/contract/metrics.ts';
import { notChartedReason } from '../../functions/refresh/spc-documents.ts';
import { PublishedRows, packContent } from '../../functions/reports/pack-content.ts';
import { documents, meta } from '../support/pack-documents.ts';

/** Review2 F4: where an area's series has a suppressed month, the pack says why it is not charted. */
describe("the pack's SPC reading of a series that is not charted", () => {
  const reason = notChartedReason('pcn', 4, 14);

  it('says why, in place of "too few months to chart"', () => {
    const docs = documents().map((d) =>
      d.name !== 'spc'
        ? d
        : {
            ...d,
            rows: d.rows.map((r) =>
              r.level === 'pcn' && r.code === 'U22222'
                ? ({
                    ...r,
                    variation: null,
                    assurance: null,
                    points: 0,
                    suppressed_months: 4,
                    not_charted: reason,
                  } as MetricRow)
                : r,
            ),
          },
    );
    const positions = packContent('pcn', 'U22222', new PublishedRows(docs), meta).positions;
    const referrals = positions.rows.find((r) => r[0] === 'Referrals per 1,000 registered patients');
    expect(referrals?.at(-1)).toBe(
      "Not charted month by month: 4 of 14 months suppressed (too few people to publish); see the yearly figures and its ICB's chart",
    );
    // Another PCN's charted series still reads its icon.
    const other = packContent('pcn', 'U11111', new PublishedRows(docs), meta).positions;
    expect(other.rows.find((r) => r[0] === 'Referrals per 1,000 registered patients')?.at(-1)).toBe(
      'Special cause variation: concern (lower)',
    );
  });

  it('points each level to the area above it', () => {
    expect(notChartedReason('icb', 1, 13)).toMatch(/see the yearly figures and its region's chart$/);
    expect(notChartedReason('region', 2, 20)).toMatch(/2 of 20 months suppressed .* and England's chart$/);
  });
});
