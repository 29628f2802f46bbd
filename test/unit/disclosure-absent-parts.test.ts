import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import { buildAuditSystem, equationDisclosures, readerDisclosures } from '../../functions/refresh/disclosure-audit.ts';
import { SEALED_ICB_PARENT, sealedIcbArea } from '../support/hand-worked-areas.ts';

/*
 * An ICB's `*` over exactly seven `*` PCNs beside PCNs in force with no figure. Red-team review 7, M12, gave those PCNs
 * a row of `*` so that the ICB's `*` stood over nine; red-team review 9, R9-1: such a row is told from a real one
 * (rollout's list size and PCNs reporting null, no data_quality row), so a reader reads it as 0 and the seven as 1
 * each again. Now no PCN is given such a row (a row of no data, null, reads as 0: no variable of the audit's equations)
 * and the month is withheld below England, as before M12. Worked by hand.
 *
 * England = R1 + R2; R1 = I1 + I2; R2 = J1; I1 = U1 + ... + U9 (nine PCNs in force, U8 and U9 sent nothing);
 * I2 = V1 + V2; J1 = W1 + W2. April 2025, referrals:
 *   U1..U7 1 each, so I1 7; V1 20, V2 25, so I2 45 and R1 52; W1 30, W2 40, so J1 = R2 70; England 122.
 * Published as counts (1-7 `*`, else to 5): I1 `*` over U1..U7 `*` (U8, U9 no row, or rollout's row of no data: null):
 * a `*` total over exactly seven `*` parts, which read alone with each `*` as 1 to 7 is 7 over seven 1s (the truth),
 * with nothing in it to suppress.
 */
const row = (code: string, referrals: number | '*' | null, extra: Row = {}): Row => ({
  ...sealedIcbArea(code),
  referrals,
  ...extra,
});
const EXACT: Row[] = [
  row('ENG', 122),
  row('R1', 52),
  row('R2', 70),
  row('I1', 7),
  row('I2', 45),
  row('J1', 70),
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => row(`U${n}`, 1)),
  row('V1', 20),
  row('V2', 25),
  row('W1', 30),
  row('W2', 40),
];
const areas: NonNullable<DisclosureRules['areas']> = {
  partOf: (r) =>
    SEALED_ICB_PARENT[String(r.code)] === undefined ? [] : [`${SEALED_ICB_PARENT[String(r.code)]}|${r.period}`],
  totalOf: (r) => `${r.code}|${r.period}`,
};
const shown = (rows: readonly Row[], column = 'referrals') => rows.map((r) => `${r.code} ${r[column]}`);

describe("an ICB's stuck * over PCNs in force with no figure (review 7 M12, undone by review 9 R9-1)", () => {
  it('withholds the whole month below England where those PCNs have no row (England alone)', () => {
    const published = applyDisclosureControl(EXACT, { counts: ['referrals'], areas, periodKeys: [] });
    expect(shown(published)).toEqual(['ENG 122']);
  });

  it("withholds it too where they have rollout's row of no data (null), and gives them no row of `*`", () => {
    // M12 published every area, U8 and U9 `*` in place of their null rows (list size kept): 'U8 * 10000'.
    const exact = [...EXACT, row('U8', null, { list_size: null }), row('U9', null, { list_size: null })];
    const published = applyDisclosureControl(exact, { counts: ['referrals'], areas, periodKeys: [] });
    expect(shown(published)).toEqual(['ENG 122']);
  });

  it("reads M12's publication as the reader does: a row of no data 0, so U1..U7 are 1 each", () => {
    // What M12 published (see above), with U8 and U9 as the reader reads them (no list size: not onboarded, no data
    // that month): null. I1 `*` (at most 7) = U1 + ... + U7 (each at least 1) + U8 + U9 (0): each U 1, I1 7.
    const published = [
      row('ENG', 122),
      row('R1', 50),
      row('R2', 70),
      row('I1', '*'),
      row('I2', '*'),
      row('J1', 70),
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => row(`U${n}`, '*')),
      row('V1', 20),
      row('V2', 25),
      row('W1', 30),
      row('W2', 40),
      row('U8', null),
      row('U9', null),
    ];
    const system = buildAuditSystem(published, { columns: ['referrals'], areas });
    const alone = system.components.flatMap((_, c) => equationDisclosures(system, c));
    expect(alone.flatMap((e) => e.disclosures.map((d) => `${d.cell.row.code} ${d.value}`)).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7]
        .map((n) => `U${n} 1`)
        .concat('I1 7')
        .sort(),
    );
  });

  it("reads a row's count of no data as exactly 0, not 0 or more: England's 20 over R1 20 and R2 null is R1 20", () => {
    // England 20 = R1 + R2; R1 = I1 = U1 (20, published 20: 18 to 22); R2 = J1 = W1, a later wave with no PCN
    // onboarded (rollout: null; a cell of no figure is no variable of the audit's equations, so adds nothing). Read as
    // 0 or more, R2 would be 0 to 2 and R1 18 to 20: nothing pinned. Read as 0, R1 is England's 20, its unrounded
    // value: recovered (and so I1 and U1, each R1's one part).
    const published = [
      row('ENG', 20),
      row('R1', 20),
      row('R2', null),
      row('I1', 20),
      row('J1', null),
      row('U1', 20),
      row('W1', null),
    ];
    const system = buildAuditSystem(published, { columns: ['referrals'], areas });
    const found = system.components.flatMap((_, c) => readerDisclosures(system, c) ?? []);
    expect(found.map((d) => `${d.cell.row.code} ${d.value}`).sort()).toEqual(['I1 20', 'R1 20', 'U1 20']);
  });

  it("withholds where the ICB's * is pinned from above: England's 2 over two regions with a row each", () => {
    // The 2% demo's contacts_distribution, 2024/25, 18 contacts, in small: England 2 = R1 + R2, R1 = I1 = P1 (1),
    // R2 = I2 = P2 (1); I1 has P3 in force without a row. Each region has a row, so 1 or more: 1 each, and so I1 and
    // I2, whatever P3 shows (M12's first version gave P3 a row of `*` here, which only made the 1-to-7 reading
    // contradict, and published every area). England's equation is stuck: the year's rows below England are withheld.
    const parents: Record<string, string> = { R1: 'ENG', R2: 'ENG', I1: 'R1', I2: 'R2', P1: 'I1', P2: 'I2', P3: 'I1' };
    const level: Record<string, string> = { E: 'national', R: 'region', I: 'icb', P: 'pcn' };
    const at = (code: string): Row => ({
      level: level[code[0] as string] as string,
      code,
      period_type: 'fy',
      period: '2024/25',
    });
    const rules: DisclosureRules = {
      counts: ['episodes'],
      areas: {
        partOf: (r) => (parents[String(r.code)] === undefined ? [] : [`${parents[String(r.code)]}|${r.period}`]),
        totalOf: (r) => `${r.code}|${r.period}`,
      },
      periodKeys: [],
    };
    const exact = Object.entries({ P1: 1, P2: 1, I1: 1, I2: 1, R1: 1, R2: 1, ENG: 2 }).map(([code, episodes]) => ({
      ...at(code),
      episodes,
    }));
    expect(shown(applyDisclosureControl(exact, rules), 'episodes')).toEqual(['ENG 2']);
  });
});
