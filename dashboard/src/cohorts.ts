import { SERVICE_USE_WINDOW_MONTHS } from '../../functions/contract/enums.ts';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import type { Loadable } from './api.ts';
import { formatDate, fyLabel } from './format.ts';

/**
 * Which referrals a document's outcome figures cover (its summary.cohorts, docs/methodology.md "Cohorts"), in words
 * for a card: `engagement` for engagement, connection and plans, `outcomes` for contacts, wellbeing and discharge.
 */
export function cohortsCovered(doc: Loadable<MetricDocument>, which: 'both' | 'engagement' | 'outcomes' = 'both') {
  const cohorts = doc.state === 'ready' ? summaryOf(doc.value, 'cohorts') : undefined;
  if (!cohorts) return undefined;
  const engagement = formatDate(cohorts.engagement.referred_on_or_before);
  const outcomes = formatDate(cohorts.outcomes.referred_on_or_before);
  // England's years held at an earlier release cover that release's referrals (review 4, F3): said beside.
  const held = Object.entries(cohorts.held ?? {})
    .filter(([period]) => /^\d{4}\/\d{2}$/.test(period))
    .map(([period, h]) => {
      const covers =
        which === 'engagement'
          ? `its take-up covers referrals made by ${formatDate(h.engagement.referred_on_or_before)}`
          : which === 'outcomes'
            ? `its wellbeing covers referrals made by ${formatDate(h.outcomes.referred_on_or_before)}`
            : `its engagement, connection and plans cover referrals made by ${formatDate(h.engagement.referred_on_or_before)}, its contacts, wellbeing and discharge those made by ${formatDate(h.outcomes.referred_on_or_before)}`;
      return ` England's ${fyLabel(period)} is held at the release of data to ${formatDate(h.data_as_of)}: ${covers}.`;
    })
    .join('');
  if (which === 'engagement')
    return `Take-up covers referrals made by ${engagement}: later referrals have not had time to engage.${held}`;
  if (which === 'outcomes')
    return `Wellbeing covers referrals made by ${outcomes}: later referrals have not had time for a follow-up.${held}`;
  return `Engagement, connection and plans cover referrals made by ${engagement}; contacts, wellbeing and discharge those made by ${outcomes}: later referrals have not had time.${held}`;
}

/**
 * Which referrals a document's outcome figures of `period` cover, for a CSV's covers column (ISO dates, as the rest of
 * the file): England's figures of a period held at an earlier release cover that release's cut-offs, said with it.
 */
export function cohortsCoveredCsv(
  doc: Loadable<MetricDocument>,
  period: string,
  level: string,
  which: 'both' | 'engagement' | 'outcomes' = 'both',
): string | undefined {
  const cohorts = doc.state === 'ready' ? summaryOf(doc.value, 'cohorts') : undefined;
  if (!cohorts) return undefined;
  const held = level === 'national' ? cohorts.held?.[period] : undefined;
  const { engagement, outcomes } = held ?? cohorts;
  const made = (cutoff: { readonly referred_on_or_before: string }) =>
    `referrals made by ${cutoff.referred_on_or_before}`;
  const covers =
    which === 'engagement'
      ? made(engagement)
      : which === 'outcomes'
        ? made(outcomes)
        : `engagement, connection and plans: ${made(engagement)}; contacts, wellbeing and discharge: ${made(outcomes)}`;
  return held
    ? `${covers} (England's ${period} held at the release of data to ${held.data_as_of ?? 'unknown'})`
    : covers;
}

/**
 * Which referrals the service-use figures cover (cof_system's summary.windows_ended): a pair of 6-month windows (the
 * one length published: review 26, R26-3) counts only for referrals made 6 months before the data-as-of date; each
 * length listed says its cut-off.
 */
export function windowsCoveredCsv(doc: Loadable<MetricDocument>): string | undefined {
  const ended = doc.state === 'ready' ? doc.value.summary?.windows_ended : undefined;
  if (!Array.isArray(ended) || ended.length === 0) return undefined;
  return (ended as readonly { months: number; referred_on_or_before: string | null }[])
    .map((w) => `${w.months}-month windows: referrals made by ${w.referred_on_or_before ?? 'none yet'}`)
    .join('; ');
}

/**
 * Which referrals a board card's cohort figures cover, in words (review 31, R31-5: under "8 of 12 months" a board read
 * take-up, wellbeing and GP use as the year's eight months): `engagement` for engagement and connection (cof_person's
 * engagement cohort), `outcomes` for contacts and wellbeing (its outcome cohort), `windows` for GP and A&E use
 * (cof_system's windows ended). Undefined where the document does not say.
 */
export function cohortCoveredWords(
  doc: Loadable<MetricDocument>,
  cohort: 'engagement' | 'outcomes' | 'windows',
): string | undefined {
  if (cohort === 'windows') {
    const ended = doc.state === 'ready' ? doc.value.summary?.windows_ended : undefined;
    const window = Array.isArray(ended)
      ? (ended as readonly { months: number; referred_on_or_before: string | null }[]).find(
          (w) => w.months === SERVICE_USE_WINDOW_MONTHS,
        )
      : undefined;
    if (window === undefined) return undefined;
    return window.referred_on_or_before === null
      ? `GP and A&E use cover no referrals yet: none has had ${SERVICE_USE_WINDOW_MONTHS} months since referral.`
      : `GP and A&E use cover referrals made by ${formatDate(window.referred_on_or_before)}: later referrals have not had ${SERVICE_USE_WINDOW_MONTHS} months after referral yet.`;
  }
  const words = cohortsCovered(doc, cohort);
  if (words === undefined) return undefined;
  // cohortsCovered's words name take-up or wellbeing: a board card holds connection or contacts beside them.
  return cohort === 'engagement'
    ? words.replace(/^Take-up covers/, 'Engagement and connection cover')
    : words.replace(/^Wellbeing covers/, 'Contacts and wellbeing cover');
}
