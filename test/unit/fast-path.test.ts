import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_CATEGORIES,
  AGE_BANDS,
  CONTACT_MODES,
  DECLINE_REASONS,
  DISCHARGE_REASONS,
  ETHNICITY_GROUPS,
  EVENT_TYPES,
  INSTRUMENT_NAMES,
  PHASES,
  REFERRAL_REASONS,
  REFERRAL_SOURCES,
  SERVICE_WINDOWS,
  SERVICES,
  SEXES,
  SNOMED_DECLINED,
  SNOMED_REFERRAL,
  WORKER_ROLES,
} from '../../functions/contract/index.ts';
import {
  EVENTS_KIND,
  fastPathOf,
  fieldNamesOf,
  fieldsFastPathOf,
  fieldValuesValidator,
  rowValidator,
  WORKFORCE_KIND,
} from '../../functions/ingest/validate-row.ts';
import { FUZZ_RUNS } from '../support/fuzz.ts';

/**
 * The differential property test of the validation fast path (functions/ingest/fast-path.ts): on generated rows, valid
 * and invalid, as CSV gives them (text) and as JSON Lines does (typed values), the ingest's validator
 * (fieldValuesValidator: the fast path, then zod for what it does not accept) answers exactly what zod alone answers:
 * the same accept or reject, the same values, the same errors (row, field, code, message). And the fast path is not a
 * bystander: it accepts every row zod accepts, and no other, given as cells or (a CSV row's form) by field position.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

const any = <T>(values: readonly T[]) => fc.constantFrom(...values);
const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
/** Mostly what the contract accepts, now and then what it refuses. */
const mostly = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: bad });

const JUNK: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }),
  any(['true', 'NaN', 'Infinity', '1e3', '0x1A', ' 7', '7 ', '-0', '+3', '1.', '.5', '١', 'null']),
  fc.integer({ min: -5, max: 700 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant({ a: 1 }),
  fc.constant([1, 2]),
);

/** An integer field as a CSV cell or a JSON value, in and around its range. */
const integer = (min: number, max: number) =>
  mostly(
    fc.integer({ min, max }).chain((n) => any([n, String(n), `${n}.0`, `0${n}`])),
    fc.oneof(any([min - 1, max + 1, `${min - 1}`, `${max + 1}`, `${min}.5`, 2 ** 53, `${2 ** 53 + 2}`]), JUNK),
  );
const decimal = (min: number, max: number) =>
  mostly(
    fc.double({ min, max, noNaN: true }).chain((n) => any([n, String(n), n.toFixed(2)])),
    fc.oneof(any([min - 0.5, max + 0.01, `${max + 1}`, '1,5', '1e400']), JUNK),
  );
const identifier = mostly(
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/),
  any(['a b', 'x'.repeat(65), 'é1', 'E1\n', 'E;1']),
);
const isoDate = fc
  .date({ min: new Date('2018-11-01T00:00:00Z'), max: new Date('2031-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const enumOf = (values: readonly string[]) =>
  mostly(
    any(values),
    fc.oneof(
      any(values).map((v) => v.toUpperCase()),
      fc.string({ minLength: 1, maxLength: 6 }),
    ),
  );

/** Every event field, valid mostly. */
const EVENT_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  event_id: identifier,
  event_type: mostly(any(EVENT_TYPES), any(['Referral', 'bogus', 'contact '])),
  pcn_code: mostly(
    digits(5).map((d) => `U${d}`),
    any(['u12345', 'U1234', 'U123456', 'X12345']),
  ),
  practice_code: mostly(
    fc.tuple(fc.stringMatching(/^[A-Z]$/), digits(5)).map(([l, d]) => `${l}${d}`),
    any(['p12345', 'P1234']),
  ),
  referral_id: identifier,
  person_id: mostly(fc.stringMatching(/^[0-9a-f]{64}$/), any(['A'.repeat(64), 'a'.repeat(63), 'short'])),
  occurred_on: mostly(isoDate, any(['2025-02-29', '2024-02-30', '2025-13-01', '01/04/2025', '2025-4-1'])),
  recorded_at: mostly(
    fc
      .date({ min: new Date('2019-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
      .chain((d) => {
        const iso = d.toISOString();
        return any([iso, `${iso.slice(0, 19)}Z`, `${iso.slice(0, 19)}+01:00`, `${iso.slice(0, 19)}-05:30`]);
      }),
    any(['2025-04-02T10:00:00', '2025-04-02 10:00:00Z', 'yesterday', '2025-04-02T25:00:00Z']),
  ),
  referral_source: enumOf(REFERRAL_SOURCES),
  referral_reasons: mostly(
    fc.subarray([...REFERRAL_REASONS], { minLength: 1 }).map((r) => r.join(';')),
    any(['', 'housing;', ';housing', 'housing;;other', 'Housing', 'housing,other']).filter((v) => v !== ''),
  ),
  snomed_code: mostly(any([SNOMED_REFERRAL, SNOMED_DECLINED]), any(['123', Number(SNOMED_REFERRAL)])),
  age_band: enumOf(AGE_BANDS),
  sex: enumOf(SEXES),
  ethnicity_group: enumOf(ETHNICITY_GROUPS),
  imd_decile: integer(1, 10),
  long_term_conditions: integer(0, 20),
  decline_reason: enumOf(DECLINE_REASONS),
  contact_mode: enumOf(CONTACT_MODES),
  worker_role: enumOf(WORKER_ROLES),
  duration_minutes: integer(1, 600),
  activity_category: enumOf(ACTIVITY_CATEGORIES),
  provider_id: identifier,
  attended: mostly(any([true, false, 'true', 'false', 'TRUE', 'False']), any(['yes', '1', 1, 'tru'])),
  instrument: enumOf(INSTRUMENT_NAMES),
  phase: enumOf(PHASES),
  score: decimal(-1, 71),
  service: enumOf(SERVICES),
  window: enumOf(SERVICE_WINDOWS),
  window_months: mostly(any([3, 6, 12, '3', '6', '12', '12.0']), any([4, '9', 0, '3.5'])),
  count: integer(0, 500),
  discharge_reason: enumOf(DISCHARGE_REASONS),
  retracts_event_id: identifier,
};

const WORKFORCE_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  pcn_code: EVENT_VALUES.pcn_code as fc.Arbitrary<unknown>,
  snapshot_month: mostly(
    fc
      .tuple(fc.integer({ min: 2019, max: 2030 }), fc.integer({ min: 1, max: 12 }))
      .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
    any(['2018-12', '2019-1', '2025-13', '1999-05', '2025-00']),
  ),
  role: enumOf(WORKER_ROLES),
  headcount: integer(0, 100),
  fte: decimal(0, 100),
  accredited_training_headcount: integer(0, 100),
  vacancies_fte: decimal(0, 100),
};

/** Fields that apply to each event type, required first: what a well-meant row would fill in. */
const APPLIES: Record<string, readonly string[]> = {
  referral: ['referral_source', 'referral_reasons', 'snomed_code', 'age_band', 'sex', 'ethnicity_group'],
  declined: ['snomed_code', 'decline_reason'],
  contact: ['contact_mode', 'worker_role', 'duration_minutes'],
  plan_agreed: ['worker_role'],
  community_connection: ['activity_category', 'provider_id', 'attended'],
  wellbeing_measure: ['instrument', 'phase', 'score'],
  service_use: ['service', 'window', 'window_months', 'count'],
  discharge: ['discharge_reason'],
  retraction: ['retracts_event_id'],
};
const COMMON = ['event_id', 'event_type', 'pcn_code', 'referral_id', 'person_id', 'occurred_on'];
const OPTIONAL = ['practice_code', 'recorded_at', 'imd_decile', 'long_term_conditions'];

/** CSV cells are text; JSON Lines keep numbers and booleans. Empty values never reach the validator. */
const asFormat = (value: unknown, csv: boolean): unknown =>
  csv && (typeof value === 'number' || typeof value === 'boolean') ? String(value) : value;

/** Cells as the reader builds them: assigned one by one, so a "__proto__" key does what it does there. */
function cellsOf(entries: [string, unknown][], csv: boolean): Record<string, unknown> {
  const cells: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const cell = asFormat(value, csv);
    if (cell !== '' && cell !== null && cell !== undefined) cells[key] = cell;
  }
  return cells;
}

const extraEntry: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(any(Object.keys(EVENT_VALUES)), JUNK),
  fc.tuple(any(['nhs_number', 'notes', '__proto__', 'constructor', 'toString']), JUNK),
);

const eventRow = (csv: boolean) =>
  fc
    .tuple(
      any(EVENT_TYPES),
      fc.subarray(OPTIONAL),
      fc.array(extraEntry, { maxLength: 2 }).chain((extra) => fc.constantFrom(extra, [], [], [])),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.subarray([...COMMON, ...Object.values(APPLIES).flat()], { maxLength: 1 }) },
      ),
    )
    .chain(([type, optional, extra, dropped]) => {
      const fields = [...COMMON, ...(APPLIES[type] as string[]), ...optional].filter((f) => !dropped.includes(f));
      return fc.tuple(...fields.map((field) => EVENT_VALUES[field] as fc.Arbitrary<unknown>)).map((values) => {
        const entries = fields.map((field, i): [string, unknown] => [field, values[i]]);
        // The type the row says it is, most of the time (its event_type value is generated like any other).
        const typed = entries.map(([k, v]): [string, unknown] => [k, k === 'event_type' && v !== 'bogus' ? type : v]);
        return cellsOf([...typed, ...extra], csv);
      });
    });

const workforceRow = (csv: boolean) =>
  fc
    .tuple(
      fc.subarray(['headcount', 'accredited_training_headcount', 'vacancies_fte']),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.subarray(['pcn_code', 'snapshot_month', 'role', 'fte'], { maxLength: 1 }) },
      ),
      fc.array(fc.tuple(any(['notes', 'event_type', '__proto__']), JUNK), { maxLength: 1 }),
    )
    .chain(([optional, dropped, extra]) => {
      const fields = ['pcn_code', 'snapshot_month', 'role', 'fte', ...optional].filter((f) => !dropped.includes(f));
      return fc
        .tuple(...fields.map((field) => WORKFORCE_VALUES[field] as fc.Arbitrary<unknown>), fc.boolean())
        .map((values) => {
          const withExtra = values.at(-1) ? extra : [];
          return cellsOf([...fields.map((field, i): [string, unknown] => [field, values[i]]), ...withExtra], csv);
        });
    });

function compare<T>(
  spec: Parameters<typeof rowValidator<T>>[0],
  rows: fc.Arbitrary<Record<string, unknown>>,
  tally: { accepted: number; rejected: number },
) {
  const zod = rowValidator(spec);
  const ingest = fieldValuesValidator(spec);
  const fast = fastPathOf(spec);
  const fieldsFast = fieldsFastPathOf(spec);
  const names = fieldNamesOf(spec);
  let byFieldRows = 0;
  // The contract's schema must compile to a fast path: were it undefined, this test would compare zod with zod.
  expect(fast).toBeDefined();
  fc.assert(
    fc.property(rows, fc.integer({ min: 2, max: 1_000_000 }), (cells, row) => {
      const expected = zod(cells, row);
      const out: unknown[] = names.map(() => 'stale');
      const errors = ingest(cells, row, out);
      const fastOut: unknown[] = names.map(() => 'stale');
      const fastAccepts = fast?.(cells, fastOut) ?? false;
      expect(fastAccepts).toBe(expected.ok);
      // The same row as a CSV reader gives it once its header has passed (every column a field of the contract): by
      // field position, without a cells object.
      const known =
        Object.getPrototypeOf(cells) === Object.prototype && Object.keys(cells).every((k) => names.includes(k));
      const byFieldOut: unknown[] = names.map(() => 'stale');
      if (known) {
        byFieldRows += 1;
        const byField = names.map((name) => (Object.hasOwn(cells, name) ? cells[name] : undefined));
        expect(fieldsFast?.(byField, byFieldOut) ?? false).toBe(expected.ok);
      }
      if (expected.ok) {
        tally.accepted += 1;
        const value = expected.value as Record<string, unknown>;
        const wanted = names.map((name) => value[name]);
        expect(errors).toBeUndefined();
        expect(out).toEqual(wanted);
        expect(fastOut).toEqual(wanted);
        if (known) expect(byFieldOut).toEqual(wanted);
      } else {
        tally.rejected += 1;
        expect(errors).toEqual(expected.errors);
      }
    }),
    { numRuns: FUZZ_RUNS, seed: SEED },
  );
  // Most generated rows have only contract fields: the by-position path is compared on them, not on a rare few.
  expect(byFieldRows).toBeGreaterThan(FUZZ_RUNS / 2);
}

describe('the validation fast path against zod (differential, generated rows)', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    it(`events as ${format}: same accept or reject, values and errors`, () => {
      const tally = { accepted: 0, rejected: 0 };
      compare(EVENTS_KIND, eventRow(format === 'csv'), tally);
      // Both sides are exercised: neither is a rare case of the generator.
      expect(tally.accepted).toBeGreaterThan(FUZZ_RUNS / 10);
      expect(tally.rejected).toBeGreaterThan(FUZZ_RUNS / 10);
    });

    it(`workforce as ${format}: same accept or reject, values and errors`, () => {
      const tally = { accepted: 0, rejected: 0 };
      compare(WORKFORCE_KIND, workforceRow(format === 'csv'), tally);
      expect(tally.accepted).toBeGreaterThan(FUZZ_RUNS / 10);
      expect(tally.rejected).toBeGreaterThan(FUZZ_RUNS / 10);
    });
  }

  it("finds each row its own member when rows repeat the row before's event_type (the member of the row before is kept)", () => {
    const fieldsFast = fieldsFastPathOf(EVENTS_KIND);
    const names = fieldNamesOf(EVENTS_KIND);
    const common = {
      event_id: 'E1',
      pcn_code: 'U12345',
      referral_id: 'R1',
      person_id: 'ab12'.repeat(16),
      occurred_on: '2025-04-01',
      recorded_at: '2025-04-02T10:00:00Z',
    };
    const contact = {
      ...common,
      event_type: 'contact',
      contact_mode: 'video',
      worker_role: 'splw',
      duration_minutes: '30',
    };
    const service = {
      ...common,
      event_type: 'service_use',
      service: 'gp_appointment',
      window: 'before',
      window_months: '6',
      count: '2',
    };
    const byField = (cells: Record<string, string>) => names.map((name) => cells[name]);
    const out: unknown[] = [];
    // Each row's answer as zod gives it (rowValidator), whatever the row before: a contact, a contact again (its tag
    // a text of its own, equal to the one before), a contact tag over a service use's fields (not a contact: zod's
    // unrecognized keys), the service use, and the contact again.
    const zod = rowValidator(EVENTS_KIND);
    const rows = [
      contact,
      { ...contact, event_type: ` contact`.slice(1) },
      { ...service, event_type: 'contact' },
      service,
      contact,
    ];
    const answers = rows.map((cells) => fieldsFast?.(byField(cells), out));
    expect(answers).toEqual(rows.map((cells, i) => zod(cells, i + 2).ok));
    expect(answers).toEqual([true, true, false, true, true]);
  });

  it('remembers a text only once it has accepted it in that field, and none once the field is an id column', () => {
    // What the ingest's guard relies on to leave a text it has passed before (ingest.ts guardTexts): remembers() is
    // true only for a text this field accepted (a text the ingest hands it only from a row the guard passed).
    const fieldsFast = fieldsFastPathOf(EVENTS_KIND);
    if (fieldsFast === undefined) throw new Error('no fast path');
    const names = fieldNamesOf(EVENTS_KIND);
    const at = (name: string) => names.indexOf(name);
    const contact = (i: number, occurred: string) => ({
      event_id: `E${i}`,
      event_type: 'contact',
      pcn_code: 'U12345',
      referral_id: 'R1',
      person_id: 'ab12'.repeat(16),
      occurred_on: occurred,
      recorded_at: `2025-05-01T10:${String(i % 60).padStart(2, '0')}:00Z`,
      contact_mode: 'video',
      worker_role: 'splw',
      duration_minutes: '30',
    });
    const run = (cells: Record<string, string>) =>
      fieldsFast(
        names.map((name) => cells[name]),
        [],
      );
    expect(fieldsFast.remembers(at('occurred_on'), '2025-04-01')).toBe(false);
    expect(run(contact(0, '2025-04-01'))).toBe(true);
    expect(fieldsFast.remembers(at('occurred_on'), '2025-04-01')).toBe(true);
    expect(fieldsFast.remembers(at('contact_mode'), 'video')).toBe(true);
    // Another field's text, and a text of the field not yet met.
    expect(fieldsFast.remembers(at('recorded_at'), '2025-04-01')).toBe(false);
    expect(fieldsFast.remembers(at('occurred_on'), '2025-04-02')).toBe(false);
    // 31 April is no date: the row goes to zod, and the text is not remembered.
    expect(run(contact(1, '2025-04-31'))).toBe(false);
    expect(fieldsFast.remembers(at('occurred_on'), '2025-04-31')).toBe(false);
    // 2,047 more event ids, each met once: 2,048 texts and no repeat make event_id an id column, which remembers none.
    expect(fieldsFast.remembers(at('event_id'), 'E0')).toBe(true);
    for (let i = 2; i <= 2048; i++) expect(run(contact(i, '2025-04-01'))).toBe(true);
    expect(fieldsFast.remembers(at('event_id'), 'E0')).toBe(false);
    expect(fieldsFast.remembers(at('occurred_on'), '2025-04-01')).toBe(true);
  });

  it('answers as zod on an id column after it stopped comparing each cell with the one before', () => {
    const fieldsFast = fieldsFastPathOf(EVENTS_KIND);
    const names = fieldNamesOf(EVENTS_KIND);
    const zod = rowValidator(EVENTS_KIND);
    // 8,000 contacts a second apart: event_id and recorded_at are judged id columns after 2,048 texts seen once, then
    // stop comparing a cell with the one before after 4,096 more found none the same. Then a recording time repeated
    // (the row before's), one that is no date (31 April), and a valid one again: each answered, and valued, as zod.
    const stamp = (second: number) => new Date(Date.UTC(2025, 3, 2) + second * 1000).toISOString().replace('.000', '');
    const rows = Array.from({ length: 8000 }, (_, i) => ({
      event_id: `E${i}`,
      event_type: 'contact',
      pcn_code: 'U12345',
      referral_id: `R${i >> 3}`,
      person_id: 'ab12'.repeat(16),
      occurred_on: '2025-04-02',
      recorded_at: stamp(i),
      contact_mode: 'video',
      worker_role: 'splw',
      duration_minutes: '30',
    }));
    const last = rows.at(-1) as (typeof rows)[number];
    rows.push(
      { ...last, event_id: 'E8000' },
      { ...last, event_id: 'E8001', recorded_at: '2025-04-31T10:00:00Z' },
      { ...last, event_id: 'E8002', recorded_at: '2025-04-30T10:00:00Z' },
    );
    const answers = rows.map((cells, i) => {
      const out: unknown[] = names.map(() => 'stale');
      const ok = fieldsFast?.(
        names.map((name) => (cells as Record<string, string>)[name]),
        out,
      );
      const expected = zod(cells, i + 2);
      expect(ok).toBe(expected.ok);
      if (expected.ok) expect(out).toEqual(names.map((name) => (expected.value as Record<string, unknown>)[name]));
      return ok;
    });
    expect(answers.slice(-3)).toEqual([true, false, true]);
    expect(answers.filter(Boolean)).toHaveLength(8002);
  });

  it('accepts the hand-worked rows zod accepts, with the values typed as zod types them', () => {
    const validate = fieldValuesValidator(WORKFORCE_KIND);
    const names = fieldNamesOf(WORKFORCE_KIND);
    const out: unknown[] = [];
    const cells = { pcn_code: 'U12345', snapshot_month: '2025-04', role: 'splw', headcount: '3', fte: '2.5' };
    expect(validate(cells, 2, out)).toBeUndefined();
    expect(Object.fromEntries(names.map((name, i) => [name, out[i]]))).toEqual({
      pcn_code: 'U12345',
      snapshot_month: '2025-04',
      role: 'splw',
      headcount: 3,
      fte: 2.5,
      accredited_training_headcount: undefined,
      vacancies_fte: undefined,
    });
    // fte above headcount: the object refinement, reported by zod.
    expect(validate({ ...cells, fte: '3.5' }, 9, out)).toEqual([
      { row: 9, field: 'fte', code: 'out_of_range', message: 'must not exceed headcount' },
    ]);
  });
});
