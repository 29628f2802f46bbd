import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { WITHHELD_REASON } from '../../functions/refresh/disclosure.ts';
import { tempDir } from '../support/files.ts';
import {
  disclosureFindings,
  type GoldenEvent,
  publishGolden,
  referralEvent,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Red-team review 9, R9-1 (its spec, test/integration/zz-review9-fill.test.ts, as a test). An ICB whose PCNs in force
 * mostly refer a handful and one of which has not onboarded (a wave rollout): review 7's M12 gave that PCN a row of `*`
 * so that the ICB's `*` stood over eight `*`, but its row was told apart (rollout: list size and PCNs reporting null
 * where a real `*` PCN has its list size and PCNs reporting `*`; data_quality: no row for it), so a reader read it as 0,
 * every other `*` PCN as 1 or more, the ICB's `*` as at most 7: the seven PCNs 1 each, the truth.
 *
 * Reference: QAA (Y56, London) U00001..U00008, list size 10,000 each; QBB (Y58) U00011; QCC (Y58) U00012; QDD (Y59)
 * U00013. Uploads: U00001..U00007 one referral each in April 2025 (one file each, April only); U00008 never sends;
 * U00011, U00012, U00013 40 referrals a month, April to July. Refresh 5 August 2025: data as of 30 April (the PCNs
 * that sent April only), so the periods are April and 2025/26 (= April).
 * Exact, April and 2025/26: QAA 7 = Y56; QBB 40, QCC 40, Y58 80; QDD 40 = Y59; England 7 + 80 + 40 = 127.
 * Published rows below England would have QAA `*` over U00001..U00007 `*` and U00008 of no data (rollout: null; read
 * as 0): seven `*` under a `*`, nothing else in the equation to suppress. So April's and 2025/26's rows below England
 * are withheld in rollout, referral_sources and cof_person (sharing the count), each naming them in its summary; the
 * reader has no PCN `*` of QAA to pin. M12 published every area, U00008 `*` (the spec's reading: 7 at least, 7 at most).
 */
const PCNS = ['U00001', 'U00002', 'U00003', 'U00004', 'U00005', 'U00006', 'U00007', 'U00008'];
const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
${PCNS.map((p) => `${p},PCN ${p},QAA,NHS ICB A,Y56,London,10000,2019-04-01,`).join('\n')}
U00011,PCN 11,QBB,NHS ICB B,Y58,South West,10000,2019-04-01,
U00012,PCN 12,QCC,NHS ICB C,Y58,South West,10000,2019-04-01,
U00013,PCN 13,QDD,NHS ICB D,Y59,South East,10000,2019-04-01,
`;
const MONTHS = ['2025-04', '2025-05', '2025-06', '2025-07'];
const SHARING = { rollout: 'referrals', referral_sources: 'referrals', cof_person: 'episodes' } as const;

const dir = tempDir('sealed-icb-no-data');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  const uploads: Record<string, GoldenEvent[]> = {};
  PCNS.slice(0, 7).forEach((p, k) => {
    uploads[`${p}-2025-04.csv`] = [referralEvent(p, `${p}-2025-04-0`, `2025-04-1${k}`)];
  });
  for (const p of ['U00011', 'U00012', 'U00013'])
    for (const m of MONTHS)
      uploads[`${p}-${m}.csv`] = Array.from({ length: 40 }, (_, i) =>
        referralEvent(p, `${p}-${m}-${i}`, `${m}-1${i % 9}`),
      );
  const files = writeEventFiles(dir.path, uploads);
  await publishGolden(join(dir.path, 'data'), files, REFERENCE, new Date('2025-08-05T06:00:00Z'), docs);
}, 300_000);
afterAll(() => dir.remove());

describe('an ICB sealed over seven * PCNs and one that has not onboarded (red-team review 9, R9-1)', () => {
  it('publishes what a reader needs to tell the PCN of no data: data_quality has no row for U00008', () => {
    expect(docs.get('rollout')?.data_as_of).toBe('2025-04-30');
    expect((docs.get('data_quality')?.rows ?? []).map((r) => r.code)).toEqual([
      ...PCNS.slice(0, 7),
      'U00011',
      'U00012',
      'U00013',
    ]);
  });

  it("publishes England's 127 and no row below it: no `*` of QAA's PCNs to pin (M12: each `*`, U00008 too)", () => {
    for (const [name, column] of Object.entries(SHARING)) {
      const rows = docs.get(name)?.rows ?? [];
      expect(rows.map((r) => `${r.level} ${r.code} ${r.period} ${r[column]}`).sort()).toEqual([
        'national ENG 2025-04 127',
        'national ENG 2025/26 127',
      ]);
      expect(docs.get(name)?.summary?.withheld_below_england).toEqual({
        reason: WITHHELD_REASON,
        withheld: [
          { period_type: 'fy', period: '2025/26', levels: ['region', 'icb', 'pcn'] },
          { period_type: 'month', period: '2025-04', levels: ['region', 'icb', 'pcn'] },
        ],
      });
    }
  });

  it('the independent disclosure scan finds nothing recoverable', () => {
    expect(disclosureFindings(docs, REFERENCE)).toEqual([]);
  });
});
