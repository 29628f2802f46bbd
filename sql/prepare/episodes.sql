-- One row per accepted referral (an episode of care, SNOMED 871731000000106): where and when it began, who it
-- was for, and what followed it: contacts, an agreed plan, community connections attended, how it ended.
WITH referrals AS (
  SELECT
    pcn_code,
    referral_id,
    min(person_id) AS person_id,
    min(occurred_on) AS referred_on,
    min(month) AS month,
    min(fy) AS fy,
    min(icb_code) AS icb_code,
    min(region_code) AS region_code,
    min(referral_source) AS referral_source,
    min(referral_reasons) AS referral_reasons,
    min(age_band) AS age_band,
    min(sex) AS sex,
    min(ethnicity_group) AS ethnicity_group,
    min(imd_decile) AS imd_decile
  FROM events_in_force
  WHERE event_type = 'referral' AND snomed_code = '871731000000106'
  GROUP BY pcn_code, referral_id
),

follow_ups AS (
  SELECT
    pcn_code,
    referral_id,
    count(*) FILTER (WHERE event_type = 'contact') AS contacts,
    count(*) FILTER (WHERE event_type = 'plan_agreed') AS plans,
    count(*) FILTER (WHERE event_type = 'community_connection') AS connections,
    count(*) FILTER (WHERE event_type = 'community_connection' AND attended) AS connections_attended,
    max(CASE WHEN event_type = 'discharge' THEN discharge_reason END) AS discharge_reason
  FROM events_in_force
  WHERE event_type IN ('contact', 'plan_agreed', 'community_connection', 'discharge')
  GROUP BY pcn_code, referral_id
)

SELECT
  r.pcn_code,
  r.referral_id,
  r.person_id,
  r.referred_on,
  r.month,
  r.fy,
  r.icb_code,
  r.region_code,
  r.referral_source,
  r.referral_reasons,
  r.age_band,
  r.sex,
  r.ethnicity_group,
  r.imd_decile,
  COALESCE(f.contacts, 0) AS contacts,
  COALESCE(f.plans, 0) > 0 AS plan_agreed,
  COALESCE(f.connections, 0) AS connections,
  COALESCE(f.connections_attended, 0) > 0 AS took_up,
  f.discharge_reason
FROM referrals AS r
LEFT JOIN follow_ups AS f
  ON f.pcn_code = r.pcn_code AND f.referral_id = r.referral_id
