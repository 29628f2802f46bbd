import { useEffect, useState } from 'react';
import type { RefreshStatus } from '../../functions/contract/refresh-status.ts';
import { fetchRefreshStatus } from './api.ts';
import { refreshNotice } from './refresh-notice.ts';

/** How often an open page asks the local server how its refresh stands. */
export const REFRESH_STATUS_POLL_MS = 60_000;

/**
 * The header's refresh notice, kept current while the page is open (review: read once at page load, it stayed on
 * after the retry succeeded, and never appeared for a refresh that failed later). Asked again every minute; a server
 * that has no refresh status (AWS, where the refresh is a scheduled Lambda with its own alarms) is not asked again; a
 * poll that fails (fetchStatus throws) keeps the notice as it was and is tried again at the next minute.
 */
export function useRefreshNotice(
  active: boolean,
  fetchStatus: () => Promise<RefreshStatus | null> = fetchRefreshStatus,
): string | null {
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = async () => {
      let status: RefreshStatus | null;
      try {
        status = await fetchStatus();
      } catch {
        // Not an answer about the refresh (a dropped connection, a server restarting): the notice stays as it was
        // and the page asks again at the next minute.
        if (!stopped) timer = setTimeout(check, REFRESH_STATUS_POLL_MS);
        return;
      }
      if (stopped) return;
      setNotice(refreshNotice(status));
      if (status !== null) timer = setTimeout(check, REFRESH_STATUS_POLL_MS);
    };
    void check();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, fetchStatus]);
  return notice;
}
