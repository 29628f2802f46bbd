import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, ingestAllAccepted, referralEvent, refreshAndRead } from '../support/golden.ts';

/*
 * The data-as-of rule does not wait for a PCN whose extract has stopped (docs/methodology.md, "Data as of"). Eleven
 * PCNs open in one ICB, all reporting from April 2026, one referral a month each; each sends one extract:
 *
 *   PCN             months with events     extract received   last month reported (onboarded.sql)
 *   U40001-U40008   April - November 2026  2 December 2026    November
 *   U40009          April - June 2026      3 July 2026        June
 *   U40010          April - July 2026      2 August 2026      July
 *   U40011          April - September 2026 2 October 2026     September
 *
 * A PCN has stopped when no extract covers any of the more than 3 months ended since its last month reported.
 *
 * Refreshed on 4 December 2026 (months ended up to November; a PCN whose last month is before August has stopped):
 * U40009 (June: July to November, 5 months) and U40010 (July: 4 months) have stopped; U40011 (September: 2 months) is
 * late. Each month's PCNs still sending are those onboarded less those stopped before it:
 *
 *   month    sent  onboarded  stopped  still sending  share   (before: of onboarded)
 *   2026-06  11    11         0        11             100%    100%
 *   2026-07  10    11         1        10             100%    90.9%  (U40009 stopped after June)
 *   2026-08   9    11         2         9             100%    81.8%  short
 *   2026-09   9    11         2         9             100%    81.8%  short
 *   2026-10   8    11         2         9             88.9%   72.7%  short: U40011 is waited for
 *   2026-11   8    11         2         9             88.9%   72.7%  short
 *
 * Data as of 30 September 2026 (before: 31 July, and no later month ever, for as long as the two stay open).
 *
 * Refreshed on 3 February 2027 with nothing new (months ended up to January; stopped: last month before October):
 * U40011 (September: October to January, 4 months) has stopped too, so October and November are 8 of 8: data as of
 * 30 November 2026 (before: still 31 July).
 */
const PCNS = Array.from({ length: 11 }, (_, i) => `U400${String(i + 1).padStart(2, '0')}`);
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((code) => `${code},PCN ${code},QWE,NHS South West London ICB,Y56,London,10000,2019-04-01,`).join('\n')}
`;
const ALL = ['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'];
const LAST: Readonly<Record<string, { month: string; received: string }>> = {
  U40009: { month: '2026-06', received: '2026-07-03T07:00:00Z' },
  U40010: { month: '2026-07', received: '2026-08-02T07:00:00Z' },
  U40011: { month: '2026-09', received: '2026-10-02T07:00:00Z' },
};
const lastOf = (pcn: string) => LAST[pcn] ?? { month: '2026-11', received: '2026-12-02T07:00:00Z' };
const uploads: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.map((pcn) => [
    `${pcn}.csv`,
    ALL.filter((m) => m <= lastOf(pcn).month).map((m) => referralEvent(pcn, `${pcn}-${m}`, `${m}-10`)),
  ]),
);

const dir = tempDir('data-as-of-stopped');
const dataDir = join(dir.path, 'data');
const december = new Map<string, MetricDocument>();
const february = new Map<string, MetricDocument>();
const logged: Record<'december' | 'february', string[]> = { december: [], february: [] };

beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), REFERENCE);
  await ingestAllAccepted(dir.path, dataDir, uploads, (file) => new Date(lastOf(file.slice(-10, -4)).received));
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    await refreshAndRead(dataDir, new Date('2026-12-04T06:00:00Z'), december);
    logged.december = warn.mock.calls.map((c) => String(c[0]));
    warn.mockClear();
    await refreshAndRead(dataDir, new Date('2027-02-03T06:00:00Z'), february);
    logged.february = warn.mock.calls.map((c) => String(c[0]));
  } finally {
    warn.mockRestore();
  }
}, 240_000);
afterAll(() => dir.remove());

const metaOf = (docs: Map<string, MetricDocument>) => docs.get('meta') as unknown as MetaDocument;
const pending = (month: string, pcns_submitting: number, pcns_stopped: number) => ({
  month,
  pcns_submitting,
  pcns_onboarded: 11,
  pcns_stopped,
  pcns_open: 11,
});

describe('data as of: a PCN whose extract has stopped is counted, not waited for', () => {
  it('4 December: two PCNs stopped leave the denominator; the late one is still waited for', () => {
    const meta = metaOf(december);
    expect(meta.data_as_of).toBe('2026-09-30');
    expect(meta.months).toEqual(ALL.slice(0, 6));
    expect(meta.pcns_stopped).toBe(2);
    expect(meta.months_pending).toEqual([pending('2026-10', 8, 2), pending('2026-11', 8, 2)]);
    // The refresh's log names them, for the team to ask each PCN to restart its extract.
    expect(logged.december.filter((w) => w.includes('stopped'))).toEqual([
      'refresh: PCNs whose extract has stopped (no extract from them covers any of the last 4 months ended) are no longer waited for by the data-as-of rule (meta.json pcns_stopped): U40009 (last month reported 2026-06); U40010 (last month reported 2026-07). Ask the PCN to restart its extract; its months since are no data until it does.',
    ]);
  });

  it('3 February: the late PCN has stopped too (4 months without an extract), and November is complete', () => {
    const meta = metaOf(february);
    expect(meta.data_as_of).toBe('2026-11-30');
    expect(meta.months).toEqual(ALL);
    expect(meta.pcns_stopped).toBe(3);
    expect(meta.months_pending).toEqual([]);
    expect(meta.data_as_of_rule).toContain('counted as stopped (pcns_stopped)');
    expect(logged.february.filter((w) => w.includes('stopped'))).toEqual([
      expect.stringContaining(
        ': U40009 (last month reported 2026-06); U40010 (last month reported 2026-07); U40011 (last month reported 2026-09).',
      ),
    ]);
  });
});
