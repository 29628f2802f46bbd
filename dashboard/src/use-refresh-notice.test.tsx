// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RefreshStatus } from '../../functions/contract/refresh-status.ts';
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
});
