// Review 4, v9 (review 5, G3): v2 with a 7th PCN, U00007 (list 60,000), opening on 2025-09-01 and sending its September
// in r1, while U00003's late April file holds England's 2025/26: the held year keeps its own list size and PCNs.
import { createHash } from 'node:crypto';

const h = (s) => createHash('sha256').update(s).digest('hex');
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
  ev(pcn, rid, 'service_use', on, { service: 'gp_appointment', window, window_months: 3, count });
const cc = (pcn, rid, on, prov) =>
  ev(pcn, rid, 'community_connection', on, { activity_category: 'arts_culture', provider_id: prov, attended: true });
const dis = (pcn, rid, on) => ev(pcn, rid, 'discharge', on, { discharge_reason: 'goals_met' });
export const reference = `pcn_code,pcn_name,icb_code,icb_name,region_code,region_name,list_size,valid_from,valid_to
U00001,Alpha PCN,QAA,NHS Alpha ICB,Y56,London,30000,2019-04-01,
U00002,Bravo PCN,QAA,NHS Alpha ICB,Y56,London,20000,2019-04-01,
U00003,Charlie PCN,QBB,NHS Bravo ICB,Y56,London,15000,2019-04-01,
U00004,Delta PCN,QBB,NHS Bravo ICB,Y56,London,25000,2019-04-01,
U00005,Echo PCN,QCC,NHS Charlie ICB,Y58,South West,30000,2019-04-01,
U00006,Foxtrot PCN,QCC,NHS Charlie ICB,Y58,South West,20000,2019-04-01,
U00007,Golf PCN,QCC,NHS Charlie ICB,Y58,South West,60000,2025-09-01,
`;
const months = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09'];
const addMonths = (m, k) => {
  const [y, mo] = m.split('-').map(Number);
  const t = y * 12 + mo - 1 + k;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
};
const person = (pcn, rid, m, i, rows, opts = {}) => {
  rows.push(ref(pcn, rid, `${m}-${String(1 + (i % 20)).padStart(2, '0')}`, i, opts));
  const c = i % 5;
  for (let j = 0; j < c; j++) {
    const cm = addMonths(m, 1);
    if (cm <= '2025-09') rows.push(contact(pcn, rid, `${cm}-1${j}`));
  }
  const f = addMonths(m, 2);
  if (i % 2 === 0) {
    rows.push(wb(pcn, rid, `${m}-21`, 'baseline', 15 + (i % 7)));
    if (f <= '2025-09') rows.push(wb(pcn, rid, `${f}-20`, 'follow_up', 17 + (i % 9)));
  }
  rows.push(su(pcn, rid, `${m}-21`, 'before', 1 + (i % 4)));
  if (f <= '2025-09') rows.push(su(pcn, rid, `${f}-22`, 'after', i % 3));
  if (c > 0 && addMonths(m, 1) <= '2025-09') rows.push(cc(pcn, rid, `${addMonths(m, 1)}-25`, `ORG${i % 4}`));
  if (i % 2 === 1 && f <= '2025-09') rows.push(dis(pcn, rid, `${f}-27`));
};
const sizes = { U00001: 22, U00002: 15, U00003: 12, U00004: 18, U00005: 25, U00006: 14 };
const upTo = (last) => {
  const up = {};
  for (const [pcn, k] of Object.entries(sizes)) {
    const rows = [];
    months
      .filter((m) => m <= last)
      .forEach((m, mi) => {
        for (let i = 0; i < k + (mi % 3); i++)
          person(pcn, `${pcn}-${m}-${i}`, m, i, rows, mi === 0 && i < 3 ? { decile: 1 } : {});
      });
    up[`${pcn}-a.jsonl`] = rows;
  }
  return up;
};
const sep = {};
for (const [pcn, k] of Object.entries({ ...sizes, U00007: 20 })) {
  const rows = [];
  for (let i = 0; i < k; i++) person(pcn, `${pcn}-2025-09-${i}`, '2025-09', i, rows);
  sep[`${pcn}-sep.jsonl`] = rows;
}
const late = [];
for (let i = 0; i < 2; i++) person('U00003', `U00003-late-${i}`, '2025-04', i + 1, late, { decile: 1 });
const first = upTo('2025-08');
export const stages = [
  { uploads: first, now: '2025-09-20T00:00:00Z' },
  { uploads: { ...sep, 'U00003-late.jsonl': late }, now: '2025-10-20T00:00:00Z' },
];
