import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import type { Loadable } from './api.ts';
import { formatDate } from './format.ts';

/**
 * Which referrals a document's outcome figures cover (its summary.cohorts, docs/methodology.md "Cohorts"), in words
 * for a card: `engagement` for engagement, connection and plans, `outcomes` for contacts, wellbeing and discharge.
 */
export function cohortsCovered(doc: Loadable<MetricDocument>, which: 'both' | 'engagement' | 'outcomes' = 'both') {
  const cohorts = doc.state === 'ready' ? summaryOf(doc.value, 'cohorts') : undefined;
  if (!cohorts) return undefined;
  const engagement = formatDate(cohorts.engagement.referred_on_or_before);
  const outcomes = formatDate(cohorts.outcomes.referred_on_or_before);
  if (which === 'engagement')
    return `Take-up covers referrals made by ${engagement}: later referrals have not had time to engage.`;
  if (which === 'outcomes')
    return `Wellbeing covers referrals made by ${outcomes}: later referrals have not had time for a follow-up.`;
  return `Engagement, connection and plans cover referrals made by ${engagement}; contacts, wellbeing and discharge those made by ${outcomes}: later referrals have not had time.`;
}
