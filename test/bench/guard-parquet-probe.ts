/**
 * A red-team probe of the identifiability guard through the real ingest: each shape is planted in one cell (an id
 * column, which takes any 1-64 characters of `A-Z a-z 0-9 . _ : -`, or person_id) of a two-row community connection
 * file, the file is ingested as an upload, and the curated Parquet it wrote is read back with DuckDB: a shape found
 * there reached curated Parquet past the guard. Prints one line a shape: refused (and why, by its receipt's code),
 * quarantined, or REACHED PARQUET. Shapes from the command line, or the built-in list (sec33's pass: near-misses, most
 * caught since sec34, and what README's guard paragraph leaves on purpose, to see it still does).
 *   npx tsx test/bench/guard-parquet-probe.ts ['shape' | 'column=shape' ...]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ingestUpload } from '../../functions/ingest/ingest.ts';
import { stageUpload } from '../../functions/ingest/landing.ts';
import { duckQuery } from '../support/files.ts';
import { connection, GUARD_COLUMNS, GUARD_PCN } from '../support/identifiable-refusal.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

const hex54 = (c: string) => c.repeat(54);
const BUILT_IN = [
  // Caught since sec33 (were reaching Parquet).
  'referral_id=Feb-03-1970',
  'event_id=3rd-Feb-1970',
  'provider_id=1970-Feb-03',
  // Near-misses found by sec33's pass, caught since sec34.
  'provider_id=943x476x5919',
  'provider_id=tel.7700.900.123',
  'provider_id=phone-20-7946-0958',
  'provider_id=jane.doe.nhs.net',
  'provider_id=N.Smith.1970',
  'provider_id=12-25-1970',
  'provider_id=03-02-70',
  'provider_id=03-FEB-70',
  `person_id=${'0'.repeat(53)}07700900123`,
  `person_id=07700900123${'a'.repeat(53)}`,
  // Left on purpose (README).
  'provider_id=94347659190',
  'provider_id=2079460958',
  'provider_id=John.Smith',
  'provider_id=19700203',
  'provider_id=1970-02-03.1',
  // Caught (a check that the probe sees a refusal).
  'provider_id=9434765919',
  `person_id=9434765919${hex54('0')}`,
];

const NOW = new Date('2026-10-01T09:00:00Z');
const shapes = process.argv.length > 2 ? process.argv.slice(2) : BUILT_IN;
const work = mkdtempSync(join(tmpdir(), 'guard-probe-'));
try {
  for (const [n, given] of shapes.entries()) {
    const at = given.indexOf('=');
    const [column, shape] =
      at > 0 && GUARD_COLUMNS.includes(given.slice(0, at))
        ? [given.slice(0, at), given.slice(at + 1)]
        : ['provider_id', given];
    const rows = [connection({ event_id: 'E1' }), connection({ event_id: 'E2', [column]: shape })];
    const csv = `${[GUARD_COLUMNS, ...rows].map((cells) => cells.join(',')).join('\n')}\n`;
    const store = new MemoryObjectStore();
    const key = await stageUpload(store, GUARD_PCN, 'upload.csv', new TextEncoder().encode(csv));
    const { receipt } = await ingestUpload({ store, clock: () => NOW }, { key });
    const dir = join(work, String(n));
    const parquet = [...store.objects.entries()].filter(
      ([name]) => name.startsWith('curated/') && name.endsWith('.parquet'),
    );
    for (const [name, bytes] of parquet) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    let found = 0;
    if (parquet.length > 0) {
      const glob = join(dir, 'curated', '**', '*.parquet').replaceAll("'", "''");
      const rowsRead = await duckQuery(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}', union_by_name = true) WHERE ${column} = '${shape.replaceAll("'", "''")}'`,
      );
      found = Number(rowsRead[0]?.n ?? 0);
    }
    const verdict =
      found > 0
        ? 'REACHED PARQUET'
        : receipt.file_error
          ? `refused (${receipt.file_error.code})`
          : `not in Parquet (${receipt.status})`;
    console.log(`${column.padEnd(12)} ${JSON.stringify(shape).slice(0, 60).padEnd(62)} ${verdict}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
