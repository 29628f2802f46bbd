import { describe, expect, it } from 'vitest';
import { Scope } from '../../functions/auth/scope.ts';
import type { MetaDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { type GoldenEvent, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 23, R23-1: meta.pcn_versions was cut at the published span's first April, so rows of earlier periods lost
 * their area and their leads could not read them. Workforce snapshots (a past NHS Digital publication imported: `workforce import --month 2024-10`) before the
 * first month of events. U40001 is in QAA (Y56) throughout, its list changing on 2025-04-01 (a new version, as every
 * monthly extract with a new list makes); events Apr-Jun 2025 only. Its 2024-10 workforce row is published.
 */
const MONTHS = ['2025-04', '2025-05', '2025-06'];
const UPLOADS: Record<string, GoldenEvent[]> = Object.fromEntries(
  ['U40001', 'U40002'].map((pcn) => [
    `${pcn.toLowerCase()}.csv`,
    MONTHS.flatMap((m) => Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-12`))),
  ]),
);
const HEADER = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U40001,One PCN,QAA,NHS A ICB,Y56,London,10000,2019-04-01,2025-03-31
U40001,One PCN,QAA,NHS A ICB,Y56,London,10100,2025-04-01,
U40002,Two PCN,QAA,NHS A ICB,Y56,London,10000,2019-04-01,
U40003,Three PCN,QBB,NHS B ICB,Y58,South West,10000,2019-04-01,
`;
const golden = goldenProgramme('r23prespan', {
  uploads: UPLOADS,
  otherFiles: {
    // Headcounts of 10 and 20 (no `*`): since month headcounts are audited as counts (review 28, R28-4), 2 and 1 in
    // one ICB of two PCNs were recovered from the ICB's and England's figures and the month withheld below England.
    'wf1.csv': `${HEADER}\nU40001,2024-10,splw,10,8,10,0\nU40001,2025-05,splw,10,8,10,0\n`,
    'wf2.csv': `${HEADER}\nU40002,2024-10,splw,20,16,20,0\nU40002,2025-05,splw,20,16,20,0\n`,
    // A third PCN's snapshots, in another region: England's staff figures of a month made by fewer than 3 PCNs are
    // held (R28-1), and a single region's headcount would be England's exact figure, its month withheld below England.
    'wf3.csv': `${HEADER}\nU40003,2024-10,splw,15,12,15,0\nU40003,2025-05,splw,15,12,15,0\n`,
  },
  reference: REFERENCE,
  now: new Date('2025-07-10T09:00:00Z'),
  timeoutMs: 400_000,
});
const meta = () => golden.docs.get('meta') as unknown as MetaDocument;
const rows = () => (golden.docs.get('workforce')?.rows ?? []) as unknown as MetricRow[];
const seen = (scope: Scope, level: string) =>
  scope
    .rows(rows().filter((r) => r.level === level))
    .map((r) => `${r.code} ${r.period}`)
    .sort();

describe('rows of periods before the published span keep their area (R23-1)', () => {
  it('the ICB lead, the region lead and the PCN itself read the 2024-10 rows', () => {
    // One line per PCN and place: U40001's two versions (a new list size) are one place, from 2019 (placesOverTime).
    expect(meta().pcn_versions).toEqual([
      { code: 'U40001', icb: 'QAA', region: 'Y56', valid_from: '2019-04-01', valid_to: null },
      { code: 'U40002', icb: 'QAA', region: 'Y56', valid_from: '2019-04-01', valid_to: null },
      { code: 'U40003', icb: 'QBB', region: 'Y58', valid_from: '2019-04-01', valid_to: null },
    ]);
    const icb = new Scope({ role: 'icb', code: 'QAA', subject: 't' }, meta());
    const region = new Scope({ role: 'region', code: 'Y56', subject: 't' }, meta());
    const pcn = new Scope({ role: 'pcn', code: 'U40001', subject: 't' }, meta());
    expect(seen(icb, 'pcn')).toContain('U40001 2024-10');
    expect(seen(region, 'pcn')).toContain('U40001 2024-10');
    expect(seen(pcn, 'icb')).toContain('QAA 2024-10');
  });
});
