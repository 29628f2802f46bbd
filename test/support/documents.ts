import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import type { ObjectStore } from '../../functions/lib/object-store.ts';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';
import type { DisclosureRules } from '../../functions/refresh/disclosure.ts';

/**
 * England's caseload over the PCNs covered (workforce), as the tests compare it: the PCNs covered, their FTE, the
 * caseload so far, a year, and their share of England's people referred (%).
 */
export const coveredCaseload = (england: Readonly<Record<string, unknown>> | undefined) => [
  england?.caseload_pcns,
  england?.caseload_fte,
  england?.caseload_covered,
  england?.caseload_covered_annualised,
  england?.caseload_coverage_pct,
];

/** A catalogue entry named `name` with no keys and no definitions, disclosed by `rules`: a document of a joint-control test. */
export const metricDefinition = (name: string, rules: DisclosureRules): MetricDefinition => ({
  name,
  title: name,
  description: name,
  file: name,
  version: '1',
  keys: [],
  definitions: {},
  rules,
});

/**
 * A published metric document holding only the given rows, dated as meta.json is (or as `dates` says): a fixture for
 * the pack builders and the SPC and alerts tests.
 */
export const metricDocument = (
  dates: Pick<MetaDocument, 'generated_at' | 'data_as_of'>,
  name: string,
  rows: MetricRow[],
): MetricDocument => ({
  name,
  title: name,
  description: '',
  generated_at: dates.generated_at,
  data_as_of: dates.data_as_of,
  definitions: {},
  disclosure: '',
  keys: [],
  rows,
});

/** `n` consecutive months (YYYY-MM), the first `first`. */
export const monthsFrom = (first: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => {
    const index = Number(first.slice(0, 4)) * 12 + Number(first.slice(5, 7)) - 1 + i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });

/** The smallest geography an API test needs, as meta.json lists it: ICB QAA (region Y01) with PCNs U00001 and U00002. */
export const TWO_PCNS = {
  months: [],
  icbs: [{ code: 'QAA', name: 'A', parent: 'Y01' }],
  pcns: [
    { code: 'U00001', name: 'One', parent: 'QAA', list_size: 1 },
    { code: 'U00002', name: 'Two', parent: 'QAA', list_size: 1 },
  ],
};

/** Publishes meta.json for TWO_PCNS and a rollout document of the given rows, where the API reads them. */
export async function publishRollout(store: ObjectStore, rows: readonly Record<string, unknown>[]): Promise<void> {
  await store.put('metrics/meta.json', JSON.stringify(TWO_PCNS));
  await store.put('metrics/rollout.json', JSON.stringify({ name: 'rollout', rows }));
}
