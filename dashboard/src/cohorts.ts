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
