import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import {
  AloneReads,
  type AuditSpec,
  buildAuditSystem,
  type Disclosure,
  linkPartitions,
  type Partition,
  padPartitions,
  readerDisclosures,
} from '../../functions/refresh/disclosure-audit.ts';
import { controlPartitioned, matchInOrder } from '../../functions/refresh/partitions.ts';
import { handWorkedLevel } from '../support/hand-worked-areas.ts';

/*
 * Groups within dimensions (review 8, N1 and N2): the rows of one area and year whose groups of each dimension add up
 * to the same total (equity's people by sex and by age band; the contacts distribution's bins), that total unpublished
 * or published by another document (rollout's people referred, cof_person's outcome cohort). One PCN, one year; the
 * areas' equations are left out (no parent rows), so each case is the partition's equations alone.
 */
const PERIOD = '2025/26';
const AREAS: AuditSpec['areas'] = { partOf: () => [], totalOf: (r) => `${r.code}|${r.dimension}|${r.group}` };
const EQUITY: Partition = { dimension: 'dimension', group: 'group', columns: ['people_referred'] };
const row = (dimension: string, group: string, people_referred: number | '*'): Row => ({
  level: 'pcn',
  code: 'U1',
  period_type: 'fy',
  period: PERIOD,
  dimension,
  group,
  people_referred,
});
/** Rows of one area (`level`, `code`): a group's people referred. */
const at = (level: string, code: string) => (dimension: string, group: string, people_referred: number | '*') => ({
  ...row(dimension, group, people_referred),
  level,
  code,
});
const BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74'];
/** The reviewer's U00001: female `*` alone; seven age bands `*`. */
const PINNED = [row('sex', 'female', '*'), ...BANDS.map((band) => row('age_band', band, '*'))];

/** Every disclosure of every component, as `column value` (`total` for the partition's total). */
function audit(rows: readonly Row[], partitions?: readonly Partition[]): string[] {
  const system = buildAuditSystem(rows, {
    columns: ['people_referred', 'episodes'].filter((c) => rows.some((r) => c in r)),
    areas: AREAS,
    ...(partitions ? { partitions } : {}),
  });
  const found: Disclosure[] = [];
  for (let c = 0; c < system.components.length; c++) found.push(...(readerDisclosures(system, c) ?? []));
  return found
    .map((d) => `${d.part === undefined ? `${d.cell.row.group ?? d.cell.row.contacts}` : 'total'}=${d.value}`)
    .sort();
}

describe('the audit: groups within dimensions add up to one total', () => {
  it('pins a total capped by one dimension and floored by another (N1)', () => {
    // Without the equation nothing is pinned: each `*` is 1 to 7 on its own.
    expect(audit(PINNED)).toEqual([]);
    // With it: sex says total <= 7 (female `*`, no other group: 0); age says total >= 7 x 1 = 7. Total 7, female 7,
    // each age band 7 - 6 x 1 = 1.
    expect(audit(PINNED, [EQUITY])).toEqual([...BANDS.map((b) => `${b}=1`), 'female=7', 'total=7'].sort());
  });

  it('leaves a total the dimensions do not pin', () => {
    // Six age bands `*` (>= 6) and female `*` (<= 7): the total is 6 or 7, no cell pinned.
    expect(audit(PINNED.slice(0, 7), [EQUITY])).toEqual([]);
  });

  it('reads the total as another document publishes it (N2: the bins against the outcome cohort)', () => {
    // Seven bins of 0..6 contacts, each `*` (>= 7 in all); cof_person's outcome cohort `*` (<= 7): 7, each bin 1.
    const bins: Row[] = [0, 1, 2, 3, 4, 5, 6].map((contacts) => ({
      level: 'pcn',
      code: 'U1',
      period_type: 'fy',
      period: PERIOD,
      contacts,
      episodes: '*',
    }));
    const cofPerson = { rows: [{ level: 'pcn', code: 'U1', period_type: 'fy', period: PERIOD, outcome_cohort: '*' }] };
    const bare: Partition = {
      group: 'contacts',
      columns: ['episodes'],
      linkedTo: [{ document: 'cof_person', columns: { episodes: 'outcome_cohort' } }],
    };
    // Unlinked (cof_person not given): the total is 7 to 49, nothing pinned.
    expect(
      audit(
        bins,
        linkPartitions([bare], () => undefined),
      ),
    ).toEqual([]);
    expect(
      audit(
        bins,
        linkPartitions([bare], (name) => (name === 'cof_person' ? cofPerson : undefined)),
      ),
    ).toEqual([...[0, 1, 2, 3, 4, 5, 6].map((k) => `${k}=1`), 'total=7'].sort());
  });

  it('pins a rounded total where the bounds of two readings meet (review 8: ICB QHL)', () => {
    // cof_person shows 830 (828 to 832); sex: female 470 (<= 472), male 340 (<= 342), not_stated `*`, other `*` (<= 7
    // each): at most 472 + 342 + 7 + 7 = 828. So the total is 828, and every group at its top: 472, 342, 7, 7.
    const rows = [
      row('sex', 'female', 470),
      row('sex', 'male', 340),
      row('sex', 'not_stated', '*'),
      row('sex', 'other', '*'),
    ];
    const linked: Partition = { ...EQUITY, linked: () => 830 };
    expect(audit(rows, [linked])).toEqual(['female=472', 'male=342', 'not_stated=7', 'other=7', 'total=828']);
    // Unlinked, the total is free: nothing.
    expect(audit(rows, [EQUITY])).toEqual([]);
  });
});

describe('the publisher protects groups within dimensions', () => {
  it('suppresses until no reader pins the total, and withholds nothing', () => {
    // U1: 7 women, one in each of 7 age bands; U2: 1 woman and 8 men, 8 aged 0-17 and 1 aged 75-84. England: both.
    const eng = at('national', 'ENG');
    const u1 = at('pcn', 'U1');
    const u2 = at('pcn', 'U2');
    const rows: Row[] = [
      eng('sex', 'female', 8),
      eng('sex', 'male', 8),
      eng('age_band', '0-17', 9),
      ...BANDS.slice(1).map((b) => eng('age_band', b, 1)),
      eng('age_band', '75-84', 1),
      u1('sex', 'female', 7),
      ...BANDS.map((b) => u1('age_band', b, 1)),
      u2('sex', 'female', 1),
      u2('sex', 'male', 8),
      u2('age_band', '0-17', 8),
      u2('age_band', '75-84', 1),
    ];
    const rules = {
      counts: ['people_referred'],
      siblings: [(r: Row) => `${r.level}|${r.code}|${r.period}|${r.dimension}`],
      areas: AREAS,
      partitions: [EQUITY],
    };
    const published = controlPartitioned(rows, rules);
    // U1: sex caps the total at 7 (female 7 -> `*`, no male row: 0), age floors it at 7 (seven 1s -> `*`): pinned. Of
    // the dimensions with a group to add (sex: male; age: 75-84, both in England's rows), sex has the lower cap (7
    // against 49): a row U1 sex male `*` is added (a zero made `*`). Then the total is 7 to 14 and each band 1 to 8.
    // U2: female 1 -> `*`, male 8 -> 10; 0-17 8 -> 10, 75-84 1 -> `*`; secondary suppression then makes each lone `*`'s
    // sibling `*` (male, 0-17). Nothing is withheld; no reader pins a cell or a total.
    const cells = (code: string) =>
      published.filter((r) => r.code === code).map((r) => `${r.dimension} ${r.group} ${r.people_referred}`);
    expect(published).toHaveLength(rows.length + 1);
    expect(cells('U1')).toEqual(['sex female *', ...BANDS.map((b) => `age_band ${b} *`), 'sex male *']);
    expect(cells('U2')).toEqual(['sex female *', 'sex male *', 'age_band 0-17 *', 'age_band 75-84 *']);
    expect(audit(published, [EQUITY])).toEqual([]);
    // England as it was.
    expect(published.filter((r) => r.level === 'national')).toEqual(rows.filter((r) => r.level === 'national'));
  });

  it('suppresses a count of the dimension the reader pins, not of a looser one with a lower cap', () => {
    // U1 (people referred in 2025/26, 47 people; rollout publishes 45: 43 to 47, `linked`). Age bands: 0-17, 18-24,
    // 25-34 1 each (`*`), 35-44 13 (15), 45-54 13 (15), 55-64 18 (20): at least 1 + 1 + 1 + 13 + 13 + 18 = 47, the
    // linked total's most: the total is 47 and each band at its least (a reader gets 1, 1, 1, 13, 13, 18: exact). Sex:
    // female 26 (25: 23 to 27), male 21 (20: 18 to 22): at most 49, the lower cap (age's is 7 x 3 + 17 + 17 + 22 = 77)
    // but it pins nothing (41 to 49 holds 47). No group can be added (one PCN: every group is its own), so the smallest
    // count the reader pins is suppressed: 35-44 (15, the first of the two 15s). The bands then say at least 35 and
    // nothing is pinned; sex as counted. (Before: the smallest count of the dimension of the lowest cap, sex: male,
    // then female, then 35-44, three controls, two figures lost for nothing.)
    const u1 = (dimension: string, group: string, people_referred: number) => row(dimension, group, people_referred);
    const rows: Row[] = [
      u1('age_band', '0-17', 1),
      u1('age_band', '18-24', 1),
      u1('age_band', '25-34', 1),
      u1('age_band', '35-44', 13),
      u1('age_band', '45-54', 13),
      u1('age_band', '55-64', 18),
      u1('sex', 'female', 26),
      u1('sex', 'male', 21),
    ];
    const linked: Partition = { ...EQUITY, linked: () => 45 };
    const rules = {
      counts: ['people_referred'],
      siblings: [(r: Row) => `${r.level}|${r.code}|${r.period}|${r.dimension}`],
      areas: AREAS,
      partitions: [linked],
    };
    // As published without the partition: the reader pins the total and the six bands.
    const plain = controlPartitioned(rows, { ...rules, partitions: [] });
    expect(audit(plain, [linked])).toEqual(
      ['0-17=1', '18-24=1', '25-34=1', '35-44=13', '45-54=13', '55-64=18', 'total=47'].sort(),
    );
    const published = controlPartitioned(rows, rules);
    expect(published.map((r) => `${r.group} ${r.people_referred}`)).toEqual([
      '0-17 *',
      '18-24 *',
      '25-34 *',
      '35-44 *',
      '45-54 15',
      '55-64 20',
      'female 25',
      'male 20',
    ]);
    expect(audit(published, [linked])).toEqual([]);
  });

  it('reads a group withheld below England as an unseen part of every area, whichever families it audits', () => {
    // U1: age 0-17 `*` (1 to 7), the only band below England, but England shows 18-24 too (withheld below England:
    // U1 may have people aged 18-24); deciles 1 to 7 `*` (at least 7). Age caps nothing (7 + 18-24's unseen part), so
    // the total is 7 or more and nothing is pinned: no row added, nothing suppressed. (Without England's 18-24 row
    // age caps the total at 7: each decile 1, and decile 8, shown in U2's rows and England's, is added to U1 as `*`.)
    const eng = at('national', 'ENG');
    const u1 = at('pcn', 'U1');
    const u2 = at('pcn', 'U2');
    const deciles = ['1', '2', '3', '4', '5', '6', '7'];
    const published: Row[] = [
      eng('age_band', '0-17', 12),
      eng('age_band', '18-24', 2),
      ...deciles.map((d) => eng('imd_decile', d, 1)),
      eng('imd_decile', '8', 7),
      u1('age_band', '0-17', '*'),
      ...deciles.map((d) => u1('imd_decile', d, '*')),
      u2('age_band', '0-17', '*'),
      u2('imd_decile', '8', '*'),
    ];
    expect(padPartitions(published, [EQUITY], ['people_referred'])).toEqual({ added: [], suppressed: [], stuck: [] });
    const without = published.filter((r) => !(r.level === 'national' && r.group === '18-24'));
    const { added } = padPartitions(without, [EQUITY], ['people_referred']);
    expect(added.map((r) => `${r.code} ${r.dimension} ${r.group} ${r.people_referred}`)).toEqual(['U1 imd_decile 8 *']);
  });
});

/*
 * Review 10: a family left pinned with nothing to do. England = R1 + R2; R1 = I1 (its one PCN U1) + I2 (V1); R2 = J1
 * (W1); 2025/26. The contacts distribution's bins 0 to 6: U1 and I1 one episode in each (7), V1 and I2 20 each, W1
 * and J1 30, R1 21, R2 30, England 51. cof_person publishes the outcome cohort U1 and I1 as `*` (their 7), the others
 * in full. U1's seven bins are `*` (1 each), and the cohort's `*` (1 to 7) over seven `*` (1 or more each) pins each to
 * 1: no bin can be added (no other bin is shown up U1's chain, England included) and every cell is `*` already, so
 * nothing is left to suppress. Before, the rows were published as they were (the scan reads each bin 1, the truth);
 * now 2025/26 is withheld below England in this document: England's seven bins alone.
 */
describe('a family left pinned is withheld, not published (review 10)', () => {
  it("withholds the year below England where U1's bins and cohort pin each other", () => {
    const PARENT: Record<string, string> = {
      R1: 'ENG',
      R2: 'ENG',
      I1: 'R1',
      I2: 'R1',
      J1: 'R2',
      U1: 'I1',
      V1: 'I2',
      W1: 'J1',
    };
    const per: Record<string, number> = { U1: 1, I1: 1, V1: 20, I2: 20, W1: 30, J1: 30, R1: 21, R2: 30, ENG: 51 };
    const cohort: Record<string, unknown> = { U1: '*', I1: '*', V1: 140, I2: 140, W1: 210, J1: 210, R1: 145, R2: 210 };
    const rows: Row[] = Object.keys(per).flatMap((code) =>
      [0, 1, 2, 3, 4, 5, 6].map((contacts) => ({
        level: handWorkedLevel(code),
        code,
        period_type: 'fy',
        period: '2025/26',
        contacts,
        episodes: per[code] as number,
      })),
    );
    const family = (code: string, r: Row) => `${code}|${r.period_type}|${r.period}|${r.contacts}`;
    const parentOf = (r: Row) => (PARENT[String(r.code)] ? [PARENT[String(r.code)] as string] : []);
    const rules = {
      counts: ['episodes'],
      areas: {
        partOf: (r: Row) => parentOf(r).map((p) => family(p, r)),
        totalOf: (r: Row) => family(String(r.code), r),
      },
      periodKeys: ['contacts'],
      siblings: [(r: Row) => `${r.level}|${r.code}|${r.period}`],
      partitions: [{ group: 'contacts', columns: ['episodes'], linked: (r: Row) => cohort[String(r.code)] }],
    };
    const published = controlPartitioned(rows, rules as never, undefined, parentOf);
    expect(published.map((r) => [r.code, r.contacts, r.episodes])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((contacts) => ['ENG', contacts, 51]),
    );
  });
});

describe("a control's rows matched to its input by position (issue 17: no key per row and round)", () => {
  // A control returns copies of its input's rows in their order, less those it withholds: each copy is matched to
  // the index of its own row, whatever it now publishes, even beside rows of the same area and period.
  const input = [
    row('sex', 'female', 12),
    row('sex', 'male', 3),
    row('age_band', '18-24', 9),
    row('age_band', '25-34', 6),
  ];
  const matched = (output: readonly Row[]) => {
    const found: [number, unknown][] = [];
    matchInOrder(input, output, ['dimension', 'group'], (i, published) => found.push([i, published.people_referred]));
    return found;
  };

  it('skips the rows withheld and keeps the others where they were', () => {
    // Male (row 1) withheld; the others published as 10, `*` and `*`: indices 0, 2 and 3.
    const output = [
      { ...input[0], people_referred: 10 },
      { ...input[2], people_referred: '*' },
      { ...input[3], people_referred: '*' },
    ];
    expect(matched(output as Row[])).toEqual([
      [0, 10],
      [2, '*'],
      [3, '*'],
    ]);
    // Only the last row published: index 3, not an earlier row of the same area, period and dimension.
    expect(matched([{ ...input[3], people_referred: '*' } as Row])).toEqual([[3, '*']]);
  });

  it('fails where a row matches none of its input (a group the input lacks)', () => {
    expect(() => matched([row('sex', 'unknown', 0)])).toThrow('matches no row of its input');
  });
});

/*
 * Issue 17: the families padPartitions found unpinned alone are not read alone again while their rows and the groups
 * withheld below England stay as they were (AloneReads, kept by controlPartitioned across its controls).
 * U1: the reviewer's U00001 (female `*` alone caps the total at 7, seven age bands `*` floor it at 7): pinned, and
 * given a male row `*` (sex is the dimension lacking a group shown elsewhere: U2's male; every age band is U1's).
 * U2: male 20 and age 18-24 20 (each 18 to 22 as published): the total is 18 to 22 in both, nothing pinned.
 */
describe('families read alone are not read again while unchanged (issue 17: AloneReads)', () => {
  const u2 = at('pcn', 'U2');
  const rows: Row[] = [...PINNED, u2('sex', 'male', 20), u2('age_band', '18-24', 20)];
  const U1 = `pcn|U1|fy|${PERIOD}`;
  const U2 = `pcn|U2|fy|${PERIOD}`;
  const pads = (result: ReturnType<typeof padPartitions>) =>
    result.added.map((r) => `${r.code} ${r.dimension} ${r.group} ${r.people_referred}`);

  it('gives what a reading of every family gives, and keeps the families found unpinned', () => {
    const plain = padPartitions(rows, [EQUITY], ['people_referred']);
    expect(pads(plain)).toEqual(['U1 sex male *']);
    const reads = new AloneReads();
    expect(padPartitions(rows, [EQUITY], ['people_referred'], undefined, undefined, undefined, reads)).toEqual(plain);
    // U2 is known unpinned now; U1, pinned in the first round, is not.
    const withheld = new Set<string>();
    expect([...reads.unpinned(EQUITY, withheld)]).toEqual([U2]);
    // Read again with the cache: U2 left out, U1 read and padded as before.
    expect(padPartitions(rows, [EQUITY], ['people_referred'], undefined, undefined, undefined, reads)).toEqual(plain);
  });

  it('leaves out a family known unpinned until it is forgotten', () => {
    const reads = new AloneReads();
    // Told (wrongly, to show it is skipped) that U1 reads unpinned: nothing is read of it, nothing added.
    reads.unpinned(EQUITY, new Set()).add(U1);
    expect(pads(padPartitions(rows, [EQUITY], ['people_referred'], undefined, undefined, undefined, reads))).toEqual(
      [],
    );
    // Forgotten (its rows changed): read again and padded.
    reads.forget(U1);
    expect(pads(padPartitions(rows, [EQUITY], ['people_referred'], undefined, undefined, undefined, reads))).toEqual([
      'U1 sex male *',
    ]);
  });

  it('reads every family again where the groups withheld below England differ', () => {
    const reads = new AloneReads();
    // Known unpinned with 18-24 withheld somewhere: the rows now withhold nothing, so U1 is read again.
    reads.unpinned(EQUITY, new Set([`fy|${PERIOD}|age_band`])).add(U1);
    expect(pads(padPartitions(rows, [EQUITY], ['people_referred'], undefined, undefined, undefined, reads))).toEqual([
      'U1 sex male *',
    ]);
  });
});
