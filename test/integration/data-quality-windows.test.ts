import { describe, expect, it } from 'vitest';
import { type GoldenEvent, goldenReference, referralEvent } from '../support/golden.ts';
import { goldenProgramme } from '../support/golden-programme.ts';

/*
 * Review 27, R27-3: service-use rows of a 3- or 12-month window are valid in contract v1 and accepted, but the published
 * service use (cof_system) counts 6-month windows alone; the receipt notes them, and data_quality now counts them per
 * PCN (service_use_rows_other_windows, rounded up to a multiple of 5 as rows accepted are), so that the programme team
 * sees how much a PCN sends that no figure counts. Three PCNs each refer 20 people on 1-10 April 2025, every referral
 * with a GP appointments "before" row of 6 months dated on the referral date:
 * - U00001 (QAA, Y56) sends a 12-month before row for each too (20) and a 3-month A&E before row for its first 3: 23
 *   rows in no figure, shown 25;
 * - U00002 (QAB, Y56) sends 6-month rows only: 0;
 * - U00003 (QBB, Y58) one 3-month row besides: 1, shown 5.
 */
const REFERENCE = goldenReference([
  ['U00001', 'QAA', 'Y56'],
  ['U00002', 'QAB', 'Y56'],
  ['U00003', 'QBB', 'Y58'],
]);

function uploadOf(pcn: string, others: (i: number) => readonly (readonly [string, number])[]): GoldenEvent[] {
  const rows: GoldenEvent[] = [];
  for (let i = 0; i < 20; i++) {
    const id = `${pcn}-${i}`;
    const on = `2025-04-${String(1 + (i % 10)).padStart(2, '0')}`;
    const referral = referralEvent(pcn, id, on);
    const use = (service: string, months: number, n: number): GoldenEvent => ({
      event_id: `S-${id}-${n}`,
      event_type: 'service_use',
      pcn_code: pcn,
      referral_id: id,
      person_id: referral.person_id,
      occurred_on: on,
      service,
      window: 'before',
      window_months: months,
      count: 2,
    });
    rows.push(referral, use('gp_appointment', 6, 0));
    others(i).forEach(([service, months], n) => {
      rows.push(use(service, months, n + 1));
    });
  }
  return rows;
}

const { docs } = goldenProgramme('data-quality-windows', {
  uploads: {
    'U00001-2025-04.csv': uploadOf('U00001', (i) => [
      ['gp_appointment', 12],
      ...(i < 3 ? ([['ae_attendance', 3]] as const) : []),
    ]),
    'U00002-2025-04.csv': uploadOf('U00002', () => []),
    'U00003-2025-04.csv': uploadOf('U00003', (i) => (i === 0 ? [['gp_appointment', 3]] : [])),
  },
  reference: REFERENCE,
  now: new Date('2025-05-05T06:00:00Z'),
  timeoutMs: 180_000,
});

describe('data_quality counts the service-use rows of 3- or 12-month windows, in no figure (review 27, R27-3)', () => {
  const of = (code: string) => docs.get('data_quality')?.rows.find((r) => r.code === code);

  it('per PCN, rounded up to a multiple of 5: U00001 23 shown 25, U00002 0, U00003 1 shown 5', () => {
    expect(of('U00001')).toMatchObject({ service_use_rows_other_windows: 25 });
    expect(of('U00002')).toMatchObject({ service_use_rows_other_windows: 0 });
    expect(of('U00003')).toMatchObject({ service_use_rows_other_windows: 5 });
  });

  it('the catalogue defines the column', () => {
    expect(docs.get('data_quality')?.definitions.service_use_rows_other_windows).toMatch(/3 or 12 months/);
  });
});
