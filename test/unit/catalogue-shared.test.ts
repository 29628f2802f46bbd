import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { PCN_GROUP_SOURCES } from '../../functions/refresh/shared-counts.ts';
import { SCAN_SPEC } from '../support/disclosure-scan.ts';

/*
 * Counts shared across documents are declared in the catalogue (sameAs, pcnGroups) and controlled from the document
 * built first (refresh.ts builds the catalogue in order); the independent disclosure scan lists the same pairs, so a
 * document that shares a count declares it in both places or this fails.
 */
const position = (name: string) => CATALOGUE.findIndex((d) => d.name === name);

describe('the catalogue declares shared counts', () => {
  it('pcn_comparison: referrals from rollout; the outcomes from cof_person, by PCN and year', () => {
    const declared = CATALOGUE.find((d) => d.name === 'pcn_comparison')?.sameAs;
    expect(declared).toEqual([
      { document: 'rollout', columns: { referrals: 'referrals' }, key: ['level', 'code', 'period_type', 'period'] },
      {
        document: 'cof_person',
        columns: {
          engagement_cohort: 'engagement_cohort',
          engaged: 'engaged',
          connected: 'connected',
          wellbeing_measured: 'wellbeing_measured',
          wellbeing_improved: 'wellbeing_improved',
        },
        key: ['level', 'code', 'period_type', 'period'],
      },
    ]);
  });

  it('every source is built before the document sharing its counts, and both control them as counts', () => {
    for (const definition of CATALOGUE) {
      const sources = [
        ...(definition.sameAs ?? []).map((s) => ({ document: s.document, columns: s.columns })),
        ...(definition.pcnGroups?.sums ?? []),
      ];
      for (const { document, columns } of sources) {
        expect(position(document), `${definition.name} <- ${document}`).toBeGreaterThanOrEqual(0);
        expect(position(document), `${definition.name} <- ${document}`).toBeLessThan(position(definition.name));
        const counts = CATALOGUE[position(document)]?.rules.counts ?? [];
        for (const [column, sourceColumn] of Object.entries(columns)) {
          expect(definition.rules.counts, `${definition.name}.${column}`).toContain(column);
          expect(counts, `${document}.${sourceColumn}`).toContain(sourceColumn);
        }
      }
    }
  });

  it('the disclosure scan checks the same shared counts', () => {
    const declared = CATALOGUE.flatMap((d) =>
      (d.sameAs ?? []).map((s) => ({ document: d.name, source: s.document, columns: s.columns, key: s.key })),
    );
    expect(SCAN_SPEC.shared).toEqual(declared);
    const groups = CATALOGUE.filter((d) => d.pcnGroups !== undefined).map((d) => d.name);
    expect(Object.keys(SCAN_SPEC.groupsOfPcns ?? {})).toEqual(groups);
  });

  it("equity's PCN-deprivation quintile rows are groups of PCNs, whose membership the refresh can read", () => {
    const groups = CATALOGUE.find((d) => d.name === 'equity')?.pcnGroups;
    expect(groups?.rows({ dimension: 'pcn_imd_quintile' })).toBe(true);
    expect(groups?.rows({ dimension: 'imd_decile' })).toBe(false);
    expect(PCN_GROUP_SOURCES[groups?.membership ?? '']).toEqual({
      file: 'prepare/pcn_deprivation',
      column: 'imd_quintile',
    });
  });
});
