import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';

/**
 * The system document's bands of use before referral, as docs/methodology.md ("Health and care system use") defines
 * them (GP appointments 0-3, 4-6, 7+; other services 0, 1, 2+): the fewest and most uses one referral of the band had
 * before. Written here from the method, not taken from the code that publishes: a band's before_total is a sum over its
 * referrals, so it lies in [lo x people, hi x people].
 */
const BANDS: Readonly<Record<string, readonly [number, number]>> = {
  '0-3': [0, 3],
  '4-6': [4, 6],
  '7+': [7, Number.POSITIVE_INFINITY],
  '0': [0, 0],
  '1': [1, 1],
  '2+': [2, Number.POSITIVE_INFINITY],
};

type Interval = [number, number];
const ANY: Interval = [0, Number.POSITIVE_INFINITY];

/** A count below England as a reader reads it: 0 is 0, a rounded v is max(8, v - 2) to v + 2, `*` is 1 to 7. */
function read(value: unknown): Interval | undefined {
  if (value === '*') return [1, 7];
  if (typeof value !== 'number') return undefined;
  return value === 0 ? [0, 0] : [Math.max(8, value - 2), value + 2];
}

/** People and before_total narrowed by total in [lo x people, hi x people] to a fixpoint; undefined: they contradict. */
function narrow(people: Interval, total: Interval, [lo, hi]: readonly [number, number]) {
  const p: Interval = [...people];
  const t: Interval = [...total];
  for (let round = 0; round < 16; round++) {
    const was = `${p}|${t}`;
    t[0] = Math.max(t[0], lo * p[0]);
    t[1] = Math.min(t[1], hi * p[1]);
    if (hi > 0) p[0] = Math.max(p[0], Math.ceil(t[0] / hi));
    if (lo > 0) p[1] = Math.min(p[1], Math.floor(t[1] / lo));
    if (p[0] > p[1] || t[0] > t[1]) return undefined;
    if (`${p}|${t}` === was) break;
  }
  return { p, t };
}

const span = ([a, b]: Interval) =>
  a === b ? `${a}` : b === Number.POSITIVE_INFINITY ? `${a} or more` : `${a} to ${b}`;
/** A secondary `*`: people 1 or more; a total 0 or more (a region's zero beside England's exact figure may be `*`). */
const OPEN: Interval = [1, Number.POSITIVE_INFINITY];

/**
 * cof_system below England: no total published beside a suppressed `people` (a total over 1 to 7 referrals is a mean
 * times a count), and no `people` or before_total that the band bounds, read against each other, pin to one value or
 * (a `*` people) narrow at all. A `*` is read as 1 to 7, or, where the band bounds contradict that (a secondary `*`
 * hiding 8 or more), as 1 or more; a `*` total beside a `*` people says nothing (it goes with its people).
 */
export function serviceUseBandProblems(doc: MetricDocument, r: MetricRow): string[] {
  if (doc.name !== 'cof_system' || r.level === 'national') return [];
  const id = `${doc.name} ${r.level} ${r.code} ${r.period} ${r.service} ${r.baseline_band}`;
  const problems: string[] = [];
  const bounds = BANDS[String(r.baseline_band)];
  // Band `0`'s before_total is 0 whatever its people: it says nothing of them.
  const fixed = (column: string) => column === 'before_total' && bounds?.[1] === 0 && r[column] === 0;
  if (r.people === '*')
    for (const column of ['before_total', 'after_total'])
      if (typeof r[column] === 'number' && !fixed(column))
        problems.push(`${id}: ${column} = ${r[column]} beside a suppressed people (a total over 1 to 7 referrals)`);
  const people = read(r.people);
  const total = r.people === '*' && r.before_total === '*' ? ANY : read(r.before_total);
  if (bounds === undefined || people === undefined || total === undefined) return problems;
  // The readings in order: each `*` as 1 to 7 first, then as 1 or more where that contradicts the bounds.
  const readings: [Interval, Interval][] = [
    [people, total],
    [r.people === '*' ? OPEN : people, total],
    [people, r.before_total === '*' ? ANY : total],
    [r.people === '*' ? OPEN : people, r.before_total === '*' ? ANY : total],
  ];
  for (const [asRead, totalRead] of readings) {
    const found = narrow(asRead, totalRead, bounds);
    if (found === undefined) continue;
    const { p, t } = found;
    if (r.people === '*' && (p[0] !== asRead[0] || p[1] !== asRead[1]))
      problems.push(
        `${id}: people * is ${span(p)} by the band bounds (${r.baseline_band}) against before_total ${r.before_total}`,
      );
    else if (r.people !== '*' && r.people !== 0 && p[0] === p[1])
      problems.push(
        `${id}: people ${r.people} is recovered exactly (${p[0]}) by the band bounds against before_total ${r.before_total}`,
      );
    if (typeof r.before_total === 'number' && r.before_total > 0 && t[0] === t[1])
      problems.push(`${id}: before_total ${r.before_total} is recovered exactly (${t[0]}) by the band bounds`);
    return problems;
  }
  return [...problems, `${id}: people ${r.people} and before_total ${r.before_total} contradict the band bounds`];
}
