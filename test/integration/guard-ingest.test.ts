import { describe, expect, it } from 'vitest';
import {
  cellHolding,
  connection,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  ingestRows,
} from '../support/identifiable-refusal.ts';

/**
 * The fifth review's shapes through the real ingest core: an NHS number one digit at a time and a postcode inside an
 * organisation id were accepted and read back from curated Parquet. Now each file is refused whole, nothing of it is
 * kept but its receipt, and the receipt names the row and column, never the value; the demo's own ids still pass.
 */
const ingest = (rows: string[][]) => ingestRows(rows);

describe('an NHS number in any grouping, a postcode, a date of birth, a name or an e-mail address inside an id: refused whole, described by position', () => {
  it.each([
    ['event_id', '9-4-3-4-7-6-5-9-1-9', 'an NHS number'],
    ['referral_id', '9.4.3.4.7.6.5.9.1.9', 'an NHS number'],
    ['event_id', 'E9 4 3 4 7 6 5 9 1 9', 'an NHS number'],
    ['referral_id', 'R943_4765_919', 'an NHS number'],
    ['provider_id', 'ORG-SW1A-1AA', 'a postcode'],
    ['provider_id', 'VCSE_LS1_4AP', 'a postcode'],
    // The sixth review: separators mixed one digit at a time, doubled in another grouping, a CHI number standing
    // alone in an id (0101901232: 1 January 90), a number written into a UUID after twenty zeros.
    ['event_id', 'E9-4.3_4-7.6_5-9.1_9', 'an NHS number'],
    ['referral_id', 'R94--34--76--59--19', 'an NHS number'],
    ['event_id', 'CHI-01-01-90-1232', 'an NHS number'],
    ['referral_id', '00000000-0000-0000-0000-009434765919', 'an NHS number'],
    // The seventh review: words within the id characters the contract allows, each row of a file that reached Parquet.
    ['event_id', 'DOB:1970-02-03', 'a date of birth'],
    ['event_id', 'born-03.02.1970', 'a date of birth'],
    ['event_id', 'Mr.John.Smith', 'a name'],
    ['event_id', 'jsmith.at.nhs.net', 'an e-mail address'],
    ['referral_id', 'R1_Mrs_Smith', 'a name'],
    ['provider_id', 'Dr-A-Patel', 'a name'],
    // Review 3: a mobile glued to letters (L1: accepted and stored before), a surname and a date of birth.
    ['event_id', 'MOB07700900123', 'a telephone number'],
    ['referral_id', 'tel07700900123', 'a telephone number'],
    ['event_id', 'pt447700900123', 'a telephone number'],
    ['referral_id', 'SMITH-1970-02-03', 'a date of birth'],
    ['event_id', 'J.SMITH.03.02.1970', 'a date of birth'],
    // Review 4 F4: a mobile glued to letters, grouped other than 5 and 6 (accepted and stored before).
    ['event_id', 'MOB07700-900-123', 'a telephone number'],
    ['referral_id', 'tel0770-090-0123', 'a telephone number'],
    ['event_id', 'pt447700-900-123', 'a telephone number'],
    // Review 6: a landline glued to letters, a National Insurance number together or apart (HMRC's example prefix).
    ['event_id', 'REF02079460958', 'a telephone number'],
    ['referral_id', 'QQ123456C', 'a National Insurance number'],
    ['event_id', 'EV-AB-12-34-56-C', 'a National Insurance number'],
    // Review 7 M1: colons between a number's groups (accepted and stored before; the contract's ids may hold colons).
    ['referral_id', 'tel:07700:900:123', 'a telephone number'],
    ['referral_id', '07700:900123', 'a telephone number'],
    ['event_id', 'TEL:020:7946:0958', 'a telephone number'],
    ['referral_id', 'PT:94:34:76:59:19', 'an NHS number'],
    ['event_id', 'REF:943:4765:919', 'an NHS number'],
  ])('%s holding %s', async (field, value, label) => {
    const ingested = await ingest([connection(), connection({ event_id: 'E2', [field]: value })]);
    await expectRefusedWhole(ingested, cellHolding(3, field, label));
    // Only the receipt is kept, and the value is in no byte of it, with or without its separators.
    expectOnlyTheReceiptKept(ingested.store, [value, value.replace(/[^0-9A-Za-z]/g, '')]);
  });

  it('the demo generator’s ids pass and are stored: an ICB-coded provider id, a date-and-sequence id', async () => {
    // R202605-2565's ten digits pass the check digit but start with a year (nor is it a CHI number: day 20 of month
    // 26); QE1 1BP is no postcode (no area begins Q). A generated UUID and a site, a year and a sequence pass too.
    const rows = [
      connection({ event_id: 'R202605-2565.1', referral_id: 'R202605-2565' }),
      connection({ event_id: 'R202605-2565.2', referral_id: 'R202605-2565', provider_id: 'VCSE-QT6-1AB' }),
      connection({ event_id: '3f2a9c1e-7b4d-4e21-9a0f-b9434765919c', referral_id: 'EV-45.2026-0001' }),
      // A unit's id in capitals after DR, and a date beside a word holding born: no title and name, no date of birth.
      connection({ event_id: 'newborn-2026-09-01', referral_id: 'R1', provider_id: 'DR-UNIT-12' }),
      // Review 3's near-misses: ids padded to other widths than a mobile's, a referral id dated before 2019 (a
      // backfill), a word and an event date.
      connection({ event_id: 'EV0770090012', referral_id: 'R2018-11-05-0001', provider_id: 'VISIT-2024-02-03' }),
    ];
    const { receipt, store } = await ingest(rows);
    expect(receipt.status).toBe('accepted');
    expect(receipt.rows).toEqual({ read: 5, accepted: 5, rejected: 0 });
    expect([...store.objects.keys()].filter((key) => key.startsWith('curated/events/'))).toHaveLength(1);
  });

  it('review 6’s near-misses pass and are stored: ids of a date and a sequence, an ODS code and a sequence of six', async () => {
    // Each holds 0, 1 or 2 and nine digits beside letters, as a glued landline does, but starts with an id's date or is
    // an ODS code 01.. and a sequence of six; two letters, six digits and a suffix in mixed case is no NI number.
    const rows = [
      connection({ event_id: 'R02072026123', referral_id: 'R01202612345' }),
      connection({ event_id: 'U01632-960001', referral_id: 'A01234202605', provider_id: 'pt120526A' }),
    ];
    const { receipt, store } = await ingest(rows);
    expect(receipt.status).toBe('accepted');
    expect(receipt.file_error).toBeNull();
    expect(receipt.rows).toEqual({ read: 2, accepted: 2, rejected: 0 });
    expect([...store.objects.keys()].filter((key) => key.startsWith('curated/events/'))).toHaveLength(1);
  });

  it('review 7 M6: ids of a sequence and the event’s date, either way round, pass and are stored (refused whole before)', async () => {
    // Each holds a 0 and nine or ten digits standing alone (a telephone number's shape) or ten digits from 3 up that
    // pass the NHS number's check digit: the date's digits are part of each, and the date is the event's. The event ids
    // with colons hold a time after a T, whose colons are no separator.
    const rows = [
      connection({ event_id: 'R-2019-01-0-2019-01-01', referral_id: 'U00009-2019-01-32-2019-01-05' }),
      connection({
        event_id: 'REF-34-2019-01-07',
        referral_id: 'REF-0000-2019-01-01',
        provider_id: 'REF-01-01-2019-12',
      }),
      connection({ event_id: 'EV:012:2019-01-07', referral_id: 'R2025-04-01T07:30:00' }),
    ];
    const { receipt, store } = await ingest(rows);
    expect(receipt.status).toBe('accepted');
    expect(receipt.file_error).toBeNull();
    expect(receipt.rows).toEqual({ read: 3, accepted: 3, rejected: 0 });
    expect([...store.objects.keys()].filter((key) => key.startsWith('curated/events/'))).toHaveLength(1);
  });

  it('ids in hex as systems generate them pass and are stored: GUIDs without hyphens, ObjectIds, SHA-1s (review 4 F6)', async () => {
    // Each of these random ids holds ten digits between hex letters that pass the NHS number's check (or a mobile's
    // digits, 07861876927): the guard refused each, and with it the whole file, before.
    const rows = [
      connection({ event_id: '6254927764f448e580661485764d331c', referral_id: 'a53b337e34a84db6985621937c2a3ea5' }),
      connection({ event_id: 'BFFCB607440A4220AD48FB4455147500', referral_id: '1C06371EEEC64C07861876927FFD1DAC' }),
      connection({ event_id: '22e7dc9773fe1d8644598309', referral_id: '631c9876992775a58fa3ee4b8d240315db79f2bf' }),
    ];
    const { receipt, store } = await ingest(rows);
    expect(receipt.status).toBe('accepted');
    expect(receipt.file_error).toBeNull();
    expect(receipt.rows).toEqual({ read: 3, accepted: 3, rejected: 0 });
    expect([...store.objects.keys()].filter((key) => key.startsWith('curated/events/'))).toHaveLength(1);
  });
});
