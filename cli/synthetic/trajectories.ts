/**
 * National trajectories the synthetic programme follows, by calendar month, from published figures
 * (DOMAIN.md): referrals toward 0.9-1.3 million a year, declines falling from 22% (2019) to 12% (2023). The
 * workforce is not simulated: it is the real PCN workforce publication (see geography.ts).
 */
type Points = readonly (readonly [string, number])[];

const monthIndex = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return y * 12 + (m - 1);
};

function interpolate(points: Points, month: string): number {
  const x = monthIndex(month);
  const first = points[0] as readonly [string, number];
  if (x <= monthIndex(first[0])) return first[1];
  for (let i = 1; i < points.length; i++) {
    const [m1, v1] = points[i] as readonly [string, number];
    const [m0, v0] = points[i - 1] as readonly [string, number];
    if (x <= monthIndex(m1)) return v0 + ((v1 - v0) * (x - monthIndex(m0))) / (monthIndex(m1) - monthIndex(m0));
  }
  return (points[points.length - 1] as readonly [string, number])[1];
}

/** Accepted referrals a year per registered patient (about 59 million patients in England). */
export const referralRate = (month: string) =>
  interpolate(
    [
      ['2019-07', 0.004],
      ['2020-04', 0.008],
      ['2021-04', 0.013],
      ['2023-01', 0.018],
      ['2025-01', 0.021],
      ['2027-01', 0.022],
    ],
    month,
  );

/** Share of people offered social prescribing who decline it. */
export const declineShare = (month: string) =>
  interpolate(
    [
      ['2019-04', 0.22],
      ['2023-04', 0.12],
    ],
    month,
  );

/** Fewer referrals in August and December. */
export const seasonality = (month: string) => ({ '08': 0.9, '12': 0.82 })[month.slice(5)] ?? 1.03;

/** Registered patients in England, which the per-PCN shares of national figures are taken against. */
export const ENGLAND_LIST_SIZE = 59_000_000;
