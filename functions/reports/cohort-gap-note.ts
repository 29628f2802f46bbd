import type { MetricDocument } from '../contract/metrics.ts';
import { summaryOf } from '../contract/summaries.ts';
import { longDate as parsedLongDate } from './long-date.ts';

/** 2025-10-31 → 31 October 2025 (the packs' long date; the dashboard's formatDate gives the same). */
const longDate = (iso: string) => parsedLongDate(iso) ?? iso;

/**
 * Why England's outcome figures of a financial year are held, where a cohort gap holds them (summary.cohort_gaps_held;
 * docs/methodology.md, "Cohorts"; red-team review 32, R32-2), in words for the Outcomes card, the board report and the
 * pack: undefined where the year is not held so. Without it a held year reads as a late file's hold ("they will update
 * when more PCNs' data arrive") or, held at an earlier release, as the year's figures, while it is a part year that
 * stays so (for a closure, at every later release). The release and cut-offs are the document's `cohorts.held`.
 */
export function cohortGapNote(document: Pick<MetricDocument, 'summary'> | undefined, fy: string): string | undefined {
  const gaps = summaryOf(document, 'cohort_gaps_held');
  if (!gaps?.periods.includes(fy)) return undefined;
  const held = summaryOf(document, 'cohorts')?.held?.[fy];
  const shown =
    held?.data_as_of == null
      ? `England's outcome figures for ${fy} are not published`
      : `England's outcome figures for ${fy} are those of the release with data to ${longDate(held.data_as_of)}, a part year (engagement of referrals made by ${longDate(held.engagement.referred_on_or_before)}, outcomes of those made by ${longDate(held.outcomes.referred_on_or_before)})`;
  return (
    `${shown}, and stay so: a PCN's data ended (it closed or merged, or its extract stopped) before its last referrals' ` +
    'follow-up did, so those referrals are in no cohort, and while fewer than 3 PCNs have referrals out so (or one ' +
    "has most of them) England's figures would give their number away. Figures below England are not held for this. " +
    "England's are published again only if more PCNs' data end in the same months, or a stopped extract resumes."
  );
}
