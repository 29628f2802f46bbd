import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { CONTACT_COLUMNS, contactRow } from '../support/files.ts';
import { expectOnlyTheReceiptKept } from '../support/identifiable-refusal.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/**
 * Red-team review 19, R19-4: a gzip file of several members (`cat a.csv.gz b.csv.gz`, RFC 1952 2.2) had only its
 * first member's header read by the guard, so a later member's file name holding an NHS number was accepted and the
 * raw bytes kept in landing/. Every member's header is read now, on the accepted path and on a refusal's read-through.
 */
const PCN = 'U00001';
const NOW = new Date('2026-10-01T09:00:00Z');

async function ingest(body: Uint8Array) {
  const store = new MemoryObjectStore();
  const key = await stageUpload(store, PCN, 'upload.csv.gz', body);
  const result = await ingestUpload({ store, clock: () => NOW }, { key });
  return { ...result, store, key };
}

/** A gzip member with its file name in the header (FNAME, flag 8), as `gzip FILE` writes it. */
const named = (text: string, name: string) => {
  const plain = gzipSync(text);
  const header = Buffer.from(plain.subarray(0, 10));
  header[3] = 8;
  return Buffer.concat([header, Buffer.from(`${name}\0`, 'latin1'), plain.subarray(10)]);
};

const header = `${CONTACT_COLUMNS.join(',')}\n`;
const first = named(`${header}${contactRow({ event_id: 'E1' }).join(',')}\n`, 'U00001-part-1.csv');
const REFUSAL = {
  code: 'identifiable_data',
  row: 0,
  field: null,
  message:
    'the gzip header (the file name gzip keeps) holds what looks like an NHS number; the file has been deleted, compress it again from a file without it in its name, or with gzip -n',
};

describe('a gzip file of several members: every member header is read by the guard (R19-4)', () => {
  it("the second member's file name holds an NHS number: refused as identifying, nothing of it kept", async () => {
    const file = Buffer.concat([
      first,
      named(`${contactRow({ event_id: 'E2' }).join(',')}\n`, 'patient 943 476 5919.csv'),
    ]);
    const { receipt, store } = await ingest(file);
    expect(receipt.status).toBe('rejected');
    expect(receipt.file_error).toEqual(REFUSAL);
    expectOnlyTheReceiptKept(store, ['5919']);
  });

  it('a last member with no data whose name holds one (`cat data.csv.gz empty.csv.gz`): refused the same', async () => {
    const { receipt, store } = await ingest(Buffer.concat([first, named('', '9434765919.csv')]));
    expect(receipt.file_error).toEqual(REFUSAL);
    expectOnlyTheReceiptKept(store, ['9434765919']);
  });

  it('a file refused for its header row before the second member is reached: the read-through finds the name', async () => {
    const file = Buffer.concat([
      named('not,the,contract\n1,2,3\n', 'U00001-part-1.csv'),
      named('4,5,6\n', 'patient 943 476 5919.csv'),
    ]);
    const { receipt, store } = await ingest(file);
    expect(receipt.file_error).toEqual(REFUSAL);
    expectOnlyTheReceiptKept(store, ['5919']);
  });

  it('a file refused for its header row whose read-through meets corrupt bytes before a later member: not kept (R22-2)', async () => {
    // Member 1 (a bad header row), 4 bytes that are no gzip member, then a member named with an NHS number: the
    // read-through cannot get past the junk (as gunzip cannot), so it cannot say the rest holds nothing: refused as
    // corrupt, the first reason kept in the message, and nothing of it kept (review 22; before: kept in landing/).
    const file = Buffer.concat([
      named('not,the,contract\n1,2,3\n', 'U00001-part-1.csv'),
      Buffer.from('junk'),
      named('4,5,6\n', 'patient 943 476 5919.csv'),
    ]);
    const { receipt, store } = await ingest(file);
    expect(receipt.file_error?.code).toBe('corrupt_gzip');
    expect(receipt.file_error?.message).toMatch(
      /; the gzip data after it is corrupt, so it could not be read through for personal data and has not been kept: send it again as CSV$/,
    );
    expectOnlyTheReceiptKept(store, ['5919']);
  });

  it('members whose names hold none: both rows read and accepted, the file kept byte for byte', async () => {
    const file = Buffer.concat([first, named(`${contactRow({ event_id: 'E2' }).join(',')}\n`, 'U00001-part-2.csv')]);
    const { receipt, store, key } = await ingest(file);
    expect(receipt.file_error).toBeNull();
    expect(receipt.rows).toEqual({ read: 2, accepted: 2, rejected: 0 });
    expect(receipt.source).toMatchObject({ compressed: true, bytes: file.length });
    expect(Buffer.from((await store.get(key)) ?? []).equals(file)).toBe(true);
  });
});
