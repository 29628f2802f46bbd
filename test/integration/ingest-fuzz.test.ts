import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { Receipt } from '../../functions/contract/index.ts';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { findIdentifier } from '../../functions/lib/identifiability-guard.ts';
import { REQUIRED_EVENT_COLUMNS } from '../support/files.ts';
import { FUZZ_RUNS } from '../support/fuzz.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/**
 * Property tests of the parser, validator and identifiability guard together, through the real ingest core:
 * 10,000 generated files per CI run, 1,000 locally (test/support/fuzz.ts; FUZZ_RUNS to change), seeded (FUZZ_SEED,
 * printed on failure with the shrunk counter-example) so any failure can be replayed.
 */
const RUNS = FUZZ_RUNS;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const PCN = 'U12345';
const PERSON = 'c'.repeat(64);

/** Values the guard exists to catch; any of them planted in a file must never reach curated/. */
const IDENTIFIERS = [
  '9434765919',
  '943 476 5919',
  '401-023-2137',
  'SW1A 1AA',
  'jo.bloggs@example.nhs.uk',
  '07700 900123',
  // Letters before a separated number (the second review's shapes).
  'R943-476-5919',
  'NHS943 476 5919',
  // The third review's: separator runs, zero padding, brackets; postcodes and a telephone number apart by other runs.
  '943--476--5919',
  '943 - 476 - 5919',
  '943..476..5919',
  '00009434765919',
  '(943) 476-5919',
  '943  476  5919',
  'SW1A-1AA',
  'LS1.4AP',
  '07700--900123',
  // Red-team review 3: a mobile glued to letters, a surname and a date of birth.
  'MOB07700900123',
  'pt+447700900123',
  'SMITH-1970-02-03',
  // Red-team review 4: a mobile glued to letters, grouped 5-3-3 and 4-3-4.
  'MOB07700-900-123',
  'tel0770-090-0123',
];

const HEADER = [
  ...REQUIRED_EVENT_COLUMNS,
  'recorded_at',
  'referral_source',
  'snomed_code',
  'contact_mode',
  'worker_role',
  'duration_minutes',
];
/** Per column: values the contract accepts, mostly, and values it refuses, sometimes. */
const values = (good: fc.Arbitrary<string>, ...bad: string[]) =>
  fc.oneof({ weight: 19, arbitrary: good }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const VALID: Record<string, fc.Arbitrary<string>> = {
  event_id: values(fc.stringMatching(/^E[0-9]{1,4}$/), ''),
  event_type: values(fc.constantFrom('contact', 'contact', 'contact', 'referral', 'declined'), 'bogus'),
  pcn_code: values(fc.constant(PCN), 'U99999', 'u12345'),
  referral_id: values(fc.stringMatching(/^R[0-9]{1,3}$/), ''),
  person_id: values(fc.constantFrom(PERSON, 'd'.repeat(64)), 'short'),
  occurred_on: values(fc.constantFrom('2025-04-01', '2026-09-30'), '2025-02-30', '2030-01-01', '01/04/2025'),
  recorded_at: values(fc.constantFrom('', '2025-04-02T10:00:00Z'), 'yesterday'),
  referral_source: values(fc.constantFrom('gp', 'self', 'vcse'), 'alien'),
  snomed_code: values(fc.constantFrom('871731000000106', ''), '123'),
  contact_mode: values(fc.constantFrom('video', 'face_to_face'), 'telepathy', ''),
  worker_role: values(fc.constantFrom('splw', 'hwbc', 'cc'), 'nurse'),
  duration_minutes: values(fc.constantFrom('30', '0', '45'), '-5', '600', 'long', ''),
};

const cell = (column: string) =>
  fc.oneof(
    { weight: 490, arbitrary: Object.hasOwn(VALID, column) ? (VALID[column] as fc.Arbitrary<string>) : fc.string() },
    { weight: 8, arbitrary: fc.string({ maxLength: 20, unit: 'binary' }) },
    { weight: 2, arbitrary: fc.constantFrom(...IDENTIFIERS).map((id) => `note ${id}`) },
  );

const REQUIRED = HEADER.slice(0, 6);
/** The columns a contact needs, so that most generated rows can be valid. */
const CONTACT = HEADER.slice(9);
const header: fc.Arbitrary<string[]> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.shuffledSubarray(HEADER.slice(6, 9)), fc.shuffledSubarray([...REQUIRED, ...CONTACT], { minLength: 9 }))
      .map(([optional, required]) => [...required, ...optional]),
  },
  { weight: 1, arbitrary: fc.constant<string[]>([...HEADER, 'date_of_birth']) },
  // A header cell (CSV) or key (JSON Lines) that is itself an identifier.
  { weight: 1, arbitrary: fc.constantFrom(...IDENTIFIERS).map((id) => [...HEADER, id]) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 6 }) },
);

const upload = header.chain((columns) =>
  fc.record({
    columns: fc.constant(columns),
    rows: fc.array(fc.tuple(...columns.map(cell)), { maxLength: 12 }),
    newline: fc.constantFrom('\n', '\r\n'),
    bom: fc.boolean(),
    gzip: fc.boolean(),
    /** Cut the bytes short at this fraction (1 = whole file). */
    cut: fc.oneof(
      { weight: 6, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
    ),
    jsonl: fc.boolean(),
    /**
     * Per row, what a hostile file adds: CSV cells beyond the header, or (JSON Lines) a value made an array or an
     * object; sometimes holding an identifier.
     */
    extras: fc.array(
      fc.oneof(
        { weight: 60, arbitrary: fc.constant(null) },
        { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
        { weight: 1, arbitrary: fc.constantFrom(...IDENTIFIERS) },
      ),
      { maxLength: 12 },
    ),
    /** Lines that are not rows at all (broken JSON, a CSV line of two cells), at a position, sometimes with an identifier. */
    broken: fc.oneof(
      { weight: 8, arbitrary: fc.constant<[number, string][]>([]) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.tuple(
            fc.nat(12),
            fc.oneof(
              fc.string({ maxLength: 10 }),
              fc.constantFrom(...IDENTIFIERS).map((id) => `note ${id}`),
            ),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      },
    ),
  }),
);

function textOf(file: {
  columns: string[];
  rows: string[][];
  newline: string;
  jsonl: boolean;
  extras: (string | null)[];
  broken: [number, string][];
}): string {
  const lines = file.jsonl
    ? file.rows.map((row, r) => {
        const object: Record<string, unknown> = Object.fromEntries(file.columns.map((c, i) => [c, row[i]]));
        const extra = file.extras[r];
        if (extra != null) {
          const column = file.columns[r % file.columns.length] as string;
          object[column] = r % 2 === 0 ? [extra] : { value: extra, nested: [1, extra] };
        }
        return JSON.stringify(object);
      })
    : [
        Papa.unparse([file.columns]),
        ...file.rows.map((row, r) => {
          const extra = file.extras[r];
          return Papa.unparse([extra == null ? row : [...row, extra]]);
        }),
      ];
  for (const [at, text] of file.broken) {
    lines.splice(Math.min(at, lines.length), 0, file.jsonl ? `{"note": ${JSON.stringify(text)}` : `x,${text}`);
  }
  return lines.join(file.newline);
}

function bytesOf(file: {
  columns: string[];
  rows: string[][];
  newline: string;
  bom: boolean;
  gzip: boolean;
  cut: number;
  jsonl: boolean;
  extras: (string | null)[];
  broken: [number, string][];
}): { name: string; bytes: Uint8Array } {
  const text = textOf(file);
  let bytes: Uint8Array = Buffer.from(`${file.bom ? '\uFEFF' : ''}${text}${file.newline}`, 'utf8');
  if (file.gzip) bytes = gzipSync(bytes);
  bytes = bytes.subarray(0, Math.floor(bytes.length * file.cut));
  return { name: `upload.${file.jsonl ? 'jsonl' : 'csv'}${file.gzip ? '.gz' : ''}`, bytes };
}

describe(`the ingest core on ${RUNS.toLocaleString('en-GB')} generated files (seed ${SEED})`, () => {
  it('never throws; every row read is accepted or quarantined with a reason; no planted identifier is kept anywhere', async () => {
    let files = 0;
    let accepted = 0;
    let rejectedWhole = 0;
    let identifiable = 0;
    await fc.assert(
      fc.asyncProperty(upload, async (file) => {
        const store = new MemoryObjectStore();
        const { name, bytes } = bytesOf(file);
        const key = await stageUpload(store, PCN, name, bytes);
        const { receipt } = await ingestUpload({ store }, { key });
        files++;
        const r: Receipt = receipt;
        expect(r.rows.read).toBe(r.rows.accepted + r.rows.rejected);
        const curated = await store.list('curated/');
        // No identifier in any object kept outside landing/, in any form (receipts, quarantine; curated below).
        for (const kept of await store.list('')) {
          if (kept.startsWith('landing/') || kept.endsWith('.parquet')) continue;
          const text = new TextDecoder().decode(await store.get(kept));
          for (const id of IDENTIFIERS) expect(text).not.toContain(id);
        }
        // A file with an identifier anywhere in it is refused whole and deleted from landing/.
        const planted = IDENTIFIERS.some((id) => textOf(file).includes(id));
        if (planted && file.cut === 1) {
          expect(r.file_error?.code).toBe('identifiable_data');
          identifiable++;
        }
        if (r.file_error?.code === 'identifiable_data') expect(await store.list('landing/')).toEqual([]);
        if (r.file_error) {
          rejectedWhole++;
          expect(r.rows.accepted).toBe(0);
          expect(curated).toEqual([]);
          expect(r.file_error.message).not.toMatch(
            /9434765919|943\D+476|SW1A.1AA|LS1\.4AP|jo\.bloggs|07700|0770-090|1970-02-03/,
          );
          return;
        }
        accepted += r.rows.accepted;
        // Every rejected row is kept in quarantine with at least one reason.
        const quarantined = r.outputs.quarantine
          ? new TextDecoder()
              .decode(await store.get(r.outputs.quarantine))
              .trim()
              .split('\n')
              .map((line) => JSON.parse(line) as { errors: unknown[]; cells: Record<string, unknown> })
          : [];
        expect(quarantined).toHaveLength(r.rows.rejected);
        for (const q of quarantined) {
          expect(q.errors.length).toBeGreaterThan(0);
          // A row rejected for its format keeps its cells for the PCN's correction: none the guard would flag.
          for (const value of Object.values(q.cells)) expect(findIdentifier(String(value))).toBeUndefined();
        }
        expect(Object.values(r.partitions).reduce((a, b) => a + b, 0)).toBe(r.rows.accepted);
        // Nothing the guard is meant to catch is in any curated value.
        for (const key of curated) {
          const buffer = (await store.get(key)) as Uint8Array;
          const arrayBuffer = buffer.buffer.slice(
            buffer.byteOffset,
            buffer.byteOffset + buffer.byteLength,
          ) as ArrayBuffer;
          const rows = await parquetReadObjects({ file: arrayBuffer });
          const text = JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? String(v) : v));
          for (const id of IDENTIFIERS) expect(text).not.toContain(id);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(files).toBe(RUNS);
    console.log(
      `${files} files: ${rejectedWhole} rejected whole (${identifiable} for a planted identifier), ${accepted} rows accepted`,
    );
    expect(identifiable).toBeGreaterThan(RUNS / 10);
    // The generator reaches both outcomes often: a fuzz run that only ever rejected headers would prove little.
    expect(rejectedWhole).toBeGreaterThan(RUNS / 10);
    expect(accepted).toBeGreaterThan(RUNS / 10);
  }, 600_000);
});
