import { describe, expect, it } from 'vitest';
import { EVENTS_KIND, rowValidator, WORKFORCE_KIND } from '../../functions/ingest/validate-row.ts';

const PERSON = 'b'.repeat(64);
const referral = {
  event_id: 'E1',
  event_type: 'referral',
  pcn_code: 'U12345',
  referral_id: 'R1',
  person_id: PERSON,
  occurred_on: '2024-05-01',
  referral_source: 'gp',
  referral_reasons: 'mental_health;housing',
  snomed_code: '871731000000106',
  age_band: '25-34',
  sex: 'female',
  ethnicity_group: 'white',
  imd_decile: '3',
};

/** The columns every event of referral R1 carries, for an event on 2 May 2024. */
const onTheSecond = (event_id: string, event_type: string) => ({
  event_id,
  event_type,
  pcn_code: 'U12345',
  referral_id: 'R1',
  person_id: PERSON,
  occurred_on: '2024-05-02',
});

describe('rowValidator for events', () => {
  const validate = rowValidator(EVENTS_KIND);

  it('accepts a CSV referral and types its cells', () => {
    const result = validate(structuredClone(referral), 2);
    expect(result).toEqual({ ok: true, value: { ...referral, imd_decile: 3 } });
  });

  it('types CSV booleans and numbers of the other event types', () => {
    const connection = {
      ...onTheSecond('E2', 'community_connection'),
      activity_category: 'arts_culture',
      provider_id: 'VCSE-1',
      attended: 'TRUE',
    };
    expect(validate(connection, 3)).toEqual({ ok: true, value: { ...connection, attended: true } });
    const measure = {
      ...onTheSecond('E3', 'wellbeing_measure'),
      instrument: 'swemwbs',
      phase: 'baseline',
      score: '21.54',
    };
    expect(validate(measure, 4)).toEqual({ ok: true, value: { ...measure, score: 21.54 } });
  });

  it('names the row, field and rule for each failure, without the value', () => {
    const row = {
      ...referral,
      referral_source: 'doctor',
      age_band: undefined,
      imd_decile: '11',
      duration_minutes: '30',
      nhs_number_typo: 'x',
    };
    delete row.age_band;
    const result = validate(row, 7);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          row: 7,
          field: 'referral_source',
          code: 'invalid_value',
          message:
            'must be one of: gp, practice_staff, other_primary_care, secondary_care, local_authority, social_care, vcse, housing, police, self, other',
        },
        { row: 7, field: 'age_band', code: 'required', message: 'is required for event_type referral' },
        { row: 7, field: 'imd_decile', code: 'out_of_range', message: 'must be at most 10' },
        {
          row: 7,
          field: 'duration_minutes',
          code: 'not_applicable',
          message: 'does not apply to event_type referral; leave it empty',
        },
        // Its 14th key (age_band deleted, duration_minutes 13th): named by position, never by name.
        { row: 7, field: null, code: 'unknown_field', message: 'field 14 of the row is not a field of the contract' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('doctor');
  });

  it('explains an unknown or missing event type', () => {
    expect(validate({ ...referral, event_type: 'refferal' }, 2)).toEqual({
      ok: false,
      errors: [
        {
          row: 2,
          field: 'event_type',
          code: 'invalid_value',
          message:
            'must be one of: referral, declined, contact, plan_agreed, community_connection, wellbeing_measure, service_use, discharge, retraction',
        },
      ],
    });
    const { event_type: _, ...untyped } = referral;
    expect(validate(untyped, 2)).toEqual({
      ok: false,
      errors: [{ row: 2, field: 'event_type', code: 'required', message: 'is required' }],
    });
  });

  it('checks formats, calendar dates and the earliest date', () => {
    const result = validate({ ...referral, person_id: 'ABC', occurred_on: '2023-02-29', pcn_code: 'U1234' }, 5);
    expect(result).toEqual({
      ok: false,
      errors: [
        { row: 5, field: 'pcn_code', code: 'invalid_format', message: 'must be U followed by 5 digits' },
        {
          row: 5,
          field: 'person_id',
          code: 'invalid_format',
          message: 'must be exactly 64 lowercase hexadecimal characters',
        },
        { row: 5, field: 'occurred_on', code: 'invalid_format', message: 'must be a valid date' },
      ],
    });
    expect(validate({ ...referral, occurred_on: '2018-12-31' }, 6)).toEqual({
      ok: false,
      errors: [{ row: 6, field: 'occurred_on', code: 'out_of_range', message: 'must not be before 2019-01-01' }],
    });
  });

  it('checks a wellbeing score against its own instrument', () => {
    const measure = {
      ...onTheSecond('E3', 'wellbeing_measure'),
      instrument: 'ons4_anxiety',
      phase: 'follow_up',
      score: '11',
    };
    expect(validate(measure, 9)).toEqual({
      ok: false,
      errors: [{ row: 9, field: 'score', code: 'out_of_range', message: 'must be between 0 and 10 for ons4_anxiety' }],
    });
    expect(validate({ ...measure, instrument: 'wemwbs', score: '11' }, 9)).toEqual({
      ok: false,
      errors: [{ row: 9, field: 'score', code: 'out_of_range', message: 'must be between 14 and 70 for wemwbs' }],
    });
  });

  it('refuses text where a number is due', () => {
    const contact = {
      ...onTheSecond('E4', 'contact'),
      contact_mode: 'video',
      worker_role: 'splw',
      duration_minutes: 'half an hour',
    };
    expect(validate(contact, 4)).toEqual({
      ok: false,
      errors: [{ row: 4, field: 'duration_minutes', code: 'invalid_type', message: 'must be a number' }],
    });
  });
});

describe('rowValidator for workforce', () => {
  const validate = rowValidator(WORKFORCE_KIND);
  const row = {
    pcn_code: 'U12345',
    snapshot_month: '2024-05',
    role: 'splw',
    headcount: '3',
    fte: '2.4',
    accredited_training_headcount: '2',
    vacancies_fte: '0.6',
  };

  it('accepts a snapshot row', () => {
    expect(validate(row, 2)).toEqual({
      ok: true,
      value: { ...row, headcount: 3, fte: 2.4, accredited_training_headcount: 2, vacancies_fte: 0.6 },
    });
  });

  it("refuses a snapshot month before 2019-01, where Athena's partition projection starts", () => {
    expect(validate({ ...row, snapshot_month: '2019-01' }, 2).ok).toBe(true);
    expect(validate({ ...row, snapshot_month: '2018-12' }, 5)).toEqual({
      ok: false,
      errors: [{ row: 5, field: 'snapshot_month', code: 'out_of_range', message: 'must not be before 2019-01' }],
    });
  });

  it('holds FTE and trained staff to the headcount', () => {
    expect(validate({ ...row, fte: '3.5', accredited_training_headcount: '4' }, 3)).toEqual({
      ok: false,
      errors: [
        { row: 3, field: 'fte', code: 'out_of_range', message: 'must not exceed headcount' },
        { row: 3, field: 'accredited_training_headcount', code: 'out_of_range', message: 'must not exceed headcount' },
      ],
    });
  });
});
