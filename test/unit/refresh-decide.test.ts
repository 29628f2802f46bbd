import { describe, expect, it } from 'vitest';
import { decide, minIntervalMs, type RefreshRecord, type RequestBody } from '../../functions/refresh/handler.ts';

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
