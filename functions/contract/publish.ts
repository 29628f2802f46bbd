import { z } from 'zod';
import { CONTRACT_VERSION, INSTRUMENTS } from './enums.ts';
import { eventRow } from './events.ts';
import { EVENT_FIELDS, type FieldSpec, WORKFORCE_FIELDS } from './fields.ts';
import { pcnReferenceRow } from './reference.ts';
import { workforceRow } from './workforce.ts';

/**
 * The contract's published forms: JSON Schema (for a PCN's own tooling) and a data dictionary page (for its IT
 * team). Both are generated from the zod schemas and checked in; a test fails when they are out of date.
 */
export function contractJsonSchemas(): Record<string, unknown> {
  const schema = (s: z.ZodType, id: string, title: string) => ({
    ...z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any' }),
    $id: `https://sp-outcomes.nhs.example/contract/v${CONTRACT_VERSION}/${id}`,
    title,
  });
  return {
    'events.schema.json': schema(eventRow, 'events.schema.json', 'Social prescribing event (one JSON Lines row)'),
    'workforce.schema.json': schema(workforceRow, 'workforce.schema.json', 'PCN workforce snapshot (one row)'),
    'pcn-reference.schema.json': schema(pcnReferenceRow, 'pcn-reference.schema.json', 'PCN reference data (one row)'),
  };
}

/** Which event types use a field, and whether they require it, read from the discriminated union itself. */
function usage(fieldName: string): string {
  const uses: string[] = [];
  for (const option of eventRow.options) {
    const shape = option.shape as Record<string, z.ZodType>;
    const member = shape[fieldName];
    if (member === undefined) continue;
    const type = (shape.event_type as z.ZodLiteral<string>).value;
    uses.push(member.safeParse(undefined).success ? `${type} (optional)` : type);
  }
  if (uses.length < eventRow.options.length) return uses.join(', ');
  return uses.every((u) => u.endsWith('(optional)')) ? 'all (optional)' : 'all';
}

function allowedValues(spec: FieldSpec): string {
  if (spec.rule) return spec.rule;
  const json = z.toJSONSchema(spec.schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  const code = (v: unknown) => `\`${String(v)}\``;
  if (Array.isArray(json.enum)) return json.enum.map(code).join(', ');
  if (Array.isArray(json.anyOf)) return (json.anyOf as { const?: unknown }[]).map((v) => code(v.const)).join(', ');
  if (json.format === 'date') return 'YYYY-MM-DD';
  if (json.format === 'date-time') return 'ISO 8601 date-time with zone, e.g. `2025-04-01T09:30:00Z`';
  if (typeof json.pattern === 'string') return `matches \`${json.pattern.replaceAll('|', '\\|')}\``;
  if (json.type === 'boolean') return '`true`, `false`';
  const whole = json.type === 'integer' ? 'whole number' : 'number';
  if (json.minimum !== undefined) return `${whole} ${json.minimum}–${json.maximum}`;
  return whole;
}

function fieldTable(fields: Record<string, FieldSpec>, withUsage: boolean): string {
  const head = withUsage
    ? '| field | stored as | used by | allowed values | meaning |\n|---|---|---|---|---|'
    : '| field | stored as | allowed values | meaning |\n|---|---|---|---|';
  const rows = Object.entries(fields).map(([name, spec]) => {
    const cells = [
      `\`${name}\``,
      spec.storage,
      ...(withUsage ? [usage(name)] : []),
      allowedValues(spec),
      spec.description,
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [head, ...rows].join('\n');
}

export function dataDictionary(): string {
  const instruments = Object.entries(INSTRUMENTS)
    .map(([name, r]) => `| \`${name}\` | ${r.label} | ${r.min}–${r.max} | ${r.higherIsBetter ? 'higher' : 'lower'} |`)
    .join('\n');
  return `# Data dictionary: social prescribing event files, contract version ${CONTRACT_VERSION}

Generated from \`functions/contract/\` by \`npm run contract:publish\`; do not edit by hand. The JSON Schemas
beside this page (\`docs/schema/\`) are the same contract in machine-readable form.

## Files
- Two kinds: **events** (social prescribing activity) and **workforce** (monthly staffing snapshot). The kind is
  told from the header: a file with \`event_type\` is an events file, one with \`snapshot_month\` a workforce file.
- CSV (RFC 4180, UTF-8 with or without BOM, comma separated, a header row of the field names below, CRLF or LF)
  or JSON Lines (one object per line). Either may be gzip-compressed (\`.csv.gz\`, \`.jsonl.gz\`). UTF-16 (Excel's
  "Unicode Text") is refused: save the file as "CSV UTF-8".
- In CSV, leave a cell empty when a field does not apply; in JSON Lines, leave the key out (or give \`null\`).
  Numbers and \`true\`/\`false\` are written as text in CSV and as JSON numbers and booleans in JSON Lines.
- Limits: 100 MB uncompressed, 1,000,000 rows, 64 KB per line.
- Every row carries the uploading PCN's \`pcn_code\`.
- Rows are numbered as a spreadsheet shows them: in a CSV file the header is row 1 and the first data row is row 2;
  in a JSON Lines file row N is line N.

## Never send personal identifiers
No NHS number, National Insurance number, name, date of birth, address, postcode, telephone number or e-mail address,
in any column, however it is written: an NHS number, a telephone number or a postcode is found with spaces, hyphens,
dots, colons (a time's aside: \`2026-05-12T09:30:05\`), brackets or other characters between its parts
(\`tel:07700:900:123\`, \`PT:94:34:76:59:19\`), and an NHS number with zeros before it
(\`943 - 476 - 5919\`, \`(943) 476-5919\`, \`00009434765919\`, \`SW1A-1AA\`, \`07700--900123\`); an NHS number in any grouping too, one digit at a time
included (\`9 4 3 4 7 6 5 9 1 9\`, \`943 4765 919\`), with the separators repeated (\`94--34--76--59--19\`) or, one digit
at a time, mixed (\`9-4.3 4/7-6.5 9/1-9\`); a Scottish CHI number (a DDMMYY date of birth first) standing apart from
letters, in any grouping (\`0101901232\`, \`CHI 01 01 90 1232\`, \`0-1-0-1-9-0-1-2-3-2\`); a number written into a
UUID's shape after zeros (\`00000000-0000-0000-0000-009434765919\`); a postcode inside an id (\`ORG-SW1A-1AA\`); a
UK mobile number (07, 447, +447 or 00447 and nine digits) even glued to letters (\`MOB07700900123\`,
\`pt+447700900123\`), and a landline (01 or 02, +44 or 0044 and ten digits) glued to letters (\`REF02079460958\`,
\`tel01632 960001\`), unless one capital comes directly before it (an ODS code's letter: \`Y01632-960001\`) or its
digits are an id's date and a sequence (\`R02072026123\`); a National Insurance number (two prefix letters HMRC uses, six digits,
A to D, in capitals or small letters, together or apart: \`QQ 12 34 56 C\`, \`NI:AB123456C\`), so an id of exactly
two such letters, six digits and A to D is refused; and
words written into any cell, ids included: a date of birth (dob, d.o.b, born, birth, birthdate or birthday, in any
case, next to a UK or ISO date: \`DOB:1970-02-03\`, \`born-03.02.1970\`, \`d.o.b 3/2/70\`; or a date before 2010 written
with separators or its month named, next to letters: \`SMITH-1970-02-03\`, \`JS_3-Feb-1970\`), a title and a name (Mr,
Mrs, Ms, Miss, Mx, Dr, Prof, Sir, Dame or Rev, a separator, and a capitalised word with small letters:
\`Mr.John.Smith\`, \`Mrs_Smith\`, \`Dr-A-Patel\`; a code in capitals, \`DR-UNIT-12\`, passes), and an e-mail address
with \`at\` written for its @ (\`jsmith.at.nhs.net\`, \`j_smith_at_gmail_com\`). A file containing one is rejected
whole: nothing of it is published, and the receipt names the row and column (never the value). \`person_id\` is a
keyed hash made on the PCN's own machine (\`sp-outcomes upload\` does it for you). Ids you make
yourselves (\`event_id\`, \`referral_id\`, \`provider_id\`) must not be built from an NHS number or a postcode: an id
whose ten digits from 3 up stand beside letters, together, in groups or one at a time, and pass the NHS number check
digit (\`REF4000000101\`, \`R401-023-2137\`, \`EV-4-0-1-0-2-3-2-1-3-7\`) is refused as one, so number your ids with a
date, a separator or another length (\`R202605-2565\`, \`EV-000123\`), the date directly after the letters: ten digits
set apart from them (\`R-260512-0007\`) are read as any number standing alone. A sequence and a date from 2019 on
written with separators, either way round, is not read as a number (\`REF-34-2019-01-07\`, \`R-2025-04-0-2019-01-01\`,
\`REF-01-01-2019-12\`; the date as yyyy-mm-dd or dd-mm-yyyy). A UUID as systems generate it passes, alone or with a
prefix or suffix (\`urn:uuid:<uuid>\`, \`EV-<uuid>\`, \`<uuid>.1\`), as do ids of 24, 32, 40 or 64 hex digits and a Unix
time in milliseconds; a time in seconds passes too, but for 26 January to 14 June 2027 (1801000000-1812999999 start
with a date, as a Scottish CHI number does, and 1 in 11 is refused). Ids of random letters and digits (nanoid,
base64url) are refused about 2 times in 1,000 as a postcode (\`_Ab12CD-\` inside one): use UUIDs or ULIDs. Standing
alone, a 12- or 13-digit number from 441, 442, 443, 447 or 4401.. (+44 without its +) or a 10-digit one from 71-75 or
77-79 (a mobile without its 0) is read as a telephone number. A counter padded with zeros to ten or eleven digits
(\`EV-0000000001\`) passes: no UK number starts 00, 04 or 06.
An organisation id may carry its ICB's ODS code (\`VCSE-QE1-1BP\`):
no postcode begins with Q, so it is not read as one.

## Events
${fieldTable(EVENT_FIELDS, true)}

A field not listed for a row's \`event_type\` must be left empty; a filled-in cell that does not apply is an error.

### Wellbeing instruments
| instrument | name | score range | better is |
|---|---|---|---|
${instruments}

## Workforce (one row per PCN, month and role)
${fieldTable(WORKFORCE_FIELDS, false)}

## What happens to a file
1. The whole file is checked first: encoding (UTF-8), not binary, the header, the size limits, and the
   identifiability guard. A failure rejects the file whole.
2. Each row is checked against the contract. Rows that pass are published; rows that fail are kept aside with
   every reason (\`{row, field, code, message}\`) for the PCN to correct and send again.
3. Every upload gets a receipt: rows read, accepted and rejected by reason, the first errors, and the file's SHA-256.
4. Sending the same file twice changes nothing. To correct a row, send it again with the same \`event_id\` (and a
   later \`recorded_at\`); to withdraw one, send a \`retraction\` naming it. To undo a retraction sent by mistake, send
   the event again with a \`recorded_at\` later than the retraction's (a retraction without \`recorded_at\` is final).
`;
}
