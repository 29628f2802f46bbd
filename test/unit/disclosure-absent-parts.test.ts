import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';
import { buildAuditSystem, equationDisclosures, readerDisclosures } from '../../functions/refresh/disclosure-audit.ts';

/*
 * Red-team review 7, M12: an ICB's `*` over its PCNs, stuck (nothing left to suppress), gives its PCNs in force with no
 * figure a row of `*` before anything is withheld (disclosure.ts, absentParts and withAbsentParts). Worked by hand.
 *
 * England = R1 + R2; R1 = I1 + I2; R2 = J1; I1 = U1 + ... + U9 (nine PCNs in force, U8 and U9 sent nothing: no row);
 * I2 = V1 + V2; J1 = W1 + W2. April 2025, referrals:
 *   U1..U7 1 each, so I1 7; V1 20, V2 25, so I2 45 and R1 52; W1 30, W2 40, so J1 = R2 70; England 122.
 * Published as counts (1-7 `*`, else to 5): I1 `*` over U1..U7 `*` (U8, U9 no row): a `*` total over exactly seven `*`
 * parts, which read alone with each `*` as 1 to 7 is 7 over seven 1s (the truth), with nothing in it to suppress.
 */
const PARENT: Record<string, string> = {
  R1: 'ENG',
  R2: 'ENG',
  I1: 'R1',
  I2: 'R1',
  J1: 'R2',
  ...Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [`U${n}`, 'I1'])),
  V1: 'I2',
  V2: 'I2',
  W1: 'J1',
  W2: 'J1',
};
const LEVEL: Record<string, string> = { E: 'national', R: 'region', I: 'icb', J: 'icb', U: 'pcn', V: 'pcn', W: 'pcn' };
const APRIL = '2025-04';
const area = (code: string): Row => ({
  level: LEVEL[code[0] as string] as string,
  code,
  period_type: 'month',
  period: APRIL,
});
const row = (code: string, referrals: number | null, extra: Row = {}): Row => ({ ...area(code), referrals, ...extra });
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
/** The PCNs in force of an ICB (the reference data): I1 has nine. */
const partsInForce = (total: Row) =>
  total.level === 'icb'
    ? Object.keys(PARENT)
        .filter((code) => PARENT[code] === total.code)
        .map(area)
    : undefined;
const areas = (withParts: boolean): NonNullable<DisclosureRules['areas']> => ({
  partOf: (r) => (PARENT[String(r.code)] === undefined ? [] : [`${PARENT[String(r.code)]}|${r.period}`]),
  totalOf: (r) => `${r.code}|${r.period}`,
  ...(withParts ? { partsInForce } : {}),
});
const shown = (rows: readonly Row[], column = 'referrals') => rows.map((r) => `${r.code} ${r[column]}`);

describe("an ICB's stuck * over PCNs in force with no figure (review 7, M12)", () => {
  it('before: the whole month below England is withheld (England alone)', () => {
    const published = applyDisclosureControl(EXACT, { counts: ['referrals'], areas: areas(false), periodKeys: [] });
    expect(shown(published)).toEqual(['ENG 122']);
  });

  it('gives U8 and U9 a row of *, and publishes every area: I1 * over nine * pins nothing', () => {
    const published = applyDisclosureControl(EXACT, { counts: ['referrals'], areas: areas(true), periodKeys: [] });
    // R1 52 -> 50; I1's `*` is the one suppressed part of R1, so I2 (45), the only other, is `*` too; I2's PCNs 20 and
    // 25 stand under a `*` total (no `*` part: nothing more). R2 = J1 = 70, W1 30, W2 40. England's regions: none `*`.
    // U8 and U9 (no row) get a row of `*`, at the end.
    expect(shown(published)).toEqual([
      'ENG 122',
      'R1 50',
      'R2 70',
      'I1 *',
      'I2 *',
      'J1 70',
      ...[1, 2, 3, 4, 5, 6, 7].map((n) => `U${n} *`),
      'V1 20',
      'V2 25',
      'W1 30',
      'W2 40',
      'U8 *',
      'U9 *',
    ]);
    // A reader: I1 = U1 + ... + U9, nine `*` over one: as 1 to 7 each, 9 or more over at most 7, a contradiction; read
    // as 1 or more (I1 as well), I1 is 9 or more and no PCN one value. R1 50 (48 to 52) = I1 + I2, both `*`: I2 = V1 +
    // V2 is 41 to 49, so I1 is 0 to 11: with I1 9 or more, 9 to 11, three values. Nothing is one value.
    const system = buildAuditSystem(published, { columns: ['referrals'], areas: areas(false) });
    expect(system.components.flatMap((_, c) => readerDisclosures(system, c) ?? [])).toEqual([]);
    expect(system.components.flatMap((_, c) => equationDisclosures(system, c))).toEqual([]);
  });

  it('withholds as before where the ICB has no PCN in force without a figure', () => {
    // Only U1..U7 in force: I1's seven `*` are all its PCNs, nothing to give a row, so the month is withheld.
    const sevenInForce = (total: Row) => partsInForce(total)?.filter((r) => !['U8', 'U9'].includes(String(r.code)));
    const published = applyDisclosureControl(EXACT, {
      counts: ['referrals'],
      areas: { ...areas(false), partsInForce: sevenInForce },
      periodKeys: [],
    });
    expect(shown(published)).toEqual(['ENG 122']);
  });

  it("withholds as before where the ICB's * is pinned from above: England's 2 over two regions with a row each", () => {
    // The 2% demo's contacts_distribution, 2024/25, 18 contacts, in small: England 2 = R1 + R2, R1 = I1 = P1 (1),
    // R2 = I2 = P2 (1); I1 has P3 in force without a row. Each region has a row, so 1 or more: 1 each, and so I1 and
    // I2, whatever P3 shows: a row of `*` for P3 would only make the 1-to-7 reading contradict (I1 over two `*` is 2 or
    // more), so that the audit read loosely and found nothing, and the rows were published (the first fix, rows in this
    // order: every area shown `*`, P3 too). England's equation, not an ICB's read alone, is stuck: the year's rows below
    // England are withheld, as before.
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
        partsInForce: (r) =>
          r.level === 'icb'
            ? Object.keys(parents)
                .filter((c) => parents[c] === r.code)
                .map(at)
            : undefined,
      },
      periodKeys: [],
    };
    const exact = Object.entries({ P1: 1, P2: 1, I1: 1, I2: 1, R1: 1, R2: 1, ENG: 2 }).map(([code, episodes]) => ({
      ...at(code),
      episodes,
    }));
    expect(shown(applyDisclosureControl(exact, rules), 'episodes')).toEqual(['ENG 2']);
  });

  it("a part given from the start (another document's) is `*` where its ICB counted some, 0 where none", () => {
    // Two columns adding up to referrals: gp (every referral) and self (none). U8 given as filled; U8 has no row here.
    // Its referrals and gp are `*` (I1's are 7), its self 0 (I1's is 0, so every part's is); no other figure of it.
    const rules: DisclosureRules = {
      counts: ['referrals', 'gp', 'self'],
      groups: [{ total: 'referrals', parts: ['gp', 'self'] }],
      areas: areas(false),
      periodKeys: [],
    };
    const exact = EXACT.map((r) => ({ ...r, gp: r.referrals ?? null, self: 0 }));
    const published = applyDisclosureControl(exact, rules, undefined, [area('U8')]);
    expect(published.at(-1)).toEqual({ ...area('U8'), referrals: '*', gp: '*', self: 0 });
    // One PCN more under I1 (eight `*` over a `*`): nothing stuck, nothing withheld.
    expect(published).toHaveLength(EXACT.length + 1);
  });

  it("replaces a row without figures (rollout's PCN that sent nothing: null), keeping its other columns", () => {
    const exact = [...EXACT, row('U8', null, { list_size: 10_000 }), row('U9', null, { list_size: 12_000 })];
    const published = applyDisclosureControl(exact, { counts: ['referrals'], areas: areas(true), periodKeys: [] });
    expect(published.slice(-6).map((r) => `${r.code} ${r.referrals} ${r.list_size ?? ''}`)).toEqual([
      'V1 20 ',
      'V2 25 ',
      'W1 30 ',
      'W2 40 ',
      'U8 * 10000',
      'U9 * 12000',
    ]);
  });
});
