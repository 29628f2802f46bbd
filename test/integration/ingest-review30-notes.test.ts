import { describe, expect, it } from 'vitest';
import { findIdentifierInLine } from '../../functions/ingest/read-upload.ts';
import { findIdentifier } from '../../functions/lib/identifiability-guard.ts';
import {
  connection,
  expectOnlyTheReceiptKept,
  expectRefusedWhole,
  GUARD_COLUMNS,
  ingestFile,
} from '../support/identifiable-refusal.ts';

/**
 * sec30's open note on review 30's R30-2: an NHS number in a spreadsheet's thousands format written unquoted
 * (`9,434,765,919`, a hand-written exporter) is cut by the CSV reader into four cells, none of which holds it; the row
 * has more cells than the header. Such a row's cells are now read together where they make a number of that shape,
 * and the file is refused by position. The planted values are never in a test's name.
 */
const NHS_THOUSANDS = '9,434,765,919'; // 9434765919 passes the modulus 11 check (check digit 9)
const MOBILE_THOUSANDS = '7,700,900,123'; // 07700 900123 with its 0 dropped by a spreadsheet
const NHS_334 = '943,476,5919';
const PLANTED = [NHS_THOUSANDS, NHS_334, MOBILE_THOUSANDS, '9434765919', '7700900123'];

const csvLine = (cells: readonly string[]) => cells.join(',');
/** The guard's file, three rows; row 3 (line 4) with `planted` written into its provider_id, unquoted. */
const plantedInProvider = (planted: string) =>
  `${[
    csvLine(GUARD_COLUMNS),
    ...[1, 2, 3].map((n) => csvLine(connection({ event_id: `E${n}`, provider_id: n === 3 ? planted : 'P1' }))),
  ].join('\n')}\n`;
const providerColumn = GUARD_COLUMNS.indexOf('provider_id') + 1;

describe('a number in thousands format written unquoted, cut into cells by the CSV reader', () => {
  it.each([
    ['an NHS number, 1-3-3-3 digits', NHS_THOUSANDS, 4, 'an NHS number'],
    ['an NHS number, 3-3-4 digits', NHS_334, 3, 'an NHS number'],
    ['a mobile whose 0 was dropped, 1-3-3-3 digits', MOBILE_THOUSANDS, 4, 'a telephone number'],
    [
      'an NHS number, 1-3-3-3 digits and two decimals (Excel’s Number format)',
      `${NHS_THOUSANDS}.00`,
      4,
      'an NHS number',
    ],
  ])(
    '%s in a row of the contract’s header: refused by position, and deleted',
    async (_shape, planted, cells, label) => {
      const ingested = await ingestFile(plantedInProvider(planted));
      const last = providerColumn + cells - 1;
      await expectRefusedWhole(ingested, {
        row: 4,
        field: null,
        message: `row 4, columns ${providerColumn} to ${last} hold what looks like ${label}`,
      });
      expectOnlyTheReceiptKept(ingested.store, PLANTED);
    },
  );

  it('an NHS number in a column the contract lacks (a bad header, read raw): refused as identifiable, and deleted', async () => {
    const body = `${[
      csvLine([...GUARD_COLUMNS, 'patient_ref']),
      ...[1, 2, 3].map((n) => csvLine([...connection({ event_id: `E${n}` }), n === 3 ? NHS_THOUSANDS : 'ok'])),
    ].join('\n')}\n`;
    const ingested = await ingestFile(body);
    await expectRefusedWhole(ingested, { row: 4, field: null, message: 'line 4 holds what looks like an NHS number' });
    expectOnlyTheReceiptKept(ingested.store, PLANTED);
  });

  it.each([
    ['ten digits that fail the modulus 11 check', '9,434,765,918'],
    ['a list of small numbers and a date', '2026,04,12,1,2,3'],
    ['a round billion', '3,000,000,000'],
    ['three-digit numbers after a two-digit one, twelve digits that make no number', '12,120,300,450'],
  ])(
    '%s, in a row with more cells than the header: the row is refused for its width, the file kept',
    async (_shape, planted) => {
      const { receipt } = await ingestFile(plantedInProvider(planted));
      expect(receipt.status).toBe('partially_accepted');
      expect(receipt.rejected_by_reason).toEqual({ column_count: 1 });
    },
  );

  it('cells of the right count are never read together: four id cells that would make an NHS number', async () => {
    // event_id, event_type, pcn_code and referral_id of row 3 are 9, 434, 765 and 919: the row is invalid, not identifying.
    const row = connection({ event_id: '9', event_type: '434', pcn_code: '765', referral_id: '919' });
    const body = `${[csvLine(GUARD_COLUMNS), csvLine(connection()), csvLine(connection({ event_id: 'E2' })), csvLine(row)].join('\n')}\n`;
    const { receipt } = await ingestFile(body);
    expect(receipt.status).toBe('partially_accepted');
    expect(receipt.file_error ?? null).toBeNull();
  });

  it('the raw read of a refused file finds the cut number, and passes a line of plain numbers', () => {
    expect(findIdentifierInLine(`E3,x,${NHS_THOUSANDS},y`, findIdentifier)).toBe('nhs_number');
    expect(findIdentifierInLine(`E3,x,${MOBILE_THOUSANDS}`, findIdentifier)).toBe('telephone');
    expect(
      findIdentifierInLine('2026,04,12,1,2,3,4,5,6,12,100,250,300,2026-05-12T09:30:05Z', findIdentifier),
    ).toBeUndefined();
  });
});
