import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Counts published in two documents are controlled once (review findings 2 and 3, docs/methodology.md, "Disclosure
 * control"). Worked out by hand.
 */

const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to\n';
const contact = (pcn: string, referral: string, id: string, on: string): GoldenEvent => ({
  ...referralEvent(pcn, referral, on, id),
  event_type: 'contact',
  referral_source: undefined,
  referral_reasons: undefined,
  snomed_code: undefined,
  age_band: undefined,
  sex: undefined,
  ethnicity_group: undefined,
  imd_decile: undefined,
  contact_mode: 'telephone',
  worker_role: 'splw',
  duration_minutes: 30,
});
const MONTHS = ['04', '05', '06', '07'];

async function publish(
  name: string,
  reference: string,
  uploads: Record<string, GoldenEvent[]>,
  now: string,
): Promise<Map<string, MetricDocument>> {
  const dir = tempDir(name);
  dirs.push(dir);
  const docs = new Map<string, MetricDocument>();
  const files = writeEventFiles(dir.path, uploads);
  const receipts = await publishGolden(join(dir.path, 'data'), files, reference, new Date(now), docs);
  expect(receipts.map((r) => [r.status, r.rows.rejected])).toEqual(files.map(() => ['accepted', 0]));
  return docs;
}
const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

/*
 * Four PCNs in four regions (s2), one ICB each. U00001 (Y56): 1 referral on 2025-04-10, link worker contacts in May,
 * June and July. U00002 (Y58): 8 referrals, U00003 (Y59) 13 and U00004 (Y60) 18, on the 10th of April, May, June and
 * July in turn (2, 2, 2, 2; 4, 3, 3, 3; 5, 5, 4, 4). Data as of 2025-07-31, so 2025/26 has 4 months. (Until review 8's
 * N5 this was U00001 and U00002 alone, England 9: an England of 2 PCNs is held now, and May to July need 3 PCNs each.)
 * rollout 2025/26: England 1 + 8 + 13 + 18 = 40 referrals, exact. Below it U00001's 1 is *, U00002's 8 would be 10
 * (8..12), U00003's 13 15 (13..17), U00004's 18 20 (18..22); but the regions (one PCN each) add up to England's exact
 * 40: Y56's * alone beside them would be 40 - 8 - 13 - 18 <= 1, so the next smallest, Y58, is suppressed too, and
 * each region's PCN with it: Y56 + Y58 = 40 - (13..17) - (18..22) = 1..9, two `*`. (U00003's and U00004's are not
 * asserted here: the audit reads this count with the same counts of the other documents, cof_person's episodes among
 * them, and in this refresh leaves them `*` too; whatever it leaves, pcn_comparison must show the same.) Before the
 * fix pcn_comparison controlled the same count on its own: U00002 = 10 (8..12) and a referral rate beside it, giving
 * U00001 <= 40 - 8 - 13 - 18 = 1 again.
 */
const S2_REFERENCE = `${HEADER}U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,10000,2019-04-01,
U00002,Bravo PCN,QBB,NHS Bravo ICB,Y58,South West,20000,2019-04-01,
U00003,Charlie PCN,QCC,NHS Charlie ICB,Y59,South East,20000,2019-04-01,
U00004,Delta PCN,QDD,NHS Delta ICB,Y60,Midlands,20000,2019-04-01,
`;
const spread = (pcn: string, n: number) =>
  Array.from({ length: n }, (_, i) => referralEvent(pcn, `${pcn}-r${i}`, `2025-${MONTHS[i % 4]}-10`));
const S2_UPLOADS = {
  'a.jsonl': [
    referralEvent('U00001', 'U00001-r0', '2025-04-10'),
    ...MONTHS.slice(1).map((m) => contact('U00001', 'U00001-r0', `C-${m}`, `2025-${m}-12`)),
  ],
  'b.jsonl': spread('U00002', 8),
  'c.jsonl': spread('U00003', 13),
  'd.jsonl': spread('U00004', 18),
};

describe('pcn_comparison publishes the PCN counts of rollout and cof_person as they do (s2)', () => {
  const docs = new Map<string, MetricDocument>();
  const row = rowFinder(docs);
  beforeAll(async () => {
    for (const [k, v] of await publish('shared-s2', S2_REFERENCE, S2_UPLOADS, '2025-08-05T00:00:00Z')) docs.set(k, v);
  }, 120_000);

  it('rollout suppresses U00001 and U00002 beside England exact 40', () => {
    expect(row('rollout', 'national', 'ENG', '2025/26')).toMatchObject({ referrals: 40 });
    expect(row('rollout', 'pcn', 'U00001', '2025/26')).toMatchObject({ referrals: '*' });
    expect(row('rollout', 'pcn', 'U00002', '2025/26')).toMatchObject({ referrals: '*' });
  });

  it('pcn_comparison shows the same cells, so no rate and no funnel place for U00001 and U00002', () => {
    for (const code of ['U00001', 'U00002'])
      expect(row('pcn_comparison', 'pcn', code, '2025/26'), code).toMatchObject({
        referrals: '*',
        referral_rate: '*',
        referral_rate_vs_national: null,
      });
    for (const code of ['U00001', 'U00002', 'U00003', 'U00004'])
      expect(row('pcn_comparison', 'pcn', code, '2025/26').referrals, code).toBe(
        row('rollout', 'pcn', code, '2025/26').referrals,
      );
  });

  it('every shared count is the same published value in both documents, and the scan finds nothing', () => {
    for (const code of ['U00001', 'U00002', 'U00003', 'U00004']) {
      const outcomes = row('cof_person', 'pcn', code, '2025/26');
      const compared = row('pcn_comparison', 'pcn', code, '2025/26');
      for (const c of ['engagement_cohort', 'engaged', 'connected', 'wellbeing_measured', 'wellbeing_improved'])
        expect(compared[c], `${code} ${c}`).toBe(outcomes[c]);
    }
    expect(disclosureFindings(docs, S2_REFERENCE)).toEqual([]);
  });
});

/*
 * s8: 13 PCNs. Quintiles of PCN deprivation (NHS Digital PCN IMD 2019, sql/prepare/pcn_deprivation.sql): quintile 1 =
 * U02671 (QAA), U00203 (QBB), U01577 (QCC); 2 = U00147, U00254, U00402; 5 = U00070, U01367, U02669 (all London, Y56);
 * 3 = U01989, U02610 (QDD), U00351, U00760 (QEE) (South West, Y58). People referred in 2025/26 (one referral each, on the
 * 10th of April, May, June, July in turn): U02671 1, U00203 8, U01577 8, every other PCN 30. Each PCN sends a contact
 * on its first referral every month, so the data are as of 2025-07-31.
 * rollout 2025/26: U00203 8 -> 10, U01577 8 -> 10, U02671 1 -> *. England's quintile 1 = 1 + 8 + 8 = 17. Published
 * exactly (before the fix) it gave U02671 = 17 - 8..12 - 8..12 <= 1, so 1. Rounded as a group of PCNs it is 15, 13..17:
 * U02671 <= 17 - 8 - 8 = 1 still. So the people referred of every quintile row of 2025/26 (England's and the regions':
 * all or nothing) are suppressed, with their rates.
 * Engagement cohort (referred on or before 2025-04-30: people 0, 4, 8, ... of each PCN): U02671 1, U00203 2, U01577 2,
 * the others 8 each. England: q1 5 -> *; q2 24 -> 25, but q1's * alone among England's quintiles: the next smallest,
 * q2 (25; q5 also 25, q2 first), is suppressed too; q3 32 -> 30; q5 24 -> 25. Against cof_person's PCN rows (q3: four
 * of 8 -> 10 each, 8..12; 30 is 28..32: each PCN 28 - 36 .. 32 - 24, within 8..12; q5 the same with three), nothing is
 * pinned. Y58's quintile 3 is the same four PCNs: 30; Y56's quintile 5: 25, its quintile 1 and 2 as England's.
 */
const PCNS: [string, string, number][] = [
  ['U02671', 'QAA', 1],
  ['U00070', 'QAA', 30],
  ['U00147', 'QAA', 30],
  ['U00203', 'QBB', 8],
  ['U00254', 'QBB', 30],
  ['U01367', 'QBB', 30],
  ['U01577', 'QCC', 8],
  ['U00402', 'QCC', 30],
  ['U02669', 'QCC', 30],
  ['U01989', 'QDD', 30],
  ['U02610', 'QDD', 30],
  ['U00351', 'QEE', 30],
  ['U00760', 'QEE', 30],
];
const S8_REFERENCE =
  HEADER +
  PCNS.map(
    ([p, icb]) => `${p},PCN ${p},${icb},ICB ${icb},${icb >= 'QDD' ? 'Y58,South West' : 'Y56,London'},20000,2019-04-01,`,
  ).join('\n') +
  '\n';
const S8_UPLOADS = Object.fromEntries(
  PCNS.map(([p, , people]) => [
    `${p}.jsonl`,
    [
      ...Array.from({ length: people }, (_, i) => referralEvent(p, `${p}-r${i}`, `2025-${MONTHS[i % 4]}-10`)),
      ...MONTHS.map((m) => contact(p, `${p}-r0`, `C-${p}-${m}`, `2025-${m}-20`)),
    ],
  ]),
);

describe("England's PCN-deprivation quintile rows are a group of PCNs: rounded, and checked against rollout (s8)", () => {
  const docs = new Map<string, MetricDocument>();
  const row = rowFinder(docs);
  const quintile = (level: string, code: string, group: string) =>
    row('equity', level, code, '2025/26', { dimension: 'pcn_imd_quintile', group });
  beforeAll(async () => {
    for (const [k, v] of await publish('shared-s8', S8_REFERENCE, S8_UPLOADS, '2025-08-05T00:00:00Z')) docs.set(k, v);
  }, 120_000);

  it("rollout's PCN rows are as worked out", () => {
    expect(docs.get('equity')?.data_as_of).toBe('2025-07-31');
    expect(row('rollout', 'pcn', 'U02671', '2025/26')).toMatchObject({ people_referred: '*' });
    expect(row('rollout', 'pcn', 'U00203', '2025/26')).toMatchObject({ people_referred: 10 });
    expect(row('rollout', 'pcn', 'U01577', '2025/26')).toMatchObject({ people_referred: 10 });
  });

  it("no quintile's people referred is published in 2025/26: quintile 1 would pin U02671", () => {
    for (const [level, code, group] of [
      ['national', 'ENG', '1'],
      ['national', 'ENG', '2'],
      ['national', 'ENG', '3'],
      ['national', 'ENG', '5'],
      ['region', 'Y56', '1'],
      ['region', 'Y56', '2'],
      ['region', 'Y56', '5'],
      ['region', 'Y58', '3'],
    ] as const)
      expect(quintile(level, code, group), `${level} ${code} ${group}`).toMatchObject({
        people_referred: '*',
        people_referred_per_1000: '*',
        people_referred_per_1000_annualised: '*',
      });
  });

  it('engagement: rounded as counts below England, with secondary suppression among the quintiles', () => {
    expect(quintile('national', 'ENG', '1')).toMatchObject({ engagement_cohort: '*' });
    expect(quintile('national', 'ENG', '2')).toMatchObject({ engagement_cohort: '*' });
    expect(quintile('national', 'ENG', '3')).toMatchObject({ engagement_cohort: 30 });
    expect(quintile('national', 'ENG', '5')).toMatchObject({ engagement_cohort: 25 });
    expect(quintile('region', 'Y58', '3')).toMatchObject({ engagement_cohort: 30 });
    expect(quintile('region', 'Y56', '5')).toMatchObject({ engagement_cohort: 25 });
  });

  it('the disclosure scan, reading England quintile rows as a group of PCNs, finds nothing', () => {
    expect(disclosureFindings(docs, S8_REFERENCE)).toEqual([]);
  });
});
