import type { z } from 'zod';
import {
  EVENT_FIELDS,
  EVENT_TYPES,
  type EventRow,
  eventRow,
  type FieldSpec,
  type StorageType,
  type UploadKind,
  WORKFORCE_FIELDS,
  type WorkforceRow,
  workforceRow,
} from '../contract/index.ts';
import {
  compileFastPath,
  compileFieldsFastPath,
  type FastPath,
  type FieldsFastPath,
  type FieldValues,
} from './fast-path.ts';
import { noPrototype } from './read-upload.ts';

export type RowErrorCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_value'
  | 'invalid_format'
  | 'out_of_range'
  | 'not_applicable'
  | 'unknown_field'
  | 'future_date'
  | 'duplicate_event_id'
  | 'duplicate_row'
  | 'column_count'
  | 'invalid_json'
  | 'invalid';

/** One reason a row was rejected. Messages say what the rule is, never what the cell held. */
export interface RowError {
  readonly row: number;
  readonly field: string | null;
  readonly code: RowErrorCode;
  readonly message: string;
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; errors: RowError[] };

const NUMBER = /^-?\d+(\.\d+)?$/;

/** CSV carries every value as text; turn text into the JSON type the contract expects, leaving bad text for zod to report. */
const COERCE: Record<StorageType, (value: unknown) => unknown> = {
  string: (v) => v,
  date: (v) => v,
  timestamp: (v) => v,
  int32: (v) => (typeof v === 'string' && NUMBER.test(v) ? Number(v) : v),
  double: (v) => (typeof v === 'string' && NUMBER.test(v) ? Number(v) : v),
  boolean: (v) => {
    if (typeof v !== 'string') return v;
    const lower = v.toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : v;
  },
};

/** Each field name's own checks, of either kind (pcn_code is in both): the cell alone, coerced as a row's would be. */
const FIELD_CHECKS = new Map<string, ((value: unknown) => boolean)[]>();
for (const fields of [EVENT_FIELDS, WORKFORCE_FIELDS] as Record<string, FieldSpec>[]) {
  for (const [name, spec] of Object.entries(fields)) {
    const coerce = COERCE[spec.storage];
    const checks = FIELD_CHECKS.get(name) ?? [];
    checks.push((value) => spec.schema.safeParse(coerce(value)).success);
    FIELD_CHECKS.set(name, checks);
  }
}

/**
 * Whether a cell passes its own field's format, alone (red-team review 19, R19-1): a row refused for its event_type is
 * checked no further by the row's schema (zod stops at the discriminator), so quarantine keeps a cell only if this holds.
 */
export function cellPassesItsField(name: string, value: unknown): boolean {
  return FIELD_CHECKS.get(name)?.some((check) => check(value)) ?? false;
}

interface KindSpec<T> {
  readonly kind: UploadKind;
  readonly schema: z.ZodType<T>;
  readonly fields: Record<string, FieldSpec>;
  /** Columns a file of this kind must have in its header. */
  readonly requiredColumns: readonly string[];
}

export const EVENTS_KIND: KindSpec<EventRow> = {
  kind: 'events',
  schema: eventRow as z.ZodType<EventRow>,
  fields: EVENT_FIELDS,
  requiredColumns: ['event_id', 'event_type', 'pcn_code', 'referral_id', 'person_id', 'occurred_on'],
};

export const WORKFORCE_KIND: KindSpec<WorkforceRow> = {
  kind: 'workforce',
  schema: workforceRow as z.ZodType<WorkforceRow>,
  fields: WORKFORCE_FIELDS,
  // headcount, accredited training and vacancies are optional: a file may leave them empty or out
  requiredColumns: ['pcn_code', 'snapshot_month', 'role', 'fte'],
};

export const KINDS = { events: EVENTS_KIND, workforce: WORKFORCE_KIND } as const;

/** Tells the kind of file from its column names: event_type means events, snapshot_month means workforce. */
export function kindOfColumns(names: Iterable<string>): UploadKind | undefined {
  const set = new Set(names);
  if (set.has('event_type')) return 'events';
  if (set.has('snapshot_month')) return 'workforce';
  return undefined;
}

/** Field names of a kind in contract order: the positions of its FieldValues. */
export function fieldNamesOf<T>(spec: KindSpec<T>): string[] {
  return Object.keys(spec.fields);
}

/** The kind's fast path (fast-path.ts): accepts what the contract accepts, coerced as rowValidator coerces. */
export function fastPathOf<T>(spec: KindSpec<T>): FastPath | undefined {
  const names = fieldNamesOf(spec);
  return compileFastPath(
    spec.schema,
    names,
    names.map((name) => COERCE[(spec.fields[name] as FieldSpec).storage]),
  );
}

/**
 * The kind's fast path on cells by field position (fast-path.ts FieldsFastPath), for CSV rows whose header has passed:
 * the same answer as fastPathOf's on the same cells.
 */
export function fieldsFastPathOf<T>(spec: KindSpec<T>): FieldsFastPath | undefined {
  const names = fieldNamesOf(spec);
  return compileFieldsFastPath(
    spec.schema,
    names,
    names.map((name) => COERCE[(spec.fields[name] as FieldSpec).storage]),
  );
}

/**
 * What the ingest validates with: the row's values into `out` by field position (fieldNamesOf) and no errors when the
 * contract accepts it, else zod's errors. The fast path decides the rows it accepts; zod decides, and explains, the
 * rest, so the answer is rowValidator's own (test/unit/fast-path.test.ts compares the two on generated rows).
 */
export function fieldValuesValidator<T>(spec: KindSpec<T>) {
  const fast = fastPathOf(spec);
  const slow = rowValidator(spec);
  const names = fieldNamesOf(spec);
  return (cells: Record<string, unknown>, row: number, out: FieldValues): RowError[] | undefined => {
    if (fast?.(cells, out)) return undefined;
    const result = slow(cells, row);
    if (!result.ok) return result.errors;
    const value = result.value as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) out[i] = value[names[i] as string];
    return undefined;
  };
}

/** Builds a validator for one kind: coerce, check against the contract, explain every failure. */
export function rowValidator<T>(spec: KindSpec<T>) {
  const coercers = Object.fromEntries(
    Object.entries(spec.fields).map(([name, field]) => [name, COERCE[field.storage]]),
  ) as Record<string, (value: unknown) => unknown>;

  return (cells: Record<string, unknown>, row: number): RowResult<T> => {
    const input = noPrototype();
    for (const key in cells) {
      // Own fields only: `constructor` or `toString` in a file is an unknown field, not Object's own property.
      const coerce = Object.hasOwn(coercers, key) ? coercers[key] : undefined;
      input[key] = coerce ? coerce(cells[key]) : cells[key];
    }
    const result = spec.schema.safeParse(input);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, errors: result.error.issues.flatMap((issue) => explain(issue, input, row, spec)) };
  };
}

function explain<T>(
  issue: z.core.$ZodIssue,
  input: Record<string, unknown>,
  row: number,
  spec: KindSpec<T>,
): RowError[] {
  const field = issue.path.length > 0 ? String(issue.path[0]) : null;
  const eventType = typeof input.event_type === 'string' ? input.event_type : undefined;
  const error = (code: RowErrorCode, message: string): RowError => ({ row, field, code, message });
  const missing = field !== null && input[field] === undefined;
  if (missing && issue.code !== 'unrecognized_keys' && issue.code !== 'custom') {
    return [
      error(
        'required',
        eventType && field !== 'event_type' ? `is required for event_type ${eventType}` : 'is required',
      ),
    ];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      // Each key's position, found once for the issue: a search per key made a row of k unknown keys cost k^2 (R19-13).
      const positions = new Map<string, number>();
      let position = 0;
      for (const key in input) positions.set(key, ++position);
      return issue.keys.map((key) =>
        Object.hasOwn(spec.fields, key)
          ? {
              row,
              field: key,
              code: 'not_applicable',
              message: `does not apply to event_type ${eventType}; leave it empty`,
            }
          : // Not named: a field the contract lacks might be anything (a person's name as a JSON key).
            {
              row,
              field: null,
              code: 'unknown_field',
              message: `field ${positions.get(key) ?? 0} of the row is not a field of the contract`,
            },
      );
    }
    case 'invalid_union':
      return [error('invalid_value', `must be one of: ${EVENT_TYPES.join(', ')}`)];
    case 'invalid_type':
      return [error('invalid_type', `must be ${article(issue.expected)}`)];
    case 'invalid_value':
      return [error('invalid_value', `must be one of: ${issue.values.map(String).join(', ')}`)];
    case 'invalid_format':
      return [
        error(
          'invalid_format',
          issue.message.startsWith('Invalid') ? `must be a valid ${issue.format}` : issue.message,
        ),
      ];
    case 'too_small':
      return [error('out_of_range', `must be at least ${issue.minimum}`)];
    case 'too_big':
      return [error('out_of_range', `must be at most ${issue.maximum}`)];
    case 'custom': {
      const code = (issue.params?.code as RowErrorCode | undefined) ?? 'invalid';
      return [error(code, issue.message)];
    }
    default:
      return [error('invalid', 'is not valid')];
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'boolean') return 'true or false';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
