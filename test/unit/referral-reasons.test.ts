import { describe, expect, it } from 'vitest';
import { REFERRAL_REASONS, REFERRAL_SOURCES } from '../../functions/contract/enums.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * referral_sources.sql counts a reason where its name is found in the referral's ;-separated list (strpos), not where
 * ';name;' is found in the list wrapped in ;s (a new string for every referral: issue 17, met38). That is exact only
 * while no reason's name is part of another's ('health' would be found in 'mental_health'): this names any pair of
 * the contract's reasons where it is, and any reason or source the statement does not write out.
 */
function namesWithin(names: readonly string[]): [string, string][] {
  return names.flatMap((outer) =>
    names.filter((inner) => inner !== outer && outer.includes(inner)).map((inner): [string, string] => [outer, inner]),
  );
}

function leftOut(sql: string, reasons: readonly string[], sources: readonly string[]): string[] {
  return [
    ...reasons.filter(
      (r) => !sql.includes(`strpos(referral_reasons, '${r}') > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reason_${r}`),
    ),
    ...sources.filter((s) => !sql.includes(`referral_source = '${s}' THEN 1 ELSE 0 END) AS BIGINT) AS source_${s}`)),
  ];
}

describe("referral_sources.sql and the contract's reasons", () => {
  const sql = loadSql('metrics/referral_sources');

  it('finds each reason by its name alone: no name of a reason is part of another', () => {
    expect(REFERRAL_REASONS).toHaveLength(12);
    expect(namesWithin(REFERRAL_REASONS)).toEqual([]);
  });

  it('names a reason the contract would gain that is part of another', () => {
    expect(namesWithin([...REFERRAL_REASONS, 'health'])).toEqual([['mental_health', 'health']]);
  });

  it('writes out every reason and source of the contract', () => {
    expect(leftOut(sql, REFERRAL_REASONS, REFERRAL_SOURCES)).toEqual([]);
    expect(leftOut(sql, [...REFERRAL_REASONS, 'isolation'], REFERRAL_SOURCES)).toEqual(['isolation']);
  });
});
