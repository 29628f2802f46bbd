import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, goldenReference, referralEvent, releaseChain } from '../support/golden.ts';

/*
 * Red-team review 21, R21-6: a monthly release's alerts lasted only until the next refresh, which a day with no new
 * data makes (the daily scheduled refresh in AWS; any upload): compared with the refresh before, the month's signals
 * were "not new" and the What changed panel and every pack emptied. Six PCNs (QAA/Y56: U00001-3, QBB/Y58: U00004-6)
 * refer 20-22 a month, April 2025 - October 2026 (release 1, 5 November 2026); in November U00001 refers 2 and the
 * others 20 (release 2, 5 December: England 2 + 5 x 20 = 102 against 120-132 every month before, far below its lower
 * process limit: a new special cause of concern); release 3 is the next morning's refresh with nothing new.
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const REFERENCE = goldenReference(PCNS.map((p, i) => [p, i < 3 ? 'QAA' : 'QBB', i < 3 ? 'Y56' : 'Y58'] as const));
const MONTHS = Array.from({ length: 19 }, (_, i) => {
  const n = 2025 * 12 + 3 + i;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
});
const referrals = (pcn: string, month: string, n: number): GoldenEvent[] =>
  Array.from({ length: n }, (_, i) =>
    referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-${String(3 + (i % 20)).padStart(2, '0')}`),
  );
const dir = tempDir('alerts-release');
const dataDir = join(dir.path, 'data');
const { release } = releaseChain(dir.path, dataDir);
afterAll(() => dir.remove());

const identity = (r: Record<string, unknown>) => [r.kind, r.level, r.code, r.measure, r.comparator, r.period].join('|');
const england = (alerts: MetricDocument | undefined, measure: string) =>
  alerts?.rows.find((r) => r.kind === 'spc' && r.level === 'national' && r.measure === measure);

describe("alerts are the release's, whichever refresh of it publishes them (R21-6)", () => {
  it("a refresh with nothing new keeps the month's alerts on the panel and sends no e-mail again", async () => {
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    const history: Record<string, GoldenEvent[]> = {};
    // 20, 21 or 22 a month (the month's last digit's code mod 3): England 120-132 a month.
    for (const p of PCNS) history[`${p}.csv`] = MONTHS.flatMap((m) => referrals(p, m, 20 + (m.charCodeAt(6) % 3)));
    const r1 = await release('2026-11-05T09:00:00Z', history);
    const november: Record<string, GoldenEvent[]> = {};
    for (const p of PCNS) november[`${p}-nov.csv`] = referrals(p, '2026-11', p === 'U00001' ? 2 : 20);
    const r2 = await release('2026-12-05T09:00:00Z', november);
    const r3 = await release('2026-12-06T06:00:00Z', {});

    const a1 = r1.get('alerts');
    const a2 = r2.get('alerts');
    const a3 = r3.get('alerts');
    expect(a2?.data_as_of).toBe('2026-11-30');
    expect(a3?.data_as_of).toBe('2026-11-30');
    // England's November: 2 + 5 x 20 = 102 referrals, a special cause of concern (lower) new at release 2.
    expect(england(a2, 'referrals')).toMatchObject({ period: '2026-11', figure: 102, direction: 'low' });
    expect(england(a2, 'referrals')?.first_listed).toBe(a2?.generated_at);
    // Release 3 (same data-as-of date, nothing new) lists the very same alerts, first listed at release 2, and is
    // compared with release 1 (the last refresh of the release before), not with release 2.
    expect(a3?.rows.map(identity).sort()).toEqual(a2?.rows.map(identity).sort());
    expect(a3?.rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(a3?.rows.map((r) => r.first_listed))).toEqual(new Set([a2?.generated_at]));
    expect(a3?.summary?.compared_with).toBe(a1?.generated_at);
    expect(a2?.summary?.compared_with).toBe(a1?.generated_at);
  }, 600_000);
});
