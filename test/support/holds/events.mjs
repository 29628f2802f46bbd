// The event helpers of the holds specs (red-team review 4's, in this folder): six PCNs of two regions, and people whose
// referral is followed by link worker contacts, wellbeing scores, GP use before and after, a community connection and
// a discharge, each dated no later than the spec's last month. Each spec makes its own (`eventsOf`): event ids count
// per spec, so a spec's events are the same whichever specs were loaded before it.
import { createHash } from 'node:crypto';

export const reference = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,
U00005,Echo PCN,QCC,NHS Charlie ICB,Y58,South West,30000,2019-04-01,
U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,
`;

const h = (s) => createHash('sha256').update(s).digest('hex');

export const addMonths = (m, k) => {
  const [y, mo] = m.split('-').map(Number);
  const t = y * 12 + mo - 1 + k;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
};

/**
 * A spec's events: `months` it has data for (the last is the last any event is dated in), referrals a month by PCN
 * (`sizes`), and whether a person's link worker contacts spread over the months after referral (`spreadContacts`: up
 * to 10, one a month) or all fall in the month after it (up to 4).
 */
export function eventsOf({ months, sizes, spreadContacts = false }) {
  const last = months.at(-1);
  let n = 0;
  const ev = (pcn, rid, type, on, extra = {}) => ({
    event_id: `E${pcn}-${++n}`,
    event_type: type,
    pcn_code: pcn,
    referral_id: rid,
    person_id: h(rid),
    occurred_on: on,
    ...extra,
  });
  const ref = (pcn, rid, on, i, opts = {}) =>
    ev(pcn, rid, 'referral', on, {
      referral_source: i % 3 ? 'gp' : 'self',
      referral_reasons: i % 2 ? 'loneliness_isolation' : 'mental_health',
      snomed_code: '871731000000106',
      age_band: ['45-54', '75-84', '25-34'][i % 3],
      sex: i % 2 ? 'female' : 'male',
      ethnicity_group: 'white',
      imd_decile: opts.decile ?? 2 + (i % 9),
      long_term_conditions: i % 3,
    });
  const contact = (pcn, rid, on) =>
    ev(pcn, rid, 'contact', on, { contact_mode: 'telephone', worker_role: 'splw', duration_minutes: 30 });
  const wb = (pcn, rid, on, phase, score) =>
    ev(pcn, rid, 'wellbeing_measure', on, { instrument: 'swemwbs', phase, score });
  const su = (pcn, rid, on, window, count) =>
    ev(pcn, rid, 'service_use', on, { service: 'gp_appointment', window, window_months: 6, count });
  const cc = (pcn, rid, on, prov) =>
    ev(pcn, rid, 'community_connection', on, { activity_category: 'arts_culture', provider_id: prov, attended: true });
  const dis = (pcn, rid, on) => ev(pcn, rid, 'discharge', on, { discharge_reason: 'goals_met' });
  /** Person i of a PCN referred in month m (rid its referral id), with what follows the referral, added to rows. */
  const person = (pcn, rid, m, i, rows, opts = {}) => {
    rows.push(ref(pcn, rid, `${m}-${String(1 + (i % 20)).padStart(2, '0')}`, i, opts));
    const c = i % 5;
    for (let j = 0; j < c + (spreadContacts ? i % 7 : 0); j++) {
      const cm = addMonths(m, spreadContacts ? 1 + (j % 7) : 1);
      if (cm <= last) rows.push(contact(pcn, rid, `${cm}-1${j % 10}`));
    }
    const f = addMonths(m, 2);
    if (i % 2 === 0) {
      rows.push(wb(pcn, rid, `${m}-21`, 'baseline', 15 + (i % 7)));
      if (f <= last) rows.push(wb(pcn, rid, `${f}-20`, 'follow_up', 17 + (i % 9)));
    }
    rows.push(su(pcn, rid, `${m}-21`, 'before', 1 + (i % 4)));
    // The after count dated once its 6-month window has ended (the 22nd, after any referral day: the contract), or on
    // the last month's 22nd when the window runs past it (the uses so far: not counted, as the cut-off would not count
    // it either), so that each spec has the rows and months it had when this row was dated 2 months on. 6 months: the
    // one length cof_system counts (review 26, R26-3; 3-month windows before, their months 3 months later).
    const a = addMonths(m, 6) <= last ? addMonths(m, 6) : last;
    if (f <= last) rows.push(su(pcn, rid, `${a}-22`, 'after', i % 3));
    if (c > 0 && addMonths(m, 1) <= last) rows.push(cc(pcn, rid, `${addMonths(m, 1)}-25`, `ORG${i % 4}`));
    if (i % 2 === 1 && f <= last) rows.push(dis(pcn, rid, `${f}-27`));
  };
  /** Each PCN's file of its months to `until` (sizes + 0, 1 or 2 a month; the first month's first 3 in IMD decile 1). */
  const upTo = (until) => {
    const up = {};
    for (const [pcn, k] of Object.entries(sizes)) {
      const rows = [];
      months
        .filter((m) => m <= until)
        .forEach((m, mi) => {
          for (let i = 0; i < k + (mi % 3); i++)
            person(pcn, `${pcn}-${m}-${i}`, m, i, rows, mi === 0 && i < 3 ? { decile: 1 } : {});
        });
      up[`${pcn}-a.jsonl`] = rows;
    }
    return up;
  };
  return { ev, person, upTo };
}
