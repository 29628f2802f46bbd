// Red-team review 4, s12 (F5; s13 builds on it): one release of 12 months (2024-10..2025-09) of 6 small PCNs (2-14
// referrals a month), so that the 3- and 6-month cohorts, their months and years all exist; also for the independent
// disclosure scan.
import { addMonths, eventsOf, reference } from './events.mjs';

export { reference };

const { upTo } = eventsOf({
  months: Array.from({ length: 12 }, (_, k) => addMonths('2024-10', k)),
  sizes: { U00001: 9, U00002: 3, U00003: 5, U00004: 12, U00005: 2, U00006: 7 },
  spreadContacts: true,
});
export const stages = [{ uploads: upTo('2025-09'), now: '2025-10-20T00:00:00Z' }];
