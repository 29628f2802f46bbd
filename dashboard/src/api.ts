import { useEffect, useState } from 'react';
import type { Level, MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { REFRESH_STATUS_PATH, type RefreshStatus } from '../../functions/contract/refresh-status.ts';

/** The dashboard's one way to the metrics API. */
export interface MetricQuery {
  readonly level?: Level;
  readonly code?: string;
  readonly period?: string;
  readonly period_type?: 'month' | 'fy' | 'all';
}

import { currentSession, TOKEN_KEY } from './sign-in.ts';

export class ApiError extends Error {
  constructor(
    message: string,
    /** 401: not signed in (or the sign-in expired); 403: not for this role. */
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * A sign-in link carries the token in the fragment (#token=...), which browsers never send to a server. Keep it for
 * this tab only and take it out of the address bar, so it is not bookmarked or shared with a copied link.
 */
export function takeSignInToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): void {
  const fragment = new URLSearchParams(win.location.hash.replace(/^#/, ''));
  const token = fragment.get('token') ?? fragment.get('access_token');
  if (!token) return;
  win.sessionStorage.setItem(TOKEN_KEY, token);
  win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}`);
}

function authorization(): Record<string, string> {
  const token = typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A GET with the sign-in token; an error answer becomes an ApiError with the server's message. */
async function authorisedGet(path: string, accept: string, fetchFn: typeof fetch): Promise<Response> {
  const session = currentSession();
  await session?.fresh();
  let response = await fetchFn(path, { headers: { accept, ...authorization() } });
  // An access token refused as expired: one refresh from the session's refresh token, then the request once more.
  if (response.status === 401 && session && (await session.refresh()))
    response = await fetchFn(path, { headers: { accept, ...authorization() } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new ApiError(body.error ?? `the server answered ${response.status}`, response.status);
  }
  return response;
}

async function getJson<T>(path: string, fetchFn: typeof fetch = fetch): Promise<T> {
  return (await (await authorisedGet(path, 'application/json', fetchFn)).json()) as T;
}

export const fetchMeta = () => getJson<MetaDocument>('/api/meta');

/**
 * How the local server's refresh stands; null where the server has none (404: AWS, where the refresh is a scheduled
 * Lambda with its own alarms). Any other failure (the network, a server restarting) is thrown: one failed poll says
 * nothing about the refresh (review: it used to clear a "refresh failed" notice and stop the polling for good).
 */
export const fetchRefreshStatus = (fetchFn: typeof fetch = fetch): Promise<RefreshStatus | null> =>
  getJson<RefreshStatus>(REFRESH_STATUS_PATH, fetchFn).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });

/** Where an area's monthly PDF pack is served (functions/api/metrics-api.ts; written by the refresh). */
export const packPath = (level: Level, code: string) => `/api/packs/${level}/${code}.pdf`;

/** An area's monthly pack as bytes, fetched with the sign-in token (a plain link could not carry it). */
export async function fetchPack(level: Level, code: string, fetchFn: typeof fetch = fetch): Promise<Blob> {
  return (await authorisedGet(packPath(level, code), 'application/pdf', fetchFn)).blob();
}

/** Who the server says is signed in; their role decides which rows every answer holds. */
export interface SignedInUser {
  readonly role: Level;
  readonly code: string;
  readonly subject: string;
}
export const fetchMe = () => getJson<SignedInUser>('/api/me');

export function metricPath(name: string, query: MetricQuery, csv = false): string {
  const params = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null) as [string, string][],
  );
  const qs = params.toString();
  return `/api/metrics/${name}${csv ? '.csv' : ''}${qs ? `?${qs}` : ''}`;
}

export const fetchMetric = (name: string, query: MetricQuery) => getJson<MetricDocument>(metricPath(name, query));

export type Loadable<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/**
 * A metric document for a query, reloaded when the query changes. A page asks only for what its view shows (one area,
 * one period where it can): a whole national document is too big to send. null waits (e.g. for a period that another
 * answer decides) and stays loading.
 */
export function useMetric(name: string, query: MetricQuery | null): Loadable<MetricDocument> {
  const [result, setResult] = useState<Loadable<MetricDocument>>({ state: 'loading' });
  const path = query === null ? null : metricPath(name, query);
  useEffect(() => {
    let live = true;
    setResult({ state: 'loading' });
    if (path === null) return;
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
