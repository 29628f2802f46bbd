import { describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { recoveredCells, SCAN_SPEC } from '../support/disclosure-scan.ts';

/*
 * The scan's groups within dimensions (review 8, N1 and N2), on the cells review 8 found published: the scan must
 * report the recoveries (it reported none before), and none once a zero of the capping dimension is shown as `*`.
 */
const BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65-74'];
const at = { level: 'pcn', code: 'U00001', period_type: 'fy', period: '2025/26' };
const documentOf = (name: string, keys: string[], rows: Record<string, unknown>[]): MetricDocument =>
  ({ name, keys, rows: rows as unknown as MetricRow[] }) as unknown as MetricDocument;
const equity = (extra: Record<string, unknown>[] = []) =>
  documentOf(
    'equity',
    ['dimension', 'group'],
    [
      { ...at, dimension: 'sex', group: 'female', people_referred: '*' },
      ...BANDS.map((group) => ({ ...at, dimension: 'age_band', group, people_referred: '*' })),
      { ...at, dimension: 'ethnicity_group', group: 'white', people_referred: '*' },
      { ...at, dimension: 'imd_decile', group: '2', people_referred: '*' },
      ...extra,
    ],
  );
const noParents = () => undefined;
// A cell may come twice (the component read whole, and its equation alone): once here.
const found = (doc: MetricDocument, docs: MetricDocument[] = []) =>
  [
    ...new Set(
      recoveredCells(doc, noParents, SCAN_SPEC, docs).map(
        ({ row, column, value, part }) =>
          `${part === undefined ? `${row.dimension ?? ''} ${row.group ?? row.contacts} ${column}` : 'total'}=${value}`,
      ),
    ),
  ].sort();

describe('the scan reads groups within dimensions', () => {
  it("finds review 8's recovery in equity (N1)", () => {
    // sex female `*` alone (<= 7 people), white `*` alone, decile 2 `*` alone; seven age bands `*` (>= 7): 7 people,
    // each band 1, female/white/decile 2 all 7.
    expect(found(equity())).toEqual(
      [
        ...BANDS.map((b) => `age_band ${b} people_referred=1`),
        'sex female people_referred=7',
        'ethnicity_group white people_referred=7',
        'imd_decile 2 people_referred=7',
        'total=7',
      ].sort(),
    );
  });

  it('finds none once every dimension capping the total at 7 shows a zero as `*` or the bands contradict it', () => {
    // As published now: sex male `*` beside female (<= 14), and a band 75-84 `*` (>= 8 against white's <= 7: the
    // reading of every `*` as 1 to 7 contradicts, so a `*` may hide 0 or 8 or more, and nothing is pinned).
    const padded = equity([
      { ...at, dimension: 'sex', group: 'male', people_referred: '*' },
      { ...at, dimension: 'age_band', group: '75-84', people_referred: '*' },
    ]);
    expect(found(padded)).toEqual([]);
  });

  it("finds review 8's recovery of the contacts distribution against cof_person's outcome cohort (N2)", () => {
    const bins = documentOf(
      'contacts_distribution',
      ['contacts'],
      [0, 1, 2, 3, 4, 5, 6].map((contacts) => ({ ...at, contacts, episodes: '*' })),
    );
    const cofPerson = documentOf('cof_person', [], [{ ...at, outcome_cohort: '*' }]);
    // Alone, the bins say 7 to 49 referrals: nothing. With cof_person's `*` (<= 7): 7, each bin 1.
    expect(found(bins)).toEqual([]);
    expect(found(bins, [bins, cofPerson])).toEqual(
      [...[0, 1, 2, 3, 4, 5, 6].map((k) => ` ${k} episodes=1`), 'total=7'].sort(),
    );
  });
});
