import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { receiptKey } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { DuckDbEngine } from '../../functions/refresh/duckdb-engine.ts';
import { publishUploads } from '../../functions/refresh/publish-tables.ts';
import { refreshMetrics } from '../../functions/refresh/refresh.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  goldenReference,
  ingestAllAccepted,
  referralEvent,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Review 24, R24-1: a refresh reads one state of the data. In AWS the ingest Lambda runs beside the refresh (only
 * refreshes share the FIFO group) and writes an upload's month objects first, its receipt last. Every prepare step
 * and metric query reads the events through committed_events, which keeps only the uploads of the uploads table, and
 * that table is written once, at the refresh's start, from the receipts there then: an upload that lands while the
 * refresh runs is read by no step of it (the next refresh reads it in every step). Before the fix committed_events
 * was, whenever every object had its receipt at the start, a view over the live prefix (committed_events_all), which
 * each statement read afresh.
 *
 * Six PCNs (U30001-U30003 in QAA, U30004-U30006 in QBB), October and November 2026, each PCN 10 referrals and 10
 * community connections (on those referrals) a month, files received on the 1st of the next month.
 *
 * Refresh 1 (1 December 06:30): right after its `episodes` step, U30001's late November file lands and is ingested
 * whole (objects and receipt, received 06:31): 10 more referrals and 10 more connections. The uploads table was
 * written at 06:30 without it, so England's November is 6 PCNs x 10 = 60 connections and 60 referrals. (Before the fix:
 * cof_community, which reads committed_events after `episodes`, counted the late file, 70, while the referrals, from
 * the episodes table made before it landed, did not, 60: two states in one release.) Then a refresh overlapping this
 * one starts and writes the uploads table again, with the late upload (12 + 1 = 13 receipts): this refresh reads its
 * own copy of the table made at its start (committed_uploads), so still 60 and 60.
 *
 * Refresh 2 (1 December 08:00): the late file has its receipt, so it counts everywhere: 7 x 10 = 70 and 70. While it
 * runs (again right after `episodes`) U30002 re-sends its November file with each event's recorded_at a day later (a
 * correction of the same 20 event ids: a new upload id), and its ingest has written the month objects but not yet the
 * receipt (the receipt is removed right after the ingest, as if the Lambda were still running). No receipt, so none of
 * it counts: still 70 and 70. (Before the fix: the corrections landed after `superseded` had ranked the event ids,
 * so both versions of U30002's 10 connections were counted, 80, and an upload with no receipt was published.)
 */
const PCNS = ['U30001', 'U30002', 'U30003', 'U30004', 'U30005', 'U30006'] as const;
const REFERENCE = goldenReference(
  PCNS.map((pcn, i): [string, string, string] => (i < 3 ? [pcn, 'QAA', 'Y56'] : [pcn, 'QBB', 'Y58'])),
);
const connection = (pcn: string, month: string, i: number, tag: string, recordedAt: string): GoldenEvent => {
  const referralId = `R-${pcn}-${month}-${tag}${i}`;
  return {
    event_id: `C-${month}-${tag}${i}`,
    event_type: 'community_connection',
    pcn_code: pcn,
    referral_id: referralId,
    person_id: createHash('sha256').update(referralId).digest('hex'),
    occurred_on: `${month}-${String(10 + i).padStart(2, '0')}`,
    activity_category: 'arts_culture',
    provider_id: `VCSE-${i}`,
    attended: true,
    recorded_at: recordedAt,
  };
};
const referral = (pcn: string, month: string, i: number, tag: string, recordedAt: string): GoldenEvent => ({
  ...referralEvent(
    pcn,
    `R-${pcn}-${month}-${tag}${i}`,
    `${month}-${String(1 + i).padStart(2, '0')}`,
    `F-${month}-${tag}${i}`,
  ),
  recorded_at: recordedAt,
});
const monthRows = (pcn: string, month: string, tag = '', recordedAt = `${month}-28T17:00:00Z`) =>
  Array.from({ length: 10 }, (_, i) => [
    referral(pcn, month, i, tag, recordedAt),
    connection(pcn, month, i, tag, recordedAt),
  ]).flat();

const UPLOADS: Record<string, GoldenEvent[]> = Object.fromEntries(
  PCNS.flatMap((pcn) =>
    ['2026-10', '2026-11'].map((month) => [`${pcn.toLowerCase()}-${month}.csv`, monthRows(pcn, month)]),
  ),
);
const LATE: Record<string, GoldenEvent[]> = { 'u30001-2026-11-late.csv': monthRows('U30001', '2026-11', 'L') };
const RESENT: Record<string, GoldenEvent[]> = {
  'u30002-2026-11-resent.csv': monthRows('U30002', '2026-11', '', '2026-11-29T17:00:00Z'),
};

const dir = tempDir('refresh-one-state');
const data = join(dir.path, 'data');
const releases: Map<string, MetricDocument>[] = [];

/** One refresh on the clock `now`, running `during` right after its `episodes` step; its documents kept. */
async function refreshWith(now: string, during: () => Promise<void>): Promise<void> {
  const engine = new DuckDbEngine(data);
  const wrapped = new Proxy(engine, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== 'materialize') return value.bind(target);
      return async (name: string, file: string, params?: unknown[]) => {
        await value.call(target, name, file, params);
        if (name === 'episodes') await during();
      };
    },
  });
  try {
    await refreshMetrics({ store: new FsObjectStore(data), engine: wrapped, clock: () => new Date(now) });
  } finally {
    await engine.close();
  }
  const store = new FsObjectStore(data);
  const docs = new Map<string, MetricDocument>();
  for (const key of (await store.list('metrics/')).filter((k) => k.endsWith('.json'))) {
    const doc = JSON.parse(new TextDecoder().decode(await store.get(key))) as MetricDocument;
    docs.set(doc.name ?? 'meta', doc);
  }
  releases.push(docs);
}

beforeAll(async () => {
  const nextFirst = (file: string) => (basename(file).slice(7, 14) === '2026-10' ? '2026-11-01' : '2026-12-01');
  await stageReference(new FsObjectStore(data), REFERENCE);
  await ingestAllAccepted(dir.path, data, UPLOADS, (file) => new Date(`${nextFirst(file)}T05:00:00Z`));
  const late = writeEventFiles(dir.path, LATE);
  const resent = writeEventFiles(dir.path, RESENT);
  await refreshWith('2026-12-01T06:30:00Z', async () => {
    const ingested = await ingestFiles(late, {
      dataDir: data,
      out: () => {},
      progress: false,
      receivedAt: () => new Date('2026-12-01T06:31:00Z'),
    });
    expect(ingested.summary.receipts.map((r) => r.status)).toEqual(['accepted']);
    // And a refresh overlapping this one (an attempt retried while this one still runs) starts: it writes the
    // uploads table again, now with the late upload. This refresh keeps its own copy (committed_uploads).
    expect(await publishUploads(new FsObjectStore(data))).toBe(13);
  });
  await refreshWith('2026-12-01T08:00:00Z', async () => {
    const ingested = await ingestFiles(resent, {
      dataDir: data,
      out: () => {},
      progress: false,
      receivedAt: () => new Date('2026-12-01T08:01:00Z'),
    });
    expect(ingested.summary.receipts.map((r) => r.status)).toEqual(['accepted']);
    // Its objects are written; its receipt not yet (the ingest still running).
    await new FsObjectStore(data).delete(receiptKey(ingested.summary.receipts[0]?.upload_id as string));
  });
}, 240_000);
afterAll(() => dir.remove());

describe('R24-1: one refresh, one state of the data', () => {
  /** November's connections (cof_community) and referrals (rollout) of England and of U30001 and U30002. */
  const november = (release: number) => {
    const row = rowFinder(releases[release] as Map<string, MetricDocument>);
    const of = (level: string, code: string) => ({
      connections: row('cof_community', level, code, '2026-11').connections,
      referrals: row('rollout', level, code, '2026-11').referrals,
    });
    return { ENG: of('national', 'ENG'), U30001: of('pcn', 'U30001'), U30002: of('pcn', 'U30002') };
  };

  it("an upload ingested during a refresh is read by none of its steps: England's November 60 and 60", () => {
    // 6 PCNs x 10 connections, 6 x 10 referrals: the uploads received by the refresh's start (06:30), no more; U30001
    // and U30002 10 and 10 each (U30001's late file not read by any step).
    expect(november(0)).toEqual({
      ENG: { connections: 60, referrals: 60 },
      U30001: { connections: 10, referrals: 10 },
      U30002: { connections: 10, referrals: 10 },
    });
  });

  it('the next refresh reads it in every step; an upload without its receipt in none', () => {
    // U30001: its two November files, 10 + 10 = 20 connections and 20 referrals. U30002: its first file only (the
    // re-sent corrections have no receipt), 10 and 10 - not 20 connections (both versions of each event).
    // England's November stays at the published 60 and 60: its change (+10 and +10) is U30001's alone, and the
    // revisions policy holds a change made by fewer than 3 PCNs (docs/methodology.md, "Revisions of England's
    // figures"); held together, both at the earlier release's values.
    expect(november(1)).toEqual({
      ENG: { connections: 60, referrals: 60 },
      U30001: { connections: 20, referrals: 20 },
      U30002: { connections: 10, referrals: 10 },
    });
  });
});
