import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { AreaRevisions } from '../../functions/refresh/area-revisions.ts';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';

/*
 * Revisions below England (area-revisions.ts, review 11 R11-1) on hand-made rows. One count by month `n` and a 3-month
 * cohort `c`. ICB I1 (region R1): P1, P2; ICB I2 (R1): P3. January 2025 and 2024/25 (January its only month here).
 * Release 0 (data as of 2025-02-28; January's cohort not matured: c 0): n P1 5, P2 20, P3 30.
 * Release 1 (data as of 2025-04-30; January's cohort matured): P1's n 5 -> 6 (a late file); c P1 4, P2 10, P3 9.
 */
const definition = {
  name: 'd',
  version: '1',
  keys: [],
  rules: { counts: ['n', 'c'], monthly: ['n'] },
  cohortMonths: { c: 3 },
} as unknown as MetricDefinition;
const ICB: Record<string, string> = { P1: 'I1', P2: 'I1', P3: 'I2' };
const parentOf = (row: Row): readonly string[] =>
  row.level === 'pcn' ? [ICB[String(row.code)] as string] : row.level === 'icb' ? ['R1'] : ['ENG'];
const rowsOf = (n: Record<string, number>, c: Record<string, number>): Row[] => {
  const rows: Row[] = [];
  for (const [period_type, period] of [
    ['month', '2025-01'],
    ['fy', '2024/25'],
  ] as const) {
    for (const pcn of ['P1', 'P2', 'P3'])
      rows.push({ level: 'pcn', code: pcn, period_type, period, n: n[pcn] ?? 0, c: c[pcn] ?? 0 });
    const sum = (of: Record<string, number>, pcns: string[]) => pcns.reduce((s, p) => s + (of[p] ?? 0), 0);
    rows.push({ level: 'icb', code: 'I1', period_type, period, n: sum(n, ['P1', 'P2']), c: sum(c, ['P1', 'P2']) });
    rows.push({ level: 'icb', code: 'I2', period_type, period, n: sum(n, ['P3']), c: sum(c, ['P3']) });
    rows.push({
      level: 'region',
      code: 'R1',
      period_type,
      period,
      n: sum(n, ['P1', 'P2', 'P3']),
      c: sum(c, ['P1', 'P2', 'P3']),
    });
  }
  return rows;
};
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const area = (rows: readonly Row[], level: string, code: string, period: string) =>
  rows.find((r) => r.level === level && r.code === code && r.period === period);

async function release(
  store: FsObjectStore,
  generatedAt: string,
  dataAsOf: string,
  previous: MetricDocument | undefined,
  exact: Row[],
) {
  const revisions = await AreaRevisions.open({
    store,
    generatedAt,
    pcnCodes: ['P1', 'P2', 'P3'],
    dataAsOf,
    previousRelease: previous?.generated_at,
    definitions: [definition],
  });
  const published = exact.map((r) => ({ ...r }));
  revisions.revise(definition, published, exact, previous, parentOf);
  revisions.settle();
  await revisions.save();
  const document = {
    name: 'd',
    generated_at: generatedAt,
    data_as_of: dataAsOf,
    rows: published,
    summary: revisions.summaryOf('d'),
  } as unknown as MetricDocument;
  return { published, document };
}

describe('revisions below England (area-revisions.ts)', () => {
  it("holds an ICB's family changed by one PCN, its region with it, but not a cohort matured since", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'area-revisions-'));
    dirs.push(dir);
    const store = new FsObjectStore(dir);
    const r0 = await release(
      store,
      '2025-03-05T00:00:00Z',
      '2025-02-28',
      undefined,
      rowsOf({ P1: 5, P2: 20, P3: 30 }, {}),
    );
    // A first release: nothing held.
    expect(r0.document.summary).toBeUndefined();
    const { published, document } = await release(
      store,
      '2025-05-05T00:00:00Z',
      '2025-04-30',
      r0.document,
      rowsOf({ P1: 6, P2: 20, P3: 30 }, { P1: 4, P2: 10, P3: 9 }),
    );
    // I1's n changed by P1 alone (+1): its January and 2024/25 keep release 0's 25; R1's (P1 alone too) 55. January's
    // cohort had not matured at release 0 (2025-01 + 3 months = 2025-04 after 2025-02): its 0 was no figure, so the
    // new 4 + 10 = 14 (I1) and 23 (R1) are published. The year's cohort follows its months': held, 0.
    expect(area(published, 'icb', 'I1', '2025-01')).toMatchObject({ n: 25, c: 14 });
    expect(area(published, 'icb', 'I1', '2024/25')).toMatchObject({ n: 25, c: 0 });
    expect(area(published, 'region', 'R1', '2025-01')).toMatchObject({ n: 55, c: 23 });
    // I2 did not change its n (P3 30): this release's values, its matured cohort 9 too.
    expect(area(published, 'icb', 'I2', '2025-01')).toMatchObject({ n: 30, c: 9 });
    // P1's own row is its own new figure.
    expect(area(published, 'pcn', 'P1', '2025-01')).toMatchObject({ n: 6, c: 4 });
    expect(document.summary).toEqual({
      revisions_held_below_england: {
        // 4 rows x 2 figures.
        figures: 8,
        rows: ['icb|I1|2024/25', 'icb|I1|2025-01', 'region|R1|2024/25', 'region|R1|2025-01'],
        fail_closed: false,
      },
    });
    // Release 2: the record lost: every row that would show other values is held (fail closed), I2's too (its c is
    // unchanged since release 1: not held).
    rmSync(join(dir, 'private'), { recursive: true, force: true });
    const r2 = await release(
      store,
      '2025-05-06T00:00:00Z',
      '2025-04-30',
      document,
      rowsOf({ P1: 6, P2: 20, P3: 31 }, { P1: 4, P2: 10, P3: 9 }),
    );
    expect(area(r2.published, 'icb', 'I2', '2025-01')).toMatchObject({ n: 30, c: 9 });
    expect(r2.document.summary?.revisions_held_below_england).toMatchObject({ fail_closed: true });
  });
});
