import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCoverage } from '../../cli/commands/refresh.ts';

/*
 * Review 31, R31-7: the demo scaled England's targets by its share of PCNs (113 of 1,300, 8.69%), where they scale with
 * patients (8.16%) and link workers (8.63%): its people referred target was 6.5% high. A demo of 2 of England's 4
 * PCNs: A (a version of 10,000 patients closed on 30 November 2025, then 12,000) and B (8,000); C and D, not in the
 * demo, have 30,000 and 50,000. England's lists in force: 12,000 + 8,000 + 30,000 + 50,000 = 100,000; the demo's
 * 20,000: 20%, so the target is 900,000 x 0.2 = 180,000 (by PCNs, 2 of 4, it was 450,000). Link worker FTE: A 1, B
 * 0.5, C 3.5, D 5, of 10: 15%, so the 1,000 trained link workers become 150.
 */
describe('the demo scales the national targets by its share of patients and of link workers (R31-7)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('people referred by the share of registered patients, link workers by the share of link worker FTE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-coverage-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'demo-input', 'reference'), { recursive: true });
    writeFileSync(
      join(dir, 'demo-input', 'manifest.json'),
      JSON.stringify({ pcns: 2, englandPcns: 4, reference: 'reference/pcns.csv' }),
    );
    writeFileSync(
      join(dir, 'demo-input', 'reference', 'pcns.csv'),
      [
        'pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to',
        'U00001,A PCN,QAA,NHS A ICB,Y56,London,10000,2019-04-01,2025-11-30',
        'U00001,A PCN,QAA,NHS A ICB,Y56,London,12000,2025-12-01,',
        'U00002,B PCN,QAA,NHS A ICB,Y56,London,8000,2019-04-01,',
      ].join('\n'),
    );
    const england = () => ({
      lists: new Map([
        ['U00001', 12_000],
        ['U00002', 8_000],
        ['U00003', 30_000],
        ['U00004', 50_000],
      ]),
      linkWorkerFte: new Map([
        ['U00001', 1],
        ['U00002', 0.5],
        ['U00003', 3.5],
        ['U00004', 5],
      ]),
    });
    const result = demoCoverage(dir, england);
    expect(result.targets?.annual_referrals).toBe(180_000);
    expect(result.targets?.trained_link_workers).toBe(150);
    expect(result.coverage).toEqual({
      share_of_england: 0.2,
      note: "Demo data: 2 of England's 4 PCNs, with 20.0% of its registered patients and 15.0% of its link worker FTE; the people referred target is scaled by the share of patients, the link worker target by the share of link worker FTE.",
    });
  });
});
