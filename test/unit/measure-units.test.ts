import { describe, expect, it } from 'vitest';
import { FUNNEL_MEASURES } from '../../functions/contract/summaries.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { SPC_MEASURES } from '../../functions/refresh/spc-documents.ts';
import { BOARD_MEASURES } from '../../functions/reports/board-measures.ts';
import { COUNT_UNITS, RATE_UNITS, unitOf } from '../support/measure-units.ts';

/*
 * A review found referral (episode) counts worded as people: England's cof_person.episodes (36,143 in 2025/26) was
 * "People referred", beside rollout's 34,304 people referred. The table in test/support/measure-units.ts says what
 * each count counts, read from its SQL (and held to the SQL by test/integration/measure-units.test.ts); here the
 * words that name each figure are held to the table.
 */
const NAMES_REFERRALS = /\b(referrals?|episodes?)\b/i;
const NAMES_PEOPLE = /\bpeople\b/i;
/** People as what is counted: "people with ...", "per person", "of people measured" (not "8 or more people"). */
const COUNTS_PEOPLE = /\bper person\b|\bof (the )?people\b|\bpeople (referred|measured|with|who|whose|in)\b|^people\b/i;

const documents = new Map(CATALOGUE.map((d) => [d.name, d]));
const counted = CATALOGUE.flatMap((d) =>
  d.rules.counts.map((column) => ({ document: d.name, column, name: `${d.name}.${column}` })),
);

describe('what each count counts, in the catalogue', () => {
  it('classifies every count column of every document (a new count must be given its unit)', () => {
    const unclassified = counted.filter(({ document, column }) => unitOf(COUNT_UNITS, document, column) === undefined);
    expect(unclassified).toEqual([]);
    expect(Object.keys(COUNT_UNITS).sort()).toEqual(CATALOGUE.map((d) => d.name).sort());
  });

  it.each(counted.filter(({ document, column }) => unitOf(COUNT_UNITS, document, column) === 'referrals'))(
    '$name counts referrals (episodes) and says so, never people',
    ({ document, column }) => {
      const definition = documents.get(document)?.definitions[column] ?? '';
      expect(definition).toMatch(NAMES_REFERRALS);
      expect(definition).not.toMatch(NAMES_PEOPLE);
    },
  );

  it.each(counted.filter(({ document, column }) => unitOf(COUNT_UNITS, document, column) === 'people'))(
    '$name counts distinct people and says so',
    ({ document, column }) => {
      const definition = documents.get(document)?.definitions[column] ?? '';
      expect(definition).toMatch(NAMES_PEOPLE);
      expect(definition).not.toMatch(/\bper referral\b|^referrals\b/i);
    },
  );

  const rates = Object.entries(RATE_UNITS).flatMap(([document, columns]) =>
    Object.entries(columns).map(([column, unit]) => ({ document, column, unit, name: `${document}.${column}` })),
  );

  it('lists only derived columns the catalogue defines', () => {
    expect(rates.filter(({ document, column }) => documents.get(document)?.definitions[column] === undefined)).toEqual(
      [],
    );
  });

  it.each(rates.filter((r) => r.unit === 'referrals'))(
    '$name is over referrals and does not say it is over people',
    ({ document, column }) => {
      const definition = documents.get(document)?.definitions[column] ?? '';
      expect(definition).toMatch(/\b(referrals?|episodes?|cohort)\b/i);
      expect(definition).not.toMatch(COUNTS_PEOPLE);
    },
  );

  it('says in the description of each document that counts referrals as its outcomes that a person can count twice', () => {
    const perReferral = ['cof_person', 'contacts_distribution', 'cof_system', 'pcn_comparison', 'equity'];
    const without = perReferral.filter(
      (name) =>
        !/a person referred twice counts twice|someone referred twice counts twice/.test(
          documents.get(name)?.description ?? '',
        ),
    );
    expect(without).toEqual([]);
    expect(documents.get('contacts_distribution')?.title).toBe('Link worker contacts per referral');
  });
});

describe('what each count counts, in the labels of the dashboard, packs and board report', () => {
  const unitOfFigure = (document: string, column: string) =>
    unitOf(COUNT_UNITS, document, column) ?? unitOf(RATE_UNITS, document, column);

  it('board and pack measures over referrals never say people; those over people say so', () => {
    const labelled = BOARD_MEASURES.map((m) => ({ label: m.label, unit: unitOfFigure(m.document, m.column) }));
    expect(labelled.filter((m) => m.unit === undefined)).toEqual([]);
    expect(labelled.filter((m) => m.unit === 'referrals' && /\b(people|person)\b/i.test(m.label))).toEqual([]);
    expect(labelled.filter((m) => m.unit === 'people' && !NAMES_PEOPLE.test(m.label))).toEqual([]);
    expect(BOARD_MEASURES.find((m) => m.id === 'mean_contacts')?.label).toBe(
      'Link worker contacts per referral (mean)',
    );
  });

  it("funnel measures: label, unit and axis name referrals where pcn_comparison's columns count them", () => {
    for (const m of FUNNEL_MEASURES) {
      const units = [m.numerator, m.denominator].map((c) => unitOf(COUNT_UNITS, 'pcn_comparison', c));
      const words = `${m.label} | ${m.unit} | ${m.axis}`;
      if (units.includes('referrals')) expect(words, m.name).not.toMatch(/\b(people|person)\b/i);
    }
    expect(FUNNEL_MEASURES.map((m) => m.axis)).toEqual([
      'Registered patients, pro rata to months open (log scale)',
      'Referrals made at least 3 months before (log scale)',
      'Referrals measured twice (log scale)',
    ]);
  });

  it('SPC series: the label names what its first column counts', () => {
    const labelled = SPC_MEASURES.map((m) => ({
      label: m.label,
      unit: unitOfFigure(m.document, m.columns[0] as string),
    }));
    expect(labelled).toEqual([
      { label: 'Referrals', unit: 'referrals' },
      { label: 'Referrals per 1,000 registered patients', unit: 'referrals' },
      { label: 'People referred', unit: 'people' },
      { label: 'Offers declined, % of offers made', unit: 'other' },
      { label: 'Engagement, % of referrals', unit: 'referrals' },
      { label: 'Link worker FTE', unit: undefined },
      { label: 'Link worker FTE per 10,000 registered patients', unit: 'other' },
    ]);
  });
});
