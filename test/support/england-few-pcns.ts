import type { MetricDocument } from '../../functions/contract/index.ts';
import { type GoldenEvent, goldenReference, referralEvent } from './golden.ts';

/*
 * The programme of england-few-pcns.test.ts (red-team review 8, N5) and england-few-pcns-staff.test.ts (review 9):
 * the first wave of a rollout is one PCN. U00001 (QAA, London) sends from April 2025; U00002 (QBB) and U00003 (QCC,
 * both South West) join in June. Referrals a month:
 *
 *   PCN      April  May  June  July
 *   U00001   12     13   11    14
 *   U00002               20    21
 *   U00003               22    23
 *   England  12     13   53    58
 */
export const FEW_PCNS_REFERENCE = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QBB', 'Y58'],
  ['U00003', 'QCC', 'Y58'],
]);
export const FEW_PCNS_COUNTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  U00001: { '2025-04': 12, '2025-05': 13, '2025-06': 11, '2025-07': 14 },
  U00002: { '2025-06': 20, '2025-07': 21 },
  U00003: { '2025-06': 22, '2025-07': 23 },
};
/** Each PCN's referrals, one upload a PCN and month, each event as `edit` makes it (as referralEvent makes it unless given). */
export function fewPcnsUploads(
  edit: (event: GoldenEvent, pcn: string, month: string, index: number) => GoldenEvent = (event) => event,
): Record<string, GoldenEvent[]> {
  const uploads: Record<string, GoldenEvent[]> = {};
  for (const [pcn, months] of Object.entries(FEW_PCNS_COUNTS))
    for (const [m, n] of Object.entries(months))
      uploads[`${pcn}-${m}.csv`] = Array.from({ length: n }, (_, i) =>
        edit(referralEvent(pcn, `${pcn}-${m}-${i}`, `${m}-1${i % 9}`), pcn, m, i),
      );
  return uploads;
}

/** A document's England row of a period in `docs` (undefined where it has none). */
export const englandRow =
  (docs: ReadonlyMap<string, MetricDocument>) =>
  (name: string, period: string): Record<string, unknown> | undefined =>
    (docs.get(name)?.rows ?? []).find((r) => r.level === 'national' && r.period === period);
