import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  goldenReference,
  publishGolden,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * "% attended" of community connections waits for the first session (red-team review 19, R19-12; docs/methodology.md,
 * "Community"). Whether a person went to the first session is known only once it has been: a connection made late in
 * a month whose first session is in the next month is sent attended=false with its month's file and corrected with
 * the next one (the same event_id, a later recorded_at). So attendance is counted on the attendance cohort, the
 * connections made at least 1 month before the data-as-of date, while every connection is counted by its month.
 *
 * Six PCNs, U30001 to U30003 in ICB QAA (London) and U30004 to U30006 in QBB (South West) (England is published only
 * where 3 or more PCNs make it: revisions.ts), each send a file a month, received on the 1st of the next month. Each
 * PCN, each month, 10
 * connections to arts and culture (to 10 organisations, VCSE-0 to VCSE-9: 1 to 7 would be `*` below England, and
 * England's exact count beside them would withhold the rows), each on a referral of its own:
 *
 *   month     sent with its own file               corrected with the next month's file
 *   2026-08   8 attended, 2 not                    -
 *   2026-09   8 attended, 2 not                    -
 *   2026-10   5 attended, 5 not (first sessions    3 of the 5 attended (recorded 3 November, in the
 *             not yet been)                        file received 1 December)
 *   2026-11   2 attended, 8 not (first sessions    - (their corrections come with December's file, not yet sent)
 *             in December)
 *
 * Refreshed on 1 December 2026: November is complete, data as of 30 November; the attendance cohort is the connections
 * made on or before 31 October (30 November less 1 month). England (published exact), 6 PCNs:
 *   2026-10: connections 6 x 10 = 60, attendance_cohort 60, recent 0, attended 6 x (5 + 3) = 48 (the corrections
 *            count), 48 / 60 = 80.0%
 *   2026-11: connections 60, attendance_cohort 0, recent 60, attended 0 (its 6 x 2 = 12 recorded so far wait), % none
 *   2026/27 (August to November): connections 6 x 40 = 240 = cohort 6 x 30 = 180 + recent 60; attended
 *            6 x (8 + 8 + 8) = 144; 144 / 180 = 80.0%
 * Counted in the connection's month with no waiting (before R19-12) the year read (144 + 12) / 240 = 65.0% and
 * November 12 / 60 = 20.0%, though the service's attendance was 80% every month.
 * A PCN's year below England (counts rounded to 5): connections 40, cohort 30, recent 10; its November: 10, 0, 10,
 * attended 0. (Its attended, 24 a year and 8 a month in every PCN, is `*`: six equal PCNs' rounded counts beside
 * England's exact sum pin each one, so the audit suppresses them; the rows' other figures stand.)
 */
const PCNS = ['U30001', 'U30002', 'U30003', 'U30004', 'U30005', 'U30006'] as const;
const REFERENCE = goldenReference(
  PCNS.map((pcn, i): [string, string, string] => (i < 3 ? [pcn, 'QAA', 'Y56'] : [pcn, 'QBB', 'Y58'])),
);
const MONTHS = ['2026-08', '2026-09', '2026-10', '2026-11'] as const;
const ATTENDED_AT_ONCE: Record<(typeof MONTHS)[number], number> = {
  '2026-08': 8,
  '2026-09': 8,
  '2026-10': 5,
  '2026-11': 2,
};

const connection = (pcn: string, month: string, i: number, attended: boolean, recordedAt: string): GoldenEvent => {
  const referralId = `R-${pcn}-${month}-${i}`;
  return {
    event_id: `C-${month}-${i}`,
    event_type: 'community_connection',
    pcn_code: pcn,
    referral_id: referralId,
    person_id: createHash('sha256').update(referralId).digest('hex'),
    // Days 10 to 28: the later ones are those whose first session falls in the next month.
    occurred_on: `${month}-${String(10 + 2 * i).padStart(2, '0')}`,
    activity_category: 'arts_culture',
    provider_id: `VCSE-${i}`,
    attended,
    recorded_at: recordedAt,
  };
};
/** The 1st of the month after `month`, when its file is received. */
const nextFirst = (month: string) => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
};

const UPLOADS: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.flatMap((pcn) =>
    MONTHS.map((month) => {
      const rows = Array.from({ length: 10 }, (_, i) =>
        connection(pcn, month, i, i < ATTENDED_AT_ONCE[month], `${month}-28T17:00:00Z`),
      );
      // November's file corrects 3 of October's 5 not attended (connections 5 to 7): their first sessions were in
      // November, recorded on 3 November, after the row October's file sent.
      if (month === '2026-11')
        rows.push(...[5, 6, 7].map((i) => connection(pcn, '2026-10', i, true, '2026-11-03T10:00:00Z')));
      return [`${pcn.toLowerCase()}-${month}.csv`, rows];
    }),
  ),
);

const dir = tempDir('community-attendance');
const docs = new Map<string, MetricDocument>();

beforeAll(async () => {
  const files = writeEventFiles(dir.path, UPLOADS);
  const receipts = await publishGolden(
    join(dir.path, 'data'),
    files,
    REFERENCE,
    new Date('2026-12-01T06:00:00Z'),
    docs,
    // Each month's file received on the 1st of the next (October's correction arrives with November's file).
    (file) => new Date(`${nextFirst(basename(file).slice(7, 14))}T05:00:00Z`),
  );
  expect(receipts.map((r) => r.status)).toEqual(files.map(() => 'accepted'));
}, 120_000);
afterAll(() => dir.remove());

describe('cof_community: attendance on the connections old enough for their first session (R19-12)', () => {
  it('data as of 30 November: the cohort is the connections made by 31 October, stated in the summary', () => {
    expect((docs.get('meta') as unknown as { data_as_of: string }).data_as_of).toBe('2026-11-30');
    expect(summaryOf(docs.get('cof_community'), 'attendance_cohort')).toEqual({
      months: 1,
      connected_on_or_before: '2026-10-31',
    });
  });

  it("England's latest month counts its connections, not their attendance; October counts its corrections", () => {
    const row = rowFinder(docs);
    expect(row('cof_community', 'national', 'ENG', '2026-11')).toMatchObject({
      connections: 60,
      attendance_cohort: 0,
      recent_connections: 60,
      attended: 0,
      attended_arts_culture: 0,
      attendance_pct: null,
    });
    expect(row('cof_community', 'national', 'ENG', '2026-10')).toMatchObject({
      connections: 60,
      attendance_cohort: 60,
      recent_connections: 0,
      attended: 48,
      attendance_pct: 80,
    });
    expect(row('cof_community', 'national', 'ENG', '2026/27')).toMatchObject({
      connections: 240,
      activity_arts_culture: 240,
      attendance_cohort: 180,
      recent_connections: 60,
      attended: 144,
      attended_arts_culture: 144,
      attendance_pct: 80,
    });
  });

  it("a PCN's rows below England: the cohort and the recent connections published as connections are", () => {
    const row = rowFinder(docs);
    expect(row('cof_community', 'pcn', 'U30001', '2026/27')).toMatchObject({
      connections: 40,
      attendance_cohort: 30,
      recent_connections: 10,
    });
    expect(row('cof_community', 'pcn', 'U30001', '2026-11')).toMatchObject({
      connections: 10,
      attendance_cohort: 0,
      recent_connections: 10,
      attended: 0,
      attendance_pct: null,
    });
    // Nothing below England gives a suppressed figure away, the new columns included (test/support/disclosure-scan.ts).
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
