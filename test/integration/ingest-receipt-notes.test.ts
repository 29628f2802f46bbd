import { afterAll, describe, expect, it } from 'vitest';
import { describeReceipt } from '../../cli/commands/ingest.ts';
import { DEFAULT_INGEST_OPTIONS, ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { csvText, PERSON, REQUIRED_EVENT_COLUMNS, tempDir } from '../support/files.ts';

// Review 27, R27-3: service_use rows of 3 or 12 months are valid under contract v1 and kept, but the published figures
// count 6-month windows only. The receipt says so, by count and row number, without rejecting anything.

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

const NOW = new Date('2026-11-01T10:00:00.000Z');
const PCN = 'U12345';
const HEADER = [
  ...REQUIRED_EVENT_COLUMNS,
  'service',
  'window',
  'window_months',
  'count',
  'contact_mode',
  'worker_role',
  'duration_minutes',
];

function row(id: string, cells: Readonly<Record<string, string>>): string[] {
  const all: Record<string, string> = {
    event_id: id,
    pcn_code: PCN,
    referral_id: 'R1',
    person_id: PERSON,
    occurred_on: '2025-06-01',
    ...cells,
  };
  return HEADER.map((h) => all[h] ?? '');
}
const use = (id: string, window: string, months: string, count = '2') =>
  row(id, { event_type: 'service_use', service: 'gp_appointment', window, window_months: months, count });
const contact = (id: string) =>
  row(id, { event_type: 'contact', contact_mode: 'telephone', worker_role: 'splw', duration_minutes: '30' });

async function ingest(body: string, name: string) {
  const dir = tempDir('receipt-notes');
  dirs.push(dir);
  const store = new FsObjectStore(dir.path);
  const key = await stageUpload(store, PCN, name, new TextEncoder().encode(body));
  return (await ingestUpload({ store, clock: () => NOW }, { key }, DEFAULT_INGEST_OPTIONS)).receipt;
}

const MESSAGE =
  'service_use rows with a window_months other than 6 are accepted and kept, but count in no published figure: the ' +
  'before and after referral figures count 6-month windows only (windows of different lengths are never added ' +
  'together). Send a before and an after row of 6 months for each service as well';

describe('a receipt notes accepted service_use rows whose window length is in no figure (R27-3)', () => {
  it('counts the 3- and 12-month rows accepted, by row number, and changes nothing else', async () => {
    // Header row 1; rows 2-8. Row 6 (12 months, count 999) is rejected and so not noted; rows 3, 5, 8 are.
    const receipt = await ingest(
      csvText(HEADER, [
        use('S1', 'before', '6'),
        use('S2', 'before', '12'),
        contact('C1'),
        use('S3', 'after', '3'),
        use('S4', 'after', '12', '999'),
        use('S5', 'after', '6'),
        use('S6', 'after', '12'),
      ]),
      'uses.csv',
    );
    expect(receipt.status).toBe('partially_accepted');
    expect(receipt.rows).toEqual({ read: 7, accepted: 6, rejected: 1 });
    expect(receipt.rejected_by_reason).toEqual({ out_of_range: 1 });
    expect(receipt.notes).toEqual([
      { code: 'service_use_window_not_counted', rows: 3, first_rows: [3, 5, 8], message: MESSAGE },
    ]);
    // The note holds no cell of the file: no id, no pseudonym, no count.
    const text = JSON.stringify(receipt.notes);
    for (const value of ['S2', 'S3', 'S6', PERSON, 'R1', '2025-06-01']) expect(text).not.toContain(value);

    expect(describeReceipt('uses.csv', receipt, 5)).toEqual([
      '⚠ uses.csv: 6 rows accepted, 1 rejected (out_of_range 1)',
      `  uses.csv: note: 3 rows (rows 3, 5, 8): ${MESSAGE} (service_use_window_not_counted)`,
      '  uses.csv: row 6, field count: must be at most 500 (out_of_range)',
    ]);
  });

  it('names the first 20 rows and counts them all (JSON Lines: a row is its line)', async () => {
    // 25 lines of 12-month windows, then one 6-month line: 25 noted, lines 1-20 named.
    const lines = Array.from({ length: 26 }, (_, i) => {
      const cells = Object.fromEntries(
        HEADER.map((h, j) => [h, use(`S${i + 1}`, 'before', i < 25 ? '12' : '6')[j]]).filter(([, v]) => v !== ''),
      );
      return JSON.stringify({ ...cells, window_months: Number(cells.window_months), count: Number(cells.count) });
    });
    const receipt = await ingest(`${lines.join('\n')}\n`, 'uses.jsonl');
    expect(receipt.status).toBe('accepted');
    expect(receipt.rows).toEqual({ read: 26, accepted: 26, rejected: 0 });
    expect(receipt.notes).toEqual([
      {
        code: 'service_use_window_not_counted',
        rows: 25,
        first_rows: Array.from({ length: 20 }, (_, i) => i + 1),
        message: MESSAGE,
      },
    ]);
    expect(describeReceipt('uses.jsonl', receipt, 5)).toEqual([
      '✔ uses.jsonl: 26 rows accepted',
      `  uses.jsonl: note: 25 rows (first at rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20): ${MESSAGE} (service_use_window_not_counted)`,
    ]);
  });

  it('a file of 6-month windows (and other events) has no notes', async () => {
    const receipt = await ingest(
      csvText(HEADER, [use('S1', 'before', '6'), contact('C1'), use('S2', 'after', '6')]),
      'six.csv',
    );
    expect(receipt.status).toBe('accepted');
    expect('notes' in receipt).toBe(false);
    expect(describeReceipt('six.csv', receipt, 5)).toEqual(['✔ six.csv: 3 rows accepted']);
  });
});
