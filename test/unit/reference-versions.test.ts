import { describe, expect, it } from 'vitest';
import { allowedOutOfForce } from '../../cli/commands/reference.ts';
import { parseReference, ReferenceDataError, stageReference } from '../../functions/lib/reference-versions.ts';
import { recordedOutOfForce } from '../../functions/reference/import.ts';
import { MemoryObjectStore } from '../support/memory-store.ts';

/*
 * parseReference: two versions of one PCN in force on the same day would join each of its events to both and count
 * it twice in every metric by area, so they are refused, naming the file, the rows (as a spreadsheet numbers them:
 * the header is row 1) and the fields, and never a name or a date of the file.
 */
const HEADER = 'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to';
const version = (pcn: string, from: string, to = '', icb = 'QWE') =>
  `${pcn},Echo PCN,${icb},NHS South West London ICB,Y56,London,12000,${from},${to}`;
const file = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;

/** The problems parseReference finds in a file (none when it is accepted). */
const problemsOf = (text: string): readonly string[] => {
  try {
    parseReference('pcns.csv', text);
    return [];
  } catch (error) {
    if (!(error instanceof ReferenceDataError)) throw error;
    expect(error.file).toBe('pcns.csv');
    return error.problems;
  }
};
const COUNTED_TWICE = '; a PCN may have one version in force on any day, or its events would be counted twice';

describe('versions of one PCN', () => {
  it('accepts versions that follow one another (one ends on the last day of a month, the next starts the day after)', () => {
    const rows = parseReference(
      'pcns.csv',
      file(
        version('U00070', '2019-04-01', '2025-05-31', 'QWE'),
        version('U00070', '2025-06-01', '', 'QSL'),
        // Another PCN on the same days is no overlap.
        version('U00203', '2019-04-01'),
      ),
    );
    expect(rows.map((r) => [r.pcn_code, r.icb_code, r.valid_from, r.valid_to])).toEqual([
      ['U00070', 'QWE', '2019-04-01', '2025-05-31'],
      ['U00070', 'QSL', '2025-06-01', undefined],
      ['U00203', 'QWE', '2019-04-01', undefined],
    ]);
  });

  it('refuses a version starting on or before the end of another, naming the file, both rows and the fields', () => {
    const text = file(
      version('U00203', '2019-04-01'),
      version('U00070', '2019-04-01', '2025-05-31'),
      version('U00070', '2025-05-01', '', 'QSL'),
    );
    expect(() => parseReference('pcns.csv', text)).toThrow(
      new ReferenceDataError('pcns.csv', [
        'rows 3 and 4, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 4 starts on or before row 3 ends); a PCN may have one version in force on any day, or its events would be counted twice',
      ]),
    );
    // Nothing of the rows but the PCN code: no name, no ICB, no date, no list size.
    const message = problemsOf(text).join('; ');
    for (const value of ['Echo', 'QSL', 'QWE', '2025', '2019', '12000']) expect(message).not.toContain(value);
  });

  it('says when the earlier version has no end (still in force), whatever the order of the rows', () => {
    expect(() =>
      parseReference('pcns.csv', file(version('U00070', '2025-06-01', '', 'QSL'), version('U00070', '2019-04-01'))),
    ).toThrow(
      new ReferenceDataError('pcns.csv', [
        'rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 2 starts on or before row 3 ends, and row 3 has no valid_to: it is still in force); a PCN may have one version in force on any day, or its events would be counted twice',
      ]),
    );
  });

  it('finds every overlap: a long version overlapping two later ones that do not overlap each other, and a copy', () => {
    const text = file(
      version('U00070', '2019-04-01', '2025-12-31'),
      version('U00070', '2020-04-01', '2020-06-30'),
      version('U00070', '2021-04-01', '2021-06-30'),
      version('U00203', '2019-04-01', '2024-03-31'),
      version('U00203', '2019-04-01', '2024-03-31'),
    );
    expect(problemsOf(text)).toEqual([
      `rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 3 starts on or before row 2 ends)${COUNTED_TWICE}`,
      `rows 2 and 4, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 4 starts on or before row 2 ends)${COUNTED_TWICE}`,
      `rows 5 and 6, fields valid_from and valid_to: two versions of PCN U00203 are in force on the same days (row 6 starts on or before row 5 ends)${COUNTED_TWICE}`,
    ]);
  });

  it('reports an overlap beside the problems of other rows', () => {
    const text = file(
      version('U00070', '2019-04-01'),
      version('U00070', '2020-04-01'),
      version('U00203', '2019-04-15'),
    );
    expect(problemsOf(text)).toEqual([
      'row 4, field valid_from: must be the first day of a month',
      `rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 are in force on the same days (row 3 starts on or before row 2 ends, and row 2 has no valid_to: it is still in force)${COUNTED_TWICE}`,
    ]);
  });
});

describe('rows numbered as the lines of the file', () => {
  it('counts blank lines, so a problem after one names the line a spreadsheet shows', () => {
    const text = `${HEADER}\n${version('U00070', '2019-04-01')}\n\n  \n${version('U00203', '2019-04-15')}\n\n`;
    expect(problemsOf(text)).toEqual(['row 5, field valid_from: must be the first day of a month']);
    expect(parseReference('pcns.csv', `${HEADER}\n\n${version('U00070', '2019-04-01')}\n`)).toHaveLength(1);
  });
});

describe('staging a reference file', () => {
  it('stores nothing when versions overlap, and names the file it was given', async () => {
    const store = new MemoryObjectStore();
    const text = file(version('U00070', '2019-04-01'), version('U00070', '2019-04-01'));
    await expect(stageReference(store, text, new Date('2026-01-05T00:00:00Z'), 'my-pcns.csv')).rejects.toThrow(
      /^my-pcns\.csv: rows 2 and 3, fields valid_from and valid_to: two versions of PCN U00070 /,
    );
    expect([...store.objects.keys()]).toEqual([]);
  });

  it('names the key it would have been kept under when no file name is given', async () => {
    const store = new MemoryObjectStore();
    const text = file(version('U00070', '2019-04-01'), version('U00070', '2019-04-01'));
    await expect(stageReference(store, text, new Date('2026-01-05T00:00:00Z'))).rejects.toThrow(
      /^reference\/pcns\/20260105T000000-[0-9a-f]{8}\.csv: rows 2 and 3, /,
    );
  });
});

/*
 * Review 5, G8: the refresh counts every event in England and places each by the reference's PCNs (closed ones
 * included), so a version without a PCN that has sent events stops every later refresh. Staging refuses a version
 * that drops a PCN of the version in force, or a PCN with events, naming the file, the PCNs and what to do; the
 * store is left as it was. The remedy, as written here by hand from the rule (not taken from the code):
 */
const KEEP =
  "a reference version must keep every PCN of the version in force and every PCN that has sent events, or every later refresh stops (England counts a PCN's events, and they need its place): keep each one's rows, closed with valid_to (the last day it was in force), as `reference import` does; nothing was staged";

describe('a new version keeps every PCN of the version in force (review 5, G8)', () => {
  const FIRST = file(
    version('U00070', '2019-04-01', '2025-05-31', 'QWE'),
    version('U00070', '2025-06-01', '', 'QSL'),
    version('U00203', '2019-04-01'),
    version('U00300', '2019-04-01'),
  );
  const staged = async () => {
    const store = new MemoryObjectStore();
    const key = await stageReference(store, FIRST, new Date('2026-01-05T00:00:00Z'));
    return { store, key };
  };
  const keys = (store: MemoryObjectStore) => [...store.objects.keys()];

  it('refuses a version without one of its PCNs, naming the file, the PCN and its row there; nothing is staged', async () => {
    const { store, key } = await staged();
    const text = file(version('U00070', '2019-04-01'), version('U00300', '2019-04-01'));
    await expect(stageReference(store, text, new Date('2026-02-05T00:00:00Z'), 'my-pcns.csv')).rejects.toThrow(
      new ReferenceDataError('my-pcns.csv', [
        `the version in force, ${key}, lists PCN U00203 (row 4), which this file does not have; ${KEEP}`,
      ]),
    );
    expect(keys(store)).toEqual([key]);
  });

  it('names every PCN dropped, and every row each had (a PCN with two versions)', async () => {
    const { store, key } = await staged();
    await expect(stageReference(store, file(version('U00203', '2019-04-01')), new Date('2026-02-05'))).rejects.toThrow(
      `: the version in force, ${key}, lists PCNs U00070 (rows 2 and 3), U00300 (row 5), which this file does not have; ${KEEP}`,
    );
    expect(keys(store)).toEqual([key]);
  });

  it('accepts a PCN kept, closed with its valid_to (a closure)', async () => {
    const { store, key } = await staged();
    const closed = file(
      version('U00070', '2019-04-01', '2025-05-31', 'QWE'),
      version('U00070', '2025-06-01', '', 'QSL'),
      version('U00203', '2019-04-01', '2025-08-31'),
      version('U00300', '2019-04-01'),
    );
    const next = await stageReference(store, closed, new Date('2026-02-05T00:00:00Z'), 'closed.csv');
    expect(keys(store)).toEqual([key, next]);
    expect(new TextDecoder().decode(store.objects.get(next))).toBe(closed);
  });

  it('accepts a merge: the PCN merged closed with its valid_to, its successor with a new version and list from the month after', async () => {
    const { store, key } = await staged();
    // U00203 (12,000 patients) merges into U00300 on 1 September 2025, as U13621's practices went to U63258
    // between NHS Digital's April and December 2025 extracts.
    const merged = file(
      version('U00070', '2019-04-01', '2025-05-31', 'QWE'),
      version('U00070', '2025-06-01', '', 'QSL'),
      version('U00203', '2019-04-01', '2025-08-31'),
      version('U00300', '2019-04-01', '2025-08-31'),
      'U00300,Echo PCN,QWE,NHS South West London ICB,Y56,London,24000,2025-09-01,',
    );
    const next = await stageReference(store, merged, new Date('2026-02-05T00:00:00Z'));
    expect(keys(store)).toEqual([key, next]);
  });

  it('reads the version in force without its checks: one copied in with a bad row still has its PCNs kept', async () => {
    const store = new MemoryObjectStore();
    // As `aws s3 cp` would put it, without the checks: a valid_from that is not a month's first day.
    await store.put('reference/pcns/20260105T000000-copied.csv', file(version('U00070', '2019-04-15')));
    await expect(stageReference(store, file(version('U00203', '2019-04-01')), new Date('2026-02-05'))).rejects.toThrow(
      `: the version in force, reference/pcns/20260105T000000-copied.csv, lists PCN U00070 (row 2), which this file does not have; ${KEEP}`,
    );
    // A good version with the PCN replaces it.
    const next = await stageReference(store, file(version('U00070', '2019-04-01')), new Date('2026-02-05'));
    expect(keys(store)).toEqual(['reference/pcns/20260105T000000-copied.csv', next]);
  });
});

describe('a new version keeps every PCN that has sent events (review 5, G8)', () => {
  /** A receipt as the ingest writes it, with only what the rule reads besides the key. */
  const receipt = (pcn: string, hash: string, kind: 'events' | 'workforce', accepted: number, partitions = {}) => [
    `receipts/${pcn}-${hash.repeat(32)}.json`,
    JSON.stringify({ upload_id: `${pcn}-${hash.repeat(32)}`, pcn_code: pcn, kind, rows: { accepted }, partitions }),
  ];
  const withReceipts = async () => {
    const store = new MemoryObjectStore();
    for (const [key, body] of [
      receipt('U00009', 'a', 'events', 0),
      receipt('U00009', 'b', 'events', 5, { '2025-05': 3, '2025-04': 2 }),
      receipt('U00010', 'c', 'events', 0), // a file rejected whole: no events
      receipt('U00011', 'd', 'workforce', 3, { '2025-04': 3 }), // a workforce return: no events
      receipt('U00012', 'e', 'events', 4, { '2025-06': 4 }),
    ] as [string, string][])
      await store.put(key, body);
    return store;
  };

  it('refuses a first version without a PCN that has sent events, with the first month of its events', async () => {
    const store = await withReceipts();
    const before = [...store.objects.keys()];
    await expect(
      stageReference(store, file(version('U00012', '2019-04-01')), new Date('2026-01-05'), 'first.csv'),
    ).rejects.toThrow(
      new ReferenceDataError('first.csv', [
        `PCN U00009 (events from 2025-04) has sent events but is in neither this file nor the version in force; ${KEEP}`,
      ]),
    );
    expect([...store.objects.keys()]).toEqual(before);
  });

  it('names each PCN once: a PCN of the version in force that has sent events is named with its row', async () => {
    const store = await withReceipts();
    const key = await stageReference(
      store,
      file(version('U00009', '2019-04-01'), version('U00012', '2019-04-01')),
      new Date('2026-01-05'),
    );
    await expect(
      stageReference(store, file(version('U00070', '2019-04-01')), new Date('2026-02-05'), 'x.csv'),
    ).rejects.toThrow(
      new ReferenceDataError('x.csv', [
        `the version in force, ${key}, lists PCNs U00009 (row 2), U00012 (row 3), which this file does not have; ${KEEP}`,
      ]),
    );
  });

  it('accepts a version with every PCN that has sent events, closed or not; rejected files and workforce returns do not count', async () => {
    const store = await withReceipts();
    const key = await stageReference(
      store,
      file(version('U00009', '2019-04-01', '2025-12-31'), version('U00012', '2019-04-01')),
      new Date('2026-01-05'),
    );
    expect([...store.objects.keys()].filter((k) => k.startsWith('reference/'))).toEqual([key]);
  });
});

/*
 * Review 7, M7, and review 21, R21-2. U00009 is in force from 2019 in the version in force and has accepted events in
 * April, May and November 2025 (receipts' partitions). A version that takes it out of force over those months is
 * refused, as M7 made it, unless the months are ones NHS Digital's extracts record it out of England's map (the closure
 * of a PCN whose own extract ran after it: R21-2) or the operator names it with --allow-out-of-force; those are staged
 * and told. The extracts here: 2025-06 lists U00009, 2025-11 does not (it merged at the end of October).
 */
describe('a new version keeps each PCN in force over its events (review 7, M7), but for what the extracts record (R21-2)', () => {
  const KEEP_IN_FORCE =
    'a PCN must stay in force on the first day of every month it has events, or those events are left out of every figure: keep its valid_from no later than its first month with events and its valid_to (for a PCN that closed) no earlier than the last day of its last such month, as the version in force has them (or, where the PCN truly was not in force then, name it with --allow-out-of-force: its events there are then left out of every figure and listed); nothing was staged';
  const EXTRACTS = [
    {
      month: '2025-06',
      pcns: new Map([
        ['U00009', {}],
        ['U00012', {}],
      ]),
    },
    { month: '2025-11', pcns: new Map([['U00012', {}]]) },
  ];
  const withEvents = async () => {
    const store = new MemoryObjectStore();
    await store.put(
      `receipts/U00009-${'b'.repeat(32)}.json`,
      JSON.stringify({
        kind: 'events',
        rows: { accepted: 7 },
        partitions: { '2025-04': 2, '2025-05': 3, '2025-11': 2 },
      }),
    );
    const key = await stageReference(
      store,
      file(version('U00009', '2019-04-01'), version('U00012', '2019-04-01')),
      new Date('2026-01-05T00:00:00Z'),
    );
    return { store, key };
  };

  it('the extracts record a PCN out of force from the first extract that lacks it (and not before the first extract)', () => {
    const recorded = recordedOutOfForce(EXTRACTS);
    // Before the first extract: no record (the --history-from assumption); June to October: listed; November on: not.
    expect(['2025-05', '2025-06', '2025-10', '2025-11', '2026-03'].map((m) => recorded('U00009', m))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(recorded('U00012', '2025-11')).toBe(false);
  });

  it('still refuses a version re-dating a PCN from one extract (April and May out of force), the extracts given or not', async () => {
    const { store, key } = await withEvents();
    const redated = file(version('U00009', '2025-06-01', '2025-10-31'), version('U00012', '2019-04-01'));
    const refusal = (months: string) =>
      new ReferenceDataError('redated.csv', [
        `PCN U00009 (row 2) has accepted events dated 2025-04 and ${months}, when the version in force, ${key}, has it in force and this file does not (on 2025-04-01); ${KEEP_IN_FORCE}`,
      ]);
    // Without the extracts (`reference FILE`): April, May and November.
    await expect(stageReference(store, redated, new Date('2026-02-05'), 'redated.csv')).rejects.toThrow(
      refusal('2 later months'),
    );
    // With the extracts' record: November is theirs, April and May (before any extract) are still refused.
    await expect(
      stageReference(store, redated, new Date('2026-02-05'), 'redated.csv', {
        recordedOutOfForce: recordedOutOfForce(EXTRACTS),
      }),
    ).rejects.toThrow(refusal('1 later month'));
    expect([...store.objects.keys()].filter((k) => k.startsWith('reference/'))).toEqual([key]);
  });

  it('still refuses a hand-made early closure (31 October, November has events) when no extract is given', async () => {
    const { store, key } = await withEvents();
    const closed = file(version('U00009', '2019-04-01', '2025-10-31'), version('U00012', '2019-04-01'));
    await expect(stageReference(store, closed, new Date('2026-02-05'), 'closed.csv')).rejects.toThrow(
      new ReferenceDataError('closed.csv', [
        `PCN U00009 (row 2) has accepted events dated 2025-11, when the version in force, ${key}, has it in force and this file does not (on 2025-11-01); ${KEEP_IN_FORCE}`,
      ]),
    );
  });

  it('stages the closure the extracts record, and tells the months with events left out of force', async () => {
    const { store, key } = await withEvents();
    const closed = file(version('U00009', '2019-04-01', '2025-10-31'), version('U00012', '2019-04-01'));
    const told: string[] = [];
    const next = await stageReference(store, closed, new Date('2026-02-05T00:00:00Z'), undefined, {
      recordedOutOfForce: recordedOutOfForce(EXTRACTS),
      log: (line) => told.push(line),
    });
    expect([...store.objects.keys()].filter((k) => k.startsWith('reference/'))).toEqual([key, next]);
    expect(told).toEqual([
      `${next}: PCN U00009 (row 2) is out of force in 2025-11, where it has accepted events, as NHS Digital's extracts record it (not in England's map then: closed or merged); those events are left out of every figure and listed in data_quality`,
    ]);
  });

  it('stages what --allow-out-of-force names, and logs it; another PCN is not let through by it', async () => {
    const { store, key } = await withEvents();
    const redated = file(version('U00009', '2025-06-01', '2025-10-31'), version('U00012', '2019-04-01'));
    await expect(
      stageReference(store, redated, new Date('2026-02-05'), 'redated.csv', { allowOutOfForce: ['U00012'] }),
    ).rejects.toThrow(ReferenceDataError);
    const told: string[] = [];
    const next = await stageReference(store, redated, new Date('2026-02-05T00:00:00Z'), 'redated.csv', {
      allowOutOfForce: ['U00009'],
      log: (line) => told.push(line),
    });
    expect([...store.objects.keys()].filter((k) => k.startsWith('reference/'))).toEqual([key, next]);
    expect(told).toEqual([
      `${next}: PCN U00009 (row 2) is out of force in 2025-04, 2025-05 and 2025-11, where it has accepted events, when the version in force has it in force: allowed by --allow-out-of-force; those events are left out of every figure and listed in data_quality`,
    ]);
  });

  it('--allow-out-of-force takes PCN codes only, comma-separated', () => {
    expect(allowedOutOfForce(undefined)).toBeUndefined();
    expect(allowedOutOfForce(' U00009, U00012 ')).toEqual(['U00009', 'U00012']);
    expect(() => allowedOutOfForce('U00009,all')).toThrow(
      '--allow-out-of-force must name PCN codes, comma-separated (such as U00001,U00002): not a PCN code: all',
    );
    expect(() => allowedOutOfForce(',')).toThrow('--allow-out-of-force must name PCN codes');
  });
});
