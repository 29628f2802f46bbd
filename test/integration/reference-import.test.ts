import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { describeImport, runReferenceExport } from '../../cli/commands/reference.ts';
import { PCN_REFERENCE_COLUMNS, type PcnReferenceRow } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { ReferenceDataError, stageReference } from '../../functions/lib/reference-versions.ts';
import { S3ObjectStore } from '../../functions/lib/s3-object-store.ts';
import { inForceOn } from '../../functions/reference/history.ts';
import {
  ExtractRefusedError,
  importExtract,
  readIcbChanges,
  referenceRowsInStore,
  toCsv,
} from '../../functions/reference/import.ts';
import { PublicationError, readExtract } from '../../functions/reference/publication.ts';
import { runCliInProcess } from '../support/cli.ts';
import { tempDirs } from '../support/files.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';
import { startLocalS3 } from '../support/s3.ts';

const DIR = join(import.meta.dirname, '../../reference-data/nhs-digital');
const file = (name: string) => ({ name, text: readFileSync(join(DIR, name), 'utf8') });
const extractOf = (month: '2025-04' | '2025-12') =>
  readExtract(file(`gp-reg-pat-prac-map-${month}.csv`), file(`gp-reg-pat-prac-all-${month}.csv`));
const APRIL = extractOf('2025-04');
const DECEMBER = extractOf('2025-12');

/** The remedy a refused version is told (review 5 G8), written here from the rule. */
const KEEP =
  "a reference version must keep every PCN of the version in force and every PCN that has sent events, or every later refresh stops (England counts a PCN's events, and they need its place): keep each one's rows, closed with valid_to (the last day it was in force), as `reference import` does; nothing was staged";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const sum = (rows: readonly PcnReferenceRow[]) => rows.reduce((total, r) => total + r.list_size, 0);
const snapshot = (store: MemoryObjectStore) =>
  new Map([...store.objects].map(([key, bytes]) => [key, Buffer.from(bytes).toString('hex')]));

let store: MemoryObjectStore;
beforeEach(() => {
  store = new MemoryObjectStore();
});

describe('reference import of NHS Digital extracts', () => {
  it("sums each PCN's list from its practices; practices in U belong to no PCN", async () => {
    const result = await importExtract(store, DECEMBER);
    const rows = await referenceRowsInStore(store);

    // README: 63,936,682 patients in 6,196 practices; the 73 practices with PCN_CODE U hold 244,011 of them
    // (summed by hand with awk over the December mapping and totals files).
    expect(result.practices).toBe(6_196);
    expect(result.unallocatedPractices).toBe(73);
    expect(result.unallocatedPatients).toBe(244_011);
    expect(rows).toHaveLength(1_297);
    expect(sum(rows)).toBe(63_936_682 - 244_011);
    // West Merton PCN: Francis Grove Surgery (H85026, 14,985) and Lambton Road Medical Practice (H85051, 18,596).
    expect(rows.find((r) => r.pcn_code === 'U00070')).toEqual({
      pcn_code: 'U00070',
      pcn_name: 'WEST MERTON PCN',
      icb_code: 'QWE',
      icb_name: 'NHS South West London Integrated Care Board',
      region_code: 'Y56',
      region_name: 'London',
      list_size: 14_985 + 18_596,
      valid_from: '2025-12-01',
    });
  });

  it('turns April then December into versions: 42 practice moves, 3 closures and 10 openings', async () => {
    await importExtract(store, APRIL, { historyFrom: '2019-07' });
    const result = await importExtract(store, DECEMBER);
    const rows = await referenceRowsInStore(store);
    const versions = (code: string) => rows.filter((r) => r.pcn_code === code);

    // The README's facts; the codes are the set differences of the two files' PCN_CODE columns.
    const closed = ['U13621', 'U46082', 'U63454'];
    const opened = ['U06272', 'U11490', 'U17837', 'U29398', 'U34375', 'U42699', 'U42936', 'U68335', 'U79546', 'U84178'];
    expect(result.changes.since).toBe('2025-04');
    // Not refused as a version dropping PCNs (review 5 G8): the closed ones are kept, with their valid_to.
    expect(result.staged).toMatch(/^reference\/pcns\/\d{8}T\d{6}-[0-9a-f]{8}\.csv$/);
    expect(result.kept).toEqual([]);
    expect(result.changes.closed).toEqual(closed);
    expect(result.changes.opened).toEqual(opened);
    expect(result.changes.practicesMoved).toHaveLength(42);
    expect(result.changes.practicesClosed).toBe(6_239 - 6_196);

    for (const code of closed)
      expect(versions(code).map((r) => [r.valid_from, r.valid_to])).toEqual([['2019-07-01', '2025-11-30']]);
    for (const code of opened)
      expect(versions(code).map((r) => [r.valid_from, r.valid_to])).toEqual([['2025-12-01', undefined]]);
    // A87022 moved from U95193 to U02739: both PCNs' lists changed, so each has a version from December.
    for (const code of ['U95193', 'U02739'])
      expect(versions(code).map((r) => [r.valid_from, r.valid_to])).toEqual([
        ['2019-07-01', '2025-11-30'],
        ['2025-12-01', undefined],
      ]);
    const april = inForceOn(rows, '2025-11-30');
    const december = inForceOn(rows, '2025-12-01');
    expect(april).toHaveLength(1_290);
    expect(december).toHaveLength(1_297);
    expect(sum(december)).toBe(63_936_682 - 244_011);
    expect(new Set(rows.map((r) => r.pcn_code)).size).toBe(1_290 + 10);
    // 1,285 of the 1,287 PCNs in both extracts changed list size (so they have two versions); 2 did not.
    expect(result.changes.listChanged).toHaveLength(1_285);
    expect(rows).toHaveLength(1_300 + result.changes.listChanged.length);
  });

  it('reads either published date form: 01Dec2025 and 2025-12-01 give the same reference', async () => {
    const iso = (name: string) => ({ name, text: file(name).text.replaceAll(',01Dec2025,', ',2025-12-01,') });
    const other = new MemoryObjectStore();
    await importExtract(store, DECEMBER);
    await importExtract(
      other,
      readExtract(iso('gp-reg-pat-prac-map-2025-12.csv'), iso('gp-reg-pat-prac-all-2025-12.csv')),
    );
    expect(await referenceRowsInStore(other)).toEqual(await referenceRowsInStore(store));
  });

  it('changes nothing when the same extract is imported again', async () => {
    await importExtract(store, APRIL);
    await importExtract(store, DECEMBER);
    const before = snapshot(store);
    const again = await importExtract(store, DECEMBER);
    expect(again.unchanged).toBe(true);
    expect(again.staged).toBeUndefined();
    expect(snapshot(store)).toEqual(before);
  });

  it('refuses an extract older than the latest imported, and keeps the reference as it was', async () => {
    await importExtract(store, DECEMBER);
    const before = snapshot(store);
    const refused = importExtract(store, APRIL);
    await expect(refused).rejects.toThrow(ExtractRefusedError);
    await expect(importExtract(store, APRIL)).rejects.toThrow(
      'the extract of 2025-04 is older than the latest imported, 2025-12',
    );
    expect(snapshot(store)).toEqual(before);
  });

  it('applies ICB changes (mergers) as new versions from their month, and exports what is in force on a date', async () => {
    await importExtract(store, DECEMBER, {
      icbChanges: readIcbChanges(
        'mergers.csv',
        'old_icb_code,new_icb_code,new_icb_name,effective_month\nQWE,QX1,NHS South London Integrated Care Board,2026-04\nQKK,QX1,NHS South London Integrated Care Board,2026-04\n',
      ),
    });
    const rows = await referenceRowsInStore(store);
    const inDecember = inForceOn(rows, '2026-03-31');
    const inApril = inForceOn(rows, '2026-04-01');
    const moved = inDecember.filter((r) => r.icb_code === 'QWE' || r.icb_code === 'QKK');
    expect(moved.length).toBeGreaterThan(20);
    expect(inApril.filter((r) => r.icb_code === 'QX1').map((r) => r.pcn_code)).toEqual(moved.map((r) => r.pcn_code));
    expect(inApril.some((r) => r.icb_code === 'QWE' || r.icb_code === 'QKK')).toBe(false);
    expect(rows.find((r) => r.pcn_code === 'U00070' && r.valid_from === '2026-04-01')).toMatchObject({
      icb_code: 'QX1',
      icb_name: 'NHS South London Integrated Care Board',
      list_size: 33_581,
    });

    const out = join(dirs.make('reference-export'), 'pcns.csv');
    expect(await runReferenceExport(store, '2026-04-01', out)).toBe(1_297);
    const exported = Papa.parse<Record<string, string>>(readFileSync(out, 'utf8'), {
      header: true,
      skipEmptyLines: true,
    });
    expect(exported.meta.fields).toEqual(PCN_REFERENCE_COLUMNS);
    expect(exported.data.find((r) => r.pcn_code === 'U00070')).toEqual({
      pcn_code: 'U00070',
      pcn_name: 'WEST MERTON PCN',
      icb_code: 'QX1',
      icb_name: 'NHS South London Integrated Care Board',
      region_code: 'Y56',
      region_name: 'London',
      list_size: '33581',
      valid_from: '2026-04-01',
      valid_to: '',
    });
  });
});

describe('reference import over a version staged by hand (review 5 G8: a version keeps every PCN)', () => {
  // A hand-made version before the first import: U13621 (in the April extract), U99901 (in no extract, in force since
  // 2019) and U99902 (in no extract, from January 2026).
  const HAND = `${PCN_REFERENCE_COLUMNS.join(',')}
U13621,South Dales PCN,QJ2,NHS Derby and Derbyshire ICB,Y60,Midlands,30000,2019-04-01,
U99901,Old PCN,QJ2,NHS Derby and Derbyshire ICB,Y60,Midlands,20000,2019-04-01,
U99902,New PCN,QJ2,NHS Derby and Derbyshire ICB,Y60,Midlands,10000,2026-01-01,
`;
  const rowsOf = (rows: readonly PcnReferenceRow[], code: string) =>
    rows.filter((r) => r.pcn_code === code).map((r) => [r.list_size, r.valid_from, r.valid_to]);

  it('keeps the PCNs no extract has (in force when the history starts: closed the day before), and says so', async () => {
    await stageReference(store, HAND, new Date('2025-05-01T00:00:00Z'), 'hand.csv');
    const april = await importExtract(store, APRIL, { historyFrom: '2019-07', now: new Date('2025-06-01T00:00:00Z') });
    expect(april.kept).toEqual(['U99901', 'U99902']);
    expect(describeImport(april)).toContain(
      "kept 2 PCNs of the version in force that no imported extract has (U99901, U99902); those in force when the extracts' history starts are closed the day before",
    );
    const rows = await referenceRowsInStore(store);
    // The extracts replace the hand-made U13621 (list 32,870: its 4 practices in April, as the CLI test's row 381).
    expect(rowsOf(rows, 'U13621')).toEqual([[32_870, '2019-07-01', undefined]]);
    expect(rowsOf(rows, 'U99901')).toEqual([[20_000, '2019-04-01', '2019-06-30']]);
    expect(rowsOf(rows, 'U99902')).toEqual([[10_000, '2026-01-01', undefined]]);
    expect(rows).toHaveLength(1_290 + 2);

    // The next real extract is not refused either: December closes U13621 and keeps the two as they are.
    const december = await importExtract(store, DECEMBER, { now: new Date('2025-12-05T00:00:00Z') });
    // A new version staged beside April's (not refused, not a no-op): its key is the staging time and text's hash.
    expect(december.staged).toMatch(/^reference\/pcns\/\d{8}T\d{6}-[0-9a-f]{8}\.csv$/);
    expect(december.staged).not.toBe(april.staged);
    expect(december.kept).toEqual(['U99901', 'U99902']);
    const after = await referenceRowsInStore(store);
    expect(rowsOf(after, 'U13621')).toEqual([[32_870, '2019-07-01', '2025-11-30']]);
    expect(rowsOf(after, 'U99901')).toEqual([[20_000, '2019-04-01', '2019-06-30']]);
  });
});

describe('reference import into the data bucket (--bucket)', () => {
  it('refuses in S3 as on disk: `reference FILE --bucket` (stageReference) and `reference import --bucket` (importExtract)', async () => {
    const s3 = await startLocalS3();
    try {
      await s3.createBucket('data');
      const bucket = new S3ObjectStore(s3.client, 'data');
      await importExtract(bucket, APRIL);
      await importExtract(bucket, DECEMBER);
      // A PCN that has sent events, in no version: its receipt as the ingest writes it into the bucket.
      await bucket.put(
        `receipts/U99903-${'0'.repeat(32)}.json`,
        JSON.stringify({ pcn_code: 'U99903', kind: 'events', rows: { accepted: 2 }, partitions: { '2025-10': 2 } }),
      );
      const keys = await bucket.list('reference/');
      const [inForce] = keys.filter((k) => k.startsWith('reference/pcns/')).slice(-1);
      const every = toCsv(PCN_REFERENCE_COLUMNS, await referenceRowsInStore(bucket));
      const withoutU13621 = every
        .split('\n')
        .filter((line) => !line.startsWith('U13621,'))
        .join('\n');
      await expect(stageReference(bucket, withoutU13621, new Date(), 'hand.csv')).rejects.toThrow(
        new ReferenceDataError('hand.csv', [
          `the version in force, ${inForce}, lists PCN U13621 (row 381), which this file does not have; ${KEEP}`,
          `PCN U99903 (events from 2025-10) has sent events but is in neither this file nor the version in force; ${KEEP}`,
        ]),
      );
      // The import builds from the extracts, which never had U99903: refused too, naming the key it would have used.
      await expect(importExtract(bucket, DECEMBER, { historyFrom: '2019-07' })).rejects.toThrow(
        `has sent events but is in neither this file nor the version in force; ${KEEP}`,
      );
      // Nothing staged by either (the import keeps its settings and extracts, which make the same version next time).
      expect((await bucket.list('reference/')).filter((k) => k.startsWith('reference/pcns/'))).toEqual(
        keys.filter((k) => k.startsWith('reference/pcns/')),
      );
    } finally {
      await s3.stop();
    }
  });

  it('keeps the same keys in S3 (s3rver on loopback): imports, re-imports as a no-op, and reads back', async () => {
    const s3 = await startLocalS3();
    try {
      await s3.createBucket('data');
      const bucket = new S3ObjectStore(s3.client, 'data');
      await importExtract(bucket, APRIL);
      const first = await importExtract(bucket, DECEMBER);
      expect(first.staged).toMatch(/^reference\/pcns\/\d{8}T\d{6}-[0-9a-f]{8}\.csv$/);
      const keys = await bucket.list('reference/');
      expect(keys.filter((k) => k.startsWith('reference/extracts/'))).toEqual([
        'reference/extracts/2025-04.csv',
        'reference/extracts/2025-12.csv',
      ]);
      expect((await importExtract(bucket, DECEMBER)).unchanged).toBe(true);
      expect(await bucket.list('reference/')).toEqual(keys);
      expect(inForceOn(await referenceRowsInStore(bucket), '2025-12-01')).toHaveLength(1_297);
    } finally {
      await s3.stop();
    }
  });
});

describe('a broken extract', () => {
  const problemsOf = (map: string, list: string) => {
    try {
      readExtract({ name: 'map.csv', text: map }, { name: 'list.csv', text: list });
    } catch (error) {
      if (error instanceof PublicationError) return error.problems;
      throw error;
    }
    return [];
  };
  const MAP = file('gp-reg-pat-prac-map-2025-12.csv').text;
  const LIST = file('gp-reg-pat-prac-all-2025-12.csv').text;
  const lines = (text: string) => text.split('\n');
  const edit = (text: string, line: number, from: string, to: string) =>
    lines(text)
      .map((l, i) => (i === line - 1 ? l.replace(from, to) : l))
      .join('\n');

  it('names the file, line and column of every bad cell, and never the value', () => {
    const map = edit(edit(MAP, 5, ',U', ',X'), 7, ',QHM,', ',Q1,');
    const list = edit(LIST, 9, /,\d+\r?$/.exec(lines(LIST)[8] as string)?.[0] as string, ',many');
    const problems = problemsOf(map, list);
    expect(problems).toEqual([
      'list.csv, line 9, column NUMBER_OF_PATIENTS: must be a whole number, 0 or more',
      'map.csv, line 5, column PCN_CODE: must be U followed by 5 digits, or U for a practice in no PCN',
      'map.csv, line 7, column ICB_CODE: must be an ICB code such as QWE',
      // the practice whose list was unreadable is then missing from the totals
      `map.csv, line 9, column PRACTICE_CODE: practice not in the totals file list.csv`,
    ]);
  });

  it('refuses a missing column, an unreadable date, and two extracts mixed', () => {
    expect(problemsOf(MAP.replace('PCN_CODE', 'PCN'), LIST)).toEqual([
      'map.csv, line 1, column PCN_CODE: missing from the header',
    ]);
    expect(problemsOf(edit(MAP, 3, '01Dec2025', '15Dec2025'), LIST)).toEqual([
      'map.csv, line 3, column EXTRACT_DATE: must be a first of the month as 01Dec2025 or 2025-12-01',
    ]);
    expect(problemsOf(MAP, LIST.replaceAll('01Dec2025', '01Nov2025'))).toEqual([
      'EXTRACT_DATE: the files hold more than one extract (2025-11 at list.csv, line 2, 2025-12 at map.csv, line 2)',
    ]);
  });
});

describe('the reference command', () => {
  // The installed command as a child process once (the broken file: its exit code and standard error); the other
  // commands run the same cli/bin.ts in the worker, since each child spent seconds loading modules.
  const run = promisify(execFile);
  const child = (...args: string[]) =>
    run(process.execPath, [join(import.meta.dirname, '../../cli/sp-outcomes.js'), ...args], { encoding: 'utf8' });
  const cli = async (...args: string[]) => {
    const result = await runCliInProcess(...args);
    expect(result.code).toBe(0); // as execFile rejects a child's non-zero exit
    return result;
  };

  it('prints what changed, says what is wrong in a broken file, and keeps `reference FILE` working', async () => {
    const dir = dirs.make('reference-cli');
    const data = join(dir, 'data');
    const april = await cli(
      'reference',
      'import',
      join(DIR, 'gp-reg-pat-prac-map-2025-04.csv'),
      join(DIR, 'gp-reg-pat-prac-all-2025-04.csv'),
      '--data',
      data,
    );
    expect(april.stdout.split('\n')[0]).toBe(
      'extract 2025-04: 6,239 practices, 1,290 PCNs with 63,484,921 registered patients; 81 practices in no PCN with 284,928 patients',
    );
    const december = await cli(
      'reference',
      'import',
      join(DIR, 'gp-reg-pat-prac-map-2025-12.csv'),
      join(DIR, 'gp-reg-pat-prac-all-2025-12.csv'),
      '--data',
      data,
    );
    expect(december.stdout).toContain(
      'since 2025-04: 10 PCNs opened (U06272, U11490, U17837, U29398, U34375, U42699, U42936, U68335, U79546, U84178), 3 closed (U13621, U46082, U63454), ',
    );
    expect(december.stdout).toContain('42 practices moved PCN');

    const broken = join(dir, 'broken.csv');
    writeFileSync(
      broken,
      readFileSync(join(DIR, 'gp-reg-pat-prac-map-2025-12.csv'), 'utf8').replace('PCN_NAME', 'NAME'),
    );
    const failed = await child(
      'reference',
      'import',
      broken,
      join(DIR, 'gp-reg-pat-prac-all-2025-12.csv'),
      '--data',
      data,
    ).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: 'broken.csv, line 1, column PCN_NAME: missing from the header\n' });

    // Two versions of one PCN in force on the same days: refused, naming the file and the rows, and nothing staged.
    const overlapping = join(dir, 'overlapping.csv');
    const exportedLines = await cli('reference', 'export', '--on', '2025-12-01', '--out', overlapping, '--data', data);
    expect(exportedLines.code).toBe(0);
    const lines = readFileSync(overlapping, 'utf8').trimEnd().split('\n');
    writeFileSync(overlapping, `${[...lines, lines[1]].join('\n')}\n`);
    const before = await referenceRowsInStore(new FsObjectStore(data));
    const refused = await runCliInProcess('reference', overlapping, '--data', data);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `${overlapping}: rows 2 and ${lines.length + 1}, fields valid_from and valid_to: two versions of PCN ${lines[1]?.split(',')[0]} are in force on the same days (row ${lines.length + 1} starts on or before row 2 ends, and row 2 has no valid_to: it is still in force); a PCN may have one version in force on any day, or its events would be counted twice\n`,
    );
    expect(await referenceRowsInStore(new FsObjectStore(data))).toEqual(before);

    // The PCNs in force on a date (an export) drop the 3 PCNs December closed (review 5 G8): refused, naming the
    // file, the PCNs and their rows in the version in force (rows found by hand: grep -n in the staged version), and
    // nothing staged. A merge among them: U13621's practices went to U63258 or to no PCN (the mapping files).
    const inForce = join(dir, 'in-force.csv');
    await cli('reference', 'export', '--on', '2025-12-01', '--out', inForce, '--data', data);
    const [versionInForce] = (await new FsObjectStore(data).list('reference/pcns/')).slice(-1);
    const dropping = await runCliInProcess('reference', inForce, '--data', data);
    expect(dropping.code).toBe(1);
    expect(dropping.stderr).toBe(
      `${inForce}: the version in force, ${versionInForce}, lists PCNs U13621 (row 381), U46082 (row 1189), U63454 (row 1645), which this file does not have; a reference version must keep every PCN of the version in force and every PCN that has sent events, or every later refresh stops (England counts a PCN's events, and they need its place): keep each one's rows, closed with valid_to (the last day it was in force), as \`reference import\` does; nothing was staged\n`,
    );
    expect(await referenceRowsInStore(new FsObjectStore(data))).toEqual(before);

    // Every version, the closed ones with their valid_to: accepted by `reference FILE` and `reference check FILE`.
    const exported = join(dir, 'every-version.csv');
    writeFileSync(exported, toCsv(PCN_REFERENCE_COLUMNS, before));
    for (const args of [
      ['reference', exported],
      ['reference', 'check', exported],
    ]) {
      const { stdout } = await cli(...args, '--data', data);
      expect(stdout).toMatch(
        /^staged reference\/pcns\/\d{8}T\d{6}-[0-9a-f]{8}\.csv; it is used from the next refresh\n$/,
      );
    }
  });
});
