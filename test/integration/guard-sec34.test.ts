import { describe, it } from 'vitest';
import {
  cellHolding,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  ingestFile,
  plantedFile,
} from '../support/identifiable-refusal.ts';

/**
 * sec34: shapes sec33's red-team pass got into curated Parquet, planted in an id (which takes `A-Z a-z 0-9 . _ : -`)
 * of the guard's second community connection (row 3): each file is refused whole, its receipt names the row and the
 * column and never the value, and nothing of it but the receipt is kept. The planted values are never in a test's name.
 */
const PLANTED = ['943x476x5919', '7700.900.123', '20-7946-0958', 'jane.doe', 'N.Smith', '12-25-1970', '03-02-70'];
const OLD_DATE_ALONE = 'a date before 2010 alone, refused as a possible date of birth (or an event date mistyped)';

describe('shapes that reached curated Parquet, in an id', () => {
  it.each([
    ['an NHS number with a letter between its groups', 'event_id', '943x476x5919', 'an NHS number'],
    ['a mobile without its 0 after a word', 'provider_id', 'tel.7700.900.123', 'a telephone number'],
    ['a landline without its 0 after a word', 'referral_id', 'phone-20-7946-0958', 'a telephone number'],
    ['an e-mail with its @ as a dot', 'provider_id', 'jane.doe.nhs.net', 'an e-mail address'],
    ['an initial, a surname and a year of birth', 'referral_id', 'N.Smith.1970', 'a name'],
  ])('%s: refused by position, and deleted', async (_what, field, cell, label) => {
    const ingested = await ingestFile(plantedFile(cell, field));
    await expectRefusedWhole(ingested, cellHolding(3, field, label));
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it.each([
    ['an old date month first', 'provider_id', '12-25-1970'],
    ['a date with a two-digit year', 'event_id', '03-02-70'],
  ])('%s: refused, told as an old date alone, and deleted', async (_what, field, cell) => {
    const ingested = await ingestFile(plantedFile(cell, field));
    await expectRefusedWhole(ingested, {
      row: 3,
      field,
      message: `row 3, column ${field} holds ${OLD_DATE_ALONE}`,
    });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });
});
