import { createHash } from 'node:crypto';
import { type REFERRAL_REASONS, SNOMED_DECLINED, SNOMED_REFERRAL } from '../../functions/contract/index.ts';
import type { SimPcn } from './geography.ts';
import type { Rng } from './random.ts';
import { offerDeclineShare, referralDeclineShare } from './trajectories.ts';

/** An event as it will be written to a file: field name to text or number, with the day it happened. */
export type SimEvent = Record<string, string | number | boolean>;

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** YYYY-MM-DD of each midnight (UTC) met so far: the demo has a few thousand days and millions of events. */
const DAYS = new Map<number, string>();
const iso = (ms: number) => {
  let text = DAYS.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().slice(0, 10);
    if (ms % DAY === 0) DAYS.set(ms, text);
  }
  return text;
};
const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));
/** The ISO timestamp without milliseconds, `YYYY-MM-DDTHH:00:00Z`, of a midnight plus whole hours. */
const recordedAtText = (day: number, hours: number) =>
  day % DAY === 0
    ? `${iso(day + Math.floor(hours / 24) * DAY)}T${HOURS[hours % 24]}:00:00Z`
    : new Date(day + hours * HOUR).toISOString().replace('.000Z', 'Z');

const SOURCES = {
  gp: 44,
  practice_staff: 12,
  other_primary_care: 6,
  secondary_care: 5,
  local_authority: 6,
  social_care: 4,
  vcse: 6,
  housing: 3,
  police: 1,
  self: 11,
  other: 2,
};
const REASONS: Record<(typeof REFERRAL_REASONS)[number], number> = {
  mental_health: 34,
  loneliness_isolation: 30,
  long_term_condition: 18,
  financial_debt: 14,
  housing: 9,
  employment: 6,
  physical_activity: 8,
  weight_management: 6,
  carer_support: 5,
  bereavement: 6,
  substance_use: 3,
  other: 4,
};
const AGES = {
  '0-17': 3,
  '18-24': 8,
  '25-34': 12,
  '35-44': 13,
  '45-54': 15,
  '55-64': 16,
  '65-74': 15,
  '75-84': 12,
  '85+': 6,
};
const SEXES = { female: 58, male: 40, other: 0.5, not_stated: 1.5 };
const ETHNICITIES = { white: 78, asian: 10, black: 5, mixed: 3, other: 2, not_stated: 2 };
const DECLINES = { not_wanted: 45, not_ready: 30, already_supported: 15, other: 10 };
const MODES = { face_to_face: 40, telephone: 35, video: 6, home_visit: 9, group: 6, digital: 4 };
/** How the link worker first gets in touch with someone who then declines: mostly a telephone call. */
const FIRST_CONTACT_MODES = { telephone: 75, face_to_face: 15, video: 5, home_visit: 5 };
const ROLES = { splw: 86, hwbc: 9, cc: 5 };
const ACTIVITIES = {
  physical_activity: 14,
  arts_culture: 9,
  nature_green: 8,
  befriending_social: 16,
  mental_health_support: 14,
  financial_advice: 10,
  housing_support: 6,
  employment_education: 5,
  carer_support: 4,
  peer_support: 7,
  faith_community: 3,
  other: 4,
};
const DISCHARGES = {
  goals_met: 40,
  connected_to_support: 30,
  disengaged: 12,
  declined: 5,
  moved_away: 3,
  referred_elsewhere: 6,
  died: 1,
  other: 3,
};

/** Baseline mean, spread, mean change at follow-up, and score range for each instrument the demo uses. */
const WELLBEING = {
  ons4_life_satisfaction: [4.6, 2.0, 1.3, 0, 10],
  ons4_worthwhile: [5.2, 2.0, 1.1, 0, 10],
  ons4_happiness: [4.4, 2.2, 1.4, 0, 10],
  ons4_anxiety: [6.1, 2.3, -1.5, 0, 10],
  swemwbs: [19.5, 4.0, 2.8, 7, 35],
  wemwbs: [38.0, 8.0, 6.0, 14, 70],
  pam_level: [2.0, 0.8, 0.4, 1, 4],
} as const;
const INSTRUMENT_SETS = { ons4: 55, swemwbs: 30, wemwbs: 10, pam_level: 5 };
/** Of the referrals not engaged (and not declined), the share the link worker never reaches: no contact at all. */
const NEVER_REACHED = 0.5;

export interface EpisodeContext {
  readonly rng: Rng;
  readonly pcn: SimPcn;
  readonly seed: number;
  /** Last day that may carry an event (the end of the horizon). */
  readonly lastDay: number;
  /** The PCN's own effect on outcomes, so the comparison page has genuine differences to find. */
  readonly outcomeEffect: number;
  readonly providers: readonly string[];
}

export function personId(seed: number, pcnCode: string, serial: number): string {
  return createHash('sha256').update(`${seed}:${pcnCode}:${serial}`).digest('hex');
}

/** All events of one episode of care that begins on referralDay, up to the end of the horizon. */
export function simulateEpisode(
  ctx: EpisodeContext,
  referralId: string,
  person: string,
  referralDay: number,
  month: string,
): SimEvent[] {
  const { rng, pcn } = ctx;
  const events: SimEvent[] = [];
  let sequence = 0;
  const practice = rng.pick(pcn.practices);
  const add = (day: number, type: string, fields: Record<string, string | number | boolean>) => {
    if (day > ctx.lastDay) return;
    sequence += 1;
    const recordedAt = recordedAtText(day, rng.int(1, 72));
    const event: SimEvent = {
      event_id: `${referralId}.${sequence.toString(36)}`,
      event_type: type,
      pcn_code: pcn.code,
      practice_code: practice,
      referral_id: referralId,
      person_id: person,
      occurred_on: iso(day),
      recorded_at: recordedAt,
    };
    for (const key in fields) event[key] = fields[key] as string | number | boolean;
    events.push(event);
  };

  const decline = (day: number) =>
    add(day, 'declined', {
      snomed_code: SNOMED_DECLINED,
      ...(rng.chance(0.7) ? { decline_reason: rng.weighted(DECLINES) } : {}),
    });
  /** GP and A&E use in the 6 months before and after the referral, for 60% of referrals; reduction 0-1 of the effect. */
  const serviceUse = (reduction: number) => {
    if (!rng.chance(0.6)) return;
    const need = Math.exp(rng.normal(0, 0.5));
    const gpBefore = rng.poisson(4.8 * need);
    const aeBefore = rng.poisson(0.55 * need);
    add(referralDay, 'service_use', { service: 'gp_appointment', window: 'before', window_months: 6, count: gpBefore });
    add(referralDay, 'service_use', { service: 'ae_attendance', window: 'before', window_months: 6, count: aeBefore });
    const afterDay = referralDay + (183 + rng.int(1, 20)) * DAY;
    add(afterDay, 'service_use', {
      service: 'gp_appointment',
      window: 'after',
      window_months: 6,
      count: rng.poisson(4.8 * need * (1 - 0.15 * reduction * ctx.outcomeEffect)),
    });
    add(afterDay, 'service_use', {
      service: 'ae_attendance',
      window: 'after',
      window_months: 6,
      count: rng.poisson(0.55 * need * (1 - 0.13 * reduction * ctx.outcomeEffect)),
    });
  };

  // An offer declined: the person said no before being referred, a decline with a referral_id of its own and no
  // referral (a third of the declines: trajectories.ts).
  if (rng.chance(offerDeclineShare(month))) {
    decline(referralDay);
    return events;
  }

  const reasons = new Set([rng.weighted(REASONS)]);
  if (rng.chance(0.45)) reasons.add(rng.weighted(REASONS));
  if (rng.chance(0.15)) reasons.add(rng.weighted(REASONS));
  const decile = Math.min(10, Math.max(1, Math.round(rng.normal(pcn.deprivation, 1.8))));
  add(referralDay, 'referral', {
    referral_source: rng.weighted(SOURCES),
    referral_reasons: [...reasons].join(';'),
    snomed_code: SNOMED_REFERRAL,
    age_band: rng.weighted(AGES),
    sex: rng.weighted(SEXES),
    ethnicity_group: rng.weighted(ETHNICITIES),
    ...(rng.chance(0.94) ? { imd_decile: decile } : {}),
    long_term_conditions: Math.min(20, rng.poisson(1.6)),
  });

  // Referred, then declined (two thirds of the declines): when the link worker first got in touch, within 3 weeks of
  // the referral (so inside its 3-month engagement window), recorded on the referral's own referral_id; half of them
  // with that first contact recorded beside the decline. No plan, activity or wellbeing measure follows.
  if (rng.chance(referralDeclineShare(month))) {
    const declinedDay = referralDay + rng.int(0, 21) * DAY;
    if (rng.chance(0.5))
      add(declinedDay, 'contact', {
        contact_mode: rng.weighted(FIRST_CONTACT_MODES),
        worker_role: rng.weighted(ROLES),
        duration_minutes: rng.int(1, 4) * 5,
      });
    decline(declinedDay);
    serviceUse(0);
    if (rng.chance(0.88)) add(declinedDay + rng.int(0, 30) * DAY, 'discharge', { discharge_reason: 'declined' });
    return events;
  }

  // Deprivation lowers take-up a little: the equity page should have something true to show. Of those who do not
  // engage, half are never reached (no contact recorded: calls not answered, appointments not kept) and half have a
  // contact or two, then drop out.
  const engaged = rng.chance(0.86 - (10 - decile) * 0.008);
  const reached = engaged || rng.chance(1 - NEVER_REACHED);
  const contacts = engaged ? Math.max(1, rng.poisson(8.2)) : reached ? rng.int(1, 2) : 0;
  let day = referralDay + rng.int(0, 10) * DAY;
  for (let i = 0; i < contacts; i++) {
    add(day, 'contact', {
      contact_mode: rng.weighted(MODES),
      worker_role: rng.weighted(ROLES),
      duration_minutes: rng.int(3, 18) * 5,
    });
    day += rng.int(5, 16) * DAY;
  }
  if (engaged && rng.chance(0.9))
    add(referralDay + rng.int(7, 28) * DAY, 'plan_agreed', { worker_role: rng.weighted(ROLES) });

  const takesUp = engaged && rng.chance(0.93);
  const connections = takesUp
    ? 1 + (rng.chance(0.4) ? 1 : 0) + (rng.chance(0.15) ? 1 : 0)
    : reached && rng.chance(0.4)
      ? 1
      : 0;
  for (let i = 0; i < connections; i++) {
    add(referralDay + rng.int(14, 70) * DAY, 'community_connection', {
      activity_category: rng.weighted(ACTIVITIES),
      provider_id: rng.pick(ctx.providers),
      attended: takesUp && (i === 0 || rng.chance(0.7)),
    });
  }

  if (reached && rng.chance(0.75)) {
    const set = rng.weighted(INSTRUMENT_SETS);
    const instruments = (
      set === 'ons4' ? ['ons4_life_satisfaction', 'ons4_worthwhile', 'ons4_happiness', 'ons4_anxiety'] : [set]
    ) as (keyof typeof WELLBEING)[];
    const followUp = engaged && rng.chance(0.68);
    const baselineDay = referralDay + rng.int(0, 14) * DAY;
    const followUpDay = referralDay + rng.int(80, 130) * DAY;
    for (const instrument of instruments) {
      const [mean, sd, change, min, max] = WELLBEING[instrument];
      // SWEMWBS is published as a metric score with decimals; the other instruments are whole numbers.
      const round = instrument === 'swemwbs' ? (v: number) => Math.round(v * 100) / 100 : Math.round;
      const clamp = (v: number) => Math.min(max, Math.max(min, round(v)));
      const baseline = clamp(rng.normal(mean, sd));
      add(baselineDay, 'wellbeing_measure', { instrument, phase: 'baseline', score: baseline });
      if (followUp) {
        const effect = change * ctx.outcomeEffect * (takesUp ? 1 : 0.3);
        add(followUpDay, 'wellbeing_measure', {
          instrument,
          phase: 'follow_up',
          score: clamp(baseline + rng.normal(effect, sd * 0.6)),
        });
      }
    }
  }

  serviceUse(takesUp ? 1 : 0.4);

  if (rng.chance(0.88))
    add(referralDay + rng.int(90, 200) * DAY, 'discharge', {
      discharge_reason: engaged ? rng.weighted(DISCHARGES) : 'disengaged',
    });
  return events;
}
