/**
 * The identifiability guard's cost on the ingest bench's events file: every non-empty cell of every row through
 * findIdentifier, as the ingest's guard does, beside every rule run in full on the same cells (identifierByRules: what
 * the shortcuts save), measured in one run, best of three, CPU time (and wall), with the cells each flags by column
 * (genuine values the guard would refuse: the file is the demo generator's). Then genuine ids at scale: 1,000,000
 * person_ids as the uploader makes them (HMAC-SHA256 of 1,000,000 valid NHS numbers), 1,000,000 random UUIDs
 * (crypto.randomUUID, as a PCN system may number its events), 1,000,000 random 128-bit UUID shapes and 1,000,000 UUIDs
 * whose first group is a date from 1900 to 2009, 200,000 random ids in each other hex shape (a GUID without hyphens, in
 * capitals, an ObjectId, a SHA-1, a 64-bit id), 200,000 ids of an ODS code, a date and a sequence in each of 23 shapes
 * (separators and date orders), 200,000 landlines glued to letters and NI numbers (what review 6's rules read) and
 * 200,000 ids in each shape that holds their digits (beside a baseline, how many each newly refuses), 200,000 ids of a
 * sequence and a date in each of 10 shapes and numbers with colons between their groups (review 7), and, given a
 * data directory (a refresh layout's,
 * `curated/events/**` Parquet), every id of every event in it: the values each guard would refuse, by column. Then its
 * time on long adversarial texts: each rule is matched in time linear in the text, so a text four times as long takes
 * about four times as long.
 *   npx tsx test/bench/guard.bench.ts [rows] [data dir]  (default 1,000,000; the file `npm run bench:ingest` writes,
 *                                                 made here if it is missing; the data dir, e.g.
 *                                                 /tmp/sp-outcomes-bench/refresh-layout-1-36/data, national 36 months)
 *   GUARD_BASELINE=/tmp/old-guard.ts npx tsx ...  (another version beside it: `git show REV:functions/lib/...`)
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeLargeEventsFile } from '../../cli/synthetic/generate.ts';
import { findIdentifier, identifierByRules } from '../../functions/lib/identifiability-guard.ts';
import { isValidNhsNumber } from '../../functions/lib/nhs-number.ts';
import { newKey, personIdFor } from '../../functions/upload/pseudonymise.ts';

type Guard = (text: string) => string | undefined;

const rows = Number(process.argv[2] ?? 1_000_000);
const dataDir = process.argv[3];
const work = join(tmpdir(), 'sp-outcomes-bench');
mkdirSync(work, { recursive: true });
const csv = join(work, `events-${rows}.csv`);
if (!existsSync(csv) || !existsSync(`${csv}.pcn`)) {
  writeFileSync(`${csv}.pcn`, writeLargeEventsFile(csv, rows, 1).pcnCode);
}

/**
 * CPU microseconds the guard spends on a batch of rows' cells (the split is not timed), its wall milliseconds added to
 * `wall`; the cells it flags are counted by column into `flagged` after the clock stops (the guard's answers kept in
 * order, one byte a cell).
 */
function timeBatch(guard: Guard, batch: readonly string[][], flagged: number[], wall: { ms: number }): number {
  const answers = new Uint8Array(batch.reduce((sum, cells) => sum + cells.length, 0));
  let at = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const cells of batch) {
    for (const cell of cells) {
      if (cell !== '' && guard(cell) !== undefined) answers[at] = 1;
      at++;
    }
  }
  const used = process.cpuUsage(cpu);
  wall.ms += performance.now() - started;
  at = 0;
  for (const cells of batch) {
    for (let column = 0; column < cells.length; column++) {
      if (answers[at++] === 1) flagged[column] = (flagged[column] ?? 0) + 1;
    }
  }
  return used.user + used.system;
}

const GUARDS: [string, Guard][] = [
  ['findIdentifier (shortcuts)', findIdentifier],
  ['identifierByRules (every rule)', identifierByRules],
];
// Other versions of the guard measured beside this one, for a change to it: GUARD_BASELINE=path/to/old/guard.ts, or
// several, comma-separated (each step of a change), named baseline, baseline2, ...
for (const [i, path] of (process.env.GUARD_BASELINE ?? '').split(',').filter(Boolean).entries()) {
  const baseline = (await import(path)) as { findIdentifier: Guard };
  GUARDS.push([`baseline${i > 0 ? i + 1 : ''} findIdentifier`, baseline.findIdentifier]);
}

/** The guards' order for the n-th batch: each goes first in turn (0 1 2, 1 2 0, 2 0 1, ...). */
const turns = (count: number, n: number): number[] => Array.from({ length: count }, (_, k) => (n + k) % count);

const columns: string[] = [];
/** `column n` for each column with flagged cells, or `none`. */
const byColumn = (flagged: readonly number[], names: readonly string[]) =>
  flagged
    .map((n, column) => (n > 0 ? `${names[column]} ${n.toLocaleString('en-GB')}` : ''))
    .filter((text) => text !== '')
    .join(', ') || 'none';

/** One pass over the file in batches of 50,000 rows, each guard on each batch in turn. */
async function pass(): Promise<{
  rows: number;
  cells: number;
  results: { cpuUs: number; wall: { ms: number }; flagged: number[] }[];
}> {
  const results = GUARDS.map(() => ({ cpuUs: 0, wall: { ms: 0 }, flagged: [] as number[] }));
  let read = 0;
  let cells = 0;
  let batch: string[][] = [];
  let batches = 0;
  const flush = () => {
    // The guards take turns going first: the first to read a batch's fresh strings pays for touching them.
    for (const i of turns(GUARDS.length, batches++)) {
      const result = results[i] as (typeof results)[number];
      result.cpuUs += timeBatch((GUARDS[i] as [string, Guard])[1], batch, result.flagged, result.wall);
    }
    batch = [];
  };
  for await (const line of createInterface({ input: createReadStream(csv) })) {
    if (columns.length === 0) {
      columns.push(...line.split(','));
      continue;
    }
    const row = line.split(',');
    read++;
    for (const cell of row) if (cell !== '') cells++;
    batch.push(row);
    if (batch.length === 50_000) flush();
  }
  flush();
  return { rows: read, cells, results };
}

const best = GUARDS.map(() => Number.POSITIVE_INFINITY);
const bestWallMs = GUARDS.map(() => Number.POSITIVE_INFINITY);
let last: Awaited<ReturnType<typeof pass>> | undefined;
for (let round = 0; round < 3; round++) {
  last = await pass();
  last.results.forEach((result, i) => {
    best[i] = Math.min(best[i] as number, result.cpuUs);
    bestWallMs[i] = Math.min(bestWallMs[i] as number, result.wall.ms);
  });
}
if (last === undefined) throw new Error('no pass ran');
console.log(
  `guard on ${last.rows.toLocaleString('en-GB')} rows (${last.cells.toLocaleString('en-GB')} non-empty cells), best of 3, CPU and wall; load ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
GUARDS.forEach(([name], i) => {
  const cpuUs = best[i] as number;
  const flagged = last.results[i]?.flagged ?? [];
  console.log(
    `  ${name.padEnd(32)} ${(cpuUs / 1e6).toFixed(2)} s CPU (wall ${((bestWallMs[i] as number) / 1000).toFixed(2)} s) = ${(cpuUs / last.rows).toFixed(3)} us/row, ${((cpuUs * 1000) / last.cells).toFixed(0)} ns/cell${i > 0 ? `; ${(cpuUs / (best[0] as number)).toFixed(2)}x the shortcuts` : ''}; flagged cells: ${byColumn(flagged, columns)}`,
  );
});

// Genuine ids at scale: what each guard would refuse of values no person is in.
const idGuards = GUARDS.filter(([name]) => name !== 'identifierByRules (every rule)');
const idGuardNames = idGuards.map(([name]) => name.split(' ')[0]).join(' | ');

/**
 * How many of `count` ids of each shape each guard refuses: a line a shape, under the title. Beside a baseline, also
 * how many this guard refuses and the first baseline does not (what a change newly refuses, on the same ids).
 */
function refused(title: string, count: number, shapes: readonly [string, () => string][]): void {
  const compared = idGuards.length > 1;
  console.log(
    `${count.toLocaleString('en-GB')} ${title}, refused (${idGuardNames}${compared ? '; newly, by the first only' : ''}):`,
  );
  for (const [shape, make] of shapes) {
    const flagged = idGuards.map(() => 0);
    let newly = 0;
    for (let n = 0; n < count; n++) {
      const id = make();
      const answers = idGuards.map(([, guard]) => guard(id) !== undefined);
      answers.forEach((refusedIt, i) => {
        if (refusedIt) flagged[i] = (flagged[i] ?? 0) + 1;
      });
      if (answers[0] === true && answers[1] === false) newly++;
    }
    console.log(`  ${shape.padEnd(40)} ${flagged.join(' | ')}${compared ? `; newly ${newly}` : ''}`);
  }
}

/**
 * person_id as the uploader writes it: HMAC-SHA256 under a PCN's key of NHS numbers from 400 000 000 up, each nine
 * digits and its check digit (a remainder of 10 is no number, so skipped).
 */
const key = newKey('U00203');
let nine = 400_000_000;
function nextPersonId(): string {
  for (;;) {
    const digits = String(nine++);
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(digits[i]) * (10 - i);
    const number = `${digits}${(11 - (sum % 11)) % 11}`;
    if (isValidNhsNumber(number)) return personIdFor(key, number);
  }
}
// Random UUIDs (version 4): about 3 in 1,000 hold ten digits between hex letters or across a hyphen that pass the
// check digit from 3 up, which is why the guard reads only a number standing alone in one.
/** 128 random bits in a UUID's shape without its version and variant (a generator that formats random bytes). */
const randomUuidShape = () =>
  randomBytes(16)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
refused('genuine ids of each kind', 1_000_000, [
  ['uploader person_ids (HMAC of NHS numbers)', nextPersonId],
  ['random UUIDs (crypto.randomUUID)', randomUUID],
  ['UUID shape, random, no version', randomUuidShape],
  // The 28 in 1,000,000 version 4 UUIDs whose first group is a date of 1900 to 2009, made every time: read only with
  // no hex letter beside the date, about 16 in 1,000,000 of these ((10/16)^22 / 2; 13 and 16 in two runs, 5 Dec 2026,
  // so about 4 in 10^10 random UUIDs), or sixteen zeros beside it (a number written into the shape), about 4 in 10^15.
  [
    'UUIDs, first group a date of 1900-2009',
    () => {
      const date = new Date(Date.UTC(1900, 0, 1) + Math.floor(Math.random() * 110 * 365.25) * 86_400_000);
      const eight = date.toISOString().slice(0, 10).replaceAll('-', '');
      return `${eight}${randomUUID().slice(8)}`;
    },
  ],
]);
// Random ids in the other hex shapes systems write (red-team review 4, F6): before they were read as any text, 2 to 3
// in 1,000 refused (an NHS number or a mobile's digits between hex letters), and one refusal rejects the whole file.
// Since, none of 200,000 of each shape (5 Dec 2026).
refused('random hex ids of each shape', 200_000, [
  ['GUID without hyphens (32 hex)', () => randomUUID().replaceAll('-', '')],
  ['GUID without hyphens, capitals', () => randomUUID().replaceAll('-', '').toUpperCase()],
  ['GUID with hyphens, capitals', () => randomUUID().toUpperCase()],
  ['ObjectId (24 hex)', () => randomBytes(12).toString('hex')],
  ['SHA-1 (40 hex)', () => randomBytes(20).toString('hex')],
  ['64-bit id (16 hex)', () => randomBytes(8).toString('hex')],
]);

// Zero-padded counters (red-team review 9, R9-4): every ten- or eleven-digit one was refused as a telephone number
// (0 and nine or ten digits) until the digit after a UK number's 0 was read as one a number has there. Target: none.
let counter = 0;
const nextCounter = () => ++counter % 1_000_000_000;
refused('zero-padded counters of each shape', 200_000, [
  ['EV-%010d', () => `EV-${String(nextCounter()).padStart(10, '0')}`],
  ['REF_%010d', () => `REF_${String(nextCounter()).padStart(10, '0')}`],
  ['%010d', () => String(nextCounter()).padStart(10, '0')],
  ['U12345-%010d', () => `U12345-${String(nextCounter()).padStart(10, '0')}`],
  ['EV-%011d', () => `EV-${String(nextCounter()).padStart(11, '0')}`],
]);

// Ids a PCN system writes from an ODS code, a date and a sequence, from a fixed seed: each run reads the same ids.
let seed = 20261205;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const below = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[below(items.length)] as T;
const two = (n: number) => String(n).padStart(2, '0');
const digitsOf = (n: number) => Array.from({ length: n }, () => below(10)).join('');
{
  // The separators, paddings and widths mixed (the shapes a mobile's digits in small groups would be read in: a day
  // and a month are one or two digits). Codes starting 07 after their letter (14 PCN codes U07.. and 12 practice
  // codes Y07.. in the 2025 extracts) are the riskiest case for a mobile's 07. These mixed shapes were refused 9 to 24
  // in 100 before the mobile read in small groups (5 Dec 2026: mostly a 0 and nine or ten digits standing apart, as
  // `-07/2023_397.12` or a zero-padded sequence `/00000882508`, read as a telephone number; and a code 0.... and a
  // date of eleven digits with one separator, read as zero padding and an NHS number); that rule refused none more.
  const code = (risky: boolean) =>
    risky ? `${pick(['U', 'Y'])}07${digitsOf(3)}` : `${pick([...'ABCDEFGHJKLMNPRUY'])}${digitsOf(5)}`;
  const date = (order: 'year' | 'day' | 'any') => {
    const [y, m, d] = [2019 + below(8), 1 + below(12), 1 + below(28)];
    const padded = random() < 0.8;
    const sep = pick(['-', '.', '_', '/', '']);
    const [mm, dd] = padded || sep === '' ? [two(m), two(d)] : [String(m), String(d)];
    const year = random() < 0.7 ? String(y) : two(y % 100);
    const first = order === 'any' ? pick(['year', 'day'] as const) : order;
    if (first === 'year') return pick([[year, mm, dd].join(sep), [String(y), mm].join(sep)]);
    return pick([[dd, mm, year].join(sep), [mm, String(y)].join(sep)]);
  };
  const sequence = () => {
    const n = String(below(10 ** (1 + below(7))));
    return random() < 0.5 ? n : n.padStart(n.length + below(6), '0');
  };
  const sep = () => pick(['', '-', '_', '.', '/']);
  const suffix = () => pick(['', '', '.1', 'A', '-A', 'x', '.12']);
  const dated = (head: () => string, order: 'year' | 'day' | 'any') => () =>
    `${head()}${sep()}${date(order)}${random() < 0.8 ? `${pick(['-', '.', '_', '/', ''])}${sequence()}` : ''}${suffix()}`;
  refused('ids of an ODS code, a date and a sequence, mixed, of each shape', 200_000, [
    ['ODS code, date year first, seq', dated(() => code(false), 'year')],
    ['ODS code, date day first, seq', dated(() => code(false), 'day')],
    ['ODS code 07.., any date, seq', dated(() => code(true), 'any')],
    ['letters, any date, seq', dated(() => pick(['R', 'EV', 'E', 'REF', 'pt', 'C', 'MOB']), 'any')],
    ['ODS code 07.., a sequence', () => `${code(true)}${sep()}${sequence()}${sep()}${sequence()}${suffix()}`],
  ]);
}
{
  // One separator throughout (`H53465-2023-02-22-000993`): an ODS code (a letter and five digits), a date from 2019 to
  // 2027 (the day 1 to 28, its parts two digits), a sequence of 1 to 6 digits. Before the telephone rule left the tail
  // of an id's date and sequence (5 Dec 2026), a 0 and nine or ten digits standing apart there were refused: year
  // first 24,997 of 200,000 with -, /, _ or a space, day first 71,540, a month and a year 50,126 (with a dot, none: a
  // number after a digit and a dot is a fraction to the rule); since, none. Left: without a separator, an ODS code
  // ..447.. before the date reads as a mobile glued to a letter (1 to 29 of 200,000); a code 0.... and a month and a
  // year with one separator as zero padding and an NHS number (17 and 26 of 200,000).
  const FORMS: [string, (y: number, m: string, d: string) => (string | number)[]][] = [
    ['year first', (y, m, d) => [y, m, d]],
    ['day first', (y, m, d) => [d, m, y]],
    ['a month and a year', (y, m) => [m, y]],
  ];
  const shapes: [string, () => string][] = [];
  for (const [form, parts] of FORMS) {
    for (const separator of ['-', '/', '_', ' ', '', '.']) {
      shapes.push([
        `${form}, separator '${separator}'`,
        () => {
          const date = parts(2019 + below(9), two(1 + below(12)), two(1 + below(28))).join(separator);
          return `${pick([...'ABCDEFGHJKLMNPRUY'])}${digitsOf(5)}${separator}${date}${separator}${digitsOf(1 + below(6))}`;
        },
      ]);
    }
  }
  refused('ids of an ODS code, a date and a sequence, one separator, of each shape', 200_000, shapes);
}
{
  // Review 6: a UK landline glued to letters and a National Insurance number. First what each rule reads (landlines
  // of 01.. and 02.. with random local digits glued to letters, together or grouped as people write them; NI numbers
  // with prefixes HMRC uses), then ids a system may write that hold the same shapes: an ODS code 01.. or 02.. and a
  // sequence of six (left on purpose), and two letters, six digits and a suffix (what the NI rule cannot tell from one
  // when the letters are a prefix HMRC uses and the suffix is A to D, in capitals).
  const londonOrOther = () =>
    random() < 0.5 ? `20${pick(['3', '4', '7', '8'])}${digitsOf(7)}` : `1${1 + below(9)}${digitsOf(8)}`;
  // Words of two letters or more: after one capital (an ODS code's letter) a landline is left on purpose.
  const word = () => pick(['REF', 'tel', 'pt', 'MOB', 'Ph', 'x']);
  const CAPITALS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  const NINO_FIRST = [...'ABCEGHJKLMNOPRSTWXYZ'];
  const NINO_SECOND = [...'ABCEGHJKLMNPRSTWXYZ'];
  const ninoPrefix = (): string => {
    const prefix = `${pick(NINO_FIRST)}${pick(NINO_SECOND)}`;
    return ['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(prefix) ? ninoPrefix() : prefix;
  };
  refused('numbers of each shape the new rules read', 200_000, [
    ['landline glued to letters, together', () => `${word()}0${londonOrOther()}`],
    [
      'landline glued to letters, grouped',
      () => {
        const digits = londonOrOther();
        const [area, rest] = digits.startsWith('20') ? [3, 4] : [4, 3];
        return `${word()}0${digits.slice(0, area - 1)} ${digits.slice(area - 1, area - 1 + rest)} ${digits.slice(area - 1 + rest)}`;
      },
    ],
    ['NI number, together', () => `${ninoPrefix()}${digitsOf(6)}${pick([...'ABCD'])}`],
    [
      'NI number, in pairs with spaces',
      () => `${ninoPrefix()} ${digitsOf(2)} ${digitsOf(2)} ${digitsOf(2)} ${pick([...'ABCD'])}`,
    ],
  ]);
  refused('ids that hold those shapes, of each shape', 200_000, [
    [
      'ODS code 01../02.., a sequence of six',
      () => `${pick(['U', 'Y'])}0${pick(['1', '2'])}${digitsOf(3)}${pick(['', '-', '_', '.', '/'])}${digitsOf(6)}`,
    ],
    [
      'letters, a sequence of 4 to 7, a suffix',
      () => `${word()}${pick(['', '-'])}${digitsOf(4 + below(4))}${pick(['A', 'B', 'C', 'x', '-A', '.1'])}`,
    ],
    ['two capitals, six digits, A to D', () => `${pick(CAPITALS)}${pick(CAPITALS)}${digitsOf(6)}${pick([...'ABCD'])}`],
  ]);
}
{
  // Review 7: ids of a sequence and the event's date, either way round (M6: `R-2025-04-<seq>-<yyyy-mm-dd>` was refused
  // 16.9 times in 100 as a telephone number with sequences 0 to 39, `REF-<seq>-<yyyy-mm-dd>` 2.2 as an NHS number),
  // ids joined with colons (the contract's ids may hold them) and a timestamp in one; then numbers written with colons
  // between their groups (M1: passed before, refused since).
  const sequence = () => {
    const n = String(below(10 ** (1 + below(4))));
    return random() < 0.5 ? n : n.padStart(n.length + below(4), '0');
  };
  const ymd = (sep: string) => [2019 + below(8), two(1 + below(12)), two(1 + below(28))].join(sep);
  const dmy = (sep: string) => [two(1 + below(28)), two(1 + below(12)), 2019 + below(8)].join(sep);
  refused('ids of a sequence and a date (review 7 M6), of each shape', 200_000, [
    ['R-<yyyy>-<mm>-<seq>-<yyyy-mm-dd>', () => `R-${2019 + below(8)}-${two(1 + below(12))}-${sequence()}-${ymd('-')}`],
    ['REF-<seq>-<yyyy-mm-dd>', () => `REF-${sequence()}-${ymd('-')}`],
    ['REF<seq>-<yyyy-mm-dd>', () => `REF${sequence()}-${ymd('-')}`],
    ['REF_<seq>_<yyyy_mm_dd>', () => `REF_${sequence()}_${ymd('_')}`],
    ['REF-<seq>-<dd-mm-yyyy>', () => `REF-${sequence()}-${dmy('-')}`],
    ['REF/<seq>/<dd/mm/yyyy>', () => `REF/${sequence()}/${dmy('/')}`],
    ['REF-<dd-mm-yyyy>-<seq>', () => `REF-${dmy('-')}-${sequence()}`],
    ['EV:<seq>:<yyyy-mm-dd>', () => `EV:${sequence()}:${ymd('-')}`],
    ['EV:<ODS code>:<seq>', () => `EV:${pick([...'ABCDEFGHJKLMNPRUY'])}${digitsOf(5)}:${sequence()}`],
    ['R<yyyy-mm-dd>T<hh:mm:ss>', () => `R${ymd('-')}T${[two(below(24)), two(below(60)), two(below(60))].join(':')}`],
  ]);
  const nhsNumber = (): string => {
    for (;;) {
      const nine = String(300_000_000 + below(700_000_000));
      let sum = 0;
      for (let i = 0; i < 9; i++) sum += Number(nine[i]) * (10 - i);
      const number = `${nine}${(11 - (sum % 11)) % 11}`;
      if (isValidNhsNumber(number)) return number;
    }
  };
  refused('numbers with colons between their groups (review 7 M1), of each shape', 200_000, [
    ['NHS number in pairs, PT:..', () => `PT:${nhsNumber().match(/../g)?.join(':')}`],
    ['NHS number 3-4-3, REF:..', () => `REF:${nhsNumber().replace(/^(...)(....)/, '$1:$2:')}`],
    ['mobile 5-3-3, tel:..', () => `tel:07${digitsOf(3)}:${digitsOf(3)}:${digitsOf(3)}`],
    ['London landline 3-4-4, alone', () => `020:${digitsOf(4)}:${digitsOf(4)}`],
  ]);
}
{
  // Review 8. N4: generated ids with a prefix or a suffix (before, about 1 in 300 of each shape refused as an NHS or
  // telephone number: the UUID's digit groups read as any other text). N8: ids holding a Unix time in seconds (before,
  // 1 in 11 refused as an NHS number), and nanoid / base64url ids (about 2 in 1,000 refused as a postcode, left). N3's
  // cost: numeric ids of 10 to 13 digits, which a bare 44 or 7 now reads as a telephone number when they start so.
  const uuid = () => randomUUID();
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  const epoch = () => 1_735_689_600 + below(3 * 31_536_000); // 2025 to 2027, seconds
  const NANOID = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';
  const nanoid = () => Array.from({ length: 21 }, () => NANOID[below(64)]).join('');
  refused('ids of review 8 (N4, N8, N3), of each shape', 200_000, [
    ['urn:uuid:<uuid>', () => `urn:uuid:${uuid()}`],
    ['EV-<uuid>', () => `EV-${uuid()}`],
    ['<uuid>.1', () => `${uuid()}.${1 + below(9)}`],
    ['R<uuid>', () => `R${uuid()}`],
    ['<uuid>-<seq>', () => `${uuid()}-${below(1000)}`],
    ['<UUID in capitals>.1', () => `${uuid().toUpperCase()}.1`],
    ['EV-<32 hex>', () => `EV-${hex(16)}`],
    ['<24 hex>.1', () => `${hex(12)}.1`],
    ['obj:<40 hex>', () => `obj:${hex(20)}`],
    ['<epoch s>', () => String(epoch())],
    ['<epoch s>-<seq>', () => `${epoch()}-${below(1000)}`],
    ['EV-<epoch s>-<seq>', () => `EV-${epoch()}-${below(1000)}`],
    ['U12345-<epoch s>', () => `U12345-${epoch()}`],
    ['<epoch ms>', () => String(epoch() * 1000 + below(1000))],
    ['nanoid (21)', nanoid],
    ['base64url (12 bytes)', () => randomBytes(12).toString('base64url')],
    ['10 random digits', () => digitsOf(10)],
    ['12 random digits', () => digitsOf(12)],
    ['EV-<12 random digits>', () => `EV-${digitsOf(12)}`],
  ]);
}
if (dataDir !== undefined) {
  // Every id of every event the national demo generated (one id column at a time, streamed), through each guard.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GB', threads: '1' });
  const connection = await instance.connect();
  const ID_COLUMNS = ['event_id', 'referral_id', 'provider_id', 'person_id', 'retracts_event_id'];
  const cpuUs = idGuards.map(() => 0);
  console.log(
    `every id in ${dataDir}/curated/events, values refused (${idGuardNames}); load ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  for (const column of ID_COLUMNS) {
    const result = await connection.stream(
      `SELECT ${column} FROM read_parquet('${dataDir}/curated/events/**/*.parquet') WHERE ${column} IS NOT NULL`,
    );
    const flagged = idGuards.map(() => 0);
    let values = 0;
    let chunks = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk !== null && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const texts = chunk.getColumnValues(0) as string[];
      values += texts.length;
      for (const i of turns(idGuards.length, chunks++)) {
        const guard = (idGuards[i] as [string, Guard])[1];
        const cpu = process.cpuUsage();
        let n = 0;
        for (const text of texts) if (guard(text) !== undefined) n++;
        const used = process.cpuUsage(cpu);
        cpuUs[i] = (cpuUs[i] ?? 0) + used.user + used.system;
        flagged[i] = (flagged[i] ?? 0) + n;
      }
    }
    console.log(`  ${column.padEnd(18)} ${values.toLocaleString('en-GB').padStart(12)} values: ${flagged.join(' | ')}`);
  }
  console.log(`  guard CPU over them: ${cpuUs.map((us) => `${(us / 1e6).toFixed(2)} s`).join(' | ')}`);
  connection.closeSync();
}

// Long texts built to make a backtracking matcher work hard: separator runs one longer than the rules read, digit
// groups one short, zeros without a number after them, postcode halves.
const ADVERSARIAL: [string, (length: number) => string][] = [
  ['3 digits, runs of 17 separators', (n) => `943${'-'.repeat(17)}`.repeat(n / 20)],
  ['3 digits, runs of 17 no-break spaces', (n) => `943${'\u00a0'.repeat(17)}`.repeat(n / 20)],
  ['groups of 3 digits, one separator', (n) => '943 '.repeat(n / 4)],
  ['zeros, no number after them', (n) => '0'.repeat(n)],
  ['0 and a digit, runs of 17 spaces', (n) => `07${' '.repeat(17)}`.repeat(n / 19)],
  ['outward codes, runs of 17 spaces', (n) => `SW1A${' '.repeat(17)}1A `.repeat(n / 24)],
  ['letters and nine digits', (n) => 'a943476591'.repeat(n / 10)],
  ['digits one at a time, one long run', (n) => '9-'.repeat(n / 2)],
  ['zeros one at a time, one long run', (n) => '0 '.repeat(n / 2)],
  ['digit pairs, separators switching kind', (n) => '94-34.'.repeat(n / 6)],
  ['digits one at a time, separators mixed', (n) => '9-4.3 4/'.repeat(n / 8)],
  ['digit pairs, one doubled separator', (n) => '94--'.repeat(n / 4)],
  ['digits, runs of 16 mixed separators', (n) => `9${'-. /'.repeat(4)}`.repeat(n / 17)],
  // A mobile's ten digits from its 7 in groups nobody writes: each place read, then its groups refused.
  ['mobiles grouped a digit at a time', (n) => 'x0770-0-9-0-0-1-2-3-'.repeat(n / 20)],
  // A mobile's digits in small groups read as a whole run: one long run, and runs one digit too long.
  ['small groups, one long run from 07', (n) => `x07${'-7-0'.repeat(n / 4)}`],
  ['07 and ten digits in small groups', (n) => 'x07-7-0-0-9-0-0-1-2-3-4y'.repeat(n / 24)],
  // A 0 and nine digits standing apart at every id, each the tail of a date and a sequence: each place read, then left.
  ['ids of a date and a sequence, each left', (n) => 'A2023-02-22-000993-'.repeat(n / 19)],
  // Review 6: a landline glued to letters one digit short at every place; an NI number's prefix and digits without
  // its suffix, and two letters before six digits glued to more letters.
  ['landlines one digit short, glued', (n) => 'tel020 7946 095x'.repeat(n / 16)],
  ['NI numbers without their suffix', (n) => 'AB 12 34 56 '.repeat(n / 12)],
  ['two letters and six digits, glued', (n) => 'xAB123456C'.repeat(n / 10)],
  // Invisible characters between digits (left out before reading) and brackets around at (an address written out).
  ['digits and zero-width spaces', (n) => '9\u200b'.repeat(n / 2)],
  ['letters and zero-width spaces', (n) => 'a\u200b'.repeat(n / 2)],
  ['digits and en dashes', (n) => '9\u2013'.repeat(n / 2)],
  ['digits and middle dots', (n) => '9\u00b7'.repeat(n / 2)],
  ['digits and ideographic spaces', (n) => '9\u3000'.repeat(n / 2)],
  ['(at) and labels, no ending', (n) => `j (at) ${'x [dot] '.repeat(n / 8)}`],
  // Words written into a cell: each attempt is bounded (a domain's labels, a date's parts, a title's initials).
  ['at between separators, no ending', (n) => 'a.at.'.repeat(n / 5)],
  ['labels after at, no ending', (n) => `j.at.${'x_y_'.repeat(n / 4)}`],
  ['titles and initials, no name', (n) => 'Dr-A-B-C-D-'.repeat(n / 11)],
  ['dob and short digit runs', (n) => 'dob-1-'.repeat(n / 6)],
  ['dates beside b-words inside words', (n) => '1-1-19-newborn'.repeat(n / 14)],
  // sec33: a month named first or after a year, ordinal days, no year where one would be read.
  ['month names, ordinal days, no year', (n) => 'x-Feb-3rd-of-'.repeat(n / 13)],
  ['years and month names, no day', (n) => '1970-Sept-x-'.repeat(n / 12)],
  // Review 8: hex runs one longer than a pseudonym's (each start read, then left), and UUIDs one digit short, glued.
  ['hex, one long run', (n) => 'a0'.repeat(n / 2)],
  ['UUIDs one digit short, glued', (n) => 'x3f2a9c1e-7b4d-4e21-9a0f-00534195040'.repeat(n / 36)],
  ['bare 44 and digits one short', (n) => '44-0-20-7946-095 '.repeat(n / 17)],
  // `at` between spaces (sec30's note): dotted words before each, no domain after; labels after one, no ending.
  ['dotted words and spaced at, no domain', (n) => 'j.doe at '.repeat(n / 9)],
  ['spaced at, then labels with no ending', (n) => `j.doe at ${'x.'.repeat(n / 2)}`],
  ['a long word, spaced at and a domain', (n) => `${'j'.repeat(n)} at nhs.uk`],
  // sec34's readings: labels before a mailbox domain that never comes; a word that says telephone and nine digits; an
  // initial and a capitalised word with no year; 3-3-4 digits with a letter between, one digit short.
  ['dotted labels, no mailbox domain', (n) => 'ja.do.nhs.ne '.repeat(n / 13)],
  ['a long local part, then a domain', (n) => `${'j.'.repeat(n / 2)}nhs.net`],
  ['tel and nine digits, repeated', (n) => 'tel.770.090.012 '.repeat(n / 16)],
  ['initials and a name, no year', (n) => 'N.J.Smith.197 '.repeat(n / 14)],
  ['lettered 3-3-4, one digit short', (n) => '943x476x591 '.repeat(n / 12)],
];
// CPU time, not wall: on a loaded machine a few milliseconds of wall time is mostly waiting for a core (at load 36 a
// text's 64 KB / 16 KB ratio by the best of 5 wall times swung from 4 to 53 between runs; by CPU it stays about 4).
console.log('adversarial texts (findIdentifier, CPU, mean of 10): 16 KB | 64 KB | ratio (linear: about 4)');
for (const [name, make] of ADVERSARIAL) {
  const times = [16 * 1024, 64 * 1024].map((length) => {
    const text = make(length);
    findIdentifier(text); // compiled before it is timed
    const cpu = process.cpuUsage();
    for (let i = 0; i < 10; i++) findIdentifier(text);
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 10 / 1000;
  });
  const [small, large] = times as [number, number];
  console.log(
    `  ${name.padEnd(38)} ${small.toFixed(2)} ms | ${large.toFixed(2)} ms | ${(large / Math.max(small, 1e-3)).toFixed(1)}`,
  );
}
