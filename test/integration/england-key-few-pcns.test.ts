import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WITHHELD_REASON_ENGLAND_HELD } from '../../functions/refresh/disclosure.ts';
import { type GoldenEvent, goldenReference, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Red-team review 28, R28-5: an England row of a key a PCN, not a person, determines (here a wellbeing instrument)
 * made up by one PCN is that PCN's exact figures. Four PCNs (U00001 QAA and U00002 QAB in London, U00003 QBB South
 * West, U00004 QCC South East) each refer 20 people a month in October and November 2024, all measured on SWEMWBS, and
 * 5 a month from December to May (no measure). One refresh, 5 June 2025 (data as of 31 May: the outcome cohort is the
 * referrals made by 30 November 2024, so October and November). Until December 2026 England's WEMWBS rows were
 * published exactly while its rows below England were withheld: in the first programme only U00001 uses WEMWBS
 * (3 people a month), so England's 3 people, their score means and interval were U00001's, and which instrument a PCN
 * uses is its own choice (its service specification), stable and public. Such a row is now held as no figure, with its
 * year (revisions.ts, keyRowsMadeByFew). In the second, three PCNs use WEMWBS in October: published.
 */
const REFERENCE = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAB', 'Y56'],
  ['U00003', 'QBB', 'Y58'],
  ['U00004', 'QCC', 'Y59'],
]);
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004'];

/**
 * The uploads: each PCN's 20 referrals of October and November, SWEMWBS baseline 20 + (i mod 5) and follow-up
 * 22 + (i mod 7) for referral i (0 to 19); WEMWBS scores as `wemwbs` gives them (baseline, follow-up) for the first
 * referrals of a PCN and month; 5 referrals a month from December to May.
 */
function uploads(
  wemwbs: (pcn: string, month: string, i: number) => readonly [number, number] | undefined,
): Record<string, GoldenEvent[]> {
  let serial = 0;
  const measure = (pcn: string, id: string, on: string, instrument: string, phase: string, score: number) =>
    ({
      event_id: `W-${++serial}`,
      pcn_code: pcn,
      referral_id: id,
      person_id: createHash('sha256').update(id).digest('hex'),
      occurred_on: on,
      event_type: 'wellbeing_measure',
      instrument,
      phase,
      score,
    }) satisfies GoldenEvent;
  const files: Record<string, GoldenEvent[]> = {};
  for (const pcn of PCNS)
    for (const m of ['2024-10', '2024-11']) {
      const rows: GoldenEvent[] = [];
      for (let i = 0; i < 20; i++) {
        const id = `${pcn}-${m}-${i}`;
        rows.push(referralEvent(pcn, id, `${m}-1${i % 9}`));
        rows.push(measure(pcn, id, `${m}-1${i % 9}`, 'swemwbs', 'baseline', 20 + (i % 5)));
        rows.push(measure(pcn, id, `${m}-2${i % 9}`, 'swemwbs', 'follow_up', 22 + (i % 7)));
        const scores = wemwbs(pcn, m, i);
        if (scores !== undefined) {
          rows.push(measure(pcn, id, `${m}-1${i % 9}`, 'wemwbs', 'baseline', scores[0]));
          rows.push(measure(pcn, id, `${m}-2${i % 9}`, 'wemwbs', 'follow_up', scores[1]));
        }
      }
      files[`${pcn}-${m}.jsonl`] = rows;
    }
  for (const pcn of PCNS)
    for (const m of ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05'])
      files[`${pcn}-${m}.jsonl`] = Array.from({ length: 5 }, (_, i) =>
        referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i}`),
      );
  return files;
}

const NOW = new Date('2025-06-05T06:00:00Z');
const wellbeingOf = (docs: ReadonlyMap<string, { rows: readonly Record<string, unknown>[] }>) => {
  const rows = docs.get('wellbeing')?.rows ?? [];
  return {
    england: (instrument: string, period: string) =>
      rows.find((r) => r.level === 'national' && r.instrument === instrument && r.period === period),
    below: (instrument: string) => rows.filter((r) => r.level !== 'national' && r.instrument === instrument),
  };
};

// SWEMWBS, every PCN and month alike: baselines 20 + (i mod 5) add up to 20 x 20 + 4 x (0 + 1 + 2 + 3 + 4) = 440,
// follow-ups 22 + (i mod 7) to 20 x 22 + (21 + 21 + 15) = 497; a change of 3 or more, (i mod 7) - (i mod 5) >= 1, for
// i = 5, 6, 10, 11, 12, 13, 15, 16, 17, 18, 19: 11 people. England's month: 4 PCNs, 80 people, 44 improved, means
// 1,760 / 80 = 22 and 1,988 / 80 = 24.85, change 2.85; the year both months, 160 and 88.
const SWEMWBS_MONTH = { people: 80, improved: 44, mean_baseline: 22, mean_follow_up: 24.85, mean_change: 2.85 };

describe('an England row of an instrument only one PCN uses (review 28, R28-5)', () => {
  // U00001's first 3 referrals of each month also on WEMWBS: baselines 40, 45, 50, follow-ups 44, 47, 50.
  const { docs, disclosureFindings } = goldenProgramme('england-key-one-pcn', {
    uploads: uploads((pcn, _m, i) => (pcn === 'U00001' && i < 3 ? [40 + 5 * i, 44 + 3 * i] : undefined)),
    reference: REFERENCE,
    now: NOW,
    timeoutMs: 180_000,
  });

  it("is held as no figure, with its year: England's WEMWBS is not U00001's 3 people, means and interval", () => {
    const wellbeing = wellbeingOf(docs);
    // Until December 2026: people 3, improved 1, means 45 and 47, change 2, interval -2.97 to 6.97 (U00001's own).
    for (const period of ['2024-10', '2024-11', '2024/25'])
      expect(wellbeing.england('wemwbs', period)).toMatchObject({
        people: null,
        improved: null,
        mean_baseline: null,
        mean_follow_up: null,
        mean_change: null,
        mean_change_ci_low: null,
        mean_change_ci_high: null,
      });
    // Its rows below England are not published either (withheld, or `*`: 3 people, no mean).
    for (const r of wellbeing.below('wemwbs')) expect([null, '*']).toContain(r.people);
  });

  it("names the rows withheld below England without saying England's figure is published: its row is held (key28's note)", () => {
    // U00001's 3 people are England's 3, so its region, ICB and PCN rows are pinned at every level and withheld; England's
    // own row is held as no figure (above), so the reason may not say England's figure is published there.
    const held = (period_type: string, period: string) => ({
      period_type,
      period,
      keys: { instrument: 'wemwbs' },
      levels: ['region', 'icb', 'pcn'],
      england_held: true,
    });
    expect(docs.get('wellbeing')?.summary?.withheld_below_england).toEqual({
      reason: WITHHELD_REASON_ENGLAND_HELD,
      withheld: [held('fy', '2024/25'), held('month', '2024-10'), held('month', '2024-11')],
    });
  });

  it('says so as other holds are: the figures and periods held', () => {
    // 3 rows (October, November, 2024/25) x 7 figures (people, improved, the three means, the interval's two ends).
    expect(docs.get('wellbeing')?.summary?.revisions_held).toEqual({
      figures: 21,
      periods: ['2024-10', '2024-11', '2024/25'],
      fail_closed: false,
    });
  });

  it("publishes the instrument every PCN uses, and the other documents' periods", () => {
    const wellbeing = wellbeingOf(docs);
    expect(wellbeing.england('swemwbs', '2024-10')).toMatchObject(SWEMWBS_MONTH);
    expect(wellbeing.england('swemwbs', '2024-11')).toMatchObject(SWEMWBS_MONTH);
    expect(wellbeing.england('swemwbs', '2024/25')).toMatchObject({ ...SWEMWBS_MONTH, people: 160, improved: 88 });
    // Held alone: rollout's October is 4 PCNs' 80 referrals.
    const rollout = docs.get('rollout')?.rows.find((r) => r.level === 'national' && r.period === '2024-10');
    expect(rollout).toMatchObject({ referrals: 80, people_referred: 80 });
  });

  it('the disclosure scan finds nothing', () => {
    expect(disclosureFindings()).toEqual([]);
  });
});

describe('an England row of an instrument three PCNs use', () => {
  // In October only: U00001 (London) 3 people, baselines 40, 45, 50, follow-ups 44, 47, 50 (changes 4, 2, 0);
  // U00003 (South West) 4 people, 40 and 43 (3 each); U00004 (South East) 5 people, 50 and 50 (0 each).
  const { docs, disclosureFindings } = goldenProgramme('england-key-three-pcns', {
    uploads: uploads((pcn, m, i) => {
      if (m !== '2024-10') return undefined;
      if (pcn === 'U00001' && i < 3) return [40 + 5 * i, 44 + 3 * i];
      if (pcn === 'U00003' && i < 4) return [40, 43];
      if (pcn === 'U00004' && i < 5) return [50, 50];
      return undefined;
    }),
    reference: REFERENCE,
    now: NOW,
    timeoutMs: 180_000,
  });

  it('is published exactly', () => {
    const wellbeing = wellbeingOf(docs);
    // 3 + 4 + 5 = 12 people; improved (3 points or more): U00001's 1 and U00003's 4 = 5. Baselines 135 + 160 + 250 =
    // 545, follow-ups 141 + 172 + 250 = 563: means 545 / 12 = 45.4167 and 563 / 12 = 46.9167, change 18 / 12 = 1.5.
    // Changes 4, 2, 0, 3, 3, 3, 3, 0, 0, 0, 0, 0: squared deviations from 1.5 add up to 6.25 + 0.25 + 2.25 + 4 x 2.25 +
    // 5 x 2.25 = 29, sd sqrt(29 / 11) = 1.6237, standard error 1.6237 / sqrt(12) = 0.4687, t(11) 2.2010: 1.5 -+ 1.0316.
    const expected = {
      people: 12,
      improved: 5,
      mean_baseline: 45.42,
      mean_follow_up: 46.92,
      mean_change: 1.5,
      mean_change_ci_low: 0.47,
      mean_change_ci_high: 2.53,
    };
    expect(wellbeing.england('wemwbs', '2024-10')).toMatchObject(expected);
    expect(wellbeing.england('wemwbs', '2024/25')).toMatchObject(expected);
    expect(docs.get('wellbeing')?.summary?.revisions_held).toBeUndefined();
  });

  it('the disclosure scan finds nothing', () => {
    expect(disclosureFindings()).toEqual([]);
  });
});
