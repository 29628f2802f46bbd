import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BREAKAGES, eventStream } from '../../cli/synthetic/generate.ts';
import { Rng } from '../../cli/synthetic/random.ts';
import { eventRow, workforceRow } from '../../functions/contract/index.ts';
import { contractJsonSchemas, dataDictionary } from '../../functions/contract/publish.ts';

describe('published contract artefacts', () => {
  it('docs/schema and docs/data-dictionary.md are up to date with the zod schemas (npm run contract:publish)', () => {
    for (const [file, schema] of Object.entries(contractJsonSchemas())) {
      expect(readFileSync(`docs/schema/${file}`, 'utf8'), file).toBe(`${JSON.stringify(schema, null, 2)}\n`);
    }
    expect(readFileSync('docs/data-dictionary.md', 'utf8')).toBe(dataDictionary());
  });

  it('the data dictionary lists every field with the event types that use it', () => {
    const page = dataDictionary();
    expect(page).toContain('| `duration_minutes` | int32 | contact | whole number 1–600 |');
    expect(page).toContain('| `worker_role` | string | contact, plan_agreed | `splw`, `hwbc`, `cc` |');
    expect(page).toContain('| `decline_reason` | string | declined (optional) |');
    expect(page).toContain('| `ons4_anxiety` | ONS4 anxiety | 0–10 | lower |');
  });
});

describe('the JSON Schema agrees with the zod schema (ajv as the third-party judge)', () => {
  const schemas = contractJsonSchemas();
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validEvent = ajv.compile(schemas['events.schema.json'] as object);
  const validWorkforce = ajv.compile(schemas['workforce.schema.json'] as object);

  it('accepts every generated row that zod accepts, and rejects the broken ones zod rejects', () => {
    const rng = new Rng(99);
    const stream = eventStream(4242);
    const counts = { accepted: 0, rejected: 0, types: new Set<string>() };
    for (let i = 0; i < 3_000; i++) {
      const row = { ...(stream.next().value as Record<string, unknown>) };
      if (rng.chance(0.2)) (rng.pick(BREAKAGES) as (e: Record<string, unknown>) => void)(row as never);
      const zodOk = eventRow.safeParse(row).success;
      // The JSON Schema cannot express cross-field rules (a score's range per instrument, the earliest date),
      // so it may accept more than zod: never less.
      if (zodOk) expect(validEvent(row), JSON.stringify(validEvent.errors)).toBe(true);
      if (!validEvent(row)) expect(zodOk).toBe(false);
      counts[zodOk ? 'accepted' : 'rejected']++;
      if (zodOk) counts.types.add(row.event_type as string);
    }
    expect(counts.types.size).toBe(8); // every type but retraction, which the stream does not make
    expect(counts.rejected).toBeGreaterThan(400);
    expect(counts.accepted).toBeGreaterThan(2_000);
  });

  it('agrees on workforce rows', () => {
    const good = {
      pcn_code: 'U12345',
      snapshot_month: '2024-05',
      role: 'hwbc',
      headcount: 2,
      fte: 1.6,
      accredited_training_headcount: 1,
      vacancies_fte: 0,
    };
    expect(workforceRow.safeParse(good).success).toBe(true);
    expect(validWorkforce(good)).toBe(true);
    // headcount, training and vacancies are optional (the national publication has FTE only)
    const fteOnly = { pcn_code: 'U12345', snapshot_month: '2024-05', role: 'splw', fte: 2.5 };
    expect(workforceRow.safeParse(fteOnly).success).toBe(true);
    expect(validWorkforce(fteOnly)).toBe(true);
    for (const bad of [
      { ...fteOnly, fte: undefined },
      { ...good, role: 'gp' },
      { ...good, snapshot_month: '2024-13' },
      { ...good, headcount: 101 },
      { ...good, extra: 1 },
    ]) {
      expect(workforceRow.safeParse(bad).success).toBe(false);
      expect(validWorkforce(bad)).toBe(false);
    }
  });
});

describe('the PCN reference file', () => {
  const row = {
    pcn_code: 'U10003',
    pcn_name: 'Charlie PCN',
    icb_code: 'QWE',
    icb_name: 'NHS South West London ICB',
    region_code: 'Y56',
    region_name: 'London',
    list_size: 5000,
    valid_from: '2019-04-01',
    valid_to: '2025-03-31',
  };

  it('accepts versions that start and end on month boundaries', async () => {
    const { pcnReferenceRow } = await import('../../functions/contract/index.ts');
    expect(pcnReferenceRow.safeParse(row).success).toBe(true);
    expect(pcnReferenceRow.safeParse({ ...row, valid_to: '2024-02-29' }).success).toBe(true);
  });

  it('refuses a version starting or ending mid-month, or ending before it starts', async () => {
    const { pcnReferenceRow } = await import('../../functions/contract/index.ts');
    const messages = (r: object) => {
      const result = pcnReferenceRow.safeParse(r);
      return result.success ? [] : result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    };
    expect(messages({ ...row, valid_from: '2019-04-15' })).toEqual(['valid_from: must be the first day of a month']);
    expect(messages({ ...row, valid_to: '2025-03-30' })).toEqual(['valid_to: must be the last day of a month']);
    expect(messages({ ...row, valid_to: '2018-03-31' })).toEqual(['valid_to: must not be before valid_from']);
  });
});
