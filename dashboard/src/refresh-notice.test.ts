import { describe, expect, it } from 'vitest';
import { refreshNotice } from './refresh-notice.ts';

describe('the header notice of a failed refresh', () => {
  it('says the figures are the last published, and when the refresh is tried again', () => {
    expect(
      refreshNotice(
        {
          state: 'retrying',
          attempt: 1,
          attempts: 5,
          last_failed_at: '2026-10-01T09:00:00.000Z',
          next_attempt_at: '2026-10-01T09:00:30.000Z',
        },
        'UTC',
      ),
    ).toBe(
      'The latest refresh failed: the figures shown are the ones last published. It is tried again at 09:00 (attempt 2 of 5), or after the next upload.',
    );
    // In the reader's time zone: 09:04 UTC is 10:04 in London in October (BST).
    expect(
      refreshNotice(
        { state: 'retrying', attempt: 3, attempts: 5, next_attempt_at: '2026-10-01T09:04:30.000Z' },
        'Europe/London',
      ),
    ).toContain('tried again at 10:04 (attempt 4 of 5)');
  });

  it('says when every attempt failed', () => {
    expect(refreshNotice({ state: 'failed', attempt: 5, attempts: 5 })).toBe(
      'The latest refresh failed 5 times: the figures shown are the ones last published. The next upload tries it again.',
    );
  });

  it('says a retry is running: the figures are still the last published', () => {
    expect(refreshNotice({ state: 'refreshing', attempt: 2, attempts: 5 })).toBe(
      'The latest refresh failed and is being tried again (attempt 2 of 5): the figures shown are the ones last published.',
    );
  });

  it('says nothing while a first attempt runs or after one succeeded, nor where the server has no refresh status', () => {
    expect(refreshNotice({ state: 'refreshing', attempt: 1, attempts: 5 })).toBeNull();
    expect(refreshNotice({ state: 'idle', attempts: 5, last_succeeded_at: '2026-10-01T09:00:00.000Z' })).toBeNull();
    expect(refreshNotice(null)).toBeNull();
  });
});
