import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  cellHolding,
  connection,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  GUARD_COLUMNS,
  ingestFile,
  ingestRows,
  plantedFile,
} from '../support/identifiable-refusal.ts';

/**
 * sec32's red-team pass: shapes that reached curated Parquet, or a refused file kept in landing/, past the guard. Each
 * file is the guard's two community connections, the second (row 3, line 3) with the shape planted in one cell. The
 * planted values are never in a test's name. 9434765919 passes the modulus 11 check; 07700 900123 is a mobile.
 */
const PLANTED = ['9434765919', '9,434', '434,765', '943,476', '7700900123', '700900123', '1970-02-03'];
const providerColumn = GUARD_COLUMNS.indexOf('provider_id') + 1; // 8: the 6 required columns, activity, provider

describe('an NHS number in thousands format, part of it quoted, cut into cells (review 34)', () => {
  it.each([
    ['the first part quoted', '"9,434",765,919', 3],
    ['the middle quoted', '9,"434,765",919', 3],
    ['the last part quoted', '9,434,"765,919"', 3],
    ['3-3-4, the first two quoted', '"943,476",5919', 2],
  ])('%s, in a row of the contract’s header: refused by position, and deleted', async (_what, cell, cells) => {
    const ingested = await ingestFile(plantedFile(cell));
    // The cells run from provider_id's column to the last of the cells the number was cut into.
    const last = providerColumn + cells - 1;
    await expectRefusedWhole(ingested, {
      row: 3,
      field: null,
      message: `row 3, columns ${providerColumn} to ${last} hold what looks like an NHS number`,
    });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('the first part quoted, in a file refused for its header (read raw): refused as identifying, and deleted', async () => {
    const ingested = await ingestFile(plantedFile('"9,434",765,919', 'provider_id', [...GUARD_COLUMNS, 'extra']));
    await expectRefusedWhole(ingested, { row: 3, field: null, message: 'line 3 holds what looks like an NHS number' });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a quoted cell across lines, in a file refused for its header (read raw)', () => {
  it.each([
    ['its groups on three lines', '"943\n476\n5919"'],
    ['its groups on two lines, CRLF', '"943\r\n476 5919"'],
    ['cut inside a group', '"9434\n765919"'],
  ])('%s: refused as identifying at the line the cell starts on, and deleted', async (_what, cell) => {
    const ingested = await ingestFile(plantedFile(cell, 'provider_id', [...GUARD_COLUMNS, 'extra']));
    await expectRefusedWhole(ingested, { row: 3, field: null, message: 'line 3 holds what looks like an NHS number' });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a telephone number in scientific notation (a spreadsheet’s long number), in an id', () => {
  it('a mobile whose 0 was dropped, in provider_id: refused, and deleted', async () => {
    const ingested = await ingestFile(plantedFile('7.700900123E9'));
    await expectRefusedWhole(ingested, cellHolding(3, 'provider_id', 'a telephone number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('+44 and a mobile, in event_id, a gzip file with CRLF and a BOM: refused, and deleted', async () => {
    const body = `\ufeff${plantedFile('4.47700900123E11', 'event_id').replaceAll('\n', '\r\n')}`;
    const ingested = await ingestFile(gzipSync(Buffer.from(body)), 'upload.csv.gz');
    await expectRefusedWhole(ingested, cellHolding(3, 'event_id', 'a telephone number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a date of birth as the whole of an id (the contract takes it: no event date check applies)', () => {
  it.each([
    ['referral_id', '1970-02-03'],
    ['event_id', '03.02.1970'],
    ['provider_id', '1970-02-03T00:00:00'],
  ])('in %s: refused, and deleted', async (field, cell) => {
    const ingested = await ingestFile(plantedFile(cell, field));
    await expectRefusedWhole(ingested, oldDateAlone(3, field));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

/** Review 35 (R35-3): an old date alone is told as such (its position only), so a PCN can find a typo. */
const oldDateAlone = (row: number, field: string) => ({
  row,
  field,
  message: `row ${row}, column ${field} holds a date before 2010 alone, refused as a possible date of birth (or an event date mistyped)`,
});

describe('an event date mistyped before 2010 (review 35, R35-3): refused whole, the receipt saying it may be a typo', () => {
  it('a one-row events file with occurred_on in 2009: the receipt’s message, exactly', async () => {
    const ingested = await ingestRows([connection({ occurred_on: '2009-06-15' })]);
    expect(ingested.receipt.file_error).toEqual({
      code: 'identifiable_data',
      row: 2,
      field: 'occurred_on',
      message:
        'row 2, column occurred_on holds a date before 2010 alone, refused as a possible date of birth (or an event date mistyped); the file has been deleted, send it again without it',
    });
    await expectRefusedWhole(ingested, oldDateAlone(2, 'occurred_on'));
    expectOnlyTheReceiptKept(ingested.store, ['2009-06-15']);
  });

  it('a midnight timestamp of a date of birth (R35-2) in an id: told alike', async () => {
    const ingested = await ingestFile(plantedFile('1970-02-03T00:00:00+01:00', 'referral_id'));
    await expectRefusedWhole(ingested, oldDateAlone(3, 'referral_id'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a date beside the word is still told as a date of birth', async () => {
    const ingested = await ingestFile(plantedFile('DOB_1970-02-03', 'referral_id'));
    await expectRefusedWhole(ingested, cellHolding(3, 'referral_id', 'a date of birth'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a quoted cell across lines, in a file of the contract’s header', () => {
  it('an NHS number cut inside a group: refused (the row alone was refused for its format, the file kept)', async () => {
    const ingested = await ingestFile(plantedFile('"9434\n765919"'));
    await expectRefusedWhole(ingested, cellHolding(3, 'provider_id', 'an NHS number'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a CRLF file whose rows end with a number in thousands format, unquoted', () => {
  const rows = (header: readonly string[]) =>
    `${[header.join(','), connection({ event_id: 'E1' }).join(','), `${connection({ event_id: 'E2' }).join(',')},9,434,765,919`].join('\r\n')}\r\n`;

  it('refused for its header (read raw): refused as identifying, and deleted', async () => {
    const ingested = await ingestFile(rows([...GUARD_COLUMNS, 'extra']));
    await expectRefusedWhole(ingested, { row: 3, field: null, message: 'line 3 holds what looks like an NHS number' });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('of the contract’s header: refused by position, and deleted', async () => {
    const ingested = await ingestFile(rows(GUARD_COLUMNS));
    const first = GUARD_COLUMNS.length + 1; // the cells after the header's last column: 10 to 13
    await expectRefusedWhole(ingested, {
      row: 3,
      field: null,
      message: `row 3, columns ${first} to ${first + 3} hold what looks like an NHS number`,
    });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});
