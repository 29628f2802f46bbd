import type { z } from 'zod';
import { ownText } from '../lib/own-text.ts';

/**
 * The validator's fast path: decides "the contract accepts this row as it is" without zod's object machinery (a new
 * output object, a payload per key, a result per row: a fifth of the ingest's time went to collecting them).
 *
 * It is compiled from the contract's own zod schemas, so no rule is written twice: the row's shape (which columns apply
 * to which event_type, which are required, strictness) is read from the object and discriminated-union definitions,
 * and each present value is checked by running that field's own zod schema (`_zod.run`, zod's internal entry point for
 * one schema, the one safeParse calls) on one reused payload, which allocates nothing when the value passes. Object
 * refinements (superRefine) run as zod runs them, on the row as zod would see it.
 *
 * The fast path only ever answers "accepted" or "ask zod": a row it does not accept goes through zod as before, so
 * every rejection and its message is zod's own. test/unit/fast-path.test.ts checks, on generated valid and invalid rows,
 * that it accepts exactly the rows zod accepts, with the same values.
 */

/** Values of one row by field position (the kind's field names); undefined where the row has none. */
export type FieldValues = unknown[];

export type FastPath = (cells: Record<string, unknown>, out: FieldValues) => boolean;

/**
 * The fast path on a row given as its cells by field position (undefined where the row has none), for a reader that
 * knows every column is a field of the contract (a CSV file whose header has passed): no cells object is built.
 */
export interface FieldsFastPath {
  (byField: readonly unknown[], out: FieldValues): boolean;
  /**
   * Whether the field at this position still remembers the texts it accepts (not yet judged an id column) and has
   * accepted this one. A text the fast path accepted was one it was handed, and the ingest hands it only the texts of
   * a row that has passed the identifiability guard: a text it remembers has passed the guard before.
   */
  readonly remembers: (field: number, text: string) => boolean;
}

/** The cell texts one field check has accepted (rememberingCheck), until it is full (an id column). */
interface Memory {
  readonly accepted: Map<string, unknown>;
  full: boolean;
}

type AnySchema = z.core.$ZodType;
type Refinement = z.core.$ZodCheck;
interface Payload {
  value: unknown;
  issues: unknown[];
}

const CTX = { async: false } as const;

function defOf(schema: AnySchema): Record<string, unknown> & { type: string } {
  return schema._zod.def as unknown as Record<string, unknown> & { type: string };
}

/** What a field's check answers for a value zod would not accept as it is. */
const FAIL: unique symbol = Symbol('fail');
type FieldCheck = (value: unknown) => unknown;

/** Distinct texts a string field keeps one copy of (per compiled fast path: the ingest compiles one per kind per process); past this, values are kept as they come. */
const INTERNED_PER_FIELD = 1024;

/**
 * One field's check on a reused payload: the value to keep when zod finds no issue, else FAIL. Undefined for schemas
 * that transform. The value kept is equal to the one given; a repeated text is kept as one shared copy (the enum's own
 * value, or the first copy seen), so a row's cells die young instead of being held, one copy per row, until their row
 * group is written (GC was a fifth of the ingest's time).
 */
function fieldCheck(schema: AnySchema): FieldCheck | undefined {
  const type = defOf(schema).type;
  // Schemas whose output is their input: a pass means the value is stored as it was given.
  if (!['string', 'number', 'boolean', 'enum', 'literal', 'union'].includes(type)) return undefined;
  if (defOf(schema).coerce) return undefined;
  if (type === 'union' && !(defOf(schema).options as AnySchema[]).every((option) => fieldCheck(option))) {
    return undefined;
  }
  const payload: Payload = { value: undefined, issues: [] };
  const interned = new Map<unknown, unknown>();
  if (type === 'enum' || type === 'literal') for (const value of schema._zod.values ?? []) interned.set(value, value);
  // An enum knows all its values: looked up, never added to. Another field stops at INTERNED_PER_FIELD texts (an id
  // column): from then on its values are kept as they come, without a look-up that would miss.
  const known = type === 'enum' || type === 'literal';
  let stopped = false;
  const intern = (value: unknown): unknown => {
    if (stopped || typeof value !== 'string') return value;
    const kept = interned.get(value);
    if (kept !== undefined || known) return kept ?? value;
    if (interned.size >= INTERNED_PER_FIELD) {
      stopped = true;
      return value;
    }
    // A copy of its own: the cell is a slice of the parser's chunk, which it would keep alive.
    const copy = ownText(value);
    interned.set(copy, copy);
    return copy;
  };
  const patterns = patternsOf(schema);
  return (value) => {
    if (patterns !== undefined && typeof value === 'string') {
      for (const pattern of patterns) {
        pattern.lastIndex = 0;
        if (!pattern.test(value)) return FAIL;
      }
      return intern(value);
    }
    payload.value = value;
    payload.issues.length = 0;
    const result = schema._zod.run(payload as never, CTX) as unknown;
    const passed = !(result instanceof Promise) && payload.issues.length === 0 && (result as Payload).value === value;
    return passed ? intern(value) : FAIL;
  };
}

/** String formats whose whole check is their pattern (zod's $ZodCheckStringFormat with nothing of its own). */
const PATTERN_FORMATS = new Set(['date', 'datetime']);

/**
 * The regular expressions a string schema's checks are, when they are all it checks (z.string().regex(..),
 * z.iso.datetime()): a string then passes exactly when it matches each, and testing them spares zod's run (a payload
 * and a pass over its checks) on an id column's every row. Undefined for anything else: zod runs it.
 */
function patternsOf(schema: AnySchema): RegExp[] | undefined {
  const def = defOf(schema);
  if (def.type !== 'string' || def.coerce) return undefined;
  const patterns: RegExp[] = [];
  if (def.format !== undefined) {
    if (!PATTERN_FORMATS.has(def.format as string) || !(def.pattern instanceof RegExp)) return undefined;
    patterns.push(def.pattern);
  }
  for (const check of (def.checks as Refinement[] | undefined) ?? []) {
    const checkDef = check._zod.def as unknown as Record<string, unknown>;
    if (checkDef.check !== 'string_format' || checkDef.format !== 'regex' || checkDef.when !== undefined)
      return undefined;
    if (!(checkDef.pattern instanceof RegExp)) return undefined;
    patterns.push(checkDef.pattern);
  }
  return patterns;
}

/** Distinct cell texts a field remembers its answer for (per compiled fast path); past this, cells are checked one by one. */
const REMEMBERED_PER_FIELD = 4096;
/**
 * Distinct texts after which a field that has found fewer repeats than that stops remembering. Late enough that a date
 * column is not taken for an id column in a file sorted by referral, whose first rows bring new dates (at 256 it was,
 * and each of a 1,000,000-row file's rows ran zod's date check); an id column's first texts cost a look-up each.
 */
const SEEN_BEFORE_JUDGING = 2048;

/** Cells of an id column compared with the one before before judging whether they repeat (rememberingCheck). */
const COMPARED_BEFORE_JUDGING = 4096;
/** An id column that finds the cell before again in fewer than one in this many is not compared any more. */
const REPEATS_WORTH_COMPARING = 8;

/**
 * A field's coercion and check, remembering what each cell text it accepted became: coercion and the zod schemas the
 * fast path runs are functions of the value alone (no transforms, no context), so a text accepted once is accepted
 * again, as the same value, and an enum's or a small number's text is checked once per process instead of once per row.
 * Only texts (CSV cells) are remembered: a JSON number is passed as it is (a remembered 0 would answer for -0).
 * Rejected texts are not remembered: they go to zod, which explains them.
 */
function rememberingCheck(check: FieldCheck, coerce: (value: unknown) => unknown, memory: Memory): FieldCheck {
  const { accepted } = memory;
  let hits = 0;
  // Once full (an id column): how many cells were compared with the one before, and how many were the same; -1 once
  // the column is judged not to repeat (a recording time), when its cells are checked without the comparison, which
  // costs about what the check it spares does (two 20-character slices of the file are compared in V8's runtime).
  let compared = 0;
  let repeated = 0;
  // The last text remembered and what it became: a column often repeats the row before's text (the PCN's code, a
  // referral's practice), and comparing two short texts is cheaper than hashing one.
  let lastText: string | undefined;
  let lastKept: unknown;
  return (cell) => {
    if (typeof cell !== 'string') return check(coerce(cell));
    if (!memory.full) {
      if (cell === lastText) {
        hits += 1;
        return lastKept;
      }
      const known = accepted.get(cell);
      if (known !== undefined) {
        hits += 1;
        // The text kept, not the cell: a long cell is a slice of the parser's chunk, which it would keep alive.
        lastText = typeof known === 'string' ? known : cell;
        lastKept = known;
        return known;
      }
    }
    if (memory.full && compared >= 0) {
      compared += 1;
      if (cell === lastText) {
        repeated += 1;
        return lastKept;
      }
      if (compared >= COMPARED_BEFORE_JUDGING && repeated * REPEATS_WORTH_COMPARING < compared) {
        compared = -1;
        lastText = undefined;
        lastKept = undefined;
      }
    }
    const value = check(coerce(cell));
    if (value === FAIL) return value;
    if (memory.full) {
      // An id column: a row often repeats the row before's id (a referral's person on its next event). The cell is
      // kept as it is (copying it would cost more than the check it spares): at most one slice of the parser's chunk
      // a field, until the next text.
      if (compared >= 0) {
        lastText = cell;
        lastKept = value;
      }
      return value;
    }
    // An id column (few texts seen twice) stops early: its texts would be kept, and looked up, for nothing.
    if (accepted.size >= REMEMBERED_PER_FIELD || (accepted.size >= SEEN_BEFORE_JUDGING && hits < accepted.size)) {
      memory.full = true;
      return value;
    }
    // A text of its own, as the key and as the value kept: the cell is a slice of the parser's chunk, which it would
    // keep alive.
    const own = ownText(cell);
    const kept = value === cell ? own : value;
    accepted.set(own, kept);
    return kept;
  };
}

interface Member {
  /** Per field position: coercion and check, or undefined when the field does not apply to this member. */
  readonly checks: (FieldCheck | undefined)[];
  readonly required: boolean[];
  /** Object refinements, run on the whole row once every field has passed. */
  readonly refinements: Refinement[];
}

/**
 * Each field schema's remembering check, shared by every member that has the field (the columns common to every
 * event_type are one schema each): one member's rows then teach the others, and a field whose texts repeat across
 * the file (occurred_on) is not given up as an id column by a member that sees few rows.
 */
/** By field position, then by schema; and the memories of each field position's checks. */
interface SharedChecks {
  readonly checks: Map<number, Map<AnySchema, FieldCheck | undefined>>;
  readonly memories: Map<number, Memory[]>;
}

const sharedChecks = (): SharedChecks => ({ checks: new Map(), memories: new Map() });

function compileObject(
  schema: AnySchema,
  fieldNames: readonly string[],
  coerce: readonly ((value: unknown) => unknown)[],
  shared: SharedChecks = sharedChecks(),
): Member | undefined {
  const def = defOf(schema);
  // Strict objects only: an unknown key is an error, never dropped (so the output has the input's keys).
  if (def.type !== 'object' || defOf(def.catchall as AnySchema).type !== 'never') return undefined;
  const shape = def.shape as Record<string, AnySchema>;
  const checks: Member['checks'] = fieldNames.map(() => undefined);
  const required = fieldNames.map(() => false);
  for (const [name, field] of Object.entries(shape)) {
    const at = fieldNames.indexOf(name);
    if (at < 0) return undefined;
    const optional = defOf(field).type === 'optional';
    if (optional && (defOf(field).checks as unknown[] | undefined)?.length) return undefined;
    const inner = optional ? (defOf(field).innerType as AnySchema) : field;
    const byField = shared.checks.get(at) ?? new Map<AnySchema, FieldCheck | undefined>();
    shared.checks.set(at, byField);
    if (!byField.has(inner)) {
      const check = fieldCheck(inner);
      const memory: Memory = { accepted: new Map(), full: false };
      if (check !== undefined) shared.memories.set(at, [...(shared.memories.get(at) ?? []), memory]);
      byField.set(inner, check && rememberingCheck(check, coerce[at] as (value: unknown) => unknown, memory));
    }
    const check = byField.get(inner);
    if (check === undefined) return undefined;
    checks[at] = check;
    required[at] = !optional;
  }
  const refinements = (def.checks as Refinement[] | undefined) ?? [];
  return { checks, required, refinements };
}

/**
 * Compiles the fast path of a row schema (a strict object, or a discriminated union of them). `coerce` turns a cell
 * into the type its field expects, as the slow path does before zod. Undefined when the schema uses something the
 * fast path does not know: then every row goes through zod.
 */
export function compileFastPath(
  schema: AnySchema,
  fieldNames: readonly string[],
  coerce: readonly ((value: unknown) => unknown)[],
): FastPath | undefined {
  const fields = compileFieldsFastPath(schema, fieldNames, coerce);
  if (fields === undefined) return undefined;
  const position = new Map(fieldNames.map((name, i) => [name, i]));
  const byField: unknown[] = fieldNames.map(() => undefined);
  return (cells, out) => {
    // Cells of an ordinary or prototype-less object only (read-upload's noPrototype): anything else is zod's to judge.
    const prototype = Object.getPrototypeOf(cells);
    if (prototype !== null && prototype !== Object.prototype) return false;
    byField.fill(undefined);
    for (const key in cells) {
      // Own fields only: `constructor` or `toString` in a file is an unknown field, not Object's own property.
      const at = Object.hasOwn(cells, key) ? position.get(key) : undefined;
      // An unknown key, or a key given no value (which zod still counts as a key): zod's to judge.
      const cell = at === undefined ? undefined : cells[key];
      if (cell === undefined) return false;
      byField[at as number] = cell;
    }
    return fields(byField, out);
  };
}

/** The fast path on cells by field position (FieldsFastPath), compiled as compileFastPath compiles it. */
export function compileFieldsFastPath(
  schema: AnySchema,
  fieldNames: readonly string[],
  coerce: readonly ((value: unknown) => unknown)[],
): FieldsFastPath | undefined {
  const def = defOf(schema);
  const shared = sharedChecks();
  if (def.type === 'union' && typeof def.discriminator === 'string') {
    if ((def.checks as unknown[] | undefined)?.length) return undefined;
    const discriminator = fieldNames.indexOf(def.discriminator);
    if (discriminator < 0) return undefined;
    const members = new Map<unknown, Member>();
    for (const option of def.options as AnySchema[]) {
      const member = compileObject(option, fieldNames, coerce, shared);
      const tag = defOf(option).shape as Record<string, AnySchema>;
      const literal = defOf(tag[def.discriminator] as AnySchema);
      if (member === undefined || literal.type !== 'literal') return undefined;
      for (const value of literal.values as unknown[]) members.set(value, member);
    }
    // The member of the row before, by its tag's text: a file's rows often repeat the row before's event_type (a
    // referral's contacts one after the other), and comparing two short texts is cheaper than hashing a new one.
    let lastTag: unknown;
    let lastMember: Member | undefined;
    const fields = (byField: readonly unknown[], out: FieldValues) => {
      const tag = byField[discriminator];
      if (tag !== lastTag || lastMember === undefined) {
        lastMember = members.get(tag);
        lastTag = tag;
      }
      const member = lastMember;
      return member !== undefined && memberAccepts(member, fieldNames, byField, out);
    };
    return withMemories(fields, fieldNames, shared);
  }
  const member = compileObject(schema, fieldNames, coerce, shared);
  if (member === undefined) return undefined;
  return withMemories((byField, out) => memberAccepts(member, fieldNames, byField, out), fieldNames, shared);
}

/** The fast path with its remembers() (FieldsFastPath) over its checks' memories. */
function withMemories(
  fields: (byField: readonly unknown[], out: FieldValues) => boolean,
  fieldNames: readonly string[],
  shared: SharedChecks,
): FieldsFastPath {
  const memories = fieldNames.map((_, i) => shared.memories.get(i) ?? []);
  const remembers = (field: number, text: string) => {
    const own = memories[field];
    if (own === undefined) return false;
    for (let i = 0; i < own.length; i++) {
      const memory = own[i] as Memory;
      if (!memory.full && memory.accepted.has(text)) return true;
    }
    return false;
  };
  return Object.assign(fields, { remembers });
}

function memberAccepts(
  member: Member,
  fieldNames: readonly string[],
  byField: readonly unknown[],
  out: FieldValues,
): boolean {
  const { checks, required } = member;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i];
    const cell = byField[i];
    if (cell === undefined) {
      if (required[i]) return false;
      out[i] = undefined;
      continue;
    }
    // A value for a field this member does not have: zod's unrecognized key.
    if (check === undefined) return false;
    const value = check(cell);
    if (value === FAIL) return false;
    out[i] = value;
  }
  return member.refinements.length === 0 || refinementsPass(member, fieldNames, out);
}

/** superRefine and refine on the whole row, run by zod's own check on the row as zod's output would be. */
function refinementsPass(member: Member, fieldNames: readonly string[], out: FieldValues): boolean {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < fieldNames.length; i++) if (out[i] !== undefined) row[fieldNames[i] as string] = out[i];
  const payload: Payload = { value: row, issues: [] };
  for (const refinement of member.refinements) {
    const result = refinement._zod.check(payload as never) as unknown;
    if (result instanceof Promise || payload.issues.length > 0) return false;
  }
  return true;
}
