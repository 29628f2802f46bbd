-- Common Outcomes Framework, impact on the community: connections made to community groups and VCSE
-- organisations by activity category, how many were attended, and how many distinct organisations received
-- people, by the month or year of the connection; connections and attendances by activity. docs/methodology.md.
-- Counted once per PCN, month and activity (and the organisations once per PCN and month), then added up for every
-- area and period (rollups): the activities are spread into columns only on those few rows, not on every event.
-- The connections are counted per PCN, month, organisation and activity from committed_events with events_in_force's
-- own filter (no withdrawn row; a connection is never a retraction), and only those counts are given their ICB,
-- region and year as events_in_force gives them (pcn_months on the PCN and month, UNKNOWN where it was not in force;
-- the year of the month, which is the year of the event's date): the same rows as grouping the view's events, since a
-- count of repeated rows adds up and an organisation counts once however often it repeats, without joining every
-- event to the geography (issue 17).
WITH connection_counts AS (
  SELECT
    e.pcn_code,
    e.event_month AS month,
    e.provider_id,
    e.activity_category,
    count(*) AS connections,
    count(*) FILTER (WHERE e.attended) AS attended
  FROM committed_events AS e
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row
  WHERE e.event_type = 'community_connection'
    AND w.upload_id IS NULL
    -- Up to the last complete month, as events_in_force (published_through; docs/methodology.md, "Data as of").
    AND e.event_month <= (SELECT month FROM published_through)
  GROUP BY e.pcn_code, e.event_month, e.provider_id, e.activity_category
),

connections AS (
  SELECT
    c.pcn_code,
    COALESCE(p.icb_code, 'UNKNOWN') AS icb_code,
    COALESCE(p.region_code, 'UNKNOWN') AS region_code,
    c.month,
    COALESCE(
      p.fy,
      CAST(CAST(substr(c.month, 1, 4) AS INTEGER) - CASE WHEN CAST(substr(c.month, 6, 2) AS INTEGER) >= 4 THEN 0 ELSE 1 END AS VARCHAR)
        || '/'
        || substr(CAST(CAST(substr(c.month, 1, 4) AS INTEGER) + CASE WHEN CAST(substr(c.month, 6, 2) AS INTEGER) >= 4 THEN 1 ELSE 0 END AS VARCHAR), 3, 2)
    ) AS fy,
    c.provider_id,
    c.activity_category,
    c.connections,
    c.attended
  FROM connection_counts AS c
  LEFT JOIN pcn_months AS p
    ON p.pcn_code = c.pcn_code AND p.month = c.month
),

activities AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, activity_category,
    sum(connections) AS connections,
    sum(attended) AS attended
  FROM connections
  GROUP BY pcn_code, icb_code, region_code, month, fy, activity_category
),

-- Distinct organisations, area by area: each organisation once per PCN and month (a PCN's month has one ICB, region
-- and year: events_in_force's geography is joined on the PCN and month, and an event's month is that of its date), then
-- once per ICB, region and England, and per year, from the level below. (A count(DISTINCT provider_id) of every PCN's
-- organisations at all eight areas and periods cost a third of the query at national scale; issue 17.)
pcn_providers AS (
  SELECT pcn_code, icb_code, region_code, month, fy, provider_id
  FROM connections
  GROUP BY pcn_code, icb_code, region_code, month, fy, provider_id
),

icb_providers AS (
  SELECT icb_code, region_code, month, fy, provider_id
  FROM pcn_providers
  GROUP BY icb_code, region_code, month, fy, provider_id
),

region_providers AS (
  SELECT region_code, month, fy, provider_id
  FROM icb_providers
  GROUP BY region_code, month, fy, provider_id
),

provider_rows AS (
  SELECT 'pcn' AS level, pcn_code AS code, 'month' AS period_type, month AS period, provider_id FROM pcn_providers
  UNION ALL
  SELECT DISTINCT 'icb' AS level, icb_code AS code, 'month' AS period_type, month AS period, provider_id FROM icb_providers
  UNION ALL
  SELECT DISTINCT 'region' AS level, region_code AS code, 'month' AS period_type, month AS period, provider_id FROM region_providers
  UNION ALL
  SELECT DISTINCT 'national' AS level, 'ENG' AS code, 'month' AS period_type, month AS period, provider_id FROM region_providers
  UNION ALL
  SELECT DISTINCT 'pcn' AS level, pcn_code AS code, 'fy' AS period_type, fy AS period, provider_id FROM pcn_providers
  UNION ALL
  SELECT DISTINCT 'icb' AS level, icb_code AS code, 'fy' AS period_type, fy AS period, provider_id FROM icb_providers
  UNION ALL
  SELECT DISTINCT 'region' AS level, region_code AS code, 'fy' AS period_type, fy AS period, provider_id FROM region_providers
  UNION ALL
  SELECT DISTINCT 'national' AS level, 'ENG' AS code, 'fy' AS period_type, fy AS period, provider_id FROM region_providers
),

providers AS (
  SELECT level, code, period_type, period, count(*) AS providers
  FROM provider_rows
  GROUP BY 1, 2, 3, 4
),

figures AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN a.pcn_code WHEN 'icb' THEN a.icb_code WHEN 'region' THEN a.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN a.month ELSE a.fy END AS period,
    sum(a.connections) AS connections,
    sum(a.attended) AS attended,
    sum(CASE WHEN a.activity_category = 'physical_activity' THEN a.connections ELSE 0 END) AS activity_physical_activity,
    sum(CASE WHEN a.activity_category = 'arts_culture' THEN a.connections ELSE 0 END) AS activity_arts_culture,
    sum(CASE WHEN a.activity_category = 'nature_green' THEN a.connections ELSE 0 END) AS activity_nature_green,
    sum(CASE WHEN a.activity_category = 'befriending_social' THEN a.connections ELSE 0 END) AS activity_befriending_social,
    sum(CASE WHEN a.activity_category = 'mental_health_support' THEN a.connections ELSE 0 END) AS activity_mental_health_support,
    sum(CASE WHEN a.activity_category = 'financial_advice' THEN a.connections ELSE 0 END) AS activity_financial_advice,
    sum(CASE WHEN a.activity_category = 'housing_support' THEN a.connections ELSE 0 END) AS activity_housing_support,
    sum(CASE WHEN a.activity_category = 'employment_education' THEN a.connections ELSE 0 END) AS activity_employment_education,
    sum(CASE WHEN a.activity_category = 'carer_support' THEN a.connections ELSE 0 END) AS activity_carer_support,
    sum(CASE WHEN a.activity_category = 'peer_support' THEN a.connections ELSE 0 END) AS activity_peer_support,
    sum(CASE WHEN a.activity_category = 'faith_community' THEN a.connections ELSE 0 END) AS activity_faith_community,
    sum(CASE WHEN a.activity_category = 'other' THEN a.connections ELSE 0 END) AS activity_other,
    sum(CASE WHEN a.activity_category = 'physical_activity' THEN a.attended ELSE 0 END) AS attended_physical_activity,
    sum(CASE WHEN a.activity_category = 'arts_culture' THEN a.attended ELSE 0 END) AS attended_arts_culture,
    sum(CASE WHEN a.activity_category = 'nature_green' THEN a.attended ELSE 0 END) AS attended_nature_green,
    sum(CASE WHEN a.activity_category = 'befriending_social' THEN a.attended ELSE 0 END) AS attended_befriending_social,
    sum(CASE WHEN a.activity_category = 'mental_health_support' THEN a.attended ELSE 0 END) AS attended_mental_health_support,
    sum(CASE WHEN a.activity_category = 'financial_advice' THEN a.attended ELSE 0 END) AS attended_financial_advice,
    sum(CASE WHEN a.activity_category = 'housing_support' THEN a.attended ELSE 0 END) AS attended_housing_support,
    sum(CASE WHEN a.activity_category = 'employment_education' THEN a.attended ELSE 0 END) AS attended_employment_education,
    sum(CASE WHEN a.activity_category = 'carer_support' THEN a.attended ELSE 0 END) AS attended_carer_support,
    sum(CASE WHEN a.activity_category = 'peer_support' THEN a.attended ELSE 0 END) AS attended_peer_support,
    sum(CASE WHEN a.activity_category = 'faith_community' THEN a.attended ELSE 0 END) AS attended_faith_community,
    sum(CASE WHEN a.activity_category = 'other' THEN a.attended ELSE 0 END) AS attended_other
  FROM activities AS a
  CROSS JOIN rollups AS r
  GROUP BY 1, 2, 3, 4
)

SELECT
  f.level,
  f.code,
  f.period_type,
  f.period,
  f.connections,
  f.attended,
  p.providers,
  f.activity_physical_activity,
  f.activity_arts_culture,
  f.activity_nature_green,
  f.activity_befriending_social,
  f.activity_mental_health_support,
  f.activity_financial_advice,
  f.activity_housing_support,
  f.activity_employment_education,
  f.activity_carer_support,
  f.activity_peer_support,
  f.activity_faith_community,
  f.activity_other,
  f.attended_physical_activity,
  f.attended_arts_culture,
  f.attended_nature_green,
  f.attended_befriending_social,
  f.attended_mental_health_support,
  f.attended_financial_advice,
  f.attended_housing_support,
  f.attended_employment_education,
  f.attended_carer_support,
  f.attended_peer_support,
  f.attended_faith_community,
  f.attended_other
FROM figures AS f
INNER JOIN providers AS p
  ON p.level = f.level AND p.code = f.code AND p.period_type = f.period_type AND p.period = f.period
ORDER BY 1, 2, 3, 4
