import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, ingestAllAccepted, referralEvent, refreshAndRead, rowFinder } from '../support/golden.ts';

/*
 * Below England, how many of an area's PCNs sent a month (red-team review 16, R16-3). The data-as-of rule is
 * England's (90% of the PCNs still sending), so an ICB's month can be published with one of its PCNs late: its counts
 * fall by that PCN's, and rollout now says how many of the area's PCNs expected (onboarded, not stopped) sent it.
 *
 * Twenty PCNs open in two regions (ICBs QAA and QBB in Y56, QCC in Y58: one region would be England, its figures
 * pinned by England's and withheld), all reporting from April 2026, 10 referrals a month each; each sends one
 * extract:
 *
 *   ICB  PCN             months with events     extract received   on 4 December 2026
 *   QAA  U41001          April - November 2026  2 December 2026    sending
 *   QAA  U41002          April - October 2026   2 November 2026    late for November (2 months ended since: not stopped)
 *   QAA  U41003          April - June 2026      3 July 2026        stopped (no extract for more than 3 months)
 *   QBB  U41004-U41011   April - November 2026  2 December 2026    sending (8 PCNs)
 *   QCC  U41012-U41020   April - November 2026  2 December 2026    sending (9 PCNs, region Y58)
 *
 * England's November: onboarded 20, stopped 1 (U41003, last month June), still sending 19, sent 18: 18 / 19 = 94.7%,
 * complete, published. A PCN has sent a month when the month is in its reporting span (its extract covers it: the
 * PCNs whose referrals and lists the month holds). ICB QAA by month (pcns: in force, 3 every month; lists 10,000 each):
 *
 *   month    sent  expected                                   referrals  list_size
 *   2026-06  3     3 (U41003 not stopped before July)         30         30,000
 *   2026-07  2     2 (U41003 stopped: last month June < July) 20         20,000
 *   2026-10  2     2                                          20         20,000
 *   2026-11  1     2 ("November: 1 of 2 PCNs sent")           10         10,000 (U41002's file not yet received)
 *
 * Region Y56, November: sent 9 (1 + 8), expected 10 (2 + 8); October 10 of 10. England, November: 18 of 19 (9 + 9 of
 * 10 + 9). ICB QBB November 8 of 8. A PCN's rows and financial years have neither figure (a PCN's late month is already no data).
 */
const PCNS = Array.from({ length: 20 }, (_, i) => `U410${String(i + 1).padStart(2, '0')}`);
const icbOf = (pcn: string) =>
  pcn <= 'U41003'
    ? 'QAA,NHS Test ICB A,Y56,London'
    : pcn <= 'U41011'
      ? 'QBB,NHS Test ICB B,Y56,London'
      : 'QCC,NHS Test ICB C,Y58,South West';
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((code) => `${code},PCN ${code},${icbOf(code)},10000,2019-04-01,`).join('\n')}
`;
const ALL = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];
const LAST: Readonly<Record<string, { month: string; received: string }>> = {
  U41002: { month: '2026-10', received: '2026-11-02T07:00:00Z' },
  U41003: { month: '2026-06', received: '2026-07-03T07:00:00Z' },
};
const lastOf = (pcn: string) => LAST[pcn] ?? { month: '2026-11', received: '2026-12-02T07:00:00Z' };
const uploads: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.map((pcn) => [
    `${pcn}.csv`,
    ALL.filter((m) => m <= lastOf(pcn).month).flatMap((m) =>
      Array.from({ length: 10 }, (_, i) => referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`)),
    ),
  ]),
);

const dir = tempDir('area-coverage');
const dataDir = join(dir.path, 'data');
const docs = new Map<string, MetricDocument>();

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
  await ingestAllAccepted(dir.path, dataDir, uploads, (file) => new Date(lastOf(file.slice(-10, -4)).received));
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    await refreshAndRead(dataDir, new Date('2026-12-04T06:00:00Z'), docs);
  } finally {
    warn.mockRestore();
  }
}, 240_000);
afterAll(() => dir.remove());

const coverage = (level: string, code: string, period: string) => {
  const { referrals, list_size, pcns, pcns_sent, pcns_expected } = rowFinder(docs)('rollout', level, code, period);
  return { referrals, list_size, pcns, pcns_sent, pcns_expected };
};

describe("rollout: how many of an area's PCNs sent each month", () => {
  it('publishes November though one PCN of ICB QAA is late (England: 18 of 19 still sending)', () => {
    const meta = docs.get('meta') as unknown as MetaDocument;
    expect(meta.data_as_of).toBe('2026-11-30');
    expect(meta.pcns_stopped).toBe(1);
  });

  it('ICB QAA: November 1 of 2 PCNs sent; the stopped PCN is expected up to its last month only', () => {
    expect(coverage('icb', 'QAA', '2026-06')).toEqual({
      referrals: 30,
      list_size: 30_000,
      pcns: 3,
      pcns_sent: 3,
      pcns_expected: 3,
    });
    expect(coverage('icb', 'QAA', '2026-07')).toEqual({
      referrals: 20,
      list_size: 20_000,
      pcns: 3,
      pcns_sent: 2,
      pcns_expected: 2,
    });
    expect(coverage('icb', 'QAA', '2026-10')).toEqual({
      referrals: 20,
      list_size: 20_000,
      pcns: 3,
      pcns_sent: 2,
      pcns_expected: 2,
    });
    expect(coverage('icb', 'QAA', '2026-11')).toEqual({
      referrals: 10,
      list_size: 10_000,
      pcns: 3,
      pcns_sent: 1,
      pcns_expected: 2,
    });
    expect(coverage('icb', 'QBB', '2026-11')).toMatchObject({ pcns_sent: 8, pcns_expected: 8 });
  });

  it('the region and England add them up, exact', () => {
    expect(coverage('region', 'Y56', '2026-10')).toMatchObject({ pcns_sent: 10, pcns_expected: 10 });
    expect(coverage('region', 'Y56', '2026-11')).toMatchObject({ pcns_sent: 9, pcns_expected: 10 });
    expect(coverage('region', 'Y58', '2026-11')).toMatchObject({ pcns_sent: 9, pcns_expected: 9 });
    expect(coverage('national', 'ENG', '2026-11')).toMatchObject({ pcns_sent: 18, pcns_expected: 19 });
    // England's PCNs with events, read by the data-as-of rule, as before; below England there is none.
    expect(rowFinder(docs)('rollout', 'national', 'ENG', '2026-11').pcns_submitting).toBe(18);
    expect(rowFinder(docs)('rollout', 'icb', 'QAA', '2026-11').pcns_submitting).toBeNull();
  });

  it('a PCN row and a financial year have neither (a PCN late for a month has no data for it)', () => {
    expect(coverage('pcn', 'U41002', '2026-11')).toEqual({
      referrals: null,
      list_size: null,
      pcns: 1,
      pcns_sent: null,
      pcns_expected: null,
    });
    expect(coverage('icb', 'QAA', '2026/27')).toMatchObject({ pcns_sent: null, pcns_expected: null });
  });
});
