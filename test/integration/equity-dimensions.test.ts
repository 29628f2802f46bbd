import { describe, expect, it } from 'vitest';
import { type GoldenEvent, referralEvent, TWO_ICBS_REFERENCE } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 8, N1: one equity dimension against another. U00001 (QAA, Y56) refers 7 people in 2025/26, all female, white,
 * deprivation decile 2 (the events' defaults), one in each of the age bands 0-17 ... 65-74. U00002 (QAA) and U00003
 * (QBB, Y58) refer 90 men each, 10 in every one of the 9 age bands. U00004 (QBB): 12 white women, 8 aged 45-54 and one
 * in each of 0-17, 18-24, 25-34, 35-44. Refresh 5 Aug 2025.
 * Before the fix U00001 published female `*` alone, white `*` alone, decile 2 `*` alone and seven bands `*`: at most 7
 * people (sex), at least 7 (bands): exactly 7, each band 1 (the child of 0-17 a white girl of decile 2).
 */
const BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75-84', '85+'];
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
/** Each PCN's monthly uploads, as the comment above has them. */
function programme(): Record<string, GoldenEvent[]> {
  const uploads: Record<string, GoldenEvent[]> = {};
  const u1: GoldenEvent[][] = [[], [], [], []];
  for (let i = 0; i < 7; i++) {
    const k = Math.min(3, Math.floor(i / 2));
    u1[k]?.push({ ...referralEvent('U00001', `A-${i}`, `${MONTHS[k]}-1${i}`), age_band: BANDS[i] as string });
  }
  MONTHS.forEach((m, k) => {
    uploads[`U00001-${m}.csv`] = u1[k] as GoldenEvent[];
  });
  const u4Bands = [...Array(8).fill('45-54'), '0-17', '18-24', '25-34', '35-44'] as string[];
  MONTHS.forEach((m, k) => {
    uploads[`U00004-${m}.csv`] = u4Bands
      .map((band, i) => ({ band, i }))
      .filter(({ i }) => i % 4 === k)
      .map(({ band, i }) => ({ ...referralEvent('U00004', `D-${i}`, `${m}-1${i % 9}`), age_band: band }));
  });
  for (const pcn of ['U00002', 'U00003'])
    MONTHS.forEach((m, k) => {
      const rows: GoldenEvent[] = [];
      for (let i = k; i < 90; i += 4)
        rows.push({
          ...referralEvent(pcn, `${pcn}-${i}`, `${m}-1${i % 9}`),
          age_band: BANDS[i % 9] as string,
          sex: 'male',
        });
      uploads[`${pcn}-${m}.csv`] = rows;
    });
  return uploads;
}
const { docs, disclosureFindings } = goldenProgramme('equity-dimensions', {
  uploads: programme(),
  reference: TWO_ICBS_REFERENCE,
  now: new Date('2025-08-05T06:00:00Z'),
  timeoutMs: 180_000,
});

const cells = (code: string, dimension: string) =>
  Object.fromEntries(
    (docs.get('equity')?.rows ?? [])
      .filter((r) => r.level === 'pcn' && r.code === code && r.period === '2025/26' && r.dimension === dimension)
      .map((r) => [String(r.group), r.people_referred]),
  );

describe('equity: the groups of one dimension against another (review 8, N1)', () => {
  it('shows a zero as `*` where one dimension would cap the total as low as another floors it', () => {
    // Sex caps U00001's total at 7 (female `*`, England's other group male absent: 0); the bands floor it at 7. Of the
    // dimensions with a group to add (ethnicity and deprivation have none: everyone is white, decile 2), sex has the
    // lowest cap (7, against 7 x 7 = 49): male `*` (a zero). Still white `*` caps at 7 against 7: the bands' first
    // group lacking (75-84) `*`. Now the bands say 8 or more, white 7 or fewer: the reading of every `*` as 1 to 7
    // contradicts, so any `*` may hide 0 (or 8 or more), and no count is pinned.
    expect(cells('U00001', 'sex')).toEqual({ female: '*', male: '*' });
    expect(cells('U00001', 'ethnicity_group')).toEqual({ white: '*' });
    expect(cells('U00001', 'imd_decile')).toEqual({ 2: '*' });
    expect(cells('U00001', 'age_band')).toEqual(
      Object.fromEntries([...BANDS.slice(0, 7), '75-84'].map((band) => [band, '*'])),
    );
    // Its added rows count nobody: every count `*`, nothing derived from them.
    const male = (docs.get('equity')?.rows ?? []).find(
      (r) => r.code === 'U00001' && r.dimension === 'sex' && r.group === 'male',
    );
    expect([male?.engagement_cohort, male?.engaged, male?.connected]).toEqual(['*', '*', '*']);
  });

  it('U00004: its one-group dimensions `*` against bands of 12 or more pin nothing', () => {
    // 12 white women of decile 2: female, white and decile 2 are each the area's only group (12 -> 10, then `*`: the
    // ICB's female, white and decile 2 rows are U00004's alone beside U00003's men, so secondary suppression takes
    // them); age: four `*` (at least 4) and 45-54 10 (at least 8): 12 or more against `*` (at most 7), a contradiction
    // that tells the reader those `*` are not counts of 1 to 7 (secondary), so no count is pinned.
    expect(cells('U00004', 'sex')).toEqual({ female: '*' });
    expect(cells('U00004', 'ethnicity_group')).toEqual({ white: '*' });
    expect(cells('U00004', 'imd_decile')).toEqual({ 2: '*' });
    expect(cells('U00004', 'age_band')).toEqual({
      '0-17': '*',
      '18-24': '*',
      '25-34': '*',
      '35-44': '*',
      '45-54': 10,
    });
  });

  it('leaves nothing the scan recovers, and England as counted', () => {
    expect(disclosureFindings()).toEqual([]);
    const england = (docs.get('equity')?.rows ?? []).filter(
      (r) => r.level === 'national' && r.dimension === 'sex' && r.period === '2025/26',
    );
    // 7 + 12 women; 90 + 90 men.
    expect(Object.fromEntries(england.map((r) => [r.group, r.people_referred]))).toEqual({ female: 19, male: 180 });
  });
});
