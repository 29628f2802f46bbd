import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';

/** A published metric document holding only the given rows, dated as meta.json is: a fixture for the pack builders. */
export const metricDocument = (meta: MetaDocument, name: string, rows: MetricRow[]): MetricDocument => ({
  name,
  title: name,
  description: '',
  generated_at: meta.generated_at,
  data_as_of: meta.data_as_of,
  definitions: {},
  disclosure: '',
  keys: [],
  rows,
});
