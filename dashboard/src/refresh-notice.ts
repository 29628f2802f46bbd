import type { RefreshStatus } from '../../functions/contract/refresh-status.ts';

/**
 * What the header says while the figures shown are not the latest: the local server's refresh after uploads failed
 * and waits to be tried again, is being tried again, or gave up (GET /api/refresh-status). Nothing while a first
 * attempt runs or after one succeeded, nor where the server does not answer it (AWS, where the refresh is a scheduled
 * Lambda with its own alarms).
 */
export function refreshNotice(status: RefreshStatus | null, timeZone?: string): string | null {
  if (status === null) return null;
  if (status.state === 'retrying') {
    const at = status.next_attempt_at
      ? ` at ${new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(status.next_attempt_at))}`
      : '';
    return `The latest refresh failed: the figures shown are the ones last published. It is tried again${at} (attempt ${(status.attempt ?? 0) + 1} of ${status.attempts}), or after the next upload.`;
  }
  if (status.state === 'refreshing' && (status.attempt ?? 1) > 1)
    return `The latest refresh failed and is being tried again (attempt ${status.attempt} of ${status.attempts}): the figures shown are the ones last published.`;
  if (status.state === 'failed')
    return `The latest refresh failed ${status.attempts === 1 ? 'once' : `${status.attempts} times`}: the figures shown are the ones last published. The next upload tries it again.`;
  return null;
}
