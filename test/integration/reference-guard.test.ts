import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetaDocument, MetricDocument, MetricRow } from '../../functions/contract/index.ts';
import { runCliInProcess } from '../support/cli.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, refreshAndRead, writeEventFiles } from '../support/golden.ts';

/*
 * Review 5, G8 end to end through the CLI: a reference file that no longer lists a PCN which has sent events made
 * every later refresh stop ("the PCNs' exact contributions do not add up to England's figure"). Now `reference FILE`
 * refuses it, names the file, the PCN and its row in the version in force and the remedy, and stages nothing; the
 * next refresh runs on the version in force. The remedy (the PCN kept, closed with its valid_to, here as a merge into
 * another PCN) is staged, and the refresh after it runs too.
 *
 *   PCN     ICB (region)   list                   Apr 2025   May   Jun   Jul
 *   U00001  QAA (Y56)      30,000; 50,000 from    10         10    10    12
 *                          Jul (U00002 merged)
 *   U00002  QAA (Y56)      20,000; closed 30 Jun   8          8     8     -
 *   U00003  QBB (Y56)      15,000                  6          6     6     5
 *   U00004  QBB (Y56)      25,000                  9          9     9     9
 *   U00005  QCC (Y58)      30,000                  7          7     7     7
 *   U00006  QCC (Y58)      20,000                  5          5     5     6
 * England: 45 a month to June; July 12 + 5 + 9 + 7 + 6 = 39.
 */
const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to';
const U1 = 'U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,';
const U2 = 'U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,';
const U3 = 'U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,';
const U4 = 'U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,';
const U5 = 'U00005,Echo PCN,QCC,NHS Charlie ICB,Y58,South West,30000,2019-04-01,';
const U6 = 'U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

const REFERRALS: Record<string, number> = { U00001: 10, U00002: 8, U00003: 6, U00004: 9, U00005: 7, U00006: 5 };
const JULY: Record<string, number> = { U00001: 12, U00003: 5, U00004: 9, U00005: 7, U00006: 6 };
/** One file per PCN and month, as a PCN sends them. */
const uploads = (month: string, counts: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(counts).map(([pcn, n]) => [
      `${pcn}-events-${month}.csv`,
      Array.from(
        { length: n },
        (_, i): GoldenEvent => referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-1${i % 9}`),
      ),
    ]),
  );

const dir = tempDir('reference-guard');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());

const referenceKeys = () => {
  try {
    return readdirSync(join(dataDir, 'reference', 'pcns')).sort();
  } catch {
    return [];
  }
};
async function ingest(name: string, files: Record<string, GoldenEvent[]>): Promise<void> {
  const inDir = join(dir.path, name);
  mkdirSync(inDir, { recursive: true });
  const { exitCode } = await ingestFiles(writeEventFiles(inDir, files), { dataDir, out: () => {}, progress: false });
  expect(exitCode).toBe(0);
}
async function refresh(now: string): Promise<Map<string, MetricDocument>> {
  const docs = new Map<string, MetricDocument>();
  await refreshAndRead(dataDir, new Date(now), docs);
  return docs;
}
const englandReferrals = (docs: Map<string, MetricDocument>, period: string) => {
  const found = docs.get('rollout')?.rows.filter((r) => r.level === 'national' && r.period === period) ?? [];
  expect(found).toHaveLength(1);
  return (found[0] as MetricRow).referrals;
};
const stage = (name: string, text: string) => {
  const file = join(dir.path, name);
  writeFileSync(file, text);
  return { file, run: () => runCliInProcess('reference', file, '--data', dataDir) };
};

describe('a reference file that drops a PCN with events (review 5 G8), through the CLI', () => {
  it('is refused, stages nothing, and the next refreshes run; kept closed (a merge), it is staged', async () => {
    const first = await stage('pcns.csv', csv(U1, U2, U3, U4, U5, U6)).run();
    expect(first.code).toBe(0);
    const [inForce] = referenceKeys();
    await ingest('in-apr-may', { ...uploads('2025-04', REFERRALS), ...uploads('2025-05', REFERRALS) });
    const r0 = await refresh('2025-06-10T00:00:00Z');
    expect(englandReferrals(r0, '2025-05')).toBe(45);

    // A hand-made file of "the PCNs in force" without U00006, which has sent events (the review's r1ref).
    const dropped = stage('pcns-in-force.csv', csv(U1, U2, U3, U4, U5));
    const refused = await dropped.run();
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `${dropped.file}: the version in force, reference/pcns/${inForce}, lists PCN U00006 (row 7), which this file does not have; a reference version must keep every PCN of the version in force and every PCN that has sent events, or every later refresh stops (England counts a PCN's events, and they need its place): keep each one's rows, closed with valid_to (the last day it was in force), as \`reference import\` does; nothing was staged\n`,
    });
    expect(referenceKeys()).toEqual([inForce]);

    // The next refresh runs (before the fix it stopped: England's count had U00006's events, the PCNs' sum not).
    await ingest('in-jun', uploads('2025-06', REFERRALS));
    const r1 = await refresh('2025-07-10T00:00:00Z');
    expect((r1.get('meta') as unknown as MetaDocument).generated_at).toBe('2025-07-10T00:00:00.000Z');
    expect(englandReferrals(r1, '2025-06')).toBe(45);

    // U00002 merges into U00001 from July: U00002 kept, closed on 30 June; U00001 a new version with both lists.
    const merged = stage(
      'pcns-merged.csv',
      csv(
        'U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,2025-06-30',
        'U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,50000,2025-07-01,',
        'U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,2025-06-30',
        U3,
        U4,
        U5,
        U6,
      ),
    );
    const accepted = await merged.run();
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(
      /^staged reference\/pcns\/\d{8}T\d{6}-[0-9a-f]{8}\.csv; it is used from the next refresh\n$/,
    );
    expect(referenceKeys()).toHaveLength(2);
    await ingest('in-jul', uploads('2025-07', JULY));
    const r2 = await refresh('2025-08-10T00:00:00Z');
    expect((r2.get('meta') as unknown as MetaDocument).generated_at).toBe('2025-08-10T00:00:00.000Z');
    // July: 12 + 5 + 9 + 7 + 6; June's 45 (U00002's 8 in it) is still England's.
    expect(englandReferrals(r2, '2025-07')).toBe(39);
    expect(englandReferrals(r2, '2025-06')).toBe(45);
  }, 300_000);
});
