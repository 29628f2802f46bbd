import { type Figure, SUPPRESSED } from '../contract/index.ts';
import type { Row } from '../lib/query-engine.ts';
import { controlCount, MIN_COUNT } from './disclosure.ts';

/**
 * cof_system's bands of use before referral (sql/metrics/cof_system.sql, `banded`): the fewest and most uses one
 * referral of the band had in its window before. A band's before_total is a sum over its referrals, so it lies in
 * [lo x people, hi x people]: in band `1` it IS people, in `7+` at least 7 x people. A reader can use that to read a
 * suppressed `people` off a published total, or to narrow a rounded one to one value (docs/methodology.md, Disclosure
 * control, "Service use by band of use before referral").
 */
export const BAND_USE_BEFORE: Readonly<Record<string, readonly [number, number]>> = {
  '0-3': [0, 3],
  '4-6': [4, 6],
  '7+': [7, Number.POSITIVE_INFINITY],
  '0': [0, 0],
  '1': [1, 1],
  '2+': [2, Number.POSITIVE_INFINITY],
};

type Interval = [number, number];

/** What a reader knows of a count from its published figure below England: 0 is 0, a rounded v is max(8, v-2)..v+2. */
function readCount(shown: number): Interval {
  return shown === 0 ? [0, 0] : [Math.max(MIN_COUNT, shown - 2), shown + 2];
}

/**
 * Whether the band bounds, applied to the rounded people and before_total a row would publish, pin either to one
 * value: e.g. band `7+`, 8 referrals with 56 uses, shown 10 (8..12) and 55 (53..57): people <= 57 / 7, so exactly 8.
 * Propagated to a fixpoint (each bound narrows the other), as a reader would.
 */
export function bandPinsCounts(band: string, people: number, beforeTotal: number): boolean {
  const bounds = BAND_USE_BEFORE[band];
  // A total of 1 to 7 is `*` anyway (a count of events).
  if (bounds === undefined || people < MIN_COUNT || (beforeTotal > 0 && beforeTotal < MIN_COUNT)) return false;
  const [lo, hi] = bounds;
  const p = readCount(controlCount(people) as number);
  const t = readCount(controlCount(beforeTotal) as number);
  for (let round = 0; round < 8; round++) {
    const before = `${p}|${t}`;
    t[0] = Math.max(t[0], lo * p[0]);
    t[1] = Math.min(t[1], hi * p[1]);
    if (hi > 0) p[0] = Math.max(p[0], Math.ceil(t[0] / hi));
    if (lo > 0) p[1] = Math.min(p[1], Math.floor(t[1] / lo));
    if (`${p}|${t}` === before) break;
  }
  // A zero total (band `0`) is published as it is: it says nothing of people.
  return (p[0] === p[1] && beforeTotal > 0) || (t[0] === t[1] && t[0] > 0);
}

/**
 * Before disclosure control, below England: a band's before_total is `*` where, with its people, the band bounds would
 * pin either (bandPinsCounts), and both totals are `*` where fewer than 8 referrals contribute (a total over a few
 * referrals is a mean times a count). Marked before control, so secondary suppression and the audit protect them as the
 * suppressed counts they are.
 */
export function suppressBandTotals(row: Row): Row {
  if (row.level === 'national') return row;
  const people = Number(row.people);
  const band = String(row.baseline_band);
  if (people > 0 && people < MIN_COUNT)
    return { ...row, before_total: zeroByBand(band) ? 0 : SUPPRESSED, after_total: SUPPRESSED };
  if (typeof row.before_total === 'number' && bandPinsCounts(band, people, row.before_total))
    return { ...row, before_total: SUPPRESSED };
  return row;
}

/**
 * After disclosure control: below England the totals go wherever their people go (secondary suppression and the audit
 * included), as means do: beside a `*` a total would say how many it hides (band `1`: before_total is people) or what
 * the few referrals used.
 */
export function totalsWithPeople(row: Row): { before_total: Figure; after_total: Figure } {
  const hidden = row.level !== 'national' && row.people === SUPPRESSED;
  const withPeople = (value: unknown): Figure =>
    hidden && value !== null && value !== undefined ? SUPPRESSED : (value as Figure);
  return {
    before_total: zeroByBand(String(row.baseline_band)) ? (row.before_total as Figure) : withPeople(row.before_total),
    after_total: withPeople(row.after_total),
  };
}

/**
 * Band `0`'s before_total is 0 whatever its people, so it says nothing of them and stays 0: suppressed, it would be
 * a `*` beside zeros, and secondary suppression would take the area's own 0 with it.
 */
function zeroByBand(band: string): boolean {
  return BAND_USE_BEFORE[band]?.[1] === 0;
}
