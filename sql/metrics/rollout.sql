-- Rollout: accepted referrals (SNOMED 871731000000106) and distinct people referred, declines (871711000000103),
-- PCNs reporting, and the registered list they serve, for England, each region, ICB and PCN, by month and by
-- financial year. A financial year's list size is the mean over its months. Rates and the target are derived
-- from these figures after disclosure control. PCNs submitting (England by month: PCNs that sent any event) tell
-- the projection which months are complete. Referrals and declines are counted once per PCN, month and person, then
-- added up for every area and period (rollups); the registered lists are in populations. docs/methodology.md.
-- Parameter 1: the SNOMED CT code of an accepted referral.
WITH referral_events AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    person_id,
    count(*) FILTER (WHERE event_type = 'referral') AS referrals,
    count(*) FILTER (WHERE event_type = 'declined') AS declines
  FROM events_in_force
  WHERE (event_type = 'referral' AND snomed_code = ?) OR event_type = 'declined'
  GROUP BY pcn_code, icb_code, region_code, month, fy, person_id
),

activity AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN e.pcn_code WHEN 'icb' THEN e.icb_code WHEN 'region' THEN e.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN e.month ELSE e.fy END AS period,
    sum(e.referrals) AS referrals,
    count(DISTINCT CASE WHEN e.referrals > 0 THEN e.person_id END) AS people_referred,
    sum(e.declines) AS declines,
    count(DISTINCT CASE WHEN e.referrals > 0 THEN e.pcn_code END) AS pcns_reporting
  FROM referral_events AS e
  CROSS JOIN rollups AS r
  GROUP BY 1, 2, 3, 4
),

submitters AS (
  SELECT month, count(*) AS pcns_submitting
  FROM event_months
  GROUP BY month
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
