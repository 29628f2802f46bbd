import type { MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import type { Row } from '../../functions/lib/query-engine.ts';
import type { MetricDefinition } from '../../functions/refresh/catalogue.ts';
import { EnglandRevisions } from '../../functions/refresh/revisions.ts';
import type { MemoryObjectStore } from './memory-store.ts';

/**
 * One release of the documents given, in that order, through `EnglandRevisions` as the refresh runs it (revise each,
 * settle, save): each document as published (its rows, England's held), what settle held, and England's row of a
 * document and period.
 */
export async function releaseDocuments(
  pcnCodes: readonly string[],
  store: MemoryObjectStore,
  generatedAt: string,
  previous: ReadonlyMap<string, MetricDocument>,
  documents: readonly (readonly [MetricDefinition, Row[]])[],
  /** The release's data-as-of date, where the test reads it (a next-morning refresh of the same data: R22-1). */
  dataAsOf?: string,
) {
  const before = [...previous.values()][0]?.generated_at;
  const revisions = await EnglandRevisions.open(
    { store, generatedAt, pcnCodes, ...(dataAsOf === undefined ? {} : { dataAsOf }) },
    before,
  );
  const published = new Map<string, MetricDocument>();
  for (const [definition, exact] of documents) {
    const rows = exact.map((r) => ({ ...r }));
    revisions.revise(definition, rows, exact, previous.get(definition.name));
    published.set(definition.name, {
      name: definition.name,
      generated_at: generatedAt,
      ...(dataAsOf === undefined ? {} : { data_as_of: dataAsOf }),
      rows: rows as unknown as MetricRow[],
    } as unknown as MetricDocument);
  }
  const settled = revisions.settle();
  await revisions.save();
  const englandAt = (name: string, period: string) =>
    ((published.get(name)?.rows ?? []) as unknown as Row[]).find(
      (r) => r.level === 'national' && r.period === period,
    ) as Row;
  return { published, settled, englandAt, revisions };
}

/** A period's type: a financial year (2025/26) or a month (2025-06). */
export const periodType = (period: string) => (period.includes('/') ? 'fy' : 'month');

/**
 * England's row (the sum of the PCNs' numeric figures) and the PCNs' rows (`pcnCodes`, in order) of each period, each
 * PCN's figures as given.
 */
export function englandAndPcnRows(
  pcnCodes: readonly string[],
  byPeriod: Record<string, readonly Row[]>,
  /** England's figures before the PCNs' are added (a period without PCNs publishes these). @default none */
  englandFrom: Row = {},
): Row[] {
  return Object.entries(byPeriod).flatMap(([period, pcns]) => {
    const england: Row = { level: 'national', code: 'ENG', period_type: periodType(period), period, ...englandFrom };
    for (const pcn of pcns)
      for (const [column, value] of Object.entries(pcn))
        if (typeof value === 'number') england[column] = ((england[column] as number | undefined) ?? 0) + value;
    return [
      england,
      ...pcns.map((pcn, i) => ({
        ...pcn,
        level: 'pcn',
        code: pcnCodes[i] as string,
        period_type: periodType(period),
        period,
      })),
    ];
  });
}

/**
 * Rollout's rows of the periods given (englandAndPcnRows): each PCN's referrals per period (people referred the same,
 * one referral a person; no declines; reporting where it referred anyone), `columns` added to each PCN's row (England's
 * their sum), and England's the PCNs' sums.
 */
export function rolloutRows(
  pcnCodes: readonly string[],
  byPeriod: Record<string, readonly number[]>,
  columns: Row = {},
): Row[] {
  const pcnRows = (counts: readonly number[]): Row[] =>
    counts.map((referrals) => ({
      referrals,
      people_referred: referrals,
      declines: 0,
      ...columns,
      pcns_reporting: referrals > 0 ? 1 : 0,
    }));
  return englandAndPcnRows(
    pcnCodes,
    Object.fromEntries(Object.entries(byPeriod).map(([period, counts]) => [period, pcnRows(counts)])),
    // England's counts start at 0, so a period without PCNs publishes zeros, as the helpers this replaced did (R43-7).
    { referrals: 0, people_referred: 0, declines: 0, pcns_reporting: 0 },
  );
}
