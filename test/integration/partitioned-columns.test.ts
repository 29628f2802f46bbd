import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { CURATED_TABLES, EVENT_FIELD_NAMES } from '../../functions/contract/index.ts';
import { PartitionedColumns } from '../../functions/lib/parquet.ts';
import { duckQuery, tempDirs } from '../support/files.ts';

const dirs = tempDirs();
afterAll(() => dirs.removeAll());

/**
 * The ingest's column writers (functions/lib/parquet.ts: numbers, booleans, repeated texts and ids held outside the V8
 * heap until their page is encoded, dictionaries kept for the whole column chunk) give back, read by DuckDB, exactly
 * the values they were given: across partitions filled in turns, pages encoded early (when too many rows are held)
 * into row groups that stay open until full, buffers grown many times past their first size and reused after each
 * page, and none (null) in every kind of column (sex: in none of the rows).
 */
describe('PartitionedColumns read back in DuckDB', () => {
  it('keeps every value of 7,000 rows over three partitions, in row groups of 1,500 rows and the rest', async () => {
    const names = EVENT_FIELD_NAMES as readonly string[];
    const at = (name: string) => names.indexOf(name);
    const columns = new PartitionedColumns(
      CURATED_TABLES.events,
      { upload_id: 'U12345-abc', received_at: '2026-11-01T10:00:00Z' },
      { rowGroupRows: 1500, pageRows: 500, maxBufferedRows: 800 },
    );
    const slots = columns.slotsOf(names);
    const months = ['2025-01', '2025-02', '2025-03'];
    const expected: Record<string, unknown>[] = [];
    for (let i = 0; i < 7000; i++) {
      // Partitions in turns, unevenly: 2025-01 gets half the rows, so it fills row groups while the others are
      // written early.
      const month = months[i % 2 === 0 ? 0 : i % 4 === 1 ? 1 : 2] as string;
      const values: unknown[] = names.map(() => undefined);
      // Ids: mostly ASCII, now and then texts of 2, 3 and 4 bytes a character (the buffer holds UTF-8).
      const eventId = i % 97 === 0 ? `é-${i}-€-😀` : `E${i}`;
      values[at('event_id')] = eventId;
      values[at('event_type')] = i % 3 === 0 ? 'contact' : 'referral';
      values[at('pcn_code')] = 'U12345';
      values[at('referral_id')] = `R${Math.floor(i / 4)}`;
      values[at('person_id')] = i % 11 === 0 ? undefined : `${String(i).padStart(8, '0')}${'a'.repeat(56)}`;
      values[at('occurred_on')] = `${month}-${String((i % 28) + 1).padStart(2, '0')}`;
      values[at('recorded_at')] = i % 5 === 0 ? undefined : `${month}-02T${String(i % 24).padStart(2, '0')}:00:00Z`;
      values[at('practice_code')] = i % 13 === 0 ? null : `P${String(i % 40).padStart(5, '0')}`;
      values[at('duration_minutes')] = i % 7 === 0 ? undefined : (i % 600) + 1;
      values[at('score')] = i % 9 === 0 ? undefined : (i % 71) - 0.5;
      values[at('attended')] = i % 3 === 0 ? undefined : i % 3 === 1;
      columns.add(month, values, slots, i + 2);
      expected.push({
        source_row: i + 2,
        event_month: month,
        event_id: eventId,
        event_type: values[at('event_type')],
        referral_id: values[at('referral_id')],
        person_id: values[at('person_id')] ?? null,
        occurred_on: values[at('occurred_on')],
        recorded_at: i % 5 === 0 ? null : (values[at('recorded_at')] as string).replace('T', ' ').replace('Z', ''),
        practice_code: values[at('practice_code')] ?? null,
        duration_minutes: values[at('duration_minutes')] ?? null,
        score: values[at('score')] ?? null,
        attended: values[at('attended')] ?? null,
        sex: null,
        upload_id: 'U12345-abc',
        received_at: '2026-11-01 10:00:00',
      });
    }
    expect(Object.fromEntries(columns.counts())).toEqual({ '2025-01': 3500, '2025-02': 1750, '2025-03': 1750 });
    const root = dirs.make('partitioned-columns');
    for (const month of months) {
      writeFileSync(join(root, `event_month=${month}.parquet`), columns.toParquet(month));
    }
    const files = months.map((month) => `'${join(root, `event_month=${month}.parquet`)}'`).join(', ');
    const rows = await duckQuery(`
      SELECT source_row, regexp_extract(filename, 'event_month=([0-9-]+)', 1) AS event_month, event_id, event_type,
        referral_id, person_id, occurred_on, recorded_at, practice_code, duration_minutes, score, attended, sex,
        upload_id, received_at
      FROM read_parquet([${files}], filename = true) ORDER BY source_row`);
    expect(rows).toEqual(expected);
    // Row groups fill to 1,500 rows whatever the pages were (500 rows, or fewer when 800 rows were held in all): 3,500
    // rows are 1,500 + 1,500 + 500, 1,750 rows are 1,500 + 250.
    const groups = await duckQuery(`
      SELECT regexp_extract(file_name, 'event_month=([0-9-]+)', 1) AS month,
        list(row_group_num_rows::INT ORDER BY row_group_id) AS sizes
      FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata([${files}]))
      GROUP BY ALL ORDER BY month`);
    expect(groups).toEqual([
      { month: '2025-01', sizes: [1500, 1500, 500] },
      { month: '2025-02', sizes: [1500, 250] },
      { month: '2025-03', sizes: [1500, 250] },
    ]);
  });

  it('keeps columns a page gives values to only late, only early or never, and sets them back after each page', async () => {
    // Pages of 2,500 rows, past the first size of every buffer (1,024 rows): a column given no value for a row holds
    // none there without being touched, so score's values start 1,200 rows into the first page, attended's stop after
    // its first 10, sex has none at all; the second page gives score and attended none, and must not keep the first
    // page's. person_id repeats over three rows at a time, every fourth row without one (a repeat copies the bytes
    // of the last text given, across rows without one).
    const names = EVENT_FIELD_NAMES as readonly string[];
    const at = (name: string) => names.indexOf(name);
    const columns = new PartitionedColumns(
      CURATED_TABLES.events,
      { upload_id: 'U12345-abc', received_at: '2026-11-01T10:00:00Z' },
      { rowGroupRows: 5000, pageRows: 2500, maxBufferedRows: 10_000 },
    );
    const slots = columns.slotsOf(names);
    const expected: Record<string, unknown>[] = [];
    for (let i = 0; i < 5000; i++) {
      const values: unknown[] = names.map(() => undefined);
      values[at('event_id')] = `E${i}`;
      values[at('event_type')] = 'contact';
      values[at('pcn_code')] = 'U12345';
      values[at('referral_id')] = `R${i}`;
      values[at('occurred_on')] = '2025-04-01';
      const person = i % 4 === 3 ? undefined : `${'b'.repeat(63)}${Math.floor(i / 3) % 10}`;
      values[at('person_id')] = person;
      const score = i < 2500 && i >= 1200 ? (i % 50) + 0.5 : undefined;
      values[at('score')] = score;
      const attended = i % 2500 < 10 && i < 2500 ? i % 2 === 0 : undefined;
      values[at('attended')] = attended;
      columns.add('2025-04', values, slots, i + 2);
      expected.push({
        source_row: i + 2,
        person_id: person ?? null,
        score: score ?? null,
        attended: attended ?? null,
        sex: null,
      });
    }
    const root = dirs.make('partitioned-columns-sparse');
    const file = join(root, 'event_month=2025-04.parquet');
    writeFileSync(file, columns.toParquet('2025-04'));
    const rows = await duckQuery(
      `SELECT source_row, person_id, score, attended, sex FROM read_parquet('${file}') ORDER BY source_row`,
    );
    expect(rows).toEqual(expected);
    // Counted by hand: score in rows 1,200-2,499 (1,300), attended in rows 0-9 (10), person_id in 3 rows of 4 (3,750).
    const [counts] = await duckQuery(
      `SELECT count(score)::INT AS score, count(attended)::INT AS attended, count(person_id)::INT AS person_id,
         count(sex)::INT AS sex FROM read_parquet('${file}')`,
    );
    expect(counts).toEqual({ score: 1300, attended: 10, person_id: 3750, sex: 0 });
  });

  it('gives a number the dictionary index of its first appearance, repeated or not, -0 and 0 as one value', async () => {
    const names = EVENT_FIELD_NAMES as readonly string[];
    const columns = new PartitionedColumns(CURATED_TABLES.events, {
      upload_id: 'U12345-abc',
      received_at: '2026-11-01T10:00:00Z',
    });
    const slots = columns.slotsOf(names);
    // Runs of one value, a value coming back after another, and 0 right after -0: the dictionary is [3, 7, -0] in
    // order of first appearance (a Map's keys: -0 and 0 are one key), so 0 reads back as the dictionary's -0.
    const scores = [3, 3, 3, 7, 3, -0, 0, 0, 7];
    scores.forEach((score, i) => {
      const values: unknown[] = names.map(() => undefined);
      values[names.indexOf('event_id')] = `E${i}`;
      values[names.indexOf('score')] = score;
      columns.add('2025-01', values, slots, i + 2);
    });
    const file = columns.toParquet('2025-01');
    const rows = await parquetReadObjects({ file: file.buffer as ArrayBuffer, columns: ['score'] });
    const read = rows.map((row) => row.score as number);
    expect(read).toEqual([3, 3, 3, 7, 3, -0, -0, -0, 7]);
    expect(read.map((score) => Object.is(score, -0))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
    const chunk = parquetMetadata(file.buffer as ArrayBuffer).row_groups[0]?.columns.find(
      (column) => column.meta_data?.path_in_schema[0] === 'score',
    );
    // One dictionary page of three doubles (24 bytes) and RLE_DICTIONARY data.
    expect(chunk?.meta_data?.encodings).toEqual(['PLAIN', 'RLE_DICTIONARY']);
    expect(chunk?.meta_data?.statistics?.min_value).toBe(-0);
    expect(chunk?.meta_data?.statistics?.max_value).toBe(7);
  });

  it('gives a text its dictionary index whether it comes as the object before or as a copy cut from a row', async () => {
    const names = EVENT_FIELD_NAMES as readonly string[];
    const reasons = 'substance_use;financial_debt';
    const other = 'social_isolation';
    // A row of a file, the texts cut from it as a parser cuts cells (a cut of 13 characters or more is a V8 slice).
    const line = `${reasons},${other},${reasons}`;
    const cut = () => line.split(',');
    // The writer remembers the object it was given last: the same object again, an equal copy, another text, the
    // first again as a copy, across a row group closed after four rows (its dictionary starts again).
    const given = (copies: boolean) => {
      const [a, b, c] = copies ? cut() : [reasons, other, reasons];
      return [reasons, reasons, a, b, c, copies ? (cut()[0] as string) : reasons, b] as string[];
    };
    const write = (texts: readonly string[]) => {
      const columns = new PartitionedColumns(
        CURATED_TABLES.events,
        { upload_id: 'U12345-abc', received_at: '2026-11-01T10:00:00Z' },
        { rowGroupRows: 4, pageRows: 2 },
      );
      const slots = columns.slotsOf(names);
      texts.forEach((text, i) => {
        const values: unknown[] = names.map(() => undefined);
        values[names.indexOf('event_id')] = `E${i}`;
        values[names.indexOf('referral_reasons')] = text;
        columns.add('2025-01', values, slots, i + 2);
      });
      return columns.toParquet('2025-01');
    };
    const fromObjects = write(given(false));
    const fromCopies = write(given(true));
    expect(Buffer.from(fromCopies).equals(Buffer.from(fromObjects))).toBe(true);
    const rows = await parquetReadObjects({ file: fromCopies.buffer as ArrayBuffer, columns: ['referral_reasons'] });
    expect(rows.map((row) => row.referral_reasons)).toEqual([
      reasons,
      reasons,
      reasons,
      other,
      reasons,
      reasons,
      other,
    ]);
    // Row groups of 4 and 3 rows; each chunk's dictionary holds its own texts in order of first appearance: the first
    // [reasons, other] (2 values: one bit an index), the second [reasons, other] again.
    const groups = parquetMetadata(fromCopies.buffer as ArrayBuffer).row_groups;
    expect(groups.map((group) => Number(group.num_rows))).toEqual([4, 3]);
  });

  it('writes ids and pseudonyms as DELTA_BYTE_ARRAY that hyparquet and DuckDB read back as given', async () => {
    // Pages of 4 rows. Each text's prefix is counted against the text before it in its page: repeats, a text the
    // start of the one before and the other way round, an empty text, non-ASCII after a shared ASCII start and at the
    // very start (the prefix stops before a character of more than one byte), 2-, 3- and 4-byte characters, rows
    // without a text between repeats, a page with no text at all, and a page whose first text repeats the last of the
    // page before (a page is decoded on its own, so it must share nothing).
    const ids: (string | undefined)[] = [
      // First page.
      'R202601-10.1',
      'R202601-10.2',
      'R202601-10',
      'R202601-10.25',
      // Second page: its first text is the last of the first.
      'R202601-10.25',
      '',
      'R202601-10.25',
      'café-1',
      // Third page: no text.
      undefined,
      undefined,
      undefined,
      undefined,
      // Fourth and fifth pages.
      'café-2',
      'é',
      'é€',
      '😀x',
      '😀y',
      '😀y',
      undefined,
      '😀y',
    ];
    const persons = ids.map((id, i) =>
      id === undefined || i % 5 === 4 ? undefined : `${'0123456789abcdef'.repeat(4)}`,
    );
    const names = EVENT_FIELD_NAMES as readonly string[];
    const at = (name: string) => names.indexOf(name);
    const columns = new PartitionedColumns(
      CURATED_TABLES.events,
      { upload_id: 'U12345-abc', received_at: '2026-11-01T10:00:00Z' },
      { pageRows: 4 },
    );
    const slots = columns.slotsOf(names);
    ids.forEach((id, i) => {
      const values: unknown[] = names.map(() => undefined);
      values[at('event_id')] = id;
      values[at('referral_id')] = id;
      values[at('person_id')] = persons[i];
      columns.add('2026-01', values, slots, i + 2);
    });
    const bytes = columns.toParquet('2026-01');
    const file = join(dirs.make('delta-byte-array'), 'ids.parquet');
    writeFileSync(file, bytes);
    const expected = ids.map((id, i) => ({
      source_row: i + 2,
      event_id: id ?? null,
      referral_id: id ?? null,
      person_id: persons[i] ?? null,
      retracts_event_id: null,
    }));
    const duck = await duckQuery(
      `SELECT source_row, event_id, referral_id, person_id, retracts_event_id FROM read_parquet('${file}') ORDER BY source_row`,
    );
    expect(duck).toEqual(expected);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const read = await parquetReadObjects({
      file: buffer,
      columns: ['source_row', 'event_id', 'referral_id', 'person_id', 'retracts_event_id'],
    });
    expect(read).toEqual(expected);
    // Every page with a text DELTA_BYTE_ARRAY (the page without one PLAIN and empty), none compressed.
    const chunks = parquetMetadata(buffer).row_groups.flatMap((group) => group.columns);
    const idChunk = chunks.find((chunk) => chunk.meta_data?.path_in_schema[0] === 'event_id');
    expect(idChunk?.meta_data?.codec).toBe('UNCOMPRESSED');
    expect(idChunk?.meta_data?.encoding_stats).toEqual([
      { page_type: 'DATA_PAGE_V2', encoding: 'DELTA_BYTE_ARRAY', count: 4 },
      { page_type: 'DATA_PAGE_V2', encoding: 'PLAIN', count: 1 },
    ]);
  });

  it('stores dates and times of every year as written: before 1970, leap days, years 0-99, offsets', async () => {
    const names = EVENT_FIELD_NAMES as readonly string[];
    const at = (name: string) => names.indexOf(name);
    const columns = new PartitionedColumns(CURATED_TABLES.events, {
      upload_id: 'U12345-abc',
      received_at: '2026-11-01T10:00:00Z',
    });
    const slots = columns.slotsOf(names);
    // Days and milliseconds since 1970-01-01 worked out by hand (a year 0050 is not 1950, as Date.UTC would read it).
    const cases: [string, string, number, number][] = [
      ['1970-01-01', '1970-01-01T00:00:00Z', 0, 0],
      ['1969-12-31', '1969-12-31T23:59:59Z', -1, -1000],
      ['2000-02-29', '2000-02-29T12:00:00Z', 11_016, 11_016 * 86_400_000 + 43_200_000],
      ['2100-03-01', '2100-03-01T00:00:01Z', 47_541, 47_541 * 86_400_000 + 1000],
      ['0050-03-01', '0050-03-01T00:00:00Z', -701_206, -701_206 * 86_400_000],
      ['2026-02-28', '2026-02-28T12:34:56+01:00', 20_512, 20_512 * 86_400_000 + 41_696_000],
    ];
    cases.forEach(([day, time], i) => {
      const values: unknown[] = names.map(() => undefined);
      values[at('event_id')] = `E${i}`;
      values[at('occurred_on')] = day;
      values[at('recorded_at')] = time;
      columns.add('2025-01', values, slots, i + 2);
    });
    const file = join(dirs.make('dates'), 'dates.parquet');
    writeFileSync(file, columns.toParquet('2025-01'));
    const rows = await duckQuery(`
      SELECT (occurred_on - DATE '1970-01-01')::INT AS days, epoch_ms(recorded_at)::BIGINT AS millis
      FROM read_parquet('${file}') ORDER BY source_row`);
    expect(rows).toEqual(cases.map(([, , days, millis]) => ({ days, millis: String(millis) })));
  });

  it('closes a row group early when a dictionary, or all of them together, would hold too much', async () => {
    const names = EVENT_FIELD_NAMES as readonly string[];
    const at = (name: string) => names.indexOf(name);
    const lineage = { upload_id: 'U12345-abc', received_at: '2026-11-01T10:00:00Z' };
    const root = dirs.make('dictionaries');
    // Each row a provider_id of its own: a dictionary entry of its text and 48 bytes more.
    const write = async (columns: PartitionedColumns, rows: { month: string; provider: string }[]) => {
      const slots = columns.slotsOf(names);
      rows.forEach(({ month, provider }, i) => {
        const values: unknown[] = names.map(() => undefined);
        values[at('event_id')] = `E${i}`;
        values[at('provider_id')] = provider;
        columns.add(month, values, slots, i + 2);
      });
      const files = [...columns.counts().keys()].map((month) => {
        const file = join(root, `${rows.length}-${month}.parquet`);
        writeFileSync(file, columns.toParquet(month));
        return file;
      });
      const list = files.map((file) => `'${file}'`).join(', ');
      const read = await duckQuery(`SELECT provider_id FROM read_parquet([${list}]) ORDER BY source_row`);
      expect(read).toEqual(rows.map(({ provider }) => ({ provider_id: provider })));
      return duckQuery(`
        SELECT regexp_extract(file_name, '-([0-9-]+)[.]parquet', 1) AS month,
          list(row_group_num_rows::INT ORDER BY row_group_id) AS sizes
        FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata([${list}]))
        GROUP BY ALL ORDER BY month`);
    };
    // One column's dictionary: 500 rows a page of 448 bytes each pass 1 MiB at the fifth page (1,120,000 bytes).
    const long = Array.from({ length: 3000 }, (_, i) => ({ month: '2025-01', provider: `${i}`.padStart(400, 'p') }));
    expect(await write(new PartitionedColumns(CURATED_TABLES.events, lineage, { pageRows: 500 }), long)).toEqual([
      { month: '2025-01', sizes: [2500, 500] },
    ]);
    // Two months in turns, 148 bytes a row, at most 200,000 bytes in all. January's second page (1,000 rows, 148,000
    // bytes) brings the total to 222,000: January closes. Its third page (74,000) with February's 148,000 passes again:
    // February, the larger, has its 499 rows held since encoded and closes at 1,499 rows. February's next page brings
    // January's 148,000 and its own 74,000 to 222,000: January closes at 1,000 again; February ends with 501.
    const turns = Array.from({ length: 4000 }, (_, i) => ({
      month: i % 2 === 0 ? '2025-01' : '2025-02',
      provider: `${i}`.padStart(100, 'q'),
    }));
    const options = { pageRows: 500, maxDictionaryBytes: 200_000 };
    expect(await write(new PartitionedColumns(CURATED_TABLES.events, lineage, options), turns)).toEqual([
      { month: '2025-01', sizes: [1000, 1000] },
      { month: '2025-02', sizes: [1499, 501] },
    ]);
  });
});
