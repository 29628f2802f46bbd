import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newKey, parseKey, personIdFor, pseudonymiseExtract } from '../../functions/upload/pseudonymise.ts';

const key = {
  version: 1 as const,
  pcn_code: 'U12345',
  secret: Buffer.alloc(32, 7).toString('base64'),
  created_at: '2026-11-01T00:00:00.000Z',
};
const extract = [
  'event_id,event_type,pcn_code,referral_id,nhs_number,occurred_on,worker_role',
  'P1,plan_agreed,U12345,R1,943 476 5919,2025-04-01,splw',
  'P2,plan_agreed,U12345,R2,9434765919,2025-04-02,hwbc',
  'P3,plan_agreed,U12345,R3,4010232137,2025-04-03,cc',
  'P4,plan_agreed,U12345,R4,9434765918,2025-04-04,cc',
  'P5,plan_agreed,U12345,R5,,2025-04-05,cc',
].join('\n');

describe('pseudonymisation at source', () => {
  it('person_id is HMAC-SHA256 of the normalised NHS number under the PCN key', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update('9434765919').digest('hex');
    expect(personIdFor(key, '943 476 5919')).toBe(expected);
    expect(personIdFor(key, '943-476-5919')).toBe(expected);
    expect(personIdFor({ ...key, secret: Buffer.alloc(32, 8).toString('base64') }, '9434765919')).not.toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('replaces the NHS number column, drops invalid rows with reasons, and sends no NHS number', () => {
    const result = pseudonymiseExtract(extract, key);
    const lines = result.csv.trim().split('\n');
    expect(lines[0]).toBe('event_id,event_type,pcn_code,referral_id,person_id,occurred_on,worker_role');
    expect(result.rows).toBe(3);
    const id = personIdFor(key, '9434765919');
    expect(lines[1]).toBe(`P1,plan_agreed,U12345,R1,${id},2025-04-01,splw`);
    expect(lines[2]).toBe(`P2,plan_agreed,U12345,R2,${id},2025-04-02,hwbc`);
    expect(result.errors).toEqual([
      {
        row: 5,
        field: 'nhs_number',
        code: 'invalid_nhs_number',
        message: 'is not a valid NHS number (10 digits passing the modulus 11 check)',
      },
      { row: 6, field: 'nhs_number', code: 'required', message: "is empty: every row needs the person's NHS number" },
    ]);
    for (const number of ['9434765919', '943 476 5919', '4010232137', '9434765918'])
      expect(result.csv).not.toContain(number);
    expect(JSON.stringify(result.errors)).not.toMatch(/\d{10}/);
  });

  it('makes and reads key files, refusing anything else', () => {
    const made = newKey('U12345', new Date('2026-11-22T00:00:00Z'));
    expect(Buffer.from(made.secret, 'base64')).toHaveLength(32);
    expect(parseKey(JSON.stringify(made))).toEqual(made);
    expect(() => parseKey('{"version":1,"pcn_code":"U12345","secret":"c2hvcnQ="}')).toThrow(
      'not a PCN key file made by sp-outcomes keygen',
    );
    expect(() => newKey('12345')).toThrow('the PCN code must be U followed by 5 digits');
  });
});

describe('sp-outcomes keygen and pseudonymise', () => {
  it("write a private key, then an upload file checked by the real ingest core, with the server's messages", async () => {
    const { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runKeygen, runPseudonymise } = await import('../../cli/commands/pseudonymise.ts');
    const dir = mkdtempSync(join(tmpdir(), 'pseudonymise-'));
    try {
      const keyPath = join(dir, 'key.json');
      runKeygen('U12345', keyPath, () => {});
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(() => runKeygen('U12345', keyPath, () => {})).toThrow(`${keyPath} already exists`);
      const extractPath = join(dir, 'extract.csv');
      writeFileSync(extractPath, `${extract}\nP6,plan_agreed,U12345,R6,4010232137,2025-04-06,nurse\n`);
      const lines: string[] = [];
      const upload = join(dir, 'upload.csv');
      expect(await runPseudonymise(extractPath, keyPath, upload, (l) => lines.push(l))).toBe(1);
      expect(lines).toEqual([
        `✖ ${extractPath}: row 5, field nhs_number: is not a valid NHS number (10 digits passing the modulus 11 check) (invalid_nhs_number)`,
        `✖ ${extractPath}: row 6, field nhs_number: is empty: every row needs the person's NHS number (required)`,
        'nothing written: 2 rows have a missing or invalid NHS number; fix them and run again',
      ]);
      expect(existsSync(upload)).toBe(false);

      // Fixed (rows P4 and P5 taken out): P6 is now row 5 of the extract, and row 5 of the upload file too.
      const fixed = extract.split('\n').slice(0, 4).join('\n');
      writeFileSync(extractPath, `${fixed}\nP6,plan_agreed,U12345,R6,4010232137,2025-04-06,nurse\n`);
      lines.length = 0;
      expect(await runPseudonymise(extractPath, keyPath, upload, (l) => lines.push(l))).toBe(2);
      expect(lines).toEqual([
        `wrote 4 rows to ${upload}, with person_id in place of nhs_number`,
        '⚠ upload.csv: 3 rows accepted, 1 rejected (invalid_value 1)',
        '  upload.csv: row 5, field worker_role: must be one of: splw, hwbc, cc (invalid_value)',
        expect.stringMatching(
          /^1 files: 0 accepted, 1 with rejected rows, 0 rejected; 3 rows accepted, 1 rejected in [\d.]+ s$/,
        ),
      ]);
      expect(readFileSync(upload, 'utf8')).not.toContain('4010232137');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('R19-11: the extract’s rows are numbered as a spreadsheet shows them, empty lines counted', () => {
  it('an empty line on line 3: the invalid number on line 5 is row 5, the empty one on line 6 row 6', () => {
    const lines = extract.split('\n');
    // header (1), P1 (2), empty (3), P2 (4), P4 with a number failing modulus 11 (5), P5 with none (6)
    const withBlank = [lines[0], lines[1], '', lines[2], lines[4], lines[5]].join('\n');
    const result = pseudonymiseExtract(`${withBlank}\n`, key);
    expect(result.rows).toBe(2);
    expect(result.errors.map((e) => [e.row, e.code])).toEqual([
      [5, 'invalid_nhs_number'],
      [6, 'required'],
    ]);
  });
});
