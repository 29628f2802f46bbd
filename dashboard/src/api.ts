import { useEffect, useState } from 'react';
import type { Level, MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';

/** The dashboard's one way to the metrics API. */
export interface MetricQuery {
  readonly level?: Level;
  readonly code?: string;
  readonly period?: string;
  readonly period_type?: 'month' | 'fy' | 'all';
}

export class ApiError extends Error {}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(body.error ?? `the server answered ${response.status}`);
  }
  return (await response.json()) as T;
}

export const fetchMeta = () => getJson<MetaDocument>('/api/meta');

export function metricPath(name: string, query: MetricQuery, csv = false): string {
  const params = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null) as [string, string][],
  );
  const qs = params.toString();
  return `/api/metrics/${name}${csv ? '.csv' : ''}${qs ? `?${qs}` : ''}`;
}

export const fetchMetric = (name: string, query: MetricQuery) => getJson<MetricDocument>(metricPath(name, query));

export type Loadable<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** A metric document for a query, reloaded when the query changes. */
export function useMetric(name: string, query: MetricQuery): Loadable<MetricDocument> {
  const [result, setResult] = useState<Loadable<MetricDocument>>({ state: 'loading' });
  const path = metricPath(name, query);
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    getJson<MetricDocument>(path)
      .then((value) => live && setResult({ state: 'ready', value }))
      .catch((error: Error) => live && setResult({ state: 'error', message: error.message }));
    return () => {
      live = false;
    };
  }, [path]);
  return result;
}

export const rowsOf = (loaded: Loadable<MetricDocument>): readonly MetricRow[] =>
  loaded.state === 'ready' ? loaded.value.rows : [];
