// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefreshStatus } from '../../functions/contract/refresh-status.ts';
import { ApiError, fetchRefreshStatus } from './api.ts';
import { REFRESH_STATUS_POLL_MS, useRefreshNotice } from './use-refresh-notice.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** Lets the hook's awaited fetch settle and React apply its state. */
const settle = () => act(async () => {});
const later = (ms: number) => act(async () => vi.advanceTimersByTimeAsync(ms));

describe('the refresh notice while the page stays open', () => {
  it('appears when a refresh fails after the page loaded, and goes once the retry succeeds', async () => {
    const answers: RefreshStatus[] = [
      { state: 'idle', attempts: 5, last_succeeded_at: '2026-10-01T09:00:00.000Z' },
      { state: 'failed', attempt: 5, attempts: 5 },
      { state: 'refreshing', attempt: 2, attempts: 5 },
      { state: 'idle', attempts: 5, last_succeeded_at: '2026-10-01T09:03:00.000Z' },
    ];
    const fetchStatus = vi.fn(async () => answers.shift() ?? null);
    const { result } = renderHook(() => useRefreshNotice(true, fetchStatus));
    await settle();
    expect(result.current).toBeNull();
    await later(REFRESH_STATUS_POLL_MS - 1);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
    await later(1);
    expect(result.current).toBe(
      'The latest refresh failed 5 times: the figures shown are the ones last published. The next upload tries it again.',
    );
    await later(REFRESH_STATUS_POLL_MS);
    expect(result.current).toContain('is being tried again (attempt 2 of 5)');
    await later(REFRESH_STATUS_POLL_MS);
    expect(result.current).toBeNull();
    expect(fetchStatus).toHaveBeenCalledTimes(4);
  });

  it('asks no more where the server has no refresh status (AWS), and not before the page has its figures', async () => {
    const fetchStatus = vi.fn(async () => null);
    const { rerender } = renderHook(({ active }) => useRefreshNotice(active, fetchStatus), {
      initialProps: { active: false },
    });
    await later(3 * REFRESH_STATUS_POLL_MS);
    expect(fetchStatus).toHaveBeenCalledTimes(0);
    rerender({ active: true });
    await settle();
    await later(3 * REFRESH_STATUS_POLL_MS);
    expect(fetchStatus).toHaveBeenCalledTimes(1);
  });

  it('keeps a "refresh failed" notice through a poll that fails, and asks again the next minute (review)', async () => {
    const answers: (RefreshStatus | Error)[] = [
      { state: 'failed', attempt: 5, attempts: 5 },
      new TypeError('Failed to fetch'),
      new ApiError('the server answered 502', 502),
      { state: 'refreshing', attempt: 2, attempts: 5 },
    ];
    const fetchStatus = vi.fn(async () => {
      const answer = answers.shift() ?? null;
      if (answer instanceof Error) throw answer;
      return answer;
    });
    const failed =
      'The latest refresh failed 5 times: the figures shown are the ones last published. The next upload tries it again.';
    const { result } = renderHook(() => useRefreshNotice(true, fetchStatus));
    await settle();
    expect(result.current).toBe(failed);
    await later(REFRESH_STATUS_POLL_MS);
    expect(result.current).toBe(failed);
    await later(REFRESH_STATUS_POLL_MS);
    expect(result.current).toBe(failed);
    await later(REFRESH_STATUS_POLL_MS);
    expect(result.current).toContain('is being tried again (attempt 2 of 5)');
    expect(fetchStatus).toHaveBeenCalledTimes(4);
  });
});

describe('fetchRefreshStatus', () => {
  const answering = (status: number, body: unknown) =>
    vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

  it('is null only where the server has no refresh status (404)', async () => {
    await expect(fetchRefreshStatus(answering(404, { error: 'not found' }) as typeof fetch)).resolves.toBeNull();
  });

  it('throws for any other failure, so one failed poll says nothing about the refresh', async () => {
    await expect(fetchRefreshStatus(answering(503, { error: 'restarting' }) as typeof fetch)).rejects.toMatchObject({
      status: 503,
    });
    const offline = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchRefreshStatus(offline as typeof fetch)).rejects.toThrow('Failed to fetch');
  });

  it('returns the status the server sends', async () => {
    const status = { state: 'idle', attempts: 5, last_succeeded_at: '2026-10-01T09:00:00.000Z' };
    await expect(fetchRefreshStatus(answering(200, status) as typeof fetch)).resolves.toEqual(status);
  });
});
