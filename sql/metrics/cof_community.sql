-- Common Outcomes Framework, impact on the community: connections made to community groups and VCSE
-- organisations by activity category, how many were attended, and how many distinct organisations received
-- people, by the month or year of the connection; connections and attendances by activity. docs/methodology.md.
-- Counted once per PCN, month and organisation, then added up for every area and period (rollups).
WITH connections AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    provider_id,
    count(*) AS connections,
    count(*) FILTER (WHERE attended) AS attended,
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
  GROUP BY pcn_code, icb_code, region_code, month, fy, provider_id
)

SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN c.month ELSE c.fy END AS period,
  sum(c.connections) AS connections,
  sum(c.attended) AS attended,
  count(DISTINCT c.provider_id) AS providers,
  sum(c.activity_physical_activity) AS activity_physical_activity,
  sum(c.activity_arts_culture) AS activity_arts_culture,
  sum(c.activity_nature_green) AS activity_nature_green,
  sum(c.activity_befriending_social) AS activity_befriending_social,
  sum(c.activity_mental_health_support) AS activity_mental_health_support,
  sum(c.activity_financial_advice) AS activity_financial_advice,
  sum(c.activity_housing_support) AS activity_housing_support,
  sum(c.activity_employment_education) AS activity_employment_education,
  sum(c.activity_carer_support) AS activity_carer_support,
  sum(c.activity_peer_support) AS activity_peer_support,
  sum(c.activity_faith_community) AS activity_faith_community,
  sum(c.activity_other) AS activity_other,
  sum(c.attended_physical_activity) AS attended_physical_activity,
  sum(c.attended_arts_culture) AS attended_arts_culture,
  sum(c.attended_nature_green) AS attended_nature_green,
  sum(c.attended_befriending_social) AS attended_befriending_social,
  sum(c.attended_mental_health_support) AS attended_mental_health_support,
  sum(c.attended_financial_advice) AS attended_financial_advice,
  sum(c.attended_housing_support) AS attended_housing_support,
  sum(c.attended_employment_education) AS attended_employment_education,
  sum(c.attended_carer_support) AS attended_carer_support,
  sum(c.attended_peer_support) AS attended_peer_support,
  sum(c.attended_faith_community) AS attended_faith_community,
  sum(c.attended_other) AS attended_other
FROM connections AS c
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
