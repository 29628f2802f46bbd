import { describe, expect, it } from 'vitest';
import { loggedPath } from '../../functions/lib/logged-path.ts';

describe('loggedPath: a path holding an identifier is withheld, as sent or percent-encoded', () => {
  it.each([
    ['/api/uploads/9434765919'],
    ['/api/uploads/943--476--5919'],
    ['/api/uploads/(943)%20476-5919'],
    ['/api/uploads/943%20%20476%20%205919'],
    ['/api/uploads/00009434765919'],
    ['/api/people/SW1A-1AA'],
    ['/api/people/LS1%2E4AP'],
    ['/api/people/07700--900123?x=1'],
    ['/api/people/jane.doe%40example.com'],
    // The fourth review: encoded twice, and full-width digits sent as their UTF-8 bytes.
    ['/api/metrics/943%2520476%25205919'],
    ['/api/people/jane.doe%2540example.com'],
    [`/api/people/${encodeURIComponent('\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19')}`],
    [`/api/people/${encodeURIComponent('\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669')}`],
    // The fifth review: an NHS number one digit at a time (the local server logged this one), a postcode in an id.
    ['/api/metrics/9-4-3-4-7-6-5-9-1-9'],
    ['/api/metrics/9%204%203%204%207%206%205%209%201%209'],
    ['/api/metrics/9.4.3.4.7.6.5.9.1.9/receipt'],
    ['/api/providers/ORG-SW1A-1AA'],
  ])('%s', (path) => {
    expect(loggedPath(path)).toBe('[path withheld]');
  });

  it('keeps an ordinary path and its query names, never the values', () => {
    expect(loggedPath('/api/metrics/rollout?region=Y56&month=2026-05')).toBe('/api/metrics/rollout?region&month');
    expect(loggedPath('/api/uploads/U01680-3f2a9c1e7b4d4e219a0f5d2c8e1b7a6d/receipt')).toBe(
      '/api/uploads/U01680-3f2a9c1e7b4d4e219a0f5d2c8e1b7a6d/receipt',
    );
    expect(loggedPath('/api/documents/2026-05-12T09:30:00.000+01:00%ZZ')).toBe(
      '/api/documents/2026-05-12T09:30:00.000+01:00%ZZ',
    );
    expect(loggedPath('/api/documents/a%E9b%2541')).toBe('/api/documents/a%E9b%2541');
    expect(loggedPath('/api/providers/VCSE-QE1-1BP?month=2026-05')).toBe('/api/providers/VCSE-QE1-1BP?month');
    expect(loggedPath('/api/referrals/R202605-2565.1')).toBe('/api/referrals/R202605-2565.1');
  });
});
