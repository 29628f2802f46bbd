import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../functions/contract/upload.ts';
import { findIdentifierInLine, findIdentifierInRaw } from '../../functions/ingest/read-upload.ts';
import { findIdentifier } from '../../functions/lib/identifiability-guard.ts';
import {
  connection,
  everything,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  GUARD_COLUMNS,
  ingestFile,
} from '../support/identifiable-refusal.ts';

/**
 * Red-team review 30, R30-3 and R30-7: a file refused before its rows are read (a bad header, not UTF-8, a line too
 * long, another PCN's code) is read through for identifiers raw; that read cut every line at every separator, so a
 * labelled date of birth, a quoted comma-grouped NHS number and a JSON escape were never read whole, and the file was
 * kept in landing/. Each is now refused as identifiable and deleted. The planted values are never in a test's name.
 */
const DOB = 'DOB: 03/02/1970';
const NHS_COMMAS = '943,476,5919';
const PLANTED = [DOB, '03/02/1970', NHS_COMMAS, '943\u00a0476\u00a05919', '943 476 5919', 'Jane Doe', 'John Smith'];

const csvLine = (cells: readonly string[]) => cells.join(',');
/** The guard's file with one more column, `extra`, whose cell of row 3 (line 4) is `planted`. */
const withExtraColumn = (extra: string, planted: string) =>
  [
    csvLine([...GUARD_COLUMNS, extra]),
    ...[1, 2, 3].map((n) => csvLine([...connection({ event_id: `E${n}` }), n === 3 ? planted : 'ok'])),
  ].join('\n');
const jsonLine = (changes: Record<string, string>) =>
  JSON.stringify({ ...Object.fromEntries(GUARD_COLUMNS.map((c, i) => [c, connection()[i]])), ...changes });

const lineHolds = (line: number, label: string) => ({
  row: line,
  field: null,
  message: `line ${line} holds what looks like ${label}`,
});

describe('R30-3: a file refused before its rows are read is read through cell by cell, quoted cells and JSON strings whole', () => {
  it.each([
    [
      'a bad header (a free-text column), a labelled date of birth unquoted',
      withExtraColumn('notes', DOB),
      'a date of birth',
    ],
    [
      'a bad header, a comma-grouped NHS number quoted',
      withExtraColumn('patient_ref', `"${NHS_COMMAS}"`),
      'an NHS number',
    ],
    [
      'a bad header, a labelled date of birth in a quoted cell with an escaped quote',
      withExtraColumn('notes', `"said ""${DOB}"""`),
      'a date of birth',
    ],
  ])('%s: refused as identifiable and deleted', async (_shape, body, label) => {
    const ingested = await ingestFile(`${body}\n`);
    await expectRefusedWhole(ingested, lineHolds(4, label));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('not UTF-8 (one Latin-1 byte in line 2), a comma-grouped NHS number quoted in line 4: refused as identifiable and deleted', async () => {
    const lines = [1, 2, 3].map((n) =>
      csvLine(
        connection({ event_id: `E${n}`, provider_id: n === 3 ? `"${NHS_COMMAS}"` : n === 1 ? 'CAF\u00e9' : 'P1' }),
      ),
    );
    const text = `${csvLine(GUARD_COLUMNS)}\n${lines.join('\n')}\n`;
    const bytes = Buffer.from(text, 'latin1');
    const ingested = await ingestFile(bytes);
    await expectRefusedWhole(ingested, lineHolds(4, 'an NHS number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a line too long (70,000 characters in line 2), a comma-grouped NHS number quoted in line 4: refused as identifiable and deleted', async () => {
    const lines = [1, 2, 3].map((n) =>
      csvLine(
        connection({
          event_id: `E${n}`,
          provider_id: n === 3 ? `"${NHS_COMMAS}"` : n === 1 ? `"${'x'.repeat(70_000)}"` : 'P1',
        }),
      ),
    );
    const ingested = await ingestFile(`${csvLine(GUARD_COLUMNS)}\n${lines.join('\n')}\n`);
    await expectRefusedWhole(ingested, lineHolds(4, 'an NHS number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('JSON Lines with another PCN’s code in line 1 and a labelled date of birth in line 4: refused as identifiable and deleted', async () => {
    const lines = [
      jsonLine({ event_id: 'E1', pcn_code: 'U00002' }),
      jsonLine({ event_id: 'E2' }),
      jsonLine({ event_id: 'E3' }),
      jsonLine({ event_id: 'E4', notes: DOB }),
    ];
    const ingested = await ingestFile(`${lines.join('\n')}\n`, 'upload.jsonl');
    await expectRefusedWhole(ingested, lineHolds(4, 'a date of birth'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('JSON Lines as Python writes them (no-break spaces escaped), another PCN’s code in line 1, an NHS number in line 4: refused and deleted', async () => {
    const escaped = (changes: Record<string, string>) => jsonLine(changes).replace(/\u00a0/g, '\\u00a0'); // json.dumps's ensure_ascii
    const lines = [
      escaped({ event_id: 'E1', pcn_code: 'U00002' }),
      escaped({ event_id: 'E2' }),
      escaped({ event_id: 'E3' }),
      escaped({ event_id: 'E4', provider_id: '943\u00a0476\u00a05919' }),
    ];
    expect(lines[3]).toContain('\\u00a0');
    const ingested = await ingestFile(`${lines.join('\n')}\n`, 'upload.jsonl');
    await expectRefusedWhole(ingested, lineHolds(4, 'an NHS number'));
    expect(everything(ingested.store)).not.toContain('\\u00a0476');
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('UTF-16 then UTF-8 (PowerShell 5’s Out-File, then Add-Content), an NHS number in the UTF-8 part: refused as identifiable and deleted', async () => {
    const utf16 = Buffer.from('\ufeffextra notes from powershell\r\n', 'utf16le');
    const rows = [1, 2, 3, 4].map((n) =>
      csvLine(connection({ event_id: `E${n}`, provider_id: n === 4 ? '943 476 5919' : 'P1' })),
    );
    const utf8 = Buffer.from(`${csvLine(GUARD_COLUMNS)}\r\n${rows.join('\r\n')}\r\n`);
    const ingested = await ingestFile(Buffer.concat([utf16, utf8]));
    await expectRefusedWhole(ingested, lineHolds(6, 'an NHS number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a bad header and nothing identifying (numeric cells, dates, times): still refused for its header, and kept', async () => {
    const body = `${withExtraColumn('extra', '"2026,04,12,1,2,3,4,5,6,7"')}\n`;
    const { receipt, store } = await ingestFile(body);
    expect(receipt.file_error?.code).toBe('bad_header');
    expect([...store.objects.keys()].some((key) => key.startsWith('landing/'))).toBe(true);
  });
});

describe('R30-11: a file that is not UTF-8 is refused naming the bad byte’s line and byte', () => {
  it('one Latin-1 byte on line 301 of 400, past the first 64 KB read', async () => {
    const header = csvLine(GUARD_COLUMNS);
    const rows = Array.from({ length: 399 }, (_, i) =>
      csvLine(connection({ event_id: `E${i + 1}`, provider_id: `P${'x'.repeat(150)}` })),
    );
    const before = `${header}\n${rows.slice(0, 299).join('\n')}\n`; // lines 1 to 300
    const text = `${before}${rows.slice(299).join('\n')}\n`;
    const at = Buffer.byteLength(before) + 2; // the third byte of line 301
    const bytes = Buffer.from(text);
    bytes[at] = 0xe9; // é in Latin-1, a lead byte with no continuation after it
    expect(at).toBeGreaterThan(65_536);
    const { receipt } = await ingestFile(bytes);
    expect(receipt.file_error).toEqual({
      code: 'not_utf8',
      row: 0,
      field: null,
      message: `the file is not valid UTF-8 (line 301, byte ${at.toLocaleString('en-GB')}): save it as UTF-8`,
    });
  });
});

describe('R30-3: a line longer than the limit is read in blocks that overlap', () => {
  /** The text as chunks of `size` bytes, as a stream delivers them. */
  async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const limits = { ...DEFAULT_LIMITS, maxLineBytes: 1000 };

  it('an NHS number across every possible cut of a block is found, on the line it is on', async () => {
    const number = '943 476 5919';
    for (let offset = 990; offset <= 1010; offset++) {
      const text = `head,er\n${'x'.repeat(offset)}${number}${'y'.repeat(3000)}\nlast\n`;
      for (const size of [100, 512, 1024]) {
        const found = await findIdentifierInRaw(chunks(text, size), limits, findIdentifier);
        expect([offset, size, found]).toEqual([offset, size, { line: 2, kind: 'nhs_number' }]);
      }
    }
  });

  it('the lines after a long one keep their numbers', async () => {
    const text = `head,er\n${'x'.repeat(5000)}\nok\nDOB,03/02/1970,"${DOB}"\n`;
    expect(await findIdentifierInRaw(chunks(text, 300), limits, findIdentifier)).toEqual({
      line: 4,
      kind: 'date_of_birth',
    });
  });
});

describe('findIdentifierInLine reads a line as a CSV or a JSON reader would', () => {
  it.each([
    ['a plain CSV line of numbers, dates and times', '2026,04,12,1,2,3,4,5,6,7,2026-05-12T09:30:05Z,31/05/2026 09:30'],
    ['a JSON line of numbers and a timestamp', '{"a":2026,"b":[1,2,3,4,5,6,7,8,9,0],"c":"2026-05-12T09:30:05Z"}'],
  ])('passes %s', (_shape, line) => {
    expect(findIdentifierInLine(line, findIdentifier)).toBeUndefined();
  });
});

describe('R30-7: a file whose header names a personal column in other words is refused as identifiable and deleted', () => {
  it.each([['Client name'], ['Patient Surname'], ['Home Address'], ['Mobile No']])('a column %s', async (column) => {
    const ingested = await ingestFile(`${withExtraColumn(column, 'Jane Doe')}\n`);
    expect(ingested.receipt.file_error?.code).toBe('identifiable_data');
    expect(ingested.receipt.file_error?.message).toMatch(
      new RegExp(`^column ${GUARD_COLUMNS.length + 1} of the header would hold `),
    );
    expectOnlyTheReceiptKept(ingested.store, [...PLANTED, column]);
  });
});
