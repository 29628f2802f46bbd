import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE, type DeriveContext, type MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { EnglandRevisions } from '../../functions/refresh/revisions.ts';
import { coveredCaseload } from '../support/documents.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/*
 * England's people referred (rollout's, over every PCN) less the people of the PCNs covered by workforce's caseload
 * (pinned by caseload_covered, its annualised rate and coverage %) is the people of the PCNs outside the covered group.
 * Two releases give its change (red-team review 28, R28-7): tested as a figure of its own (revisions.ts,
 * outsidePeopleChangedByFew). Both documents are revised in one refresh, rollout first, as the refresh does.
 */

const ROLLOUT = CATALOGUE.find((d) => d.name === 'rollout') as MetricDefinition;
const WORKFORCE = CATALOGUE.find((d) => d.name === 'workforce') as MetricDefinition;
const FY = '2025/26';
const MONTHS = 6;
/**
 * Covered: C1-C3 (snapshots and referral data; C4 too in the third test). Outside: O1-O3 (referral data, no snapshot: no
 * workforce row). W1-W3 (third test): snapshots, no referral data yet.
 */
const COVERED = ['U000C1', 'U000C2', 'U000C3'];
const OUTSIDE = ['U000O1', 'U000O2', 'U000O3'];
const PCNS = [...COVERED, 'U000C4', ...OUTSIDE, 'U000W1', 'U000W2', 'U000W3'];

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/** Rollout's year rows: England and each PCN's people referred (null: no referral data). */
function rolloutRows(people: Record<string, number>): Row[] {
  const row = (level: string, code: string, n: number | null): Row => ({
    level,
    code,
    period_type: 'fy',
    period: FY,
    people_referred: n,
  });
  return [row('national', 'ENG', sum(Object.values(people))), ...PCNS.map((p) => row('pcn', p, people[p] ?? null))];
}

/** A PCN that sent snapshots: its link worker FTE in each of the six months; `missing`: a due month without one. */
interface Staff {
  readonly fte: number;
  readonly missing?: boolean;
}
const ONE_FTE: Staff = { fte: 1 };
const STAFF: Record<string, Staff> = { U000C1: ONE_FTE, U000C2: ONE_FTE, U000C3: ONE_FTE };

/**
 * Workforce's year rows as sql/metrics/workforce.sql makes them (England and the PCNs that sent snapshots, with their
 * month rows). Covered: a PCN with snapshots and referral data and no due month missed. With the covered FTE F a month
 * (FTE-months 6F), caseload_fte F, caseload_covered P x 6 / 6F = P / F, annualised P x 6 x 12 / (6F x 6) = 2P / F.
 * England's people referred is rollout's.
 */
function workforceRows(people: Record<string, number>, staff: Record<string, Staff> = STAFF): Row[] {
  const isCovered = (p: string) => people[p] !== undefined && !(staff[p]?.missing ?? false);
  const covered = Object.keys(staff).filter(isCovered);
  const P = sum(covered.map((p) => people[p] as number));
  const F = sum(covered.map((p) => (staff[p] as Staff).fte));
  const referred = sum(Object.values(people));
  const senders = Object.keys(staff);
  const base = (level: string, code: string, pcns: readonly string[]): Row => ({
    level,
    code,
    period_type: 'fy',
    period: FY,
    months: MONTHS,
    referral_months: MONTHS,
    pcns_reporting: pcns.length,
    pcns_with_link_worker: pcns.length,
    splw_headcount: 2 * pcns.length,
    splw_fte: sum(pcns.map((p) => (staff[p] as Staff).fte)),
    splw_accredited: null,
    hwbc_headcount: null,
    hwbc_fte: 0,
    cc_headcount: null,
    cc_fte: 0,
    list_size_reporting: null,
    list_size: 10_000 * pcns.length,
    pcns_missing_snapshot_months: pcns.filter((p) => staff[p]?.missing).length,
    pcns_staffed_before_onboarding: pcns.filter((p) => people[p] === undefined).length,
  });
  return [
    {
      ...base('national', 'ENG', senders),
      people_referred: referred,
      pcns_referring_without_snapshot: Object.keys(people).filter((p) => staff[p] === undefined).length,
      caseload_pcns: covered.length,
      caseload_people: P,
      caseload_fte: F,
      caseload_covered: P / F,
      caseload_covered_annualised: (2 * P) / F,
      caseload_coverage_pct: (P * 100) / referred,
    },
    ...senders.map((code) => ({
      ...base('pcn', code, [code]),
      people_referred: people[code] ?? null,
      pcns_referring_without_snapshot: 0,
      caseload_pcns: null,
      caseload_people: null,
      caseload_fte: null,
      caseload_covered: null,
      caseload_covered_annualised: null,
      caseload_coverage_pct: null,
    })),
    ...senders.flatMap((code) =>
      Array.from({ length: MONTHS }, (_, m) => ({
        level: 'pcn',
        code,
        period_type: 'month',
        period: `2025-${String(m + 4).padStart(2, '0')}`,
        months: 1,
        splw_headcount: 2,
        splw_fte: (staff[code] as Staff).fte,
        list_size: people[code] === undefined ? null : 10_000,
        pcns_missing_snapshot_months: staff[code]?.missing ? 1 : 0,
      })),
    ),
  ];
}

const asDocument = (name: string, generatedAt: string, rows: readonly Row[]) =>
  ({ name, generated_at: generatedAt, rows: rows as unknown as MetricRow[] }) as unknown as MetricDocument;

/** One release of rollout then workforce, England's figures held by the policy, then workforce's derived figures. */
async function release(
  store: MemoryObjectStore,
  generatedAt: string,
  previous: { rollout: MetricDocument; workforce: MetricDocument } | undefined,
  people: Record<string, number>,
  staff: Record<string, Staff> = STAFF,
) {
  const revisions = await EnglandRevisions.open({ store, generatedAt, pcnCodes: PCNS }, previous?.rollout.generated_at);
  const rolloutExact = rolloutRows(people);
  const rollout = rolloutExact.map((row) => ({ ...row }));
  revisions.revise(ROLLOUT, rollout, rolloutExact, previous?.rollout);
  const workforceExact = workforceRows(people, staff);
  // The group's people are never published (shared-counts.ts, auditCoveredShare).
  const workforce = workforceExact.map((row) => {
    const { caseload_people: _, ...shown } = row;
    return shown as Row;
  });
  revisions.revise(WORKFORCE, workforce, workforceExact, previous?.workforce);
  revisions.settle();
  await revisions.save();
  const context = { targets: {}, medianContacts: new Map() } as unknown as DeriveContext;
  for (const row of workforce) Object.assign(row, WORKFORCE.derive?.(row, context));
  const england = workforce.find((r) => r.level === 'national') as Row;
  return {
    documents: {
      rollout: asDocument('rollout', generatedAt, rollout),
      workforce: asDocument('workforce', generatedAt, workforce),
    },
    people: rollout.find((r) => r.level === 'national')?.people_referred,
    covered: coveredCaseload(england),
    held: revisions.heldOf('workforce'),
    triggers: revisions.heldByOwnChange().filter((t) => t.document === 'workforce'),
  };
}

/*
 * Release 1: covered C1 30, C2 35, C3 35 people (P = 100); outside O1, O2, O3 50 each (150: 3 PCNs, none dominating).
 * England's people referred E = 250. caseload_covered 100 / 3 = 33.33 -> 33; annualised 100 x 12 / 18 = 66.67 -> 67;
 * coverage 100 x 100 / 250 = 40%. As in test/unit/revisions-covered.test.ts, only P = 100 fits all three.
 */
const R1 = { U000C1: 30, U000C2: 35, U000C3: 35, U000O1: 50, U000O2: 50, U000O3: 50 };
const FIRST = [3, 3, 33, 67, 40];

describe("England's people referred less the covered people (the PCNs outside the group) across releases", () => {
  it("one outside PCN's late month of 6 people: the covered figures gave it exactly; now held", async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-10-15T06:00:00.000Z', undefined, R1);
    expect(r1.people).toBe(250);
    expect(r1.covered).toEqual(FIRST);
    expect(r1.held).toBeUndefined();

    // Release 2: each covered PCN sends 10 more people (P = 130: 3 PCNs of 10, released) and O1 6 (56). E = 286,
    // changed by 10, 10, 10 and 6 (4 PCNs; all but the two largest, 16, at least 10% of 10; net 36 > 4): released.
    // Unheld, the covered figures were 130 / 3 = 43.33 -> 43 (P in {129, 130, 131}), 130 x 12 / 18 = 86.67 -> 87
    // (P in [129.75, 131.25): 130 or 131) and 13,000 / 286 = 45.45 -> 45% (P in [127.27, 130.13): 130), so P = 130 and
    // E - P = 286 - 130 = 156 against release 1's 150: 6, O1's October exactly (its own row `*`). The people outside
    // the group changed by O1 alone (1 PCN): the covered figures are held at release 1's, alone (not their year).
    const r2 = await release(store, '2025-11-15T06:00:00.000Z', r1.documents, {
      ...R1,
      U000C1: 40,
      U000C2: 45,
      U000C3: 45,
      U000O1: 56,
    });
    expect(r2.people).toBe(286);
    expect(r2.covered).toEqual(FIRST);
    // Held figures that differ from the exact ones: caseload_covered (43.33), annualised (86.67), coverage (45.45).
    expect(r2.held).toEqual({ figures: 3, periods: [FY], fail_closed: false });
    // The reason is recorded with what held them (for the refresh's measures of the policy, not published).
    expect(r2.triggers).toEqual([
      {
        document: 'workforce',
        period: FY,
        row: `fy|${FY}`,
        column: 'rollout.people_referred - caseload_people',
        reason: 'the people outside the group: fewer than 3 PCNs (1 PCN)',
      },
    ]);
  });

  it('three outside PCNs change (6, 5 and 4 people): released', async () => {
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-10-15T06:00:00.000Z', undefined, R1);
    expect(r1.covered).toEqual(FIRST);
    // Release 2: covered +10 each (P = 130); O1, O2, O3 +6, +5, +4 (E - P: 150 -> 165, by 3 PCNs; all but the two
    // largest, 4, at least 10% of 6; net 15 > 3): released. E = 250 + 30 + 15 = 295; caseload_covered 43, annualised
    // 87, coverage 13,000 / 295 = 44.07 -> 44%.
    const r2 = await release(store, '2025-11-15T06:00:00.000Z', r1.documents, {
      U000C1: 40,
      U000C2: 45,
      U000C3: 45,
      U000O1: 56,
      U000O2: 55,
      U000O3: 54,
    });
    expect(r2.people).toBe(295);
    expect(r2.covered).toEqual([3, 3, 43, 87, 44]);
    expect(r2.held).toBeUndefined();
  });

  it("a covered PCN's late workforce return moves it outside the group: its year of people; held (review 29, R29-5)", async () => {
    // Release 1: C1-C4 covered (30, 35, 35 and 20 people: P = 120; 1 FTE each, F = 4); O1-O3 50 each outside; W1-W3
    // 2 FTE each, no referral data yet. E = 270: caseload_fte 4.00, caseload_covered 120 / 4 = 30, annualised 60,
    // coverage 12,000 / 270 = 44.44 -> 44%.
    const waiting: Staff = { fte: 2 };
    const staff1 = { ...STAFF, U000C4: ONE_FTE, U000W1: waiting, U000W2: waiting, U000W3: waiting };
    const people1 = { ...R1, U000C4: 20 };
    const store = new MemoryObjectStore();
    const r1 = await release(store, '2025-10-15T06:00:00.000Z', undefined, people1, staff1);
    expect(r1.people).toBe(270);
    expect(r1.covered).toEqual([4, 4, 30, 60, 44]);
    expect(r1.held).toBeUndefined();

    // Release 2: C1-C4 send 10 more people each (E = 310, by 4 PCNs: released); C4's workforce return for a due month
    // is late, so it leaves the group for its year (R26-2's guard). C1-C3's FTE rises to 1.5 a month (F = 4.5) and
    // W1-W3's to 3, 4 and 5, so every other test passes: the covered FTE-months change by 3, 3, 3 and C4's -6 (4 PCNs),
    // the FTE outside the spans by C4's 6 and W's 6, 12, 18 (4 PCNs), the covered people by 10, 10, 10 and C4's -20
    // (4 PCNs). Unheld: 4.50, 130 / 4.5 = 28.89 -> 29 (P in [128.25, 132.75)), 2 x 130 / 4.5 = 57.78 -> 58 (P in
    // [129.375, 131.625)), 13,000 / 310 = 41.94 -> 42% (P in [128.65, 131.75)): P is 130 or 131, and E - P 310 - 130 =
    // 180 against release 1's 150 is C4's whole year of 30 (to within 1). The people outside the group changed by C4
    // alone (1 PCN): held at release 1's.
    const staff2 = {
      U000C1: { fte: 1.5 },
      U000C2: { fte: 1.5 },
      U000C3: { fte: 1.5 },
      U000C4: { fte: 1, missing: true },
      U000W1: { fte: 3 },
      U000W2: { fte: 4 },
      U000W3: { fte: 5 },
    };
    const people2 = { ...people1, U000C1: 40, U000C2: 45, U000C3: 45, U000C4: 30 };
    const r2 = await release(store, '2025-11-15T06:00:00.000Z', r1.documents, people2, staff2);
    expect(r2.people).toBe(310);
    expect(r2.covered).toEqual([4, 4, 30, 60, 44]);
    expect(r2.triggers.map((t) => t.reason)).toEqual(['the people outside the group: fewer than 3 PCNs (1 PCN)']);
  });
});
