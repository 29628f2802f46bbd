import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { monthsOfFinancialYear } from '../../functions/contract/periods.ts';
import { summaryOf } from '../../functions/contract/summaries.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { peopleInYearRows, repeatRatios } from '../../functions/stats/people-pace.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, goldenReference, referralEvent, writeEventFiles } from '../support/golden.ts';

/*
 * The projection's like-for-like ratio (review 31, R31-6) through the real ingest and refresh.
 * Six PCNs, U00001-U00003 in London (Y56), U00004-U00006 in the South West (Y58). 2024/25, every month, each PCN refers
 * 10 people new to the year (on the 10th) and, from July (its 4th month), 2 people again whom it first referred three
 * months before (on the 12th), and in August one of its August people twice (78 referrals, 72 people in England's
 * August: a person is counted once in a month). England: 60 people a month April to June, 72 from July; the year's
 * monthly people 3 x 60 + 9 x 72 = 828 over 720 people: 1.15. At the end of July 2024: (180 + 72) / 240 = 1.05, so the year grew by
 * 1.15 / 1.05 = 1.095238 from its 4th month; each region alike (half of each figure), so the regions' growths are
 * equal and add nothing to the interval (one complete year: too few of England's own for its spread, R34-4).
 * 2025/26, April to July: 10 new people a month each, and in July each PCN refers one April person again: England 60,
 * 60, 60, 66 = 246 monthly people over 240 people, 1.025 so far. Release 1 (5 August 2025, data as of 31 July, 4
 * complete months): the ratio 1.025 x 1.095238 = 1.122619 (1.123).
 * Release 2 (12 August 2025): a late file from U00001 alone, 5 more referrals in June 2024 of its April 2024 people.
 * England's June 2024 goes 60 -> 65 people and 2024/25's referrals 834 -> 839: one PCN's change, so England's June and
 * 2024/25 are held at release 1's figures (revisions.ts). Review 34, R34-9: the same-month ratio was read from this
 * refresh's data, (252 + 5) / 240 = 1.070833, beside the held full-year ratio 828 / 720 = 1.15: a growth of 1.073930
 * (1.074), a ratio of 1.101 and, London's growth moved, an interval of 29.8% that moved with the change England's
 * figures hold back. Now a complete year whose England figures hold a revision back gives no like-for-like ratio: the published 1.15 of 2024/25 ("latest complete year")
 * until the hold is released, every input a published figure.
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006'];
const REFERENCE = goldenReference(PCNS.map((p, i) => [p, i < 3 ? 'QAA' : 'QBB', i < 3 ? 'Y56' : 'Y58'] as const));
const personOf = (referralId: string) => createHash('sha256').update(referralId).digest('hex');

/** A PCN's month: `fresh` people new to the year, and again the people of `earlier`'s referrals listed in `again`. */
function month(pcn: string, m: string, fresh: number, again: readonly string[] = [], day = '12'): GoldenEvent[] {
  return [
    ...Array.from({ length: fresh }, (_, i) => referralEvent(pcn, `${pcn}-${m}-n${i}`, `${m}-10`)),
    ...again.map((earlier, i) => ({
      ...referralEvent(pcn, `${pcn}-${m}-${day}-r${i}`, `${m}-${day}`),
      person_id: personOf(earlier),
    })),
  ];
}

function history(): Record<string, GoldenEvent[]> {
  const files: Record<string, GoldenEvent[]> = {};
  const last = monthsOfFinancialYear('2024/25');
  for (const pcn of PCNS) {
    files[`${pcn}-2024.csv`] = [
      ...last.flatMap((m, i) => month(pcn, m, 10, i >= 3 ? [0, 1].map((n) => `${pcn}-${last[i - 3]}-n${n}`) : [])),
      // One August person referred twice in August: one more referral, no more people (monthly or in the year).
      { ...referralEvent(pcn, `${pcn}-2024-08-twice`, '2024-08-20'), person_id: personOf(`${pcn}-2024-08-n9`) },
    ];
    const now = monthsOfFinancialYear('2025/26').slice(0, 4);
    files[`${pcn}-2025.csv`] = now.flatMap((m, i) => month(pcn, m, 10, i === 3 ? [`${pcn}-2025-04-n0`] : []));
  }
  return files;
}

const dir = tempDir('projection-same-month');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());

/** Ingests the files, refreshes on the clock `now`, and returns the documents and the people in year the refresh read. */
async function release(now: string, files: Record<string, GoldenEvent[]>) {
  await ingestFiles(writeEventFiles(dir.path, files), { dataDir, out: () => {}, progress: false });
  const store = new FsObjectStore(dataDir);
  const engine = new DuckDbEngine(dataDir);
  const read: Row[] = [];
  const query = engine.query.bind(engine);
  engine.query = async (file, params) => {
    const rows = await query(file, params);
    if (file === 'meta/people_in_year') read.push(...rows);
    return rows;
  };
  await refreshMetrics({ store, engine, clock: () => new Date(now) });
  await engine.close();
  const docs = new Map<string, MetricDocument>();
  for (const key of (await store.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await store.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
  return { docs, peopleInYear: peopleInYearRows(read) };
}

const progressOf = (docs: Map<string, MetricDocument>, fy: string) =>
  summaryOf(docs.get('rollout'), 'target_progress')?.find((p) => p.fy === fy);
const england = (docs: Map<string, MetricDocument>) =>
  (docs.get('rollout')?.rows ?? []).filter((r) => r.level === 'national') as MetricRow[];

describe("the like-for-like ratio from the published figures' state (review 34, R34-9, R34-3)", () => {
  it('is read from the people in year at release 1, held with the year it comes from at release 2', async () => {
    await stageReference(new FsObjectStore(dataDir), REFERENCE);
    const r1 = await release('2025-08-05T06:00:00Z', history());
    expect(r1.docs.get('meta')).toMatchObject({ data_as_of: '2025-07-31' });

    // R34-3's addendum: people_in_year.sql's England (its regions added up) is rollout's England, month by month and
    // year by year, so the two halves of growth = full-year ratio / same-month ratio are of one definition.
    const published = england(r1.docs);
    const byMonth = (m: string) => published.find((r) => r.period === m)?.people_referred;
    expect(monthsOfFinancialYear('2024/25').map(byMonth)).toEqual([60, 60, 60, 72, 72, 72, 72, 72, 72, 72, 72, 72]);
    expect(published.find((r) => r.period === '2024-08')?.referrals).toBe(78);
    for (const fy of ['2024/25', '2025/26']) {
      const rows = r1.peopleInYear.filter((r) => r.fy === fy);
      for (const m of new Set(rows.map((r) => r.month)))
        expect(
          rows.filter((r) => r.month === m).reduce((s, r) => s + r.monthly_people, 0),
          m,
        ).toBe(byMonth(m));
      const people = rows.reduce((s, r) => s + r.new_people, 0);
      expect(people, fy).toBe(published.find((r) => r.period === fy)?.people_referred);
      const monthly = rows.reduce((s, r) => s + r.monthly_people, 0);
      expect(monthly / people, fy).toBe(repeatRatios(published).find((y) => y.fy === fy)?.ratio);
    }
    expect(repeatRatios(published).map((y) => [y.fy, y.complete, y.ratio])).toEqual([
      ['2025/26', false, 246 / 240],
      ['2024/25', true, 828 / 720],
    ]);

    expect(progressOf(r1.docs, '2025/26')?.repeats).toEqual({
      ratio: 1.123,
      from: 'year so far, grown as the latest complete year from the same month',
      fy: '2024/25',
      year_so_far: 1.025,
      known: true,
      same_month: { month: '2024-07', ratio: 1.05, growth: 1.095, interval_pct: 0, interval_from: 'regions' },
    });

    // Release 2: U00001's late June 2024, 5 referrals of its April 2024 people.
    const late = {
      'U00001-late.csv': month(
        'U00001',
        '2024-06',
        0,
        [5, 6, 7, 8, 9].map((n) => `U00001-2024-04-n${n}`),
        '15',
      ),
    };
    const r2 = await release('2025-08-12T06:00:00Z', late);
    const held = england(r2.docs);
    // England's June 2024 and 2024/25 hold release 1's figures (the change is one PCN's).
    expect(held.find((r) => r.period === '2024-06')).toMatchObject({ people_referred: 60, referrals: 60 });
    expect(held.find((r) => r.period === '2024/25')).toMatchObject({ people_referred: 720 });
    expect(r2.docs.get('rollout')?.summary?.revisions_held).toMatchObject({
      periods: expect.arrayContaining(['2024-06', '2024/25']),
    });
    // This refresh's data moved: June 2024 65 monthly people, the same-month ratio (252 + 5) / 240.
    expect(r2.peopleInYear.filter((r) => r.month === '2024-06').reduce((s, r) => s + r.monthly_people, 0)).toBe(65);
    // The published projection moves with none of it: 2024/25's published ratio, no same-month figure of data
    // England's rows hold back.
    expect(progressOf(r2.docs, '2025/26')?.repeats).toEqual({
      ratio: 1.15,
      from: 'latest complete year',
      fy: '2024/25',
      year_so_far: 1.025,
      known: true,
    });
  }, 240_000);
});
