import { describe, expect, it } from 'vitest';
import { englandRow, FEW_PCNS_COUNTS, FEW_PCNS_REFERENCE, fewPcnsUploads } from '../support/england-few-pcns.ts';
import { splwSnapshots } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Red-team review 9 (observations, last bullet): a workforce England month made up by few PCNs in its staff figures
 * held every document's England figures of that month. The programme of england-few-pcns.test.ts (U00001 from April
 * 2025, U00002 and U00003 from June; one refresh on 5 August 2025, the first release), with each PCN's link worker
 * snapshots for April to July: 5 in post (FTE 0.25 each, England 0.75), 5 of them trained, but in June 1 trained in
 * each PCN. England's June trained, 1 + 1 + 1 = 3, is a total no larger than the PCNs making it (each has exactly 1;
 * each PCN row shows `*`): workforce's June is held as no figure, and its year (the mean of its months) with it. Until
 * review 9 rollout's June was held too, though its 53 referrals are three PCNs' 11, 20 and 22: no other document
 * counts staff or anything adding up with them, so nothing of rollout gives workforce's June back.
 */
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
const { docs, disclosureFindings } = goldenProgramme('england-few-pcns-staff', {
  uploads: fewPcnsUploads(),
  otherFiles: Object.fromEntries(
    Object.keys(FEW_PCNS_COUNTS).map((pcn) => [
      `${pcn}-workforce.csv`,
      splwSnapshots(pcn, MONTHS, 5, 0.25, (m) => (m === '2025-06' ? 1 : 5)),
    ]),
  ),
  reference: FEW_PCNS_REFERENCE,
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});

/** The periods a document's summary says it holds (revisions_held). */
const heldIn = (name: string) =>
  (docs.get(name)?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;
const england = englandRow(docs);

describe("a month held for workforce's staff alone is held in workforce alone (review 9)", () => {
  it("rollout's June is published: 11 + 20 + 22 = 53 referrals of three PCNs", () => {
    expect(england('rollout', '2025-06')).toMatchObject({ referrals: 53, people_referred: 53, pcns_submitting: 3 });
    expect(england('rollout', '2025-07')).toMatchObject({ referrals: 58, people_referred: 58 });
    expect(england('referral_sources', '2025-06')).toMatchObject({ referrals: 53 });
    // meta.json's months whose England figures are held whole: April and May (U00001 alone), not June.
    const meta = docs.get('meta') as unknown as { england_months_held?: string[] };
    expect(meta.england_months_held).toEqual(['2025-04', '2025-05']);
    expect(heldIn('rollout')).toEqual(['2025-04', '2025-05', '2025/26']);
  });

  it("workforce's June (1 + 1 + 1 trained) is held as no figure; July (5 + 5 + 5 = 15) is published", () => {
    expect(england('workforce', '2025-06')).toMatchObject({
      splw_accredited: null,
      splw_headcount: null,
      splw_fte: null,
      splw_accredited_pct: null,
    });
    // July: 15 in post, 0.75 FTE (3 x 0.25), 15 trained (100%).
    expect(england('workforce', '2025-07')).toMatchObject({
      splw_accredited: 15,
      splw_headcount: 15,
      splw_fte: 0.75,
      splw_accredited_pct: 100,
    });
    expect(heldIn('workforce')).toEqual(['2025-04', '2025-05', '2025-06', '2025/26']);
  });

  it("the year is held in both: rollout's for April and May (U00001 alone), workforce's for them and for June", () => {
    // 2025/26 = 25 + 53 + 58 = 136 referrals; less June and July (111), U00001's April and May. Workforce's people
    // referred of the year is the same count as rollout's: held with it.
    expect(england('rollout', '2025/26')).toMatchObject({ referrals: null, people_referred: null });
    expect(england('workforce', '2025/26')).toMatchObject({ people_referred: null, splw_accredited: null });
  });

  it('the disclosure scan finds nothing to recover', () => {
    expect(disclosureFindings()).toEqual([]);
  });
});
