import { describe, expect, it } from 'vitest';
import { englandRow, FEW_PCNS_REFERENCE, fewPcnsUploads } from '../support/england-few-pcns.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 28, R28-1: England's staff figures are each summed over the PCNs that gave them (a headcount over those that
 * gave one: the national workforce publication is FTE only; a role's over the PCNs that have it), and the areas of a
 * PCN that gave none show nothing, not 0. The programme of england-few-pcns.test.ts (U00001 QAA/Y56, U00002 QBB/Y58,
 * U00003 QCC/Y58), events from all three in June and July 2025, one refresh on 5 August 2025 (the first release).
 * Each staff column's PCNs are tested on their own now (revisions.ts staffMadeByFew), and workforce's month (with its
 * year) held as no figure where one is made up by fewer than 3 PCNs.
 *
 * A: U00001 alone gives headcounts (4 link workers, FTE 3.2; 3 care coordinators, FTE 2.0); U00002 and U00003 FTE only
 *    (3.2 each). England's June headcounts were 4 and 3, U00001's own `*` figures (pcns_with_headcount 1).
 * B: all three give link worker headcounts and training (U00001 4, 2 trained; the others 12, 10 trained); only U00001
 *    has care coordinators (3, FTE 2.0). England's June cc_headcount 3 and cc_fte 2 were U00001's (QBB and QCC show 0).
 * C: U00001 alone sends a snapshot, FTE 3.2 and no headcount. England's June splw_fte 3.2 was U00001's `*`.
 */
const MONTHS = ['2025-06', '2025-07'];
const header = 'pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte';
const file = (lines: (m: string) => string[]) => `${header}\n${MONTHS.flatMap(lines).join('\n')}\n`;
const programme = (prefix: string, otherFiles: Record<string, string>) =>
  goldenProgramme(prefix, {
    uploads: fewPcnsUploads(),
    otherFiles,
    reference: FEW_PCNS_REFERENCE,
    now: new Date('2025-08-05T06:00:00Z'),
    timeoutMs: 180_000,
  });
const a = programme('staff-few-a', {
  'U00001-workforce.csv': file((m) => [`U00001,${m},splw,4,3.2,,`, `U00001,${m},cc,3,2.0,,`]),
  'U00002-workforce.csv': file((m) => [`U00002,${m},splw,,3.2,,`]),
  'U00003-workforce.csv': file((m) => [`U00003,${m},splw,,3.2,,`]),
});
const b = programme('staff-few-b', {
  'U00001-workforce.csv': file((m) => [`U00001,${m},splw,4,3.2,2,`, `U00001,${m},cc,3,2.0,,`]),
  'U00002-workforce.csv': file((m) => [`U00002,${m},splw,12,9.5,10,`]),
  'U00003-workforce.csv': file((m) => [`U00003,${m},splw,12,9.5,10,`]),
});
const c = programme('staff-few-c', { 'U00001-workforce.csv': file((m) => [`U00001,${m},splw,,3.2,,`]) });

const NO_STAFF = { splw_headcount: null, splw_fte: null, cc_headcount: null, cc_fte: null };
const heldOf = (docs: typeof a.docs) =>
  (docs.get('workforce')?.summary as { revisions_held?: { periods: string[] } } | undefined)?.revisions_held?.periods;

describe("England's staff figures made up by few PCNs, each column on its own (review 28, R28-1)", () => {
  it("A: one PCN's headcounts beside two FTE-only snapshots: workforce's June, July and year held as no figure", () => {
    for (const month of MONTHS) expect(englandRow(a.docs)('workforce', month)).toMatchObject(NO_STAFF);
    expect(heldOf(a.docs)).toEqual(['2025-06', '2025-07', '2025/26']);
    // Held in workforce alone: rollout's June (three PCNs' referrals) is published.
    expect(englandRow(a.docs)('rollout', '2025-06')?.people_referred).toBe(53);
  });

  it("B: one PCN's care coordinators among three PCNs' link workers: held though 4 + 12 + 12 in post pass", () => {
    for (const month of MONTHS) expect(englandRow(b.docs)('workforce', month)).toMatchObject(NO_STAFF);
    expect(heldOf(b.docs)).toEqual(['2025-06', '2025-07', '2025/26']);
  });

  it("C: one PCN's FTE-only snapshot (England's FTE its own 3.2): held", () => {
    for (const month of MONTHS) expect(englandRow(c.docs)('workforce', month)).toMatchObject(NO_STAFF);
    expect(heldOf(c.docs)).toEqual(['2025-06', '2025-07', '2025/26']);
  });
});
