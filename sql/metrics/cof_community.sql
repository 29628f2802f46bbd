-- Common Outcomes Framework, impact on the community: connections made to community groups and VCSE
-- organisations by activity category, how many were attended, and how many distinct organisations received
-- people, by the month or year of the connection; connections and attendances by activity. docs/methodology.md.
SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  count(*) AS connections,
  count(*) FILTER (WHERE attended) AS attended,
  count(DISTINCT provider_id) AS providers,
  count(*) FILTER (WHERE activity_category = 'physical_activity') AS activity_physical_activity,
  count(*) FILTER (WHERE activity_category = 'arts_culture') AS activity_arts_culture,
  count(*) FILTER (WHERE activity_category = 'nature_green') AS activity_nature_green,
  count(*) FILTER (WHERE activity_category = 'befriending_social') AS activity_befriending_social,
  count(*) FILTER (WHERE activity_category = 'mental_health_support') AS activity_mental_health_support,
  count(*) FILTER (WHERE activity_category = 'financial_advice') AS activity_financial_advice,
  count(*) FILTER (WHERE activity_category = 'housing_support') AS activity_housing_support,
  count(*) FILTER (WHERE activity_category = 'employment_education') AS activity_employment_education,
  count(*) FILTER (WHERE activity_category = 'carer_support') AS activity_carer_support,
  count(*) FILTER (WHERE activity_category = 'peer_support') AS activity_peer_support,
  count(*) FILTER (WHERE activity_category = 'faith_community') AS activity_faith_community,
  count(*) FILTER (WHERE activity_category = 'other') AS activity_other,
  count(*) FILTER (WHERE activity_category = 'physical_activity' AND attended) AS attended_physical_activity,
  count(*) FILTER (WHERE activity_category = 'arts_culture' AND attended) AS attended_arts_culture,
  count(*) FILTER (WHERE activity_category = 'nature_green' AND attended) AS attended_nature_green,
  count(*) FILTER (WHERE activity_category = 'befriending_social' AND attended) AS attended_befriending_social,
  count(*) FILTER (WHERE activity_category = 'mental_health_support' AND attended) AS attended_mental_health_support,
  count(*) FILTER (WHERE activity_category = 'financial_advice' AND attended) AS attended_financial_advice,
  count(*) FILTER (WHERE activity_category = 'housing_support' AND attended) AS attended_housing_support,
  count(*) FILTER (WHERE activity_category = 'employment_education' AND attended) AS attended_employment_education,
  count(*) FILTER (WHERE activity_category = 'carer_support' AND attended) AS attended_carer_support,
  count(*) FILTER (WHERE activity_category = 'peer_support' AND attended) AS attended_peer_support,
  count(*) FILTER (WHERE activity_category = 'faith_community' AND attended) AS attended_faith_community,
  count(*) FILTER (WHERE activity_category = 'other' AND attended) AS attended_other
FROM events_in_force
WHERE event_type = 'community_connection'
GROUP BY GROUPING SETS (
  (month), (fy), (region_code, month), (region_code, fy), (icb_code, month), (icb_code, fy), (pcn_code, month), (pcn_code, fy)
)
ORDER BY level, code, period_type, period
