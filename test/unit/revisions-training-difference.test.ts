import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, type DeriveContext, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { EnglandRevisions } from '../../functions/refresh/revisions.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/*
 * England's link workers in post less those in the PCNs that gave training (splw_headcount less
 * splw_headcount_training_known) is the headcount of the PCNs that gave headcount and no training (review 27, R27-1).
 * Two releases give its change; where several PCNs with training and one without send late snapshots, each column's
 * change passes the revisions rule on its own and the difference's change is that one PCN's.
 *
 * One month, June 2025, hand-made as sql/metrics/workforce.sql makes it (link workers only, FTE = headcount).
 * Release 1: A 10 in post, 9 trained; B 12, 11; D 9, 8; C 5, E 6, F 7 without training. England: headcount 49,
 * trained 28, in post where training was given 31; the difference 18 is made by C, E and F (5, 6, 7: the rest after the
 * two largest, 5, is 10% of 7 or more; 18 > 3), so it is published (workforce.sql).
 * Release 2 (late corrections): A 15 and 14, B 17 and 16, D 14 and 13, C 8. Changes: headcount A 5, B 5, D 5, C 3
 * (4 PCNs, the rest 8 >= 0.5, net 18 > 4: passes); in post where training was given A 5, B 5, D 5 (3 PCNs, net 15 > 3:
 * passes); trained 5, 5, 5 (passes). England's difference goes 18 -> 21: 3, C's change alone (its row shows `*`, then
 * 10). Held: the unit (headcount, FTE, trained, in post where training was given) stays at release 1's 49, 49, 28, 31.
 * Release 3: E and F correct theirs too (E 6 -> 9, F 7 -> 11): the difference's change since the 18 published is C 3,
 * E 3, F 4 (the rest after the two largest, 3, is 10% of 4 or more; net 10 > 3; headcount's and the others' changes pass too): released, 74 in post
 * (15 + 17 + 14 + 8 + 9 + 11), 74 FTE, 43 trained (14 + 16 + 13), 46 in post where training was given (15 + 17 + 14).
 */

const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce') as MetricDefinition;
const PCNS = ['A', 'B', 'C', 'D', 'E', 'F'];
const MONTH = '2025-06';

/** A PCN's link workers in post and trained (null: training not given). */
type Staff = Readonly<Record<string, readonly [number, number | null]>>;

function monthRows(staff: Staff): Row[] {
  const row = (level: string, code: string, pcns: ReadonlyArray<readonly [number, number | null]>): Row => {
    const given = pcns.filter(([, trained]) => trained !== null);
    return {
      level,
      code,
      period_type: 'month',
      period: MONTH,
      months: 1,
      pcns_reporting: pcns.length,
      pcns_with_link_worker: pcns.length,
      pcns_with_headcount: pcns.length,
      pcns_with_training: given.length,
      splw_headcount: pcns.reduce((s, [h]) => s + h, 0),
      splw_fte: pcns.reduce((s, [h]) => s + h, 0),
      splw_accredited: given.length === 0 ? null : given.reduce((s, [, t]) => s + (t as number), 0),
      splw_headcount_training_known: given.length === 0 ? null : given.reduce((s, [h]) => s + h, 0),
      hwbc_headcount: null,
      hwbc_fte: 0,
      cc_headcount: null,
      cc_fte: 0,
      list_size_reporting: null,
      list_size: 10_000,
      pcns_missing_snapshot_months: 0,
    };
  };
  return [row('national', 'ENG', Object.values(staff)), ...Object.entries(staff).map(([c, s]) => row('pcn', c, [s]))];
}

async function release(
  store: MemoryObjectStore,
  generatedAt: string,
  previous: MetricDocument | undefined,
  exact: Row[],
) {
  const revisions = await EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous?.generated_at);
  const published = exact.map((row) => ({ ...row }));
  revisions.revise(WORKFORCE, published, exact, previous);
  revisions.settle();
  await revisions.save();
  const context = { targets: {}, medianContacts: new Map() } as unknown as DeriveContext;
  for (const row of published) Object.assign(row, WORKFORCE.derive?.(row, context));
  const england = published.find((r) => r.level === 'national') as Row;
  return {
    document: { name: 'workforce', generated_at: generatedAt, rows: published as unknown as MetricRow[] } as never,
    shown: [england.splw_headcount, england.splw_fte, england.splw_accredited, england.splw_headcount_training_known],
    triggers: revisions.heldByOwnChange(),
  };
}

const RELEASE_1: Staff = { A: [10, 9], B: [12, 11], D: [9, 8], C: [5, null], E: [6, null], F: [7, null] };
const RELEASE_2: Staff = { ...RELEASE_1, A: [15, 14], B: [17, 16], D: [14, 13], C: [8, null] };
const RELEASE_3: Staff = { ...RELEASE_2, E: [9, null], F: [11, null] };

describe("England's headcount less its headcount where training was given, across releases (review 27, R27-1)", () => {
  it("one PCN without training changing beside three with it: held, not given back as that PCN's change", async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-07-10T00:00:00.000Z', undefined, monthRows(RELEASE_1));
    expect(r1.shown).toEqual([49, 49, 28, 31]);

    const r2 = await release(store, '2025-07-11T00:00:00.000Z', r1.document, monthRows(RELEASE_2));
    expect(r2.shown).toEqual([49, 49, 28, 31]);
    expect(r2.triggers).toContainEqual(
      expect.objectContaining({
        document: 'workforce',
        period: MONTH,
        column: 'splw_headcount - splw_headcount_training_known',
        reason: 'the difference: fewer than 3 PCNs (1 PCN)',
      }),
    );

    const r3 = await release(store, '2025-07-12T00:00:00.000Z', r2.document, monthRows(RELEASE_3));
    expect(r3.shown).toEqual([74, 74, 43, 46]);
    expect(r3.triggers).toEqual([]);
  });
});
