import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDocument, MetricRow } from '../../functions/contract/metrics.ts';
import { CATALOGUE } from '../../functions/refresh/catalogue.ts';
import { tempDir } from '../support/files.ts';
import { type GoldenEvent, publishGolden, referralEvent, writeEventFiles } from '../support/golden.ts';
import { COUNT_UNITS, unitOf } from '../support/measure-units.ts';

/*
 * The unit table of test/support/measure-units.ts held to the SQL, through a whole refresh: 10 people, each referred
 * twice (2025-04-10 and 2025-05-12, both in the engagement and the outcome cohorts of data as of 2025-12-31), every
 * referral with everything an outcome counts: 8 link worker contacts and 1 coach contact after it, a plan agreed, a
 * community activity attended, SWEMWBS 20 -> 25 (improved), GP appointments 3 before and 2 after in 6-month windows,
 * discharged with goals met on 2025-10-01 (within 6 months of either referral: outcomes are counted within their
 * follow-up window, review2 F3; a discharge on 2025-12-31 would be outside both). The GP use after referral is sent
 * on 2025-12-31, the last event, so the data are as of 2025-12-31 (a service use's date is not its window's).
 * Three PCNs (U00203, U00204, U00205, each its own ICB and region) run this programme, each with 10 people of its own,
 * so that every England period is made up by 3 PCNs, none dominating, as a deployment publishes it (review 8, N5:
 * fewer is held, test/integration/england-few-pcns.test.ts). So every count of referrals is 3 x 20 = 60 and every
 * count of people 3 x 10 = 30: England's (exact) figures of 2025/26; each PCN's in pcn_comparison (PCN level only) are
 * rollout's and cof_person's PCN cells, 20 and 10 (rounded to 5: as they are; 3 x 18..22 and 3 x 8..12 pin nothing
 * beside England's 60 and 30).
 */
const PCNS = ['U00203', 'U00204', 'U00205'];
const REFERRED_ON = ['2025-04-10', '2025-05-12'];
const person = (pcn: string, i: number) => createHash('sha256').update(`${pcn} person ${i}`).digest('hex');

function events(PCN: string): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  let serial = 0;
  for (let i = 1; i <= 10; i++) {
    REFERRED_ON.forEach((on, r) => {
      const id = `R${i}-${r + 1}`;
      const follow = (occurred_on: string, fields: GoldenEvent): GoldenEvent => ({
        event_id: `F-${++serial}`,
        pcn_code: PCN,
        referral_id: id,
        person_id: person(PCN, i),
        occurred_on,
        ...fields,
      });
      const later = on.replace(/-10$|-12$/, '-20');
      rows.push({ ...referralEvent(PCN, id, on), person_id: person(PCN, i) });
      for (let c = 0; c < 8; c++)
        rows.push(
          follow(later, {
            event_type: 'contact',
            contact_mode: 'telephone',
            worker_role: 'splw',
            duration_minutes: 30,
          }),
        );
      rows.push(
        follow(later, { event_type: 'contact', contact_mode: 'telephone', worker_role: 'hwbc', duration_minutes: 30 }),
      );
      rows.push(follow(later, { event_type: 'plan_agreed', worker_role: 'splw' }));
      rows.push(
        follow(later, {
          event_type: 'community_connection',
          activity_category: 'arts_culture',
          provider_id: 'VCSE-1',
          attended: true,
        }),
      );
      rows.push(follow(on, { event_type: 'wellbeing_measure', instrument: 'swemwbs', phase: 'baseline', score: 20 }));
      rows.push(
        follow('2025-09-01', { event_type: 'wellbeing_measure', instrument: 'swemwbs', phase: 'follow_up', score: 25 }),
      );
      rows.push(
        follow(on, {
          event_type: 'service_use',
          service: 'gp_appointment',
          window: 'before',
          window_months: 6,
          count: 3,
        }),
      );
      rows.push(
        follow('2025-12-31', {
          event_type: 'service_use',
          service: 'gp_appointment',
          window: 'after',
          window_months: 6,
          count: 2,
        }),
      );
      rows.push(follow('2025-10-01', { event_type: 'discharge', discharge_reason: 'goals_met' }));
    });
  }
  return rows;
}

const REFERENCE = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00203,Echo PCN,QWE,NHS South West London ICB,Y56,London,12000,2019-04-01,
U00204,Golf PCN,QNX,NHS Sussex ICB,Y59,South East,12000,2019-04-01,
U00205,Hotel PCN,QHM,NHS North East and North Cumbria ICB,Y63,North East and Yorkshire,12000,2019-04-01,
`;

const dir = tempDir('measure-units');
const docs = new Map<string, MetricDocument>();

beforeAll(async () => {
  const files = writeEventFiles(dir.path, Object.fromEntries(PCNS.map((pcn) => [`${pcn}-units.jsonl`, events(pcn)])));
  // A snapshot each, so that workforce has its rows (people referred per link worker). 2 accredited each: England's
  // December is 3 x 2 = 6 accredited link workers, above its 3 PCNs (1 each would be 3, held as no more than them).
  for (const pcn of PCNS) {
    const workforce = join(dir.path, `${pcn}-workforce.csv`);
    writeFileSync(
      workforce,
      `pcn_code,snapshot_month,role,headcount,fte,accredited_training_headcount,vacancies_fte\n${pcn},2025-12,splw,2,1.5,2,0\n`,
    );
    files.push(workforce);
  }
  const receipts = await publishGolden(
    join(dir.path, 'data'),
    files,
    REFERENCE,
    new Date('2026-01-05T00:00:00Z'),
    docs,
  );
  // Each PCN's 340 events (10 people x 2 referrals x 17) and snapshot.
  expect(receipts.map((r) => [r.status, r.rows.accepted, r.rows.rejected])).toEqual([
    ...PCNS.map(() => ['accepted', 340, 0]),
    ...PCNS.map(() => ['accepted', 1, 0]),
  ]);
}, 120_000);
afterAll(() => dir.remove());

/** The 2025/26 rows of a document the figures are read from: England's, or the PCN's where only PCNs are published. */
const yearRows = (name: string): MetricRow[] =>
  (docs.get(name)?.rows ?? []).filter(
    (r) =>
      r.period_type === 'fy' && r.period === '2025/26' && r.level === (name === 'pcn_comparison' ? 'pcn' : 'national'),
  );

/** Members of a family that this programme leaves at zero (one source, one reason, one discharge reason used). */
const USED = new Set(['source_gp', 'reason_loneliness_isolation', 'discharge_goals_met']);
/**
 * Counts this programme leaves at zero: nobody declines here (every referral engaged). Referrals declined counts
 * referrals, ten people declining twenty: test/integration/declines-two-styles.test.ts.
 */
const NONE = new Set(['rollout.declined_after_referral']);
const unused = (name: string, column: string) =>
  (/^(source|reason|discharge)_/.test(column) && !USED.has(column)) || NONE.has(`${name}.${column}`);
/** equity's rows by the PCN's deprivation quintile carry access (people referred per 1,000), not wellbeing. */
const notPublished = (row: MetricRow, column: string) =>
  row.dimension === 'pcn_imd_quintile' && column.startsWith('wellbeing_');

describe('each count of referrals is 60 and each count of people 30 (3 x 10 people referred twice)', () => {
  const expected = { referrals: 60, people: 30 } as const;
  const perPcn = { referrals: 20, people: 10 } as const;
  const checked = CATALOGUE.filter((d) => d.name !== 'data_quality').map((d) => d.name);

  it.each(checked)('%s', (name) => {
    const definition = CATALOGUE.find((d) => d.name === name);
    const rows = yearRows(name);
    expect(rows.length, name).toBeGreaterThan(0);
    const found: Record<string, unknown>[] = [];
    const wanted: Record<string, unknown>[] = [];
    for (const row of rows) {
      const key = Object.fromEntries((definition?.keys ?? []).map((k) => [k, row[k]]));
      for (const column of definition?.rules.counts ?? []) {
        const unit = unitOf(COUNT_UNITS, name, column);
        if (unit !== 'referrals' && unit !== 'people') continue;
        found.push({ ...key, column, value: row[column] });
        // pcn_comparison publishes rollout's and cof_person's cells of the PCN (the same counts, sameAs): each PCN's 20
        // and 10. Its units are theirs: the refresh stops where a count does not round to the rounded cell it is
        // declared the same as.
        const value = notPublished(row, column)
          ? null
          : unused(name, column)
            ? 0
            : (name === 'pcn_comparison' ? perPcn : expected)[unit];
        wanted.push({ ...key, column, value });
      }
    }
    expect(found).toEqual(wanted);
  });

  it('reads the rows it means to: one of each key where the document has keys', () => {
    expect(yearRows('contacts_distribution').map((r) => [r.contacts, r.episodes])).toEqual([[8, 60]]);
    expect(yearRows('wellbeing').map((r) => [r.instrument, r.people, r.improved])).toEqual([['swemwbs', 30, 30]]);
    expect(yearRows('cof_system').map((r) => [r.service, r.baseline_band, r.people])).toEqual([
      ['gp_appointment', '0-3', 60],
      ['gp_appointment', 'all', 60],
    ]);
    // One row per PCN in pcn_comparison.
    expect(yearRows('pcn_comparison').map((r) => r.code)).toEqual(PCNS);
    // No pcn_imd_quintile rows: quintile 1 would be U00203's figures, 'unknown' U00204's and U00205's (2 PCNs: no
    // cell of fewer than 3; equity-quintiles.test.ts).
    expect(
      yearRows('equity')
        .map((r) => r.dimension)
        .sort(),
    ).toEqual(['age_band', 'ethnicity_group', 'imd_decile', 'sex']);
  });

  it('as the review found nationally: cof_person.episodes is rollout.referrals, more than rollout.people_referred', () => {
    const [person] = yearRows('cof_person');
    const [rollout] = yearRows('rollout');
    expect([person?.episodes, rollout?.referrals, rollout?.people_referred]).toEqual([60, 60, 30]);
  });
});
