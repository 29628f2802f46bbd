import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Receipt } from '../../functions/contract/index.ts';
import { DEFAULT_LIMITS, type UploadLimits } from '../../functions/contract/upload.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { uploadIdFor } from '../../functions/lib/keys.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { csvText, duckQuery, PERSON, REQUIRED_EVENT_COLUMNS, tempDir } from '../support/files.ts';

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

const NOW = new Date('2026-11-01T10:00:00.000Z');
const PCN = 'U12345';
const HEADER = [...REQUIRED_EVENT_COLUMNS, 'contact_mode', 'worker_role', 'duration_minutes'];
const contact = (id: string, overrides: Partial<Record<(typeof HEADER)[number], string>> = {}) => {
  const row: Record<string, string> = {
    event_id: id,
    event_type: 'contact',
    pcn_code: PCN,
    referral_id: 'R1',
    person_id: PERSON,
    occurred_on: '2024-05-01',
    contact_mode: 'telephone',
    worker_role: 'splw',
    duration_minutes: '30',
    ...overrides,
  };
  return HEADER.map((h) => row[h] as string);
};

function freshStore(): FsObjectStore {
  const dir = tempDir('ingest');
  dirs.push(dir);
  return new FsObjectStore(dir.path);
}

async function ingest(
  body: string | Uint8Array,
  options: { name?: string; limits?: Partial<UploadLimits>; store?: FsObjectStore } = {},
) {
  const store = options.store ?? freshStore();
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const key = await stageUpload(store, PCN, options.name ?? 'upload.csv', bytes);
  const result = await ingestUpload(
    { store, clock: () => NOW },
    { key },
    { ...DEFAULT_INGEST_OPTIONS, limits: { ...DEFAULT_LIMITS, ...options.limits } },
  );
  return { ...result, store, key, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** The parts of a receipt a test can know in advance (timings are measured, so left out). */
function outcome(receipt: Receipt) {
  const { timings_ms: _, ...rest } = receipt;
  return rest;
}

async function expectRejectedWhole(
  result: Awaited<ReturnType<typeof ingest>>,
  fileError: Receipt['file_error'],
  rows = { read: 0, accepted: 0, rejected: 0 },
  kind: Receipt['kind'] = 'events',
) {
  const uploadId = uploadIdFor(PCN, result.sha256);
  expect(outcome(result.receipt)).toEqual({
    contract_version: 1,
    upload_id: uploadId,
    pcn_code: PCN,
    kind,
    status: 'rejected',
    source: expect.objectContaining({ key: result.key, sha256: result.sha256 }),
    received_at: NOW.toISOString(),
    processed_at: NOW.toISOString(),
    rows,
    rejected_by_reason: rows.read > 0 && fileError ? { [fileError.code]: rows.read } : {},
    file_error: fileError,
    errors: [],
    errors_total: 1,
    partitions: {},
    outputs: { curated: [], quarantine: null },
  });
  // Nothing reaches curated/ or quarantine/; the receipt is written; the raw upload is kept as received, except a
  // file holding personal data and one the guard could not read to its end (R13-3), which are deleted.
  const deleted = ['identifiable_data', 'binary', 'corrupt_gzip', 'gzip_bomb', 'too_large'];
  const kept = deleted.includes(fileError?.code ?? '') ? [] : [result.key];
  expect(await result.store.list('')).toEqual([...kept, `receipts/${uploadId}.json`]);
}

describe('ingest rejects a bad file whole, with a receipt naming where and why', () => {
  it('an empty file', async () => {
    const result = await ingest('');
    await expectRejectedWhole(
      result,
      { row: 0, field: null, code: 'empty_file', message: 'the file is empty' },
      undefined,
      null,
    );
  });

  it('a header with no rows', async () => {
    const result = await ingest(`${HEADER.join(',')}\n`);
    await expectRejectedWhole(result, {
      row: 0,
      field: null,
      code: 'empty_file',
      message: 'the file has no data rows',
    });
  });

  it('a binary file', async () => {
    const result = await ingest(new Uint8Array([0x65, 0x76, 0x00, 0x01, 0x02]));
    await expectRejectedWhole(
      result,
      {
        row: 0,
        field: null,
        code: 'binary',
        message:
          'the file contains NUL bytes: it is binary, not CSV or JSON Lines; it could not be read through for personal data, so it has not been kept: send it again as CSV',
      },
      undefined,
      null,
    );
  });

  it('an Excel workbook sent instead of CSV', async () => {
    const result = await ingest(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), { name: 'extract.xlsx' });
    await expectRejectedWhole(
      result,
      {
        row: 0,
        field: null,
        code: 'binary',
        message:
          'the file is a zip or Excel workbook, not CSV or JSON Lines: export it as CSV; it could not be read through for personal data, so it has not been kept: send it again as CSV',
      },
      undefined,
      null,
    );
  });

  it.each([
    ['with its byte order mark, little-endian (Excel\'s "Unicode Text", tab-separated)', 'utf-16le', '\uFEFF', '\t'],
    ['without one, big-endian, comma-separated', 'utf-16be', '', ','],
  ])('UTF-16 text %s: refused for its encoding, not as binary', async (_, encoding, bom, separator) => {
    const text = `${bom}${[HEADER, contact('E1')].map((row) => row.join(separator)).join('\r\n')}\r\n`;
    const little = Buffer.from(text, 'utf16le');
    const bytes = encoding === 'utf-16le' ? little : Buffer.from(little).swap16();
    const result = await ingest(new Uint8Array(bytes));
    await expectRejectedWhole(
      result,
      {
        row: 0,
        field: null,
        code: 'not_utf8',
        message: 'the file is UTF-16 text (Excel\'s "Unicode Text"), not UTF-8: save it as "CSV UTF-8"',
      },
      undefined,
      null,
    );
  });

  it('text that is not UTF-8 (Windows-1252)', async () => {
    const bytes = new TextEncoder().encode(csvText(HEADER, [contact('E1')]));
    const latin1 = new Uint8Array([...bytes.subarray(0, bytes.length - 1), 0xa3, 0x0a]); // a pound sign in Windows-1252
    const result = await ingest(latin1);
    await expectRejectedWhole(
      result,
      {
        // The pound sign's line and byte (R30-11: the chunk's first byte, 0, was named).
        row: 0,
        field: null,
        code: 'not_utf8',
        message: `the file is not valid UTF-8 (line 2, byte ${(bytes.length - 1).toLocaleString('en-GB')}): save it as UTF-8`,
      },
      undefined,
      null,
    );
  });

  it('an unknown column', async () => {
    const result = await ingest(csvText([...HEADER, 'colour'], [[...contact('E1'), 'blue']]));
    // Described by position, never by name: a file without a header has data in its first line.
    expect(HEADER).toHaveLength(9);
    await expectRejectedWhole(result, {
      row: 1,
      field: null,
      code: 'bad_header',
      message:
        "column 10 of the header is not a field of the contract for events files (a first line without the contract's column names?)",
    });
    expect(JSON.stringify(result)).not.toContain('colour');
  });

  it('a missing required column', async () => {
    const header = HEADER.filter((h) => h !== 'person_id');
    const result = await ingest(csvText(header, [contact('E1').filter((_, i) => HEADER[i] !== 'person_id')]));
    await expectRejectedWhole(result, {
      row: 1,
      field: 'person_id',
      code: 'bad_header',
      message: 'the header lacks required column: person_id',
    });
  });

  it('a column named twice', async () => {
    const result = await ingest(csvText([...HEADER, 'worker_role'], [[...contact('E1'), 'splw']]));
    await expectRejectedWhole(
      result,
      {
        row: 1,
        field: 'worker_role',
        code: 'bad_header',
        message: 'columns 8 and 10 of the header have the same name',
      },
      undefined,
      null,
    );
  });

  it('a file that is neither events nor workforce', async () => {
    const result = await ingest('a,b\n1,2\n');
    await expectRejectedWhole(
      result,
      {
        row: 1,
        field: null,
        code: 'unknown_kind',
        message: 'neither an events file (no event_type column) nor a workforce file (no snapshot_month column)',
      },
      undefined,
      null,
    );
  });

  it('a file over the size limit', async () => {
    const result = await ingest(csvText(HEADER, [contact('E1'), contact('E2')]), { limits: { maxBytes: 100 } });
    await expectRejectedWhole(
      result,
      {
        row: 0,
        field: null,
        code: 'too_large',
        message:
          'the file is larger than 100 bytes uncompressed; it could not be read through for personal data, so it has not been kept: split it and send the parts',
      },
      undefined,
      null,
    );
  });

  it('a file over the row limit', async () => {
    const result = await ingest(csvText(HEADER, [contact('E1'), contact('E2'), contact('E3')]), {
      limits: { maxRows: 2 },
    });
    await expectRejectedWhole(
      result,
      { row: 0, field: null, code: 'too_many_rows', message: 'the file has more than 2 rows' },
      { read: 2, accepted: 0, rejected: 2 },
    );
  });

  it('a line over the line limit', async () => {
    const result = await ingest(csvText(HEADER, [contact('E1'), contact('x'.repeat(300))]), {
      limits: { maxLineBytes: 200 },
    });
    await expectRejectedWhole(
      result,
      { row: 3, field: null, code: 'line_too_long', message: 'row 3 is longer than 200 characters' },
      { read: 1, accepted: 0, rejected: 1 },
    );
  });

  it('a JSON Lines line over the line limit', async () => {
    const line = JSON.stringify({ event_id: 'x'.repeat(300) });
    const result = await ingest(`${line}\n`, { name: 'upload.jsonl', limits: { maxLineBytes: 200 } });
    await expectRejectedWhole(
      result,
      { row: 1, field: null, code: 'line_too_long', message: 'line 1 is longer than 200 characters' },
      undefined,
      null,
    );
  });

  it('a quote that is never closed', async () => {
    const rows = csvText(HEADER, [contact('E1'), contact('"E2'), contact('E3')]);
    const result = await ingest(rows);
    await expectRejectedWhole(
      result,
      { row: 3, field: null, code: 'malformed_csv', message: 'malformed CSV at row 3: MissingQuotes' },
      { read: 1, accepted: 0, rejected: 1 },
    );
  });

  it('a truncated gzip file', async () => {
    const gz = gzipSync(
      csvText(
        HEADER,
        Array.from({ length: 200 }, (_, i) => contact(`E${i}`)),
      ),
    );
    const result = await ingest(gz.subarray(0, Math.floor(gz.length / 2)), { name: 'upload.csv.gz' });
    expect(result.receipt.file_error).toEqual({
      row: 0,
      field: null,
      code: 'corrupt_gzip',
      message:
        'the gzip stream is truncated or corrupt; it could not be read through for personal data, so it has not been kept: send it again as CSV',
    });
    expect(result.receipt.status).toBe('rejected');
    expect(await result.store.list('curated/')).toEqual([]);
    expect(await result.store.list('quarantine/')).toEqual([]);
  });

  it('a gzip bomb', async () => {
    const bomb = gzipSync(Buffer.concat([Buffer.from(`${HEADER.join(',')}\n`), Buffer.alloc(20 * 1024 * 1024, 0x0a)]));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const result = await ingest(bomb, { name: 'upload.csv.gz' });
    await expectRejectedWhole(
      result,
      {
        row: 0,
        field: null,
        code: 'gzip_bomb',
        message:
          'the file expands more than 200 times when decompressed; it could not be read through for personal data, so it has not been kept: send it again as CSV',
      },
      undefined,
      'events',
    );
  });

  it("wrong PCN: a row carrying another PCN's code", async () => {
    const result = await ingest(csvText(HEADER, [contact('E1'), contact('E2', { pcn_code: 'U54321' })]));
    await expectRejectedWhole(
      result,
      {
        row: 3,
        field: 'pcn_code',
        code: 'wrong_pcn',
        message: "row 3 carries another PCN's code: every row must carry the uploading PCN's code U12345",
      },
      { read: 2, accepted: 0, rejected: 2 },
    );
  });
});

describe('the identifiability guard rejects a file holding personal data, naming row and column only', () => {
  it.each([
    ['an NHS number', 'event_id', '9434765919', 'an NHS number'],
    ['a spaced NHS number', 'referral_id', '943 476 5919', 'an NHS number'],
    ['a postcode', 'referral_id', 'SW1A 1AA', 'a postcode'],
    ['an e-mail address', 'referral_id', 'jo@example.com', 'an e-mail address'],
    ['a telephone number', 'event_id', '07700900123', 'a telephone number'],
  ])('%s in a cell', async (_what, column, value, label) => {
    const result = await ingest(csvText(HEADER, [contact('E1'), contact('E2', { [column]: value })]));
    await expectRejectedWhole(
      result,
      {
        row: 3,
        field: column,
        code: 'identifiable_data',
        message: `row 3, column ${column} holds what looks like ${label}; the file has been deleted, send it again without it`,
      },
      { read: 2, accepted: 0, rejected: 2 },
    );
    expect(result.receipt.file_error?.message).not.toContain(value);
  });

  it('in a column no longer compared with the row before (its texts do not repeat), and after a repeat', async () => {
    // Event ids E1..E4500 never repeat: after 4,096 texts compared with the row before's, none the same, the guard
    // looks at each without comparing. Row 4,502 (the 4,501st data row) holds an NHS number as its id; the referral id
    // before it repeats on every row (compared: the same text, not looked at again) and then changes to a postcode at
    // the row after, which is never reached: the first finding refuses the file.
    const rows = Array.from({ length: 4500 }, (_, i) => contact(`E${i + 1}`));
    rows.push(contact('9434765919'), contact('E4502', { referral_id: 'SW1A 1AA' }));
    const result = await ingest(csvText(HEADER, rows));
    await expectRejectedWhole(
      result,
      {
        row: 4502,
        field: 'event_id',
        code: 'identifiable_data',
        message:
          'row 4502, column event_id holds what looks like an NHS number; the file has been deleted, send it again without it',
      },
      { read: 4501, accepted: 0, rejected: 4501 },
    );
  });

  it('a date of birth column, whatever it holds', async () => {
    const result = await ingest(csvText([...HEADER, 'date_of_birth'], [[...contact('E1'), '']]));
    await expectRejectedWhole(
      result,
      {
        row: 1,
        field: null,
        code: 'identifiable_data',
        // Named by its position (R30-7: the name is read for words inside it, so its text is never echoed).
        message: `column ${HEADER.length + 1} of the header would hold a date of birth: remove it before upload; the file has been deleted, send it again without it`,
      },
      undefined,
      null,
    );
  });

  it('an NHS number as a JSON number in JSON Lines', async () => {
    const row = {
      event_id: 'E1',
      event_type: 'contact',
      pcn_code: PCN,
      referral_id: 'R1',
      person_id: PERSON,
      occurred_on: '2024-05-01',
      contact_mode: 'video',
      worker_role: 'cc',
      duration_minutes: 9434765919,
    };
    const result = await ingest(`${JSON.stringify(row)}\n`, { name: 'upload.jsonl' });
    await expectRejectedWhole(
      result,
      {
        row: 1,
        field: 'duration_minutes',
        code: 'identifiable_data',
        message:
          'row 1, column duration_minutes holds what looks like an NHS number; the file has been deleted, send it again without it',
      },
      { read: 1, accepted: 0, rejected: 1 },
    );
  });
});

describe('ingest keeps good rows and quarantines bad ones with their reasons', () => {
  it('writes typed Parquet per month, a quarantine file and an exact receipt', async () => {
    const rows = [
      contact('E1'),
      contact('E2', { occurred_on: '2024-06-30', duration_minutes: '45' }),
      contact('E3', { contact_mode: 'carrier_pigeon' }),
      contact('E1', { duration_minutes: '15' }),
      contact('E5', { occurred_on: '2026-11-02' }),
      [...contact('E6').slice(0, 4)],
    ];
    const result = await ingest(csvText(HEADER, rows, '\r\n'));
    const id = uploadIdFor(PCN, result.sha256);
    expect(outcome(result.receipt)).toEqual({
      contract_version: 1,
      upload_id: id,
      pcn_code: PCN,
      kind: 'events',
      status: 'partially_accepted',
      source: {
        key: result.key,
        format: 'csv',
        compressed: false,
        bytes: result.receipt.source.bytes,
        uncompressed_bytes: result.receipt.source.bytes,
        sha256: result.sha256,
      },
      received_at: NOW.toISOString(),
      processed_at: NOW.toISOString(),
      rows: { read: 6, accepted: 2, rejected: 4 },
      rejected_by_reason: { invalid_value: 1, duplicate_event_id: 1, future_date: 1, column_count: 1 },
      file_error: null,
      errors: [
        {
          row: 4,
          field: 'contact_mode',
          code: 'invalid_value',
          message: 'must be one of: face_to_face, telephone, video, home_visit, group, digital',
        },
        {
          row: 5,
          field: 'event_id',
          code: 'duplicate_event_id',
          message: 'appears more than once in this file (first at row 2)',
        },
        { row: 6, field: 'occurred_on', code: 'future_date', message: 'must not be in the future' },
        { row: 7, field: null, code: 'column_count', message: 'has 4 columns where the header has 9' },
      ],
      errors_total: 4,
      partitions: { '2024-05': 1, '2024-06': 1 },
      outputs: {
        curated: [
          `curated/events/event_month=2024-05/${id}.parquet`,
          `curated/events/event_month=2024-06/${id}.parquet`,
        ],
        quarantine: `quarantine/${id}.jsonl`,
      },
    });

    const quarantined = new TextDecoder()
      .decode(await result.store.get(`quarantine/${id}.jsonl`))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(quarantined.map((q) => [q.row, q.errors[0].code])).toEqual([
      [4, 'invalid_value'],
      [5, 'duplicate_event_id'],
      [6, 'future_date'],
      [7, 'column_count'],
    ]);
    // A refused value is described, not kept (R11-4: it may be a name mapped into the column); the PCN finds it in its
    // own file by row and field: 'carrier_pigeon', 14 characters, an underscore among the letters.
    expect(quarantined[0].cells.contact_mode).toBe('(refused: 14 characters, letters, other characters; withheld)');

    const parquet = await duckQuery(`
      SELECT event_id, event_type, occurred_on, duration_minutes, upload_id, source_row, received_at, event_month
      FROM read_parquet('${result.store.root}/curated/events/*/*.parquet', hive_partitioning = true) ORDER BY event_id`);
    expect(parquet).toEqual([
      {
        event_id: 'E1',
        event_type: 'contact',
        occurred_on: '2024-05-01',
        duration_minutes: 30,
        upload_id: id,
        source_row: 2,
        received_at: '2026-11-01 10:00:00',
        event_month: '2024-05',
      },
      {
        event_id: 'E2',
        event_type: 'contact',
        occurred_on: '2024-06-30',
        duration_minutes: 45,
        upload_id: id,
        source_row: 3,
        received_at: '2026-11-01 10:00:00',
        event_month: '2024-06',
      },
    ]);
  });

  it('uploads in one process share the compiled validators: what one upload taught them changes no later answer', async () => {
    // The first upload makes the fast path remember '30', '45', 'telephone' and 'splw' as accepted.
    const first = await ingest(csvText(HEADER, [contact('E1'), contact('E2', { duration_minutes: '45' })]));
    expect(first.receipt.rows).toEqual({ read: 2, accepted: 2, rejected: 0 });
    const second = await ingest(
      csvText(HEADER, [
        contact('E1'),
        contact('E2', { duration_minutes: '0' }),
        contact('E3', { contact_mode: 'carrier_pigeon' }),
        contact('E4', { duration_minutes: '45', worker_role: 'gp' }),
      ]),
    );
    const id = uploadIdFor(PCN, second.sha256);
    expect(second.receipt.rows).toEqual({ read: 4, accepted: 1, rejected: 3 });
    expect(second.receipt.errors).toEqual([
      { row: 3, field: 'duration_minutes', code: 'out_of_range', message: 'must be at least 1' },
      {
        row: 4,
        field: 'contact_mode',
        code: 'invalid_value',
        message: 'must be one of: face_to_face, telephone, video, home_visit, group, digital',
      },
      { row: 5, field: 'worker_role', code: 'invalid_value', message: 'must be one of: splw, hwbc, cc' },
    ]);
    expect(
      await duckQuery(`
        SELECT event_id, duration_minutes, contact_mode, upload_id, source_row
        FROM read_parquet('${second.store.root}/curated/events/*/*.parquet')`),
    ).toEqual([{ event_id: 'E1', duration_minutes: 30, contact_mode: 'telephone', upload_id: id, source_row: 2 }]);
  });

  it('writes no Parquet when every row is invalid', async () => {
    const result = await ingest(
      csvText(HEADER, [contact('E1', { worker_role: 'gp' }), contact('E2', { duration_minutes: '0' })]),
    );
    const id = uploadIdFor(PCN, result.sha256);
    expect(result.receipt.status).toBe('rejected');
    expect(result.receipt.rows).toEqual({ read: 2, accepted: 0, rejected: 2 });
    expect(result.receipt.rejected_by_reason).toEqual({ invalid_value: 1, out_of_range: 1 });
    expect(await result.store.list('curated/')).toEqual([]);
    expect(await result.store.list('quarantine/')).toEqual([`quarantine/${id}.jsonl`]);
  });

  it('reads gzip JSON Lines workforce files with a byte order mark', async () => {
    const rows = [
      {
        pcn_code: PCN,
        snapshot_month: '2024-05',
        role: 'splw',
        headcount: 3,
        fte: 2.5,
        accredited_training_headcount: 3,
        vacancies_fte: 0.5,
      },
      {
        pcn_code: PCN,
        snapshot_month: '2024-05',
        role: 'cc',
        headcount: 4,
        fte: 4,
        accredited_training_headcount: 2,
        vacancies_fte: null,
      },
    ];
    const body = gzipSync(`\uFEFF${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await ingest(body, { name: 'workforce.jsonl.gz' });
    const id = uploadIdFor(PCN, result.sha256);
    // vacancies_fte is optional (the national publication has none): null is stored as null, not refused
    expect(result.receipt.status).toBe('accepted');
    expect(result.receipt.rows).toEqual({ read: 2, accepted: 2, rejected: 0 });
    expect(result.receipt.errors).toEqual([]);
    expect(result.receipt.source).toMatchObject({ format: 'jsonl', compressed: true });
    expect(result.receipt.outputs.curated).toEqual([`curated/workforce/snapshot_month=2024-05/${id}.parquet`]);
    const parquet = await duckQuery(
      `SELECT role, headcount, fte, vacancies_fte, snapshot_month FROM read_parquet('${result.store.root}/curated/workforce/*/*.parquet', hive_partitioning = true) ORDER BY role DESC`,
    );
    expect(parquet).toEqual([
      { role: 'splw', headcount: 3, fte: 2.5, vacancies_fte: 0.5, snapshot_month: '2024-05' },
      { role: 'cc', headcount: 4, fte: 4, vacancies_fte: null, snapshot_month: '2024-05' },
    ]);
  });
});

describe("workforce snapshot months outside Athena's projection range (2019-01 to NOW) are refused at ingest", () => {
  it('refuses a month after the current one, row by row, naming the field and not the value', async () => {
    const header = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
    const line = (month: string, role: string) => `${PCN},${month},${role},2,1.5,1,0`;
    const month = NOW.toISOString().slice(0, 7);
    const next = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
    const result = await ingest(`${header}\n${line(month, 'splw')}\n${line(next, 'splw')}\n${line('2018-12', 'cc')}\n`);
    expect(result.receipt.rows).toEqual({ read: 3, accepted: 1, rejected: 2 });
    expect(result.receipt.errors).toEqual([
      { row: 3, field: 'snapshot_month', code: 'future_date', message: 'must not be in the future' },
      { row: 4, field: 'snapshot_month', code: 'out_of_range', message: 'must not be before 2019-01' },
    ]);
    const id = uploadIdFor(PCN, result.sha256);
    expect(result.receipt.outputs.curated).toEqual([`curated/workforce/snapshot_month=${month}/${id}.parquet`]);
  });
});

describe('ingest is idempotent', () => {
  it('the same file twice writes nothing new and returns the same receipt', async () => {
    const store = freshStore();
    const body = csvText(HEADER, [contact('E1'), contact('E2', { worker_role: 'hwbc' })]);
    const first = await ingest(body, { store });
    const before = await store.list('');
    const second = await ingest(body, { store });
    expect(first.alreadyIngested).toBe(false);
    expect(second.alreadyIngested).toBe(true);
    expect(second.receipt).toEqual(first.receipt);
    expect(await store.list('')).toEqual(before);
  });
});
