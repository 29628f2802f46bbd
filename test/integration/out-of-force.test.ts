import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ingestFiles } from '../../cli/commands/ingest.ts';
import type { MetaDocument, MetricDocument } from '../../functions/contract/index.ts';
import { describeOutOfForce } from '../../functions/refresh/refresh.ts';
import { runCliInProcess } from '../support/cli.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, referralEvent, refreshAndRead, rowFinder, writeEventFiles } from '../support/golden.ts';

/*
 * Red-team review 7, M10 and M7, end to end through the CLI. Events dated in a month when their PCN is not in force in
 * the reference data had no ICB or region, counted in England and in no PCN's row, and every refresh stopped ("the
 * PCNs' exact contributions do not add up"). Now they are left out of every figure, England included, and listed in
 * data_quality and the refresh log; and a reference version that takes a PCN out of force over months it has events
 * in is refused (M7), naming the PCN and the first such month.
 *
 *   PCN     ICB (region)   in force                       Apr 2025   May   Jun
 *   U00001  QAA (Y56)      from 2019-04-01                 10         10    10
 *   U00002  QAA (Y56)      from 2019-04-01                  8          8     8
 *   U00003  QBB (Y56)      from 2019-04-01                  6          6     6
 *   U00004  QBB (Y56)      from 2019-04-01                  9          9     9
 *   U00005  QCC (Y58)      from 2025-05-01 (new; sends     7*         7     7
 *                          its April history too)
 *   U00006  QCC (Y58)      to 2025-05-31 (closed; its      5          5     3*
 *                          system sends June too)
 *   (* not in force: in no figure.)
 * England: April 10 + 8 + 6 + 9 + 5 = 38; May 10 + 8 + 6 + 9 + 7 + 5 = 45; June 10 + 8 + 6 + 9 + 7 = 40; the year
 * 2025/26 so far 38 + 45 + 40 = 123. PCNs submitting (in force): April 5, May 6, June 5.
 * data_quality: U00005 7 events (rounded up to 10) in 1 month, 2025-04; U00006 3 (rounded up to 5) in 2025-06.
 * Workforce snapshots (one link worker, FTE 1, and no coach or care coordinator: 3 rows a month) from U00001, U00005
 * and U00006 for April, May and June: U00005's April and U00006's June are of months it was not in force, in no
 * figure and listed (3 snapshot rows each, exact). England's link worker FTE: April U00001 + U00006 = 2 (2 PCNs
 * reporting), May 3 (3), June U00001 + U00005 = 2 (2).
 */
const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to';
const U1 = 'U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,';
const U2 = 'U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,';
const U3 = 'U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,';
const U4 = 'U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,';
const U5 = 'U00005,Echo PCN,QCC,NHS Charlie ICB,Y58,South West,30000,2025-05-01,';
const U6 = 'U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,2025-05-31';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

const COUNTS: Record<string, Record<string, number>> = {
  '2025-04': { U00001: 10, U00002: 8, U00003: 6, U00004: 9, U00005: 7, U00006: 5 },
  '2025-05': { U00001: 10, U00002: 8, U00003: 6, U00004: 9, U00005: 7, U00006: 5 },
  '2025-06': { U00001: 10, U00002: 8, U00003: 6, U00004: 9, U00005: 7, U00006: 3 },
};
const uploads = Object.fromEntries(
  Object.entries(COUNTS).flatMap(([month, counts]) =>
    Object.entries(counts).map(([pcn, n]) => [
      `${pcn}-events-${month}.csv`,
      Array.from(
        { length: n },
        (_, i): GoldenEvent => referralEvent(pcn, `${pcn}-${month}-${i}`, `${month}-1${i % 9}`),
      ),
    ]),
  ),
);

const SNAPSHOTS = ['U00001', 'U00005', 'U00006'].flatMap((pcn) =>
  Object.keys(COUNTS).map((month) => [
    `${pcn}-workforce-${month}.csv`,
    'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\n' +
      `${pcn},${month},splw,1,1,,\n${pcn},${month},hwbc,0,0,,\n${pcn},${month},cc,0,0,,\n`,
  ]),
);

const dir = tempDir('out-of-force');
const dataDir = join(dir.path, 'data');
afterAll(() => dir.remove());
const referenceKeys = () => readdirSync(join(dataDir, 'reference', 'pcns')).sort();
const stage = (name: string, text: string) => {
  const file = join(dir.path, name);
  writeFileSync(file, text);
  return { file, run: () => runCliInProcess('reference', file, '--data', dataDir) };
};

describe('events dated when their PCN is not in force (review 7, M10; M7), through the CLI', () => {
  it('are left out of every figure, England included, and listed; a version that uncovers events is refused', async () => {
    expect((await stage('pcns.csv', csv(U1, U2, U3, U4, U5, U6)).run()).code).toBe(0);
    const [inForce] = referenceKeys();
    const inDir = join(dir.path, 'in');
    mkdirSync(inDir, { recursive: true });
    const files = writeEventFiles(inDir, uploads);
    for (const [name, text] of SNAPSHOTS) {
      writeFileSync(join(inDir, name as string), text as string);
      files.push(join(inDir, name as string));
    }
    const { exitCode } = await ingestFiles(files, {
      dataDir,
      out: () => {},
      progress: false,
    });
    expect(exitCode).toBe(0);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const docs = new Map<string, MetricDocument>();
    try {
      await refreshAndRead(dataDir, new Date('2025-07-10T00:00:00Z'), docs);
      // The refresh names each PCN with its months and exact counts, and publishes (before: it threw).
      expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('not in force'))).toEqual([
        'refresh: events dated in a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): U00005: 2025-04 (7); U00006: 2025-06 (3). Correct the dates at the PCN, or stage a reference version that has the PCN in force then (`reference FILE`).\n' +
          'refresh: workforce snapshots of a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): U00005: 2025-04 (3 rows); U00006: 2025-06 (3 rows). Correct the snapshot month at the PCN, or stage a reference version that has the PCN in force then (`reference FILE`).',
      ]);
    } finally {
      warn.mockRestore();
    }
    expect((docs.get('meta') as unknown as MetaDocument).generated_at).toBe('2025-07-10T00:00:00.000Z');
    const row = rowFinder(docs);
    expect(row('rollout', 'national', 'ENG', '2025-04')).toMatchObject({ referrals: 38, pcns_submitting: 5 });
    expect(row('rollout', 'national', 'ENG', '2025-05')).toMatchObject({ referrals: 45, pcns_submitting: 6 });
    expect(row('rollout', 'national', 'ENG', '2025-06')).toMatchObject({ referrals: 40, pcns_submitting: 5 });
    expect(row('rollout', 'national', 'ENG', '2025/26').referrals).toBe(123);
    // London (U00001-U00004) is untouched: 33 a month, 99, published rounded to 5 below England; the South West
    // (U00005 and U00006) 5 + 12 + 7 = 24, rounded to 25: no area "UNKNOWN" anywhere.
    expect(row('rollout', 'region', 'Y56', '2025/26').referrals).toBe(100);
    expect(row('rollout', 'region', 'Y58', '2025/26').referrals).toBe(25);
    for (const doc of docs.values())
      expect(
        (doc.rows ?? []).filter((r) => String(r.code) === 'UNKNOWN'),
        doc.name,
      ).toEqual([]);
    // Workforce: the snapshots out of force in no figure, England included.
    const workforce = (month: string) => {
      const { pcns_reporting, splw_fte } = row('workforce', 'national', 'ENG', month);
      return [pcns_reporting, splw_fte];
    };
    // England's months are made by 2, 3 and 2 PCNs of one link worker each: held as no figure (fewer than 3 PCNs, or
    // no more than one link worker each: review 28, R28-1). Had U00005's April or U00006's June counted, April and June
    // would be made by 3 PCNs as May is, and held the same: the exclusion is shown by the refresh's line above and
    // data_quality's listing below, not by these figures.
    expect(['2025-04', '2025-05', '2025-06'].map(workforce)).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
    const snapshotsListed = (code: string) => {
      const r = row('data_quality', 'pcn', code, 'all');
      return [
        r.snapshot_rows_out_of_force,
        r.snapshot_months_out_of_force,
        r.first_snapshot_month_out_of_force,
        r.last_snapshot_month_out_of_force,
      ];
    };
    expect(snapshotsListed('U00005')).toEqual([3, 1, '2025-04', '2025-04']);
    expect(snapshotsListed('U00006')).toEqual([3, 1, '2025-06', '2025-06']);
    expect(snapshotsListed('U00001')).toEqual([0, 0, null, null]);
    const listed = (code: string) => {
      const { events_out_of_force, months_out_of_force, first_month_out_of_force, last_month_out_of_force } = row(
        'data_quality',
        'pcn',
        code,
        'all',
      );
      return { events_out_of_force, months_out_of_force, first_month_out_of_force, last_month_out_of_force };
    };
    expect(listed('U00005')).toEqual({
      events_out_of_force: 10,
      months_out_of_force: 1,
      first_month_out_of_force: '2025-04',
      last_month_out_of_force: '2025-04',
    });
    expect(listed('U00006')).toEqual({
      events_out_of_force: 5,
      months_out_of_force: 1,
      first_month_out_of_force: '2025-06',
      last_month_out_of_force: '2025-06',
    });
    // Its last month reported is its last month open (May), not June's late export (review 7, M5); U00005's is June.
    expect(row('data_quality', 'pcn', 'U00006', 'all').last_month_reported).toBe('2025-05');
    expect(row('data_quality', 'pcn', 'U00005', 'all').last_month_reported).toBe('2025-06');
    expect(listed('U00001')).toEqual({
      events_out_of_force: 0,
      months_out_of_force: 0,
      first_month_out_of_force: null,
      last_month_out_of_force: null,
    });

    // M7: a version dated from one extract (U00001 "from" 2025-05-01) takes U00001 out of force in April, when it has
    // events and the version in force has it in force: refused, naming the PCN, its row and the first month.
    const redated = stage(
      'pcns-redated.csv',
      csv('U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2025-05-01,', U2, U3, U4, U5, U6),
    );
    expect(await redated.run()).toEqual({
      code: 1,
      stdout: '',
      stderr: `${redated.file}: PCN U00001 (row 2) has accepted events dated 2025-04, when the version in force, reference/pcns/${inForce}, has it in force and this file does not (on 2025-04-01); a PCN must stay in force on the first day of every month it has events, or those events are left out of every figure: keep its valid_from no later than its first month with events and its valid_to (for a PCN that closed) no earlier than the last day of its last such month, as the version in force has them (or, where the PCN truly was not in force then, name it with --allow-out-of-force: its events there are then left out of every figure and listed); nothing was staged\n`,
    });
    // Closing U00003 early (30 April: May and June have its events) is refused the same way, from its first month.
    const closed = stage(
      'pcns-closed.csv',
      csv(U1, U2, 'U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,2025-04-30', U4, U5, U6),
    );
    const refused = await closed.run();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `${closed.file}: PCN U00003 (row 4) has accepted events dated 2025-05 and 1 later month, when the version in force`,
    );
    expect(referenceKeys()).toEqual([inForce]);
    // Closing U00003 at the end of June keeps every month it has events in: staged.
    const kept = stage(
      'pcns-kept.csv',
      csv(U1, U2, 'U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,2025-06-30', U4, U5, U6),
    );
    expect((await kept.run()).code).toBe(0);
    expect(referenceKeys()).toHaveLength(2);
    // R21-2: the explicit override. Closing U00003 on 30 April again, naming it with --allow-out-of-force: staged,
    // and the PCN let through is printed with its months (May and June have its events).
    const before = referenceKeys();
    const allowed = await runCliInProcess(
      'reference',
      closed.file,
      '--allow-out-of-force',
      'U00003',
      '--data',
      dataDir,
    );
    const staged = referenceKeys().find((k) => !before.includes(k));
    expect(referenceKeys()).toHaveLength(3);
    expect(allowed).toEqual({
      code: 0,
      stdout:
        `reference/pcns/${staged}: PCN U00003 (row 4) is out of force in 2025-05 and 2025-06, where it has accepted events, when the version in force has it in force: allowed by --allow-out-of-force; those events are left out of every figure and listed in data_quality\n` +
        `staged reference/pcns/${staged}; it is used from the next refresh\n`,
      stderr: '',
    });
  }, 300_000);

  it('the refresh log lines: nothing when every event and snapshot is in force; each PCN once, its months in order', () => {
    expect(describeOutOfForce([])).toBeUndefined();
    expect(
      describeOutOfForce([
        { pcn_code: 'U00002', month: '2025-01', events: 4n },
        { pcn_code: 'U00002', month: '2025-03', events: 1 },
        { pcn_code: 'U00009', month: '2024-12', events: 12 },
      ]),
    ).toBe(
      'refresh: events dated in a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): U00002: 2025-01 (4), 2025-03 (1); U00009: 2024-12 (12). Correct the dates at the PCN, or stage a reference version that has the PCN in force then (`reference FILE`).',
    );
    // Snapshots only (a month's events 0 there): the snapshot line alone; none of either: nothing.
    expect(
      describeOutOfForce([
        { pcn_code: 'U00003', month: '2025-02', events: 0, snapshot_rows: 3n },
        { pcn_code: 'U00003', month: '2025-03', events: 0, snapshot_rows: 2 },
      ]),
    ).toBe(
      'refresh: workforce snapshots of a month when their PCN is not in force in the reference data are left out of every figure, England included (data_quality lists them): U00003: 2025-02 (3 rows), 2025-03 (2 rows). Correct the snapshot month at the PCN, or stage a reference version that has the PCN in force then (`reference FILE`).',
    );
    expect(describeOutOfForce([{ pcn_code: 'U00003', month: '2025-02', events: 0, snapshot_rows: 0 }])).toBeUndefined();
  });
});
