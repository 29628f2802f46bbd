import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument } from '../../functions/contract/index.ts';
import { FsObjectStore } from '../../functions/lib/object-store.ts';
import { stageReference } from '../../functions/lib/reference-versions.ts';
import { tempDir } from '../support/files.ts';
import {
  type GoldenEvent,
  ingestQuietly,
  referralEvent,
  refreshAndRead,
  rowFinder,
  writeEventFiles,
} from '../support/golden.ts';

/*
 * Review 13, R13-5: person ids made without the PCN's own key (a plain SHA-256 of the NHS number, reversible by
 * hashing every number) or with a key two PCNs share were accepted without a word. Pseudonyms are keyed per PCN, so
 * the same person_id under two PCNs can only mean that. Data submissions counts them per PCN, rounded up to 5.
 *
 * Three PCNs of one ICB, 12 referrals each in May 2025, each of its own person (sha256 of the referral id), except:
 *   U00001 and U00002 each refer the same 7 people (one id each, the same under both): 7, published 10;
 *   U00001 and U00003 each refer 1 more person in common (U00001's 8th and U00003's 1st): U00001 7 + 1 = 8, published
 *   10; U00003 1, published 5; U00002 7, published 10.
 * A person referred twice by one PCN (U00003's 2nd and 3rd referrals) is not shared: one PCN, one id.
 */
const PCNS = ['U00001', 'U00002', 'U00003'];
const REFERENCE = [
  'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
  ...PCNS.map((code, i) => `${code},PCN ${i + 1},QAA,NHS ICB A,Y56,London,10000,2019-04-01,`),
].join('\n');
const hashed = (label: string) => createHash('sha256').update(label).digest('hex');
const referralOf = (pcn: string, i: number, person?: string): GoldenEvent => ({
  ...referralEvent(pcn, `${pcn}-${i}`, `2025-05-${String(i + 1).padStart(2, '0')}`),
  ...(person ? { person_id: hashed(person) } : {}),
});
const common = (i: number) => `shared-person-${i}`;
const uploads: Record<string, GoldenEvent[]> = {
  'U00001.csv': Array.from({ length: 12 }, (_, i) =>
    referralOf('U00001', i, i < 7 ? common(i) : i === 7 ? 'one-and-three' : undefined),
  ),
  'U00002.csv': Array.from({ length: 12 }, (_, i) => referralOf('U00002', i, i < 7 ? common(i) : undefined)),
  'U00003.csv': Array.from({ length: 12 }, (_, i) =>
    referralOf('U00003', i, i === 0 ? 'one-and-three' : i === 1 || i === 2 ? 'twice-at-three' : undefined),
  ),
};

const dir = tempDir('shared-person-ids');
const dataDir = join(dir.path, 'data');
const docs = new Map<string, MetricDocument>();
beforeAll(async () => {
  await stageReference(new FsObjectStore(dataDir), `${REFERENCE}\n`);
  const files = writeEventFiles(dir.path, uploads);
  const { exitCode } = await ingestQuietly(files, dataDir, '2025-06-02T07:00:00Z');
  expect(exitCode).toBe(0);
  await refreshAndRead(dataDir, new Date('2025-06-05T06:00:00Z'), docs);
}, 180_000);
afterAll(() => dir.remove());

const row = rowFinder(docs);

describe('person ids another PCN has sent too (review 13, R13-5)', () => {
  it('are counted per PCN, rounded up to a multiple of 5; one PCN referring a person twice shares nothing', () => {
    expect(PCNS.map((pcn) => row('data_quality', 'pcn', pcn, 'all').person_ids_shared)).toEqual([10, 10, 5]);
  });
});
