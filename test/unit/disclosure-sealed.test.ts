import { describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import {
  type AuditSpec,
  buildAuditSystem,
  type Disclosure,
  equationDisclosures,
  loadAllValues,
  looselySecondary,
  readerDisclosures,
} from '../../functions/refresh/disclosure-audit.ts';
import { parentsFrom, recoveredCells, SCAN_SPEC } from '../support/disclosure-scan.ts';

/*
 * A sealed equation whose reading the figures beside it refute (review 10: referral_sources' South West `*` of 21
 * other sources in April 2026, over its seven ICBs' `*`, withheld every row below England of April, then of August
 * and 2026/27). Sealed: a `*` total below England over exactly seven `*` parts, read alone with every `*` as 1 to 7,
 * is 7 and each part 1, and nothing in it is left to suppress, so the audit withheld the period's rows below England,
 * every area and column. But where the rest of the component shows the total cannot be 1 to 7, the reader knows that
 * reading is wrong, and the equation read with the total as what it is (1 or more) pins nothing.
 *
 * England = R1 + R2 (regions), R1 = I1 + ... + I7 (ICBs), R2 = I8, in April and May 2026 (months of no year here).
 * Exact: each of I1-I7 2, so R1 14; I8 and R2 40; England 54. R1 is imposed as `*` in April (joint control gives a
 * document another's `*`: shared-counts.ts; so was review 10's August), as a secondary `*` would be.
 */
const PARENT: Record<string, string> = {
  R1: 'ENG',
  R2: 'ENG',
  I1: 'R1',
  I2: 'R1',
  I3: 'R1',
  I4: 'R1',
  I5: 'R1',
  I6: 'R1',
  I7: 'R1',
  I8: 'R2',
};
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb' };
const AREAS: AuditSpec['areas'] = {
  partOf: (row) => (PARENT[String(row.code)] === undefined ? [] : [`${PARENT[String(row.code)]}|${row.period}`]),
  totalOf: (row) => `${row.code}|${row.period}`,
};
const RULES: DisclosureRules = { counts: ['referrals'], areas: AREAS, periodKeys: [] };
const EXACT: Record<string, number> = { ENG: 54, R1: 14, R2: 40, I8: 40 };
for (const icb of ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7']) EXACT[icb] = 2;
const row = (code: string, period: string, referrals: number | '*'): Row => ({
  level: LEVEL[code[0] as string] as string,
  code,
  period_type: 'month',
  period,
  referrals,
});
const CODES = Object.keys(EXACT);
const exactRows = ['2026-04', '2026-05'].flatMap((period) =>
  CODES.map((code) => row(code, period, EXACT[code] as number)),
);
/** R1's April imposed as `*` (applyDisclosureControl's preSuppressed). */
const imposed = (r: Row) => (r.code === 'R1' && r.period === '2026-04' ? ['referrals'] : []);
const shown = (rows: readonly Row[]) => rows.map((r) => `${r.code} ${r.period} ${r.referrals}`);
const named = (found: readonly Disclosure[]) => found.map((d) => `${d.cell.row.code} = ${d.value}`).sort();

describe('a sealed equation the figures beside it show to be read wrong', () => {
  it('is published: only the cells that must be are `*`, no row withheld', () => {
    const published = applyDisclosureControl(exactRows, RULES, imposed);
    // April: R1 `*` (imposed) is the only suppressed region beside England's exact 54, so secondary suppression makes
    // the other, R2 (40), `*` too. I1-I7 (2 each) are `*` (1 to 7); I8's 40 is rounded to 40. May: R1 14 rounds to 15.
    // The audit: R1's equation read alone, R1 `*` over seven `*` (each 1 to 7), is sealed: R1 7 and each ICB 1, and
    // nothing in it is left to suppress. Before: the rows below England of April were withheld (England's alone was
    // left). Now: the component read loosely (a region's `*` 0 or more, an ICB's 1 or more) has R2 = I8, 38 to 42, so
    // R1 = 54 - R2, 12 to 16: not 1 to 7. Read so, R1's equation is 12 to 16 over seven `*` of 1 to 7: each ICB is at
    // least 12 - 6 x 7 < 1 and at most 16 - 6 = 10 > 7, so 1 to 7, and nothing is pinned; the reading 7 over seven 1s
    // is also wrong (R1 is 14). So April is published as it is.
    expect(shown(published)).toEqual([
      'ENG 2026-04 54',
      'R1 2026-04 *',
      'R2 2026-04 *',
      'I8 2026-04 40',
      'I1 2026-04 *',
      'I2 2026-04 *',
      'I3 2026-04 *',
      'I4 2026-04 *',
      'I5 2026-04 *',
      'I6 2026-04 *',
      'I7 2026-04 *',
      'ENG 2026-05 54',
      'R1 2026-05 15',
      'R2 2026-05 40',
      'I8 2026-05 40',
      'I1 2026-05 *',
      'I2 2026-05 *',
      'I3 2026-05 *',
      'I4 2026-05 *',
      'I5 2026-05 *',
      'I6 2026-05 *',
      'I7 2026-05 *',
    ]);
  });

  it('a reader of the published figures pins nothing, once they read R1 as the component shows it', () => {
    const published = applyDisclosureControl(exactRows, RULES, imposed);
    const system = buildAuditSystem(published, { columns: ['referrals'], areas: AREAS });
    const components = system.components.map((_, c) => c);
    // Whole: every `*` as 1 to 7 contradicts (R2 = I8 is 38 to 42, so R2 is evidently secondary; then R1 <= 7 gives
    // R2 >= 47); loosely (above) R1 is 12 to 16 and R2 38 to 42, each ICB 1 to 7 (up to 10 less): nothing pinned.
    expect(components.flatMap((c) => readerDisclosures(system, c) ?? [])).toEqual([]);
    // The `*` the loose reading shows cannot be 1 to 7: R1 (12 to 16) and R2 (38 to 42) of April.
    const secondary = components.map((c) => looselySecondary(system, c) ?? new Set<number>());
    const marked = components.flatMap((c) =>
      [...(secondary[c] as Set<number>)].map((v) => {
        const r = system.rowOf[v] as number;
        return `${(system.rows[r] as Row).code} ${(system.rows[r] as Row).period}`;
      }),
    );
    expect(marked.sort()).toEqual(['R1 2026-04', 'R2 2026-04']);
    // Each equation alone, every `*` as 1 to 7: R1's pins R1 at 7 and each ICB at 1 (the seal; wrong: 14 and 2).
    const alone = (marks?: (c: number) => Set<number>) =>
      named(
        components.flatMap((c) =>
          equationDisclosures(system, c, undefined, undefined, marks?.(c)).flatMap((e) => e.disclosures),
        ),
      );
    expect(alone()).toEqual(['I1 = 1', 'I2 = 1', 'I3 = 1', 'I4 = 1', 'I5 = 1', 'I6 = 1', 'I7 = 1', 'R1 = 7']);
    // With R1 and R2 read as the component shows them: nothing.
    expect(alone((c) => secondary[c] as Set<number>)).toEqual([]);
  });

  it("reads the publisher's values (kept by reload) as it reads the rows", () => {
    // Prepare: the published rows, their values loaded once, then May's R1 (15) suppressed as the publisher does it:
    // the cell made `*` and reloaded.
    const published = applyDisclosureControl(exactRows, RULES, imposed);
    const system = buildAuditSystem(published, { columns: ['referrals'], areas: AREAS });
    const values = loadAllValues(system);
    const r1May = published.findIndex((r) => r.code === 'R1' && r.period === '2026-05');
    (published[r1May] as Row).referrals = '*';
    values.reload(r1May, 'referrals');
    // Act: each component loosely read from the values, and from the rows.
    const components = system.components.map((_, c) => c);
    const marked = (secondary: (c: number) => Set<number> | undefined) =>
      components
        .flatMap((c) => [...(secondary(c) ?? [])])
        .map(
          (v) =>
            `${(system.rows[system.rowOf[v] as number] as Row).code} ${(system.rows[system.rowOf[v] as number] as Row).period}`,
        )
        .sort();
    const fromValues = marked((c) => looselySecondary(system, c, undefined, values));
    const fromRows = marked((c) => looselySecondary(system, c));
    // Assess: April as before (R1 12 to 16, R2 38 to 42); May's R1 `*` is 54 - R2 (40 rounded: 38 to 42), 12 to 16,
    // not 1 to 7, so marked too. The same both ways.
    expect(fromValues).toEqual(['R1 2026-04', 'R1 2026-05', 'R2 2026-04']);
    expect(fromRows).toEqual(fromValues);
  });

  it("the test-side scan recovers nothing from the published rows, with England's row or without it", () => {
    // Review 29, R29-1: the scan also reads the rows with England's left out. April below England is then two pieces:
    // R1 `*` = I1 + ... + I7 (all `*`), and R2 `*` = I8 (40: 38 to 42). R1's piece read 1 to 7 alone is the seal, R1 7
    // and each ICB 1; but the published figures say R1 = 54 - R2 = 54 - (38 to 42) = 12 to 16 (the loose reading,
    // England's row read), and leaving England's row out does not unlearn that: R1 read as 1 or more, seven ICBs of
    // 1 to 7 sum to 7 to 49, so R1 is 7 to 49 and no ICB is pinned (each 1 to 7). Nothing recovered either way (the
    // values a reader would take from the seal, 7 and 1s, are wrong: 14 and 2s).
    const published = applyDisclosureControl(exactRows, RULES, imposed).map((r) => ({
      ...r,
      splw_contacts: r.referrals,
    }));
    const reference = `${[
      'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
      ...['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8'].map(
        (icb, i) =>
          `U0000${i + 1},PCN ${i + 1},${icb},ICB ${icb},${PARENT[icb]},Region ${PARENT[icb]},10000,2019-04-01,`,
      ),
    ].join('\n')}\n`;
    const parents = parentsFrom(reference, {
      icbs: ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7', 'I8'].map((code) => ({ code, parent: PARENT[code] as string })),
    });
    const doc = { name: 'cof_person', keys: [], rows: published } as unknown as MetricDocument;
    expect(
      recoveredCells(doc, parents, SCAN_SPEC, [doc]).map((c) => `${c.row.code} ${c.row.period} = ${c.value}`),
    ).toEqual([]);
  });

  it('a seal whose reading is the truth is still withheld, even where the loose reading breaks it', () => {
    // I1 = U1 + U2, both `*`: the loose reading takes each `*` below a region as 1 or more, so I1 is 2 or more and R1
    // (its seven ICBs) 8 or more: not 1 to 7. But the audit may have made U2's 0 `*` (a zero made `*`); here U1 is 1
    // and U2 0, every ICB 1, R1 7, England 7 + 40 = 47: the seal's reading (R1 7, each ICB 1) is the truth, so its rows
    // below England are withheld as before. (R1 14 in May, its ICBs 2: the seal read there would be wrong.)
    const parent: Record<string, string> = { ...PARENT, U1: 'I1', U2: 'I1' };
    const areas: AuditSpec['areas'] = {
      partOf: (r) => (parent[String(r.code)] === undefined ? [] : [`${parent[String(r.code)]}|${r.period}`]),
      totalOf: (r) => `${r.code}|${r.period}`,
    };
    const level = (code: string) => (code.startsWith('U') ? 'pcn' : (LEVEL[code[0] as string] as string));
    const exact: Record<string, number> = { ENG: 47, R1: 7, R2: 40, I8: 40, U1: 1, U2: 0 };
    for (const icb of ['I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I7']) exact[icb] = 1;
    const rows = Object.keys(exact).map((code) => ({
      ...row(code, '2026-04', exact[code] as number),
      level: level(code),
    }));
    // U2's 0 imposed as `*` beside R1's `*` (as the audit or another document may make it).
    const published = applyDisclosureControl(rows, { ...RULES, areas }, (r) =>
      r.code === 'R1' || r.code === 'U2' ? ['referrals'] : [],
    );
    expect(shown(published)).toEqual(['ENG 2026-04 47']);
  });
});
