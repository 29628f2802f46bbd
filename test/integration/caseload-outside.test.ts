import { describe, expect, it } from 'vitest';
import { englandRow } from '../support/england-few-pcns.ts';
import { type GoldenEvent, goldenReference, referralEvent, splwSnapshots } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 28: England's covered caseload beside the PCNs outside the covered group (sql/metrics/workforce.sql,
 * outside_people_failing and outside_fte_failing). One refresh on 5 August 2025, everything in June 2025.
 *
 * R28-3: PCNs A=U00001, D=U00002, E=U00003 (QAA, Y56) and B=U00004, C=U00005, F=U00006 (QBB, Y58) refer 1, 15, 6, 30,
 * 35 and 5 people; A, B, C and F send a snapshot (5 in post, 1.0 FTE). England's people 92; the covered people P =
 * 1 + 30 + 35 + 5 = 71 was pinned by caseload_covered_annualised 213 (12 x 71 / 4 = 213.0: P within 70.83 to 71.17)
 * and coverage 77%, so 92 - 71 = 21 was D's and E's exact total: D knowing its 15 had E's `*` 6, and Y56's 20 (18-22)
 * less 21 gave A's `*` 1. Two PCNs outside: the covered rates are withheld. The FTE outside is none (D and E sent no
 * snapshot): caseload_fte 4 (4 x 1.0) stays.
 *
 * R28-2: covered U00001-3 (10 people each, 5 in post, 1.0 FTE each); U00005, U00006, U00007 send snapshots only (no
 * events): 4.00, 0.10 and 0.10 FTE. England's FTE 7.2 less caseload_fte 3.0 = 4.2 was the three's: U00006 knowing its
 * 0.10 had U00005's `*` within 4.00-4.10 (the rest after the two largest, 0.10, under 10% of 4.00). caseload_fte and
 * the rates (which give the covered FTE back beside a pinned P: coverage 100%) are withheld.
 */
const uploadsOf = (people: Record<string, number>) => {
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const [pcn, n] of Object.entries(people))
    uploads[`${pcn}-2025-06.csv`] = Array.from({ length: n }, (_, i) =>
      referralEvent(pcn, `${pcn}-06-${i}`, `2025-06-1${i % 9}`),
    );
  return uploads;
};
const share = goldenProgramme('caseload-outside-people', {
  uploads: uploadsOf({ U00001: 1, U00002: 15, U00003: 6, U00004: 30, U00005: 35, U00006: 5 }),
  otherFiles: Object.fromEntries(
    ['U00001', 'U00004', 'U00005', 'U00006'].map((p) => [`${p}-wf.csv`, splwSnapshots(p, ['2025-06'], 5, 1.0)]),
  ),
  reference: goldenReference([
    ['U00001', 'QAA', 'Y56'],
    ['U00002', 'QAA', 'Y56'],
    ['U00003', 'QAA', 'Y56'],
    ['U00004', 'QBB', 'Y58'],
    ['U00005', 'QBB', 'Y58'],
    ['U00006', 'QBB', 'Y58'],
  ]),
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});
const header = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const snap = (pcn: string, h: number, fte: number) => `${header}\n${pcn},2025-06,splw,${h},${fte},${h},\n`;
const fte = goldenProgramme('caseload-outside-fte', {
  uploads: uploadsOf({ U00001: 10, U00002: 10, U00003: 10 }),
  otherFiles: {
    'a.csv': snap('U00001', 5, 1.0),
    'b.csv': snap('U00002', 5, 1.0),
    'c.csv': snap('U00003', 5, 1.0),
    'e.csv': snap('U00005', 5, 4.0),
    'f.csv': snap('U00006', 1, 0.1),
    'g.csv': snap('U00007', 1, 0.1),
  },
  reference: goldenReference([
    ['U00001', 'QAA', 'Y56'],
    ['U00002', 'QBB', 'Y58'],
    ['U00003', 'QCC', 'Y59'],
    ['U00005', 'QAA', 'Y56'],
    ['U00006', 'QBB', 'Y58'],
    ['U00007', 'QCC', 'Y59'],
  ]),
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});

describe('the PCNs outside the covered group (review 28)', () => {
  it('R28-3: two PCNs outside (15 + 6 people): the covered rates withheld, the covered FTE published', () => {
    expect(englandRow(share.docs)('rollout', '2025/26')?.people_referred).toBe(92);
    expect(englandRow(share.docs)('workforce', '2025/26')).toMatchObject({
      people_referred: 92,
      caseload_pcns: 4,
      caseload_fte: 4,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
      pcns_referring_without_snapshot: 2,
    });
  });

  it('R28-2: the FTE outside the spans dominated by one PCN (4.00 + 0.10 + 0.10): the covered figures withheld', () => {
    expect(englandRow(fte.docs)('workforce', '2025/26')).toMatchObject({
      splw_fte: 7.2,
      caseload_pcns: 3,
      caseload_fte: null,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
    });
  });
});
