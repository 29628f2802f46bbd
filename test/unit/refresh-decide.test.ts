import { describe, expect, it } from 'vitest';
import {
  catchUpBackOffMs,
  decide,
  minIntervalMs,
  type RefreshRecord,
  type RequestBody,
} from '../../functions/refresh/handler.ts';

// Review 14, R14-4: what a batch of refresh requests does, given the refresh's record, the time and the least interval.
const receipt = (time: string): RequestBody => ({ detailType: 'Object Created', time });
const schedule: RequestBody = { detailType: 'Scheduled Event', time: '2026-11-05T10:20:00Z' };
const catchUp: RequestBody = { detailType: 'Deferred Refresh Check', time: '2026-11-05T10:20:00Z' };
const unreadableBody: RequestBody = { detailType: undefined, time: undefined };
const read = (startedAt: string, deferredAt?: string): RefreshRecord => ({
  state: 'read',
  startedAt: new Date(startedAt),
  ...(deferredAt ? { deferredAt: new Date(deferredAt) } : {}),
});
const at = new Date('2026-11-05T10:20:00Z');
const thirty = 30 * 60_000;
const last = read('2026-11-05T10:00:00Z'); // 20 min before `at`: within 30 min

describe('decide', () => {
  it('the schedule always refreshes, within the interval and beside a catch-up', () => {
    expect(decide([schedule], last, at, thirty)).toBe('refresh');
    expect(decide([receipt('2026-11-05T09:00:00Z'), schedule, catchUp], last, at, thirty)).toBe('refresh');
  });

  it('receipts the last refresh read are served; one written since is deferred within the interval, else refreshes', () => {
    // 09:59:00 + 60 s margin <= 10:00:00: read by it.
    expect(decide([receipt('2026-11-05T09:59:00Z')], last, at, thirty)).toBe('served');
    // 09:59:01 may not have been: 20 min after the start, deferred; 30 min after, refreshed; no interval, refreshed.
    expect(decide([receipt('2026-11-05T09:40:00Z'), receipt('2026-11-05T09:59:01Z')], last, at, thirty)).toBe('defer');
    expect(decide([receipt('2026-11-05T10:15:00Z')], last, new Date('2026-11-05T10:30:00Z'), thirty)).toBe('refresh');
    expect(decide([receipt('2026-11-05T10:15:00Z')], last, at, 0)).toBe('refresh');
    // A body that is no event has no time: never served, deferred like a new receipt.
    expect(decide([unreadableBody], last, at, thirty)).toBe('defer');
  });

  it('a catch-up refreshes only when something was deferred since the last refresh, or the record cannot say', () => {
    expect(decide([catchUp], read('2026-11-05T10:00:00Z', '2026-11-05T10:05:00Z'), at, thirty)).toBe('refresh');
    expect(decide([catchUp], last, at, thirty)).toBe('nothing deferred');
    expect(decide([catchUp, receipt('2026-11-05T09:00:00Z')], last, at, thirty)).toBe('served');
    expect(decide([catchUp, receipt('2026-11-05T10:10:00Z')], last, at, thirty)).toBe('defer');
    expect(decide([catchUp], { state: 'unreadable' }, at, thirty)).toBe('refresh');
    // No record: nothing was ever deferred (a deferral writes the record), and no refresh has run here.
    expect(decide([catchUp], { state: 'absent' }, at, thirty)).toBe('nothing deferred');
  });

  // Review 18, R18-5: while refreshes kept failing, every catch-up (each 30 min) ran a national refresh.
  it('after failed refreshes the catch-up waits 30 min, then 60, 120, 240, at most 480 (8 h) from the last failure', () => {
    const failing = (count: number, lastStartedAt: string): RefreshRecord => ({
      state: 'read',
      startedAt: new Date('2026-11-05T06:00:00Z'),
      deferredAt: new Date('2026-11-05T06:10:00Z'),
      failures: { count, lastStartedAt: new Date(lastStartedAt) },
    });
    // 3 failures, the last started 10:00: 120 min, so 11:59:59 waits and 12:00 refreshes.
    expect(decide([catchUp], failing(3, '2026-11-05T10:00:00Z'), new Date('2026-11-05T11:59:59Z'), thirty)).toBe(
      'backing off',
    );
    expect(decide([catchUp], failing(3, '2026-11-05T10:00:00Z'), new Date('2026-11-05T12:00:00Z'), thirty)).toBe(
      'refresh',
    );
    // One failure at 10:00: the next catch-up, 30 min on, refreshes (as before the back-off); 29 min on, waits.
    expect(decide([catchUp], failing(1, '2026-11-05T10:00:00Z'), new Date('2026-11-05T10:30:00Z'), thirty)).toBe(
      'refresh',
    );
    expect(decide([catchUp], failing(1, '2026-11-05T10:00:00Z'), new Date('2026-11-05T10:29:00Z'), thirty)).toBe(
      'backing off',
    );
    // 9 failures, the last at 10:00: 8 h, so 17:59 waits and 18:00 refreshes.
    expect(decide([catchUp], failing(9, '2026-11-05T10:00:00Z'), new Date('2026-11-05T17:59:00Z'), thirty)).toBe(
      'backing off',
    );
    expect(decide([catchUp], failing(9, '2026-11-05T10:00:00Z'), new Date('2026-11-05T18:00:00Z'), thirty)).toBe(
      'refresh',
    );
    // The schedule refreshes at once while the catch-up waits.
    const waiting = failing(3, '2026-11-05T10:00:00Z');
    const noon = new Date('2026-11-05T11:00:00Z');
    expect(decide([catchUp, schedule], waiting, noon, thirty)).toBe('refresh');
    // Review 20, R20-9: after 3 failures a receipt the last success did not read (06:00 + 30 min long past) is
    // deferred to the catch-up while it waits (11:00 is 60 of the 120 min after the third failure at 10:00), with a
    // catch-up beside it or alone; once the back-off has passed (12:00) it refreshes.
    expect(decide([catchUp, receipt('2026-11-05T10:50:00Z')], waiting, noon, thirty)).toBe('defer');
    expect(decide([receipt('2026-11-05T10:50:00Z')], waiting, noon, thirty)).toBe('defer');
    expect(decide([receipt('2026-11-05T10:50:00Z')], waiting, new Date('2026-11-05T12:00:00Z'), thirty)).toBe(
      'refresh',
    );
    // After 1 or 2 failures a receipt still refreshes at once, back-off or not (2 failures at 10:00: 60 min, so 10:45
    // is within it; 1 at 10:00: 30 min, 10:20 within): a file sent again may be what mends the refresh.
    expect(
      decide(
        [receipt('2026-11-05T10:40:00Z')],
        failing(2, '2026-11-05T10:00:00Z'),
        new Date('2026-11-05T10:45:00Z'),
        thirty,
      ),
    ).toBe('refresh');
    expect(
      decide(
        [receipt('2026-11-05T10:10:00Z')],
        failing(1, '2026-11-05T10:00:00Z'),
        new Date('2026-11-05T10:20:00Z'),
        thirty,
      ),
    ).toBe('refresh');
    expect(
      decide(
        [catchUp, receipt('2026-11-05T10:40:00Z')],
        failing(2, '2026-11-05T10:00:00Z'),
        new Date('2026-11-05T10:45:00Z'),
        thirty,
      ),
    ).toBe('refresh');
    // Receipts the last success read are still served, beside a catch-up that waits.
    expect(decide([catchUp, receipt('2026-11-05T05:00:00Z')], waiting, noon, thirty)).toBe('served');
    // Failures with nothing deferred: a catch-up has nothing to do.
    const { deferredAt: _, ...undeferred } = waiting as Extract<RefreshRecord, { state: 'read' }>;
    expect(decide([catchUp], undeferred, noon, thirty)).toBe('nothing deferred');
    // 30 x 2^(n-1) minutes after n failures: 30, 60, 120, 240, 480, then 480 (the cap) from the sixth on.
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((n) => catchUpBackOffMs(n, thirty) / 60_000)).toEqual([
      0, 30, 60, 120, 240, 480, 480, 480,
    ]);
    // Nothing deferred, no back-off to wait for (minIntervalMs unset: 0).
    expect(catchUpBackOffMs(3, 0)).toBe(0);
  });

  it('without a readable record every receipt refreshes (nothing to compare with)', () => {
    expect(decide([receipt('2026-11-05T09:00:00Z')], { state: 'absent' }, at, thirty)).toBe('refresh');
    expect(decide([receipt('2026-11-05T09:00:00Z')], { state: 'unreadable' }, at, thirty)).toBe('refresh');
  });

  it('REFRESH_MIN_INTERVAL_MINUTES: whole minutes; unset, nothing is deferred', () => {
    expect(minIntervalMs(undefined)).toBe(0);
    expect(minIntervalMs('30')).toBe(1_800_000);
    expect(() => minIntervalMs('30m')).toThrow('REFRESH_MIN_INTERVAL_MINUTES must be a whole number of minutes');
    expect(() => minIntervalMs('')).toThrow('REFRESH_MIN_INTERVAL_MINUTES must be a whole number of minutes');
  });
});
