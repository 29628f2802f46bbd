import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { csvText, PERSON, REQUIRED_EVENT_COLUMNS } from '../support/files.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

const PCN = 'U00001';
const NOW = new Date('2026-10-01T09:00:00Z');
const COLUMNS = [...REQUIRED_EVENT_COLUMNS, 'activity_category', 'provider_id', 'attended'];
function connection(changes: Readonly<Record<string, string>> = {}): string[] {
  const cells: Record<string, string> = {
    event_id: 'E1',
    event_type: 'community_connection',
    pcn_code: PCN,
    referral_id: 'R1',
    person_id: PERSON,
    occurred_on: '2026-09-01',
    activity_category: 'befriending_social',
    provider_id: 'VCSE-QE1-1BP',
    attended: 'true',
    ...changes,
  };
  return COLUMNS.map((column) => cells[column] ?? '');
}

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
    const store = new MemoryObjectStore();
    const key = await stageUpload(
      store,
      PCN,
      'upload.csv',
      new TextEncoder().encode(csvText(COLUMNS, [connection(), connection({ event_id: 'E2', [field]: value })])),
    );
    const { receipt } = await ingestUpload({ store, clock: () => NOW }, { key });
    const curated = [...store.objects.keys()].filter((k) => k.startsWith('curated/events/'));
    const values: string[] = [];
    for (const k of curated) {
      const b = store.objects.get(k) as Uint8Array;
      const rows = await parquetReadObjects({
        file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
      });
      for (const r of rows) values.push(String((r as Record<string, unknown>)[field]));
    }
    console.log(
      `${field}=${value}: receipt ${receipt.status}, curated objects ${curated.length}, stored value found: ${values.includes(value)}`,
    );
    expect([receipt.status, values.includes(value)]).toEqual(['rejected', false]);
  });
});
