import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, DEFAULT_TARGETS } from '../../functions/refresh/catalogue.ts';
import { buildDocument } from '../../functions/refresh/refresh.ts';
import { parentsFrom, SCAN_SPEC, scanPublished } from '../support/disclosure-scan.ts';

/*
 * The median link worker contacts per referral of cof_person goes wherever its outcome cohort does (docs/methodology.md,
 * "Disclosure control": means and medians need 8 or more people, and their count published). Worked out by hand.
 *
 * ICB QAA, 2025/26, outcome cohort: U00001 3 referrals, U00002 9; QAA 12. Every referral had 4 link worker contacts,
 * so the medians (mediansOf, from contacts_distribution, where 8 or more referrals) are QAA 4 and U00002 4; U00001's
 * 3 referrals have none. Control: U00001 3 -> *; U00002 9 -> 10, but U00001's * alone among QAA's PCNs, so U00002 is
 * suppressed too (secondary); QAA 12 -> 10. Before, U00002's median 4 was shown beside its secondary *: a median is
 * made only where 8 or more referrals contribute, so it said U00002's cohort was 8 or more, and with QAA's 10 (8 to
 * 12) U00001's * at most 12 - 8 = 4.
 */
const COF_PERSON = CATALOGUE.find((d) => d.name === 'cof_person');

function cohortRow(level: string, code: string, referrals: number): Row {
  const row: Row = { level, code, period_type: 'fy', period: '2025/26' };
  for (const column of COF_PERSON?.rules.counts ?? []) row[column] = 0;
  return {
    ...row,
    episodes: referrals,
    engagement_cohort: referrals,
    outcome_cohort: referrals,
    splw_contacts: 4 * referrals,
  };
}

describe('median_contacts below England', () => {
  const doc = buildDocument(
    COF_PERSON as NonNullable<typeof COF_PERSON>,
    [cohortRow('icb', 'QAA', 12), cohortRow('pcn', 'U00001', 3), cohortRow('pcn', 'U00002', 9)],
    {
      targets: DEFAULT_TARGETS,
      medianContacts: new Map([
        ['icb|QAA|2025/26', 4],
        ['pcn|U00002|2025/26', 4],
      ]),
      generatedAt: '2026-01-05T00:00:00.000Z',
      dataAsOf: '2025-12-31',
      parentOf: (row) => (row.level === 'pcn' ? ['QAA'] : []),
    },
  );
  const rows = doc.rows.map((r) => [r.code, r.outcome_cohort, r.median_contacts, r.mean_contacts]);

  it('is * wherever the outcome cohort is, secondary suppression too', () => {
    expect(rows).toEqual([
      // The mean from the rounded figures: contacts 48 -> 50 over 10.
      ['QAA', 10, 4, 5],
      ['U00001', '*', '*', '*'],
      ['U00002', '*', '*', '*'],
    ]);
  });

  it('the disclosure scan reads the median as a figure over the outcome cohort and finds nothing', () => {
    const reference =
      'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n' +
      'U00001,A,QAA,QAA ICB,Y56,London,10000,2019-04-01,\nU00002,B,QAA,QAA ICB,Y56,London,10000,2019-04-01,\n';
    const parents = parentsFrom(reference, { icbs: [{ code: 'QAA', parent: 'Y56' }] });
    expect(scanPublished([doc], parents, SCAN_SPEC).filter((line) => line.includes('median_contacts'))).toEqual([]);
  });
});
