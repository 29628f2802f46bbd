import { describe, expect, it } from 'vitest';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * Review 42, R42-4: equity.sql wrote each referral's columns (the engagement cohort's rule among them) twice, once for
 * a pass over every referral without person_id and once for the people referred more than once, so that a change to
 * one (the engagement window, say) could count the two parts apart. Every referral is now read once (`people`), and
 * each measured referral once (`measured`), with its person_id kept only where it is needed; the rows are the same
 * (people-add-up.test.ts and equity-dimensions.test.ts work them out by hand; docs/benchmarks.md, sql37).
 */
const sql = loadSql('metrics/equity')
  .split('\n')
  .map((line) => line.replace(/--.*$/, ''))
  .join('\n');
const count = (pattern: RegExp) => sql.match(pattern)?.length ?? 0;

describe('equity.sql reads each referral once', () => {
  it('states the engagement cohort rule once', () => {
    expect(count(/\bengagement_observed\b/g)).toBe(1);
    expect(count(/\bc\.last_referred\b/g)).toBe(1);
  });

  it('reads episodes twice (the cohort day, then every referral) and wellbeing_pairs once', () => {
    expect(count(/\bFROM episodes\b/g)).toBe(2);
    expect(count(/\bFROM wellbeing_pairs\b/g)).toBe(1);
  });
});
