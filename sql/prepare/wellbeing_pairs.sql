-- Wellbeing measured twice in one episode: the first baseline and the last follow-up score per instrument, and
-- the change, signed so that a positive change is always an improvement (ONS4 anxiety and MYCaW: lower is better).
WITH scores AS (
  SELECT
    pcn_code,
    referral_id,
    instrument,
    min_by(score, occurred_on) FILTER (WHERE phase = 'baseline') AS baseline,
    max_by(score, occurred_on) FILTER (WHERE phase = 'follow_up') AS follow_up
  FROM events_in_force
  WHERE event_type = 'wellbeing_measure'
  GROUP BY pcn_code, referral_id, instrument
)

SELECT
  e.pcn_code,
  e.icb_code,
  e.region_code,
  e.month,
  e.fy,
  e.imd_decile,
  e.ethnicity_group,
  e.age_band,
  e.sex,
  s.referral_id,
  s.instrument,
  s.baseline,
  s.follow_up,
  CASE
    WHEN s.instrument IN ('ons4_anxiety', 'mycaw') THEN s.baseline - s.follow_up
    ELSE s.follow_up - s.baseline
  END AS change
FROM scores AS s
INNER JOIN episodes AS e
  ON e.pcn_code = s.pcn_code AND e.referral_id = s.referral_id
WHERE s.baseline IS NOT NULL AND s.follow_up IS NOT NULL
