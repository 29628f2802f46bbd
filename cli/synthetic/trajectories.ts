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

/**
 * People offered social prescribing a year per registered patient (about 59 million patients in England), as the demo
 * has always counted them: (1 - declineShare) of them are referred. simulatedOffers keeps the referrals at that many
 * now that most declines come after the referral.
 */
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

/**
 * Share of people offered social prescribing who decline it, before or after being referred: the published refusal
 * share (Bu et al., Lancet Public Health 2025, CPRD: people with a "social prescribing declined" code among those
 * offered it, 22% in 2019 to 12% in 2023). GP records hold both ways a decline is recorded, so the demo's offers
 * declined and referrals declined together make this share of the people offered.
 */
export const declineShare = (month: string) =>
  interpolate(
    [
      ['2019-04', 0.22],
      ['2023-04', 0.12],
    ],
    month,
  );

/**
 * Of the declines, the share made before a referral (an offer declined: no referral). Most people who decline do so
 * once referred, when the link worker first gets in touch; fewer say no to the offer itself. An assumption: no
 * published figure splits the two (the CPRD code does not say which).
 */
export const DECLINED_BEFORE_REFERRAL = 1 / 3;

/** Share of people offered who decline before being referred: an offer declined. */
export const offerDeclineShare = (month: string) => declineShare(month) * DECLINED_BEFORE_REFERRAL;

/**
 * Share of the people referred who then decline: the rest of the declines, taken over the referrals (the offers not
 * declined before), so that both together are declineShare of the offers: s/3 + (1 - s/3) x this = s.
 */
export const referralDeclineShare = (month: string) => {
  const s = declineShare(month);
  return (s * (1 - DECLINED_BEFORE_REFERRAL)) / (1 - s * DECLINED_BEFORE_REFERRAL);
};

/** Fewer referrals in August and December. */
export const seasonality = (month: string) => ({ '08': 0.9, '12': 0.82 })[month.slice(5)] ?? 1.03;

/** Registered patients in England, which the per-PCN shares of national figures are taken against. */
export const ENGLAND_LIST_SIZE = 59_000_000;

/**
 * The offers to simulate for each offer of referralRate: referrals stay (1 - declineShare) of referralRate's offers,
 * as when every decline was an offer declined, so the referral volume (and the rollout page: referrals, % of list,
 * the target) is what it was; only where the declines fall changes. Referrals = offers x (1 - offerDeclineShare).
 */
export const simulatedOffers = (month: string) => (1 - declineShare(month)) / (1 - offerDeclineShare(month));
