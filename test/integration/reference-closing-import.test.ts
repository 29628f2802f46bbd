import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { ReferenceDataError, stageReference } from '../../functions/lib/reference-versions.ts';
import { importExtract, referenceRowsInStore } from '../../functions/reference/import.ts';
import type { PracticeRow } from '../../functions/reference/publication.ts';
import {
  type GoldenEvent,
  ingestQuietly,
  referralEvent,
  refreshAndRead,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Red-team review 21, R21-2: a PCN that merges into another at the end of November. The November extract has U30001
 * (practice A81001, 9,000 patients) and U30002 (A81002, 7,000); in the December extract A81002 is in U30001 and U30002
 * is gone, so the import closes U30002 on 30 November and U30001's list is 9,000 + 7,000 = 16,000 from 1 December.
 * U30002's automatic extract ran on 2 December, as every month, with its rows to 1 December (ingest accepts any date
 * not in the future): one referral of 20 November and one of 1 December (receipt partitions {2026-11: 1, 2026-12: 1}).
 * The December import used to be refused ("has accepted events dated 2026-12"), and every import after it, for good.
 * Now the closure NHS Digital's extract records is staged and told; the 1 December referral is out of force: in no
 * figure, listed in data_quality (1 event, published rounded up to 5) and in the refresh log.
 */
const place = { icb_code: 'QAA', icb_name: 'NHS A ICB', region_code: 'Y56', region_name: 'London' };
const practice = (practice_code: string, pcn_code: string, pcn_name: string, patients: number): PracticeRow => ({
  practice_code,
  pcn_code,
  pcn_name,
  patients,
  ...place,
});
const NOVEMBER = {
  month: '2026-11',
  practices: [practice('A81001', 'U30001', 'One PCN', 9000), practice('A81002', 'U30002', 'Two PCN', 7000)],
};
const DECEMBER = {
  month: '2026-12',
  practices: [practice('A81001', 'U30001', 'One PCN', 9000), practice('A81002', 'U30001', 'One PCN', 7000)],
};
const JANUARY = { month: '2027-01', practices: DECEMBER.practices };

describe('a PCN closing at a month end whose extract ran after it (review 21, R21-2)', () => {
  it('the next extract is imported, the closure told, and the new month’s row left out of force and listed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r21-close-'));
    const dataDir = join(dir, 'data');
    const store = new FsObjectStore(dataDir);
    try {
      await importExtract(store, NOVEMBER, { historyFrom: '2019-04', now: new Date('2026-11-12T10:00:00Z') });
      const rows: GoldenEvent[] = [
        referralEvent('U30002', 'R-NOV', '2026-11-20'),
        { ...referralEvent('U30002', 'R-DEC', '2026-12-01'), recorded_at: '2026-12-01T10:00:00Z' },
      ];
      const [file] = writeEventFiles(dir, { 'u30002-2026-12-02.csv': rows });
      const ingested = await ingestQuietly([file as string], dataDir, '2026-12-02T06:00:00Z');
      expect(ingested.summary.receipts.map((r) => [r.status, r.partitions])).toEqual([
        ['accepted', { '2026-11': 1, '2026-12': 1 }],
      ]);

      const december = await importExtract(store, DECEMBER, { now: new Date('2026-12-11T10:00:00Z') });
      expect(december.staged).toMatch(/^reference\/pcns\/20261211T100000-[0-9a-f]{8}\.csv$/);
      expect(december.changes.closed).toEqual(['U30002']);
      // The reference's U30002 is row 4 (U30001's two versions are rows 2 and 3).
      expect(december.outOfForce).toEqual([
        `${december.staged}: PCN U30002 (row 4) is out of force in 2026-12, where it has accepted events, as NHS Digital's extracts record it (not in England's map then: closed or merged); those events are left out of every figure and listed in data_quality`,
      ]);
      expect(
        (await referenceRowsInStore(store)).map((r) => [r.pcn_code, r.list_size, r.valid_from, r.valid_to ?? null]),
      ).toEqual([
        ['U30001', 9000, '2019-04-01', '2026-11-30'],
        ['U30001', 16000, '2026-12-01', null],
        ['U30002', 7000, '2019-04-01', '2026-11-30'],
      ]);

      // U30001 sends its November (3 referrals) and December (4) on 2 January, so December is complete (U30001 is the
      // one PCN onboarded and still sending: 1 of 1). The refresh of 5 January: England's November has both PCNs
      // submitting, December U30001 alone: U30002's 1 December referral is in no figure, and listed.
      const [one] = writeEventFiles(dir, {
        'u30001-2027-01-02.csv': [
          ...[5, 6, 7].map((d) => referralEvent('U30001', `ONE-NOV-${d}`, `2026-11-0${d}`)),
          ...[5, 6, 7, 8].map((d) => referralEvent('U30001', `ONE-DEC-${d}`, `2026-12-0${d}`)),
        ],
      });
      await ingestQuietly([one as string], dataDir, '2027-01-02T06:00:00Z');
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const docs = new Map<string, MetricDocument>();
      try {
        await refreshAndRead(dataDir, new Date('2027-01-05T09:00:00Z'), docs);
        expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('not in force'))).toEqual([
          'refresh: events dated in a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): U30002: 2026-12 (1). Correct the dates at the PCN, or stage a reference version that has the PCN in force then (`reference FILE`).',
        ]);
      } finally {
        warn.mockRestore();
      }
      const row = rowFinder(docs);
      // (England's counts of two PCNs are not published; the PCNs submitting are.)
      expect(row('rollout', 'national', 'ENG', '2026-11').pcns_submitting).toBe(2);
      expect(row('rollout', 'national', 'ENG', '2026-12').pcns_submitting).toBe(1);
      const dq = row('data_quality', 'pcn', 'U30002', 'all');
      expect([
        dq.events_out_of_force,
        dq.months_out_of_force,
        dq.first_month_out_of_force,
        dq.last_month_out_of_force,
      ]).toEqual([5, 1, '2026-12', '2026-12']);

      // The January extract is imported too (the same map): nothing changes in the reference, nothing is refused.
      const january = await importExtract(store, JANUARY, { now: new Date('2027-01-12T10:00:00Z') });
      expect([january.staged, january.outOfForce, january.referenceVersions]).toEqual([undefined, [], 3]);

      // A hand-made version that keeps U30002 open through December (so December's list counts A81002 twice) is
      // staged; the next import closes U30002 on 30 November again, as the December extract records: staged and told,
      // not refused against the hand-made version in force (before: every later import was refused).
      await stageReference(
        store,
        `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U30001,One PCN,QAA,NHS A ICB,Y56,London,9000,2019-04-01,2026-11-30
U30001,One PCN,QAA,NHS A ICB,Y56,London,16000,2026-12-01,
U30002,Two PCN,QAA,NHS A ICB,Y56,London,7000,2019-04-01,2026-12-31
`,
        new Date('2027-01-12T11:00:00Z'),
      );
      const again = await importExtract(store, JANUARY, { now: new Date('2027-01-12T12:00:00Z') });
      expect(again.staged).toMatch(/^reference\/pcns\/20270112T120000-[0-9a-f]{8}\.csv$/);
      expect(again.outOfForce).toHaveLength(1);
      expect(again.outOfForce[0]).toContain(
        'PCN U30002 (row 4) is out of force in 2026-12, where it has accepted events, as NHS Digital',
      );

      // What M7 guards against is still refused: a hand-made version closing U30002 on 31 October, when the November
      // extract lists it and it has a November event.
      const early = stageReference(
        store,
        `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U30001,One PCN,QAA,NHS A ICB,Y56,London,9000,2019-04-01,2026-11-30
U30001,One PCN,QAA,NHS A ICB,Y56,London,16000,2026-12-01,
U30002,Two PCN,QAA,NHS A ICB,Y56,London,7000,2019-04-01,2026-10-31
`,
        new Date('2027-01-12T13:00:00Z'),
      );
      await expect(early).rejects.toThrow(ReferenceDataError);
      await expect(early).rejects.toThrow(
        'PCN U30002 (row 4) has accepted events dated 2026-11, when the version in force',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
