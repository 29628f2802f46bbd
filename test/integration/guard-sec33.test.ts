import { describe, it } from 'vitest';
import {
  cellHolding,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  GUARD_COLUMNS,
  ingestFile,
  plantedFile,
} from '../support/identifiable-refusal.ts';

/**
 * sec33: an old date with its month named first or its day an ordinal, alone in an id (which takes `A-Z a-z 0-9 . _ :
 * -`: these reached curated Parquet), and the raw read of a file refused for its header telling an old date alone as
 * the cell reader does (it said "what looks like a date of birth"). The planted values are never in a test's name.
 */
const PLANTED = ['Feb-03-1970', '3rd-Feb-1970', 'Jan-1st-2001', '1970-Feb-03', 'September 12, 2007', '1970-02-03'];

const OLD_DATE_ALONE = 'a date before 2010 alone, refused as a possible date of birth (or an event date mistyped)';
const oldDateAlone = (row: number, field: string) => ({
  row,
  field,
  message: `row ${row}, column ${field} holds ${OLD_DATE_ALONE}`,
});

describe('an old date alone with its month named first or its day an ordinal, in an id', () => {
  it.each([
    ['referral_id', 'Feb-03-1970'],
    ['event_id', '3rd-Feb-1970'],
    ['provider_id', 'Jan-1st-2001'],
    ['provider_id', '1970-Feb-03'],
  ])('in %s: refused, told as an old date alone, and deleted', async (field, cell) => {
    const ingested = await ingestFile(plantedFile(cell, field));
    await expectRefusedWhole(ingested, oldDateAlone(3, field));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a US long date, quoted (its comma inside the cell): refused, and deleted', async () => {
    const ingested = await ingestFile(plantedFile('"September 12, 2007"'));
    await expectRefusedWhole(ingested, oldDateAlone(3, 'provider_id'));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});

describe('a file refused for its header (read raw, line by line): an old date alone told as the cell reader tells it', () => {
  const header = [...GUARD_COLUMNS, 'extra'];
  it.each([
    ['year first', '1970-02-03'],
    ['a midnight timestamp', '1970-02-03T00:00:00'],
    ['the month named first', 'Feb-03-1970'],
    ['a US long date, quoted', '"September 12, 2007"'],
  ])('%s: refused at its line, told as an old date alone, and deleted', async (_what, cell) => {
    const ingested = await ingestFile(plantedFile(cell, 'provider_id', header));
    await expectRefusedWhole(ingested, { row: 3, field: null, message: `line 3 holds ${OLD_DATE_ALONE}` });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a date beside the word is still told as a date of birth', async () => {
    const ingested = await ingestFile(plantedFile('DOB_1970-02-03', 'provider_id', header));
    await expectRefusedWhole(ingested, {
      row: 3,
      field: null,
      message: 'line 3 holds what looks like a date of birth',
    });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it('a date beside the word in the cell reader too (unchanged)', async () => {
    const ingested = await ingestFile(plantedFile('DOB_1970-02-03'));
    await expectRefusedWhole(ingested, cellHolding(3, 'provider_id', 'a date of birth'));
  });
});
