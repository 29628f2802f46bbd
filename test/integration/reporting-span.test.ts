import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  referralEvent,
  refreshAndRead,
  rowFinder,
  TEN_PCNS,
  TEN_PCNS_REFERENCE,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * A PCN's reporting span, end to end (red-team review 7, M5 and M15): the months it really reports, from the first
 * month of its sustained reporting to its last month with events (or later, where an extract from it was received
 * after a later month ended). Ten PCNs, each 10,000 registered patients; U00001-U00005 in ICB QAA (London, Y56),
 * U00006-U00010 in QBB (South West, Y58); 10 referrals a month each in the months shown. Each PCN sends one extract.
 *
 *   U00001  April 2024 - July 2025, and one referral dated 15 June 2019 (a stray: M15)
 *   U00002  April 2025 - July 2025 (a later wave), and one referral dated 14 June 2024, ten months before (M5 a)
 *   U00003  April 2024 - May 2025: its extract was received on 3 June 2025 and nothing since (stopped: M5 b)
 *   others  April 2024 - July 2025
 *   extracts received 2 August 2025 (U00003's 3 June); refreshed 5 August 2025.
 *   U00003 also re-sends one April 2025 referral, corrected (its date, within April), received 3 August 2025: a correction, not
 *   an extract covering June and July (red-team review 9, R9-6: it made U00003's June and July real zeros, its
 *   last month reported July, England's 2025/26 list 100,000). Every figure below is as without it.
 *
 * Data as of 31 July 2025: July was sent by 9 of the 10 PCNs onboarded (U00003 stays onboarded: 90%). The stray
 * events are more than 3 months before their PCN's next month with events, and alone (1 month, fewer than 3): not
 * its reporting. So the published months are April 2024 - July 2025 (16; before: from June 2019, 74 months and
 * seven financial years), and the two stray referrals are in no figure:
 *   England 2024-06: 9 PCNs reporting (U00001, U00003-U00010) x 10 = 90 referrals (before: 91, U00002's stray),
 *     list 9 x 10,000 = 90,000 (before: 100,000, U00002 counted from its stray month), 9 PCNs submitting (before 10).
 *   England 2024/25: 9 x 12 months x 10 = 1,080 (before 1,081); list 90,000 each month, so 90,000 (before
 *     (2 x 90,000 + 10 x 100,000) / 12 = 98,333.3).
 *   England 2025-06: U00001, U00002, U00004-U00010: 9 x 10 = 90; list 90,000 (before 100,000: U00003's list
 *     beside its "0").
 *   England 2025/26: 9 PCNs x 4 months x 10 + U00003's April and May 20 = 380; list (100,000 + 100,000 + 90,000
 *     + 90,000) / 4 = 95,000 (before 100,000).
 *   U00003 June and July 2025: no data (null), not 0, list null; 2025/26: 20 referrals, list 10,000 x 2 / 4 = 5,000.
 *   U00002 June 2024 and 2024/25: no data (before: 1 referral, list 10,000 and 10,000 x 10 / 12).
 *   Data submissions: U00001 and U00002 each 1 event outside reporting (rounded up to 5) in 1 month; U00002 reports
 *   from April 2025 with no month missing (before: 9 of June 2024 - July 2025 missing); U00003's last month
 *   reported May 2025, June and July missing.
 */
const PCNS = TEN_PCNS;
const REFERENCE = TEN_PCNS_REFERENCE;
const months = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let [y, m] = from.split('-').map(Number) as [number, number]; `${y}-${String(m).padStart(2, '0')}` <= to; ) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
};
const MONTHS: Record<string, string[]> = Object.fromEntries(PCNS.map((p) => [p, months('2024-04', '2025-07')]));
MONTHS.U00002 = months('2025-04', '2025-07');
MONTHS.U00003 = months('2024-04', '2025-05');
const STRAYS: Record<string, string> = { U00001: '2019-06-15', U00002: '2024-06-14' };
const uploads: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.map((pcn) => [
    `${pcn}.csv`,
    [
      ...(STRAYS[pcn] ? [referralEvent(pcn, `${pcn}-stray`, STRAYS[pcn])] : []),
      ...(MONTHS[pcn] ?? []).flatMap((m) =>
        Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`)),
      ),
    ],
  ]),
);

// Its date corrected within April (a changed source or age would be a change to the figures by dimension).
uploads['U00003-correction.csv'] = [referralEvent('U00003', 'U00003-2025-04-0', '2025-04-11')];

const dir = tempDir('reporting-span');
const dataDir = join(dir.path, 'data');
const docs = new Map<string, MetricDocument>();
let warnings: string[] = [];
beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
  const files = writeEventFiles(dir.path, uploads);
  const { exitCode } = await ingestFiles(files, {
    dataDir,
    out: () => {},
    progress: false,
    receivedAt: (file) =>
      new Date(
        file.endsWith('U00003.csv')
          ? '2025-06-03T07:00:00Z'
          : file.endsWith('-correction.csv')
            ? '2025-08-03T07:00:00Z'
            : '2025-08-02T07:00:00Z',
      ),
  });
  expect(exitCode).toBe(0);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    await refreshAndRead(dataDir, new Date('2025-08-05T06:00:00Z'), docs);
    warnings = warn.mock.calls.map((c) => String(c[0]));
  } finally {
    warn.mockRestore();
  }
}, 180_000);
afterAll(() => dir.remove());

const row = rowFinder(docs);
const rolloutOf = (level: string, code: string, period: string) => {
  const { referrals, list_size, pcns_submitting } = row('rollout', level, code, period);
  return { referrals, list_size, pcns_submitting };
};

describe("a PCN's reporting span (review 7, M5 and M15)", () => {
  it('one stray 2019 event does not stretch the published months (M15)', () => {
    const meta = docs.get('meta') as unknown as MetaDocument;
    expect(meta.data_as_of).toBe('2025-07-31');
    expect(meta.months).toEqual(months('2024-04', '2025-07'));
    expect(meta.financial_years).toEqual(['2024/25', '2025/26']);
    // No document has a row of 2019 (months or the year 2019/20) or any month before April 2024.
    for (const doc of docs.values())
      expect(
        (doc.rows ?? []).filter((r) => /^20(19|2[0-3])/.test(String(r.period)) || String(r.period) < '2024-04'),
        doc.name,
      ).toEqual([]);
  });

  it("stray events are in no figure, England included, and a PCN's list counts from its real first month (M5 a)", () => {
    expect(rolloutOf('national', 'ENG', '2024-06')).toEqual({ referrals: 90, list_size: 90_000, pcns_submitting: 9 });
    expect(rolloutOf('national', 'ENG', '2024/25')).toEqual({
      referrals: 1_080,
      list_size: 90_000,
      pcns_submitting: null,
    });
    expect(rolloutOf('pcn', 'U00002', '2024-06')).toMatchObject({ referrals: null, list_size: null });
    expect(rolloutOf('pcn', 'U00002', '2024/25')).toMatchObject({ referrals: null, list_size: null });
    expect(rolloutOf('pcn', 'U00002', '2025/26')).toMatchObject({ referrals: 40, list_size: 10_000 });
    // The funnel compares U00002 over 2025/26 only (4 months onboarded), not over 2024/25 at 0.
    expect((docs.get('pcn_comparison')?.rows ?? []).filter((r) => r.code === 'U00002').map((r) => r.period)).toEqual([
      '2025/26',
    ]);
  });

  it("a stopped extract's months after its last month reported are no data, not 0 (M5 b)", () => {
    expect(rolloutOf('pcn', 'U00003', '2025-05')).toMatchObject({ referrals: 10, list_size: 10_000 });
    expect(rolloutOf('pcn', 'U00003', '2025-06')).toMatchObject({ referrals: null, list_size: null });
    expect(rolloutOf('pcn', 'U00003', '2025-07')).toMatchObject({ referrals: null, list_size: null });
    expect(rolloutOf('pcn', 'U00003', '2025/26')).toMatchObject({ referrals: 20, list_size: 5_000 });
    expect(rolloutOf('national', 'ENG', '2025-06')).toEqual({ referrals: 90, list_size: 90_000, pcns_submitting: 9 });
    expect(rolloutOf('national', 'ENG', '2025/26')).toMatchObject({ referrals: 380, list_size: 95_000 });
    // U00003's SPC series has no point after May 2025 (before: two zeros, read as a shift).
    const series = docs
      .get('spc')
      ?.rows.find((r) => r.level === 'pcn' && r.code === 'U00003' && r.measure === 'referrals');
    expect(series?.points).toBe(14);
    expect([series?.values?.['2025-06' as never], series?.values?.['2025-07' as never]]).toEqual([null, null]);
  });

  it('Data submissions lists the stray events and says each PCN’s months reported; the refresh logs them', () => {
    const listed = (code: string) => {
      const r = row('data_quality', 'pcn', code, 'all');
      return {
        first_month: r.first_month,
        last_month_reported: r.last_month_reported,
        months_missing: r.months_missing,
        events_outside_reporting: r.events_outside_reporting,
        months_outside_reporting: r.months_outside_reporting,
        first_month_outside_reporting: r.first_month_outside_reporting,
        last_month_outside_reporting: r.last_month_outside_reporting,
        events_out_of_force: r.events_out_of_force,
      };
    };
    const reported = { months_missing: 0, events_out_of_force: 0 };
    expect(listed('U00001')).toEqual({
      ...reported,
      first_month: '2024-04',
      last_month_reported: '2025-07',
      events_outside_reporting: 5,
      months_outside_reporting: 1,
      first_month_outside_reporting: '2019-06',
      last_month_outside_reporting: '2019-06',
    });
    expect(listed('U00002')).toEqual({
      ...reported,
      first_month: '2025-04',
      last_month_reported: '2025-07',
      events_outside_reporting: 5,
      months_outside_reporting: 1,
      first_month_outside_reporting: '2024-06',
      last_month_outside_reporting: '2024-06',
    });
    expect(listed('U00003')).toEqual({
      ...reported,
      months_missing: 2,
      first_month: '2024-04',
      last_month_reported: '2025-05',
      events_outside_reporting: 0,
      months_outside_reporting: 0,
      first_month_outside_reporting: null,
      last_month_outside_reporting: null,
    });
    expect(warnings.filter((w) => w.includes('reporting'))).toEqual([
      'refresh: events dated outside their PCN’s reporting span (stray or mis-dated events, dated more than 3 months before the months their PCN reports) are left out of every figure, England included (data_quality lists them): U00001: 2019-06 (1); U00002: 2024-06 (1). Correct the dates at the PCN.',
    ]);
    expect(warnings.filter((w) => w.includes('not in force'))).toEqual([]);
  });
});
