import { describe, expect, it } from 'vitest';
import type { Row } from '../../functions/lib/query-engine.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { applyDisclosureControl, type DisclosureRules } from '../../functions/refresh/disclosure.ts';

/*
 * Red-team review 29, R29-5: for a PCN that gave training, splw_headcount_training_known IS its splw_headcount (the
 * same link workers), but the two were controlled apart: the headcount's `*` took the training-known figure with it,
 * not the other way round. June 2025, one month of snapshots:
 *   QAA (Y56): U1 1 link worker, trained (training given); U2 8, all trained; U3 5, no training given.
 *   QBB (Y58): U4 5, no training; U6 20, all trained.   QCC (Y59): U5 5, no training.
 * England: 44 in post, 29 in the PCNs that gave training (1 + 8 + 20; its three PCNs without training, 5 each, are not
 * few: workforce.sql publishes it). Below England: U1's 1 is `*` in both columns. QAA's training-known family is U1 `*`
 * and U2 alone, so U2's 8 is suppressed beside it (secondary); QAA's headcount family is U1 `*`, U2 8, U3 `*` (two `*`
 * already), so U2's headcount stayed 10. A reader then had U2's training-known `*` as its headcount, 8 to 12, and
 * QAA's training-known 10 (8 to 12) less it put U1's `*` at 1 to 4 instead of 1 to 7. Controlled jointly, U2's
 * headcount (and with it its FTE and trained) is `*` too.
 */
const workforce = CATALOGUE.find((d) => d.name === 'workforce');
const rules: DisclosureRules = {
  ...(workforce?.rules as DisclosureRules),
  areas: {
    partOf: (r: Row) =>
      r.parents === ''
        ? []
        : String(r.parents)
            .split(',')
            .map((p) => `${p}|${r.period}`),
    totalOf: (r: Row) => `${r.code}|${r.period}`,
  },
  periodKeys: [],
};

const area = (
  level: string,
  code: string,
  parents: string,
  inPost: number,
  trainedKnown: number | null,
  fte: number,
) => ({
  level,
  code,
  parents,
  period_type: 'month',
  period: '2025-06',
  months: 1,
  pcns_reporting: 1,
  pcns_with_link_worker: 1,
  splw_headcount: inPost,
  splw_fte: fte,
  splw_accredited: trainedKnown,
  splw_headcount_training_known: trainedKnown,
  hwbc_headcount: null,
  hwbc_fte: 0,
  cc_headcount: null,
  cc_fte: 0,
});

const exact: Row[] = [
  area('national', 'ENG', '', 44, 29, 35),
  area('region', 'Y56', 'ENG', 14, 9, 11),
  area('region', 'Y58', 'ENG', 25, 20, 20),
  area('region', 'Y59', 'ENG', 5, null, 4),
  area('icb', 'QAA', 'Y56', 14, 9, 11),
  area('icb', 'QBB', 'Y58', 25, 20, 20),
  area('icb', 'QCC', 'Y59', 5, null, 4),
  area('pcn', 'U1', 'QAA', 1, 1, 1),
  area('pcn', 'U2', 'QAA', 8, 8, 6),
  area('pcn', 'U3', 'QAA', 5, null, 4),
  area('pcn', 'U4', 'QBB', 5, null, 4),
  area('pcn', 'U6', 'QBB', 20, 20, 16),
  area('pcn', 'U5', 'QCC', 5, null, 4),
];

describe('training-known headcount controlled jointly with the headcount where equal (review 29, R29-5)', () => {
  const published = applyDisclosureControl(exact, rules);
  const of = (code: string) => published.find((r) => r.code === code) as Row;

  it("U2's training-known `*` (QAA's family with U1) takes its headcount, FTE and trained with it", () => {
    expect(of('U2')).toMatchObject({
      splw_headcount_training_known: '*',
      splw_headcount: '*',
      splw_fte: '*',
      splw_accredited: '*',
    });
  });

  it('on every row below England where the two are equal, both are published alike (both `*` or the same figure)', () => {
    const unequal = exact
      .filter((r) => r.level !== 'national' && r.splw_headcount_training_known === r.splw_headcount)
      .map((r) => of(String(r.code)))
      .filter((r) => r.splw_headcount_training_known !== r.splw_headcount)
      .map((r) => `${r.code}: ${r.splw_headcount_training_known} beside ${r.splw_headcount}`);
    expect(unequal).toEqual([]);
  });

  it('where they differ (QAA: 9 of 14 in PCNs that gave training) each is controlled as before: QAA 10 and 15', () => {
    expect(of('QAA')).toMatchObject({ splw_headcount_training_known: 10, splw_headcount: 15 });
  });

  it('England is published as it is', () => {
    expect(of('ENG')).toMatchObject({ splw_headcount: 44, splw_headcount_training_known: 29 });
  });
});
