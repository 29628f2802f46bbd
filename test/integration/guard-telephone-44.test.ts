import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { connection, ingestRows } from '../support/identifiable-refusal.ts';

// Telephone numbers as a spreadsheet leaves them (the + of +44 dropped, or the leading 0 dropped), and +44 (0) forms
// with the brackets taken out: the id characters the contract allows. The mobile counterpart 447700900123 is refused.
const SHAPES = [
  ['event_id', '442079460958'], // +44 20 7946 0958 (London landline, Ofcom drama range) as Excel stores it
  ['referral_id', '44-20-7946-0958'],
  ['provider_id', '441614960000'], // +44 161 496 0000 (Manchester)
  ['event_id', '44-161-496-0000'],
  ['referral_id', '44-0-20-7946-0958'], // +44 (0)20 7946 0958, brackets removed
  ['event_id', '44-0-7700900123'], // +44 (0)7700 900123, brackets removed (44-0-7700-900123 IS refused)
  ['provider_id', '7700900123'], // 07700 900123 with its leading 0 dropped by a spreadsheet
] as const;

describe('review 8 N3: telephone numbers a spreadsheet writes are kept out of curated Parquet', () => {
  it.each(SHAPES)('%s = %s is refused whole, none of it stored', async (field, value) => {
    const { receipt, store } = await ingestRows([connection(), connection({ event_id: 'E2', [field]: value })]);
    const curated = [...store.objects.keys()].filter((k) => k.startsWith('curated/events/'));
    const values: string[] = [];
    for (const k of curated) {
      const b = store.objects.get(k) as Uint8Array;
      const rows = await parquetReadObjects({
        file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
      });
      for (const r of rows) values.push(String((r as Record<string, unknown>)[field]));
    }
    expect([receipt.status, values.includes(value)]).toEqual(['rejected', false]);
  });
});
