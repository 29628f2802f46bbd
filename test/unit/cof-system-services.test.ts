import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../functions/contract/enums.ts';
import { loadSql } from '../../functions/lib/query-engine.ts';

/*
 * cof_system.sql writes the contract's services out by name (each referral's windows as one row, a column pair a
 * service: issue 17, perfq34). A service the contract gains in a later version must be written there too, or it would
 * be counted nowhere with no error (review 37, R37-7): this names any service the statement leaves out.
 */
function servicesLeftOut(sql: string, services: readonly string[]): string[] {
  return services.filter(
    (service) =>
      !(
        sql.includes(`service = '${service}' AND "window" = 'before'`) &&
        sql.includes(`service = '${service}' AND "window" = 'after'`) &&
        sql.includes(`WHEN '${service}' THEN r.${service}_before`) &&
        sql.includes(`WHEN '${service}' THEN r.${service}_after`) &&
        sql.includes(`('${service}')`)
      ),
  );
}

describe("cof_system.sql and the contract's services", () => {
  const sql = loadSql('metrics/cof_system');

  it('writes out every service of the contract', () => {
    expect(SERVICES).toEqual(['gp_appointment', 'ae_attendance', 'emergency_admission', 'outpatient']);
    expect(servicesLeftOut(sql, SERVICES)).toEqual([]);
  });

  it('names a service the contract would gain and the statement does not write out', () => {
    expect(servicesLeftOut(sql, [...SERVICES, 'community_pharmacy'])).toEqual(['community_pharmacy']);
  });
});
