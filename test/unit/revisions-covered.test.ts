import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, type DeriveContext, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { EnglandRevisions } from '../../functions/refresh/revisions.ts';
import { coveredCaseload } from '../support/documents.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/*
 * England's caseload over the PCNs covered (sql/metrics/workforce.sql: caseload_covered with its coverage) under the
 * revisions policy. Its parts, the covered PCNs' people referred and link worker FTE, are never published, but the
 * figures made from them are, exactly enough that two releases differenced give one PCN's change.
 */

const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce') as MetricDefinition;
const FY = '2025/26';
const MONTHS = 6;
/** Covered: sent snapshots and have referral data. G, H, I: snapshots only (the national publication), no events. */
const PCNS = ['U00001', 'U00002', 'U00003', 'U0000G', 'U0000H', 'U0000I'];

/** A PCN's six monthly snapshots (link worker headcount and FTE, April to September) and its people referred. */
interface Pcn {
  readonly headcount: readonly number[];
  readonly fte: readonly number[];
  /** null: no referral data (not onboarded), so not covered. */
  readonly people: number | null;
  /** Link workers with accredited training, each month (none given where absent). */
  readonly accredited?: number;
}
const monthly = (value: number): number[] => new Array(MONTHS).fill(value);
const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/**
 * The year's rows as sql/metrics/workforce.sql makes them: England (a year is the mean of its monthly snapshots) and
 * each PCN that sent a snapshot. `elsewhere`: England's people referred by PCNs that sent no snapshot.
 */
function yearRows(pcns: Record<string, Pcn>, elsewhere: { people: number; pcns: number }): Row[] {
  const entries = Object.entries(pcns);
  const covered = entries.filter(([, p]) => p.people !== null);
  const people = sum(covered.map(([, p]) => p.people as number));
  const coveredFte = sum(covered.flatMap(([, p]) => p.fte));
  const referred = people + elsewhere.people;
  const base = (level: string, code: string, rows: readonly Pcn[]): Row => ({
    level,
    code,
    period_type: 'fy',
    period: FY,
    months: MONTHS,
    referral_months: MONTHS,
    pcns_reporting: rows.length,
    pcns_with_link_worker: sum(rows.map((p) => p.fte.filter((f) => f > 0).length)) / MONTHS,
    splw_headcount: sum(rows.flatMap((p) => p.headcount)) / MONTHS,
    splw_fte: sum(rows.flatMap((p) => p.fte)) / MONTHS,
    splw_accredited: rows.some((p) => p.accredited !== undefined) ? sum(rows.map((p) => p.accredited ?? 0)) : null,
    hwbc_headcount: null,
    hwbc_fte: 0,
    cc_headcount: null,
    cc_fte: 0,
    list_size_reporting: null,
    list_size: null,
    // Every PCN sent a snapshot for each month it reported (workforce.sql; review 26, R26-2).
    pcns_missing_snapshot_months: 0,
  });
  return [
    {
      ...base('national', 'ENG', Object.values(pcns)),
      people_referred: referred,
      pcns_referring_without_snapshot: elsewhere.pcns,
      pcns_staffed_before_onboarding: entries.length - covered.length,
      caseload_pcns: covered.length,
      caseload_people: people,
      caseload_fte: coveredFte / MONTHS,
      caseload_covered: (people * MONTHS) / coveredFte,
      caseload_covered_annualised: (people * MONTHS * 12) / (coveredFte * MONTHS),
      caseload_coverage_pct: (people * 100) / referred,
    },
    ...entries.map(([code, p]) => ({
      ...base('pcn', code, [p]),
      people_referred: p.people,
      pcns_referring_without_snapshot: 0,
      pcns_staffed_before_onboarding: p.people === null ? 1 : 0,
      caseload_pcns: null,
      caseload_people: null,
      caseload_fte: null,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
    })),
    // Each PCN's month rows: caseload_fte is over the months of a covered PCN's reporting span (those with a list,
    // here all six), each PCN's part its FTE of those months (revisions.ts, GroupFigures `span`; review 11, R11-2).
    ...entries.flatMap(([code, p]) =>
      p.fte.map((fte, m) => ({
        level: 'pcn',
        code,
        period_type: 'month',
        period: `2025-${String(m + 4).padStart(2, '0')}`,
        months: 1,
        splw_headcount: p.headcount[m] ?? null,
        splw_fte: fte,
        list_size: p.people === null ? null : 10_000,
        pcns_missing_snapshot_months: 0,
      })),
    ),
  ];
}

/**
 * One release of workforce: England's figures held by the policy, then the document's derived (rounded) figures, as
 * the refresh publishes them. The group's people (caseload_people) are removed from the published rows as the covered
 * share's check removes them (shared-counts.ts, auditCoveredShare): never published. Below England the rows are left
 * exact: what is tested is England's.
 */
async function release(
  store: MemoryObjectStore,
  generatedAt: string,
  previous: MetricDocument | undefined,
  exact: readonly Row[],
  definition: MetricDefinition = WORKFORCE,
) {
  const revisions = await EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous?.generated_at);
  const published = exact.map((row) => {
    const { caseload_people: _, ...shown } = row;
    return shown as Row;
  });
  revisions.revise(definition, published, exact, previous);
  revisions.settle();
  await revisions.save();
  const context = { targets: {}, medianContacts: new Map() } as unknown as DeriveContext;
  for (const row of published) Object.assign(row, definition.derive?.(row, context));
  const england = published.find((r) => r.level === 'national') as Row;
  return {
    document: { name: 'workforce', generated_at: generatedAt, rows: published as unknown as MetricRow[] } as never,
    england,
    covered: coveredCaseload(england),
    held: revisions.heldOf('workforce'),
    stated: revisions.seriesBreakOf('workforce'),
  };
}

/*
 * Release 1. Covered: U00001 30 people, U00002 35 and U00003 35 (P = 100), each with one full-time link worker in
 * each of the six months (FTE 6 each, 18 in all). Three other PCNs referred 150 people and sent no snapshot, so
 * England's people referred R = 250 and its caseload over every PCN is null; the covered caseload is published:
 *   caseload_fte = 18 / 6 = 3.00; caseload_covered = 100 x 6 / 18 = 33.33 -> 33;
 *   annualised = 100 x 6 x 12 / (18 x 6) = 66.67 -> 67; coverage = 100 x 100 / 250 = 40%.
 * What a reader can tell of P from it: 33 means P / 3 in [32.5, 33.5), P in {98, 99, 100}; 67 means 2P / 3 in
 * [66.5, 67.5), P in {100, 101}; 40% means P in [98.75, 101.25). Only P = 100 fits all three.
 */
const ONE_FTE = { headcount: monthly(1), fte: monthly(1) };
const COVERED = {
  U00001: { ...ONE_FTE, people: 30 },
  U00002: { ...ONE_FTE, people: 35 },
  U00003: { ...ONE_FTE, people: 35 },
};
const ELSEWHERE = { people: 150, pcns: 3 };

describe("England's covered caseload is held as England's other figures are", () => {
  it("one PCN's late file of 2 people: two releases of the covered figures gave it exactly; now held", async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-10-10T00:00:00.000Z', undefined, yearRows(COVERED, ELSEWHERE));
    expect(r1.covered).toEqual([3, 3, 33, 67, 40]);
    expect(r1.england.people_referred).toBe(250);

    // Release 2: U00001's late file adds 2 people (32; its own row shows 30 both times, rounded to 5). P = 102,
    // R = 252. England's people referred is held at 250 (one PCN's change), and with it the year. Unheld, the covered
    // figures were 102 / 3 = 34, 2 x 102 / 3 = 68 and 10,200 / 252 = 40.48 -> 40%: 34 means P in {101, 102, 103},
    // 68 means P in [101.25, 102.75), so P = 102, and 102 - 100 = 2 is U00001's late file exactly (data_quality
    // names the PCN that sent a file). Held, they stay as release 1 published them.
    const r2 = await release(
      store,
      '2025-10-11T00:00:00.000Z',
      r1.document,
      yearRows({ ...COVERED, U00001: { ...ONE_FTE, people: 32 } }, ELSEWHERE),
    );
    expect(r2.england.people_referred).toBe(250);
    expect(r2.covered).toEqual([3, 3, 33, 67, 40]);
    // Held figures that differ from the exact ones: people referred (252), caseload_covered (34), annualised (68)
    // and the coverage (40.48: the same when rounded, but not the same exact figure). The record matched the
    // published document within each figure's rounding (not failing closed).
    expect(r2.held).toEqual({ figures: 4, periods: [FY], fail_closed: false });

    // Release 3: U00002 and U00003 send 4 and 5 more people (changes 2, 4, 5 since the 100 published: all but the
    // two largest, 2, is at least 10% of 5; net 11 > 3): released. P = 111, R = 261: 111 / 3 = 37; 2 x 111 / 3 = 74;
    // 11,100 / 261 = 42.53 -> 43%.
    const r3 = await release(
      store,
      '2025-10-12T00:00:00.000Z',
      r2.document,
      yearRows(
        {
          U00001: { ...ONE_FTE, people: 32 },
          U00002: { ...ONE_FTE, people: 39 },
          U00003: { ...ONE_FTE, people: 40 },
        },
        ELSEWHERE,
      ),
    );
    expect(r3.england.people_referred).toBe(261);
    expect(r3.covered).toEqual([3, 3, 37, 74, 43]);
    expect(r3.held).toBeUndefined();
  });

  it("one covered PCN's 0.6 FTE beside three uncovered PCNs' new staff: England's FTE passes, the covered FTE is held", async () => {
    // G, H and I sent snapshots (2 full-time link workers each month) and no events yet (a wave rollout importing the
    // national workforce publication): not covered. England's FTE 3 + 6 = 9.00, headcount 9; covered as above.
    const waiting = { headcount: monthly(2), fte: monthly(2), people: null };
    const store = new MemoryObjectStore();
    const r1 = await release(
      store,
      '2025-10-10T00:00:00.000Z',
      undefined,
      yearRows({ ...COVERED, U0000G: waiting, U0000H: waiting, U0000I: waiting }, ELSEWHERE),
    );
    expect([r1.england.splw_fte, r1.england.splw_headcount]).toEqual([9, 9]);
    expect(r1.covered).toEqual([3, 3, 33, 67, 40]);

    // Release 2: U00001's September snapshot is corrected to 2 link workers, 1.6 FTE (a part-time worker of 0.6 added;
    // its own FTE is `*`, fewer than 8 people); G, H and I's snapshots add 2, 3 and 4 full-time link workers in every
    // month. England's FTE-months change by 0.6, 12, 18 and 24 (4 PCNs; all but the two largest, 18.6, at least 10%
    // of 24), its headcount's by 1, 12, 18, 24: released as they stand, FTE 108.6 / 6 = 18.10, headcount 109 / 6. But
    // the covered FTE moves by U00001's alone: caseload_fte (18 + 0.6) / 6 = 3.10, so 3.10 - 3.00 = 0.10 x 6 months =
    // 0.6 FTE (to within 6 x 0.01 by the two roundings): one part-time link worker's hours, and caseload_covered 100 x
    // 6 / 18.6 = 32.26 -> 32. Held, alone (review 11, R11-2: nothing else adds up with them, and holding their year in
    // every document froze England's figures at every release). England's FTE less the covered FTE (the FTE outside
    // the group) moves by G, H and I's 12, 18, 24 (U00001's 0.6 is in both): three PCNs, released beside the held
    // covered FTE, which keeps release 1's 3.00.
    const corrected = { headcount: [1, 1, 1, 1, 1, 2], fte: [1, 1, 1, 1, 1, 1.6], people: 30 };
    const more = (n: number) => ({ headcount: monthly(2 + n), fte: monthly(2 + n), people: null });
    const r2 = await release(
      store,
      '2025-10-11T00:00:00.000Z',
      r1.document,
      yearRows({ ...COVERED, U00001: corrected, U0000G: more(2), U0000H: more(3), U0000I: more(4) }, ELSEWHERE),
    );
    expect(r2.covered).toEqual([3, 3, 33, 67, 40]);
    expect([r2.england.splw_fte, r2.england.splw_headcount]).toEqual([18.1, 109 / 6]);
    // Held figures that differ: caseload_fte, caseload_covered (32.26) and annualised (64.52).
    expect(r2.held).toEqual({ figures: 3, periods: [FY], fail_closed: false });
  });

  it('the first release that holds them (version 5) differences them against what the release before published', async () => {
    // Release 1 by version 4, whose record kept no covered figures (published as they stood), with G, H and I as above.
    const waiting = { headcount: monthly(2), fte: monthly(2), people: null };
    const store = new MemoryObjectStore();
    const before = { ...WORKFORCE, version: '4', groupFigures: undefined };
    const r1 = await release(
      store,
      '2025-10-10T00:00:00.000Z',
      undefined,
      yearRows({ ...COVERED, U0000G: waiting, U0000H: waiting, U0000I: waiting }, ELSEWHERE),
      before,
    );
    expect(r1.covered).toEqual([3, 3, 33, 67, 40]);
    // Release 2 by version 5 (no column's series breaks), the FTE change above. Taken as figures new to the record,
    // the covered FTE would be tested as a first value: U00001 1.1, U00002 1 and U00003 1 make it up (3 PCNs; 1 is
    // at least 10% of 1.1; 3.1 > 3): published, 3.10 beside release 1's 3.00, giving U00001's 0.6 FTE as above.
    // Differenced against the values release 1 shows, their change (0.10, and 32.26 against 33) is an unknown part,
    // which no PCN's change since (none yet) can release: held.
    const corrected = { headcount: [1, 1, 1, 1, 1, 2], fte: [1, 1, 1, 1, 1, 1.6], people: 30 };
    const more = (n: number) => ({ headcount: monthly(2 + n), fte: monthly(2 + n), people: null });
    // (The catalogue's version 5 also changed caseload and the covered figures' definition, review 9 R9-3, which
    // starts their series again; this release is the hold's alone: a version 5 that changed no column.)
    // Version 5 itself: the catalogue's later versions change the covered figures' definition again (9: R26-2), which
    // would start their series again here.
    const holdOnly = {
      ...WORKFORCE,
      version: '5',
      changes: [
        ...(WORKFORCE.changes ?? []).filter((c) => c.version !== '5'),
        { version: '5', from: '4', columns: [] as string[] },
      ],
    };
    const r2 = await release(
      store,
      '2025-10-11T00:00:00.000Z',
      r1.document,
      yearRows({ ...COVERED, U00001: corrected, U0000G: more(2), U0000H: more(3), U0000I: more(4) }, ELSEWHERE),
      holdOnly,
    );
    expect(r2.covered).toEqual([3, 3, 33, 67, 40]);
    expect(r2.held?.periods).toEqual([FY]);
    expect(r2.held?.fail_closed).toBe(false);
    // Version 5 changed no column's definition: no break in the series is stated (it was, naming no column, for a
    // year: a note that figures downloaded before are not comparable, of none).
    expect(r2.stated).toBeUndefined();
  });

  it('a group of one covered PCN is held as no figure, at a first release too, and shown once 3 PCNs make it up', async () => {
    // U00001 alone has referral data beside its snapshots (30 people, 1 FTE); U00002, U00003, G, H and I sent snapshots
    // (2 FTE, 2 trained link workers each) and no events yet. England: 30 + 150 people; its year is made up by many
    // PCNs (people and trained link workers: 30, 2, 2, 2, 2, 2), so it is published. The covered caseload is U00001's
    // own: 1.00 FTE (its row: `*`, fewer than 8 people), 30 x 6 / 6 = 30 a link worker, 30 x 100 / 180 = 17%.
    const waiting = { headcount: monthly(2), fte: monthly(2), people: null, accredited: 2 };
    const store = new MemoryObjectStore();
    const r1 = await release(
      store,
      '2025-10-10T00:00:00.000Z',
      undefined,
      yearRows(
        {
          U00001: { ...ONE_FTE, people: 30 },
          U00002: waiting,
          U00003: waiting,
          U0000G: waiting,
          U0000H: waiting,
          U0000I: waiting,
        },
        ELSEWHERE,
      ),
    );
    expect([r1.england.people_referred, r1.england.splw_fte]).toEqual([180, 11]);
    expect(r1.covered).toEqual([null, null, null, null, null]);
    expect(r1.held).toEqual({ figures: 5, periods: [FY], fail_closed: false });

    // Release 2: U00002 and U00003 start sending events (35 people each) and U00001 4 more: people referred changes
    // by 4, 35 and 35 (all but the two largest, 4, at least 10% of 35; net 74 > 3): released, 254. The group is 3
    // PCNs (FTE 1, 2, 2: 1 is at least 10% of 2), a first value (none was published): FTE 6 + 12 + 12 = 30 over 6
    // months = 5.00 (a new figure of 3 PCNs, net 5 > 3); 104 x 6 / 30 = 20.8 -> 21, a year 20.8 x 12 / 6 = 41.6 -> 42;
    // 10,400 / 254 = 40.94 -> 41%.
    const onboarded = { headcount: monthly(2), fte: monthly(2), people: 35, accredited: 2 };
    const r2 = await release(
      store,
      '2025-10-11T00:00:00.000Z',
      r1.document,
      yearRows(
        {
          U00001: { ...ONE_FTE, people: 34 },
          U00002: onboarded,
          U00003: onboarded,
          U0000G: waiting,
          U0000H: waiting,
          U0000I: waiting,
        },
        ELSEWHERE,
      ),
    );
    expect(r2.england.people_referred).toBe(254);
    expect(r2.covered).toEqual([3, 5, 21, 42, 41]);
    expect(r2.held).toBeUndefined();
  });
});
