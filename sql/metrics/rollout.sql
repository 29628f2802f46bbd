-- Rollout: accepted referrals (SNOMED 871731000000106) and distinct people referred, declines (871711000000103),
-- PCNs reporting, and the registered list they serve, for England, each region, ICB and PCN, by month and by
-- financial year. A financial year's list size is the mean over its months. Rates and the target are derived
-- from these figures after disclosure control. PCNs submitting (England by month: PCNs that sent any event) tell
-- the projection which months are complete. docs/methodology.md.
-- Parameter 1: the SNOMED CT code of an accepted referral.
WITH referral_events AS (
  SELECT pcn_code, icb_code, region_code, month, fy, person_id, event_type
  FROM events_in_force
  WHERE (event_type = 'referral' AND snomed_code = ?) OR event_type = 'declined'
),

activity AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
    COALESCE(month, fy) AS period,
    count(*) FILTER (WHERE event_type = 'referral') AS referrals,
    count(DISTINCT CASE WHEN event_type = 'referral' THEN person_id END) AS people_referred,
    count(*) FILTER (WHERE event_type = 'declined') AS declines,
    count(DISTINCT CASE WHEN event_type = 'referral' THEN pcn_code END) AS pcns_reporting
  FROM referral_events
  GROUP BY GROUPING SETS (
    (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
  )
),

submitters AS (
  SELECT month, count(DISTINCT pcn_code) AS pcns_submitting
  FROM events_in_force
  GROUP BY month
),

populations AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
    COALESCE(month, fy) AS period,
    CAST(sum(list_size) AS DOUBLE) / count(DISTINCT month) AS list_size,
    count(DISTINCT pcn_code) AS pcns,
    count(DISTINCT month) AS months
  FROM pcn_months
  GROUP BY GROUPING SETS (
    (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
  )
)

SELECT
  p.level,
  p.code,
  p.period_type,
  p.period,
  COALESCE(a.referrals, 0) AS referrals,
  COALESCE(a.people_referred, 0) AS people_referred,
  COALESCE(a.declines, 0) AS declines,
  COALESCE(a.pcns_reporting, 0) AS pcns_reporting,
  p.pcns,
  p.months,
  p.list_size,
  CASE WHEN p.level = 'national' AND p.period_type = 'month' THEN COALESCE(s.pcns_submitting, 0) END AS pcns_submitting
FROM populations AS p
LEFT JOIN activity AS a
  ON a.level = p.level AND a.code = p.code AND a.period_type = p.period_type AND a.period = p.period
LEFT JOIN submitters AS s
  ON p.level = 'national' AND p.period_type = 'month' AND s.month = p.period
ORDER BY p.level, p.code, p.period_type, p.period
