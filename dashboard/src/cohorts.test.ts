import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/metrics.ts';
import { cohortsCovered } from './cohorts.ts';

const cut = (months: number, date: string) => ({ months, referred_on_or_before: date });
/** cof_person as review 4's v6 publishes it in r1: data to 30 September 2025, June and 2025/26 held at r0's. */
const document = {
  summary: {
    cohorts: {
      engagement: cut(3, '2025-06-30'),
      outcomes: cut(6, '2025-03-31'),
      held: {
        '2025-06': {
          release: 'r0',
          data_as_of: '2025-08-31',
          engagement: cut(3, '2025-05-31'),
          outcomes: cut(6, '2025-02-28'),
        },
        '2025/26': {
          release: 'r0',
          data_as_of: '2025-08-31',
          engagement: cut(3, '2025-05-31'),
          outcomes: cut(6, '2025-02-28'),
        },
      },
    },
  },
} as unknown as MetricDocument;

describe("which referrals a card's outcome figures cover (summary.cohorts)", () => {
  it("names the cut-off of a year England holds at an earlier release (review 4, F3); a held month's goes unsaid", () => {
    expect(cohortsCovered({ state: 'ready', value: document }, 'engagement')).toBe(
      'Take-up covers referrals made by 30 June 2025: later referrals have not had time to engage. ' +
        "England's FY 2025/26 is held at the release of data to 31 August 2025: its take-up covers referrals made by 31 May 2025.",
    );
    expect(cohortsCovered({ state: 'ready', value: document }, 'outcomes')).toBe(
      'Wellbeing covers referrals made by 31 March 2025: later referrals have not had time for a follow-up. ' +
        "England's FY 2025/26 is held at the release of data to 31 August 2025: its wellbeing covers referrals made by 28 February 2025.",
    );
  });

  it('says nothing more when nothing is held', () => {
    const plain = {
      summary: { cohorts: { engagement: cut(3, '2025-06-30'), outcomes: cut(6, '2025-03-31') } },
    } as unknown as MetricDocument;
    expect(cohortsCovered({ state: 'ready', value: plain }, 'engagement')).toBe(
      'Take-up covers referrals made by 30 June 2025: later referrals have not had time to engage.',
    );
  });
});
