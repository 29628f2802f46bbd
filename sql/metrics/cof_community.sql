-- Common Outcomes Framework, impact on the community: connections made to community groups and VCSE
-- organisations by activity category, how many were attended, and how many distinct organisations received
-- people, by the month or year of the connection; connections and attendances by activity. docs/methodology.md.
-- Attendance is counted only on the attendance cohort: connections made on or before parameter 1, 1 month before the
-- data-as-of date (catalogue.ts, ATTENDANCE_COHORT_MONTHS). Whether the person went to the first session is known
-- only once that session has been, so a connection is first sent attended=false and corrected later (a later
-- recorded_at): counted at once, the newest month's attendance read low (red-team review 19, R19-12). The cut-off is
-- a month's end (the data-as-of date is one), so a month's connections are all in the cohort or none: the flag is the
-- PCN-month's, joined once the counts are small. Connections are still counted by their month, every one of them:
-- attendance_cohort + recent_connections = connections (a group for disclosure control, so that neither pins the
-- other where one is `*`). The cut-off is an Athena execution parameter, which may stand only in a WHERE clause
-- (cof_person.sql), so the months on or before it are selected, then joined as a flag.
-- Counted once per PCN, month and activity (and the organisations once per PCN and month), then added up for every
-- area and period (rollups): the activities are spread into columns on one row per PCN and month, not on every event
-- nor on every area and period's rows.
-- The connections are counted from committed_events with events_in_force's own filter (no withdrawn row; a
-- connection is never a retraction) in one pass with two grouping sets: per PCN, month and activity, and per PCN,
-- month and organisation (GROUPING(provider_id) tells them apart: an organisation sent as NULL is one organisation, as
-- a GROUP BY counts it). Only those counts are given their ICB, region and year as events_in_force gives them
-- (pcn_months on the PCN and month; none, so left out, where it was not in force: review 7, M10; the year of the month, which is the year of the
-- event's date): the same rows as grouping the view's events, since a count of repeated rows adds up and an
-- organisation counts once however often it repeats, without joining every event to the geography. (Grouping by
-- organisation and activity together, then regrouping, cost half as much again at national scale; issue 17.)
WITH attendance_months AS (
  SELECT DISTINCT month FROM pcn_months WHERE month <= substr(CAST(CAST(? AS DATE) AS VARCHAR), 1, 7)
),

connection_counts AS (
  SELECT
    e.pcn_code,
    e.event_month AS month,
    e.provider_id,
    e.activity_category,
    GROUPING(e.provider_id) AS activity_row,
    count(*) AS connections,
    count(*) FILTER (WHERE e.attended) AS attended
  FROM committed_events AS e
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row
  WHERE e.event_type = 'community_connection'
    AND w.upload_id IS NULL
    -- Up to the last complete month, as events_in_force (published_through; docs/methodology.md, "Data as of").
    AND e.event_month <= (SELECT month FROM published_through)
  GROUP BY GROUPING SETS ((e.pcn_code, e.event_month, e.activity_category), (e.pcn_code, e.event_month, e.provider_id))
),

-- The PCN-months' geography as events_in_force gives it (pcn_months on the PCN and month; a PCN-month not in force
-- has none and its connections are left out, as events_in_force leaves them out; the year of the month, which is
-- the year of the event's date), joined to the counts once they are small.
places AS (
  SELECT
    m.pcn_code,
    m.month,
    COALESCE(p.icb_code, 'UNKNOWN') AS icb_code,
    COALESCE(p.region_code, 'UNKNOWN') AS region_code,
    COALESCE(
      p.fy,
      CAST(CAST(substr(m.month, 1, 4) AS INTEGER) - CASE WHEN CAST(substr(m.month, 6, 2) AS INTEGER) >= 4 THEN 0 ELSE 1 END AS VARCHAR)
        || '/'
        || substr(CAST(CAST(substr(m.month, 1, 4) AS INTEGER) + CASE WHEN CAST(substr(m.month, 6, 2) AS INTEGER) >= 4 THEN 1 ELSE 0 END AS VARCHAR), 3, 2)
    ) AS fy,
    -- the month is in the attendance cohort (made on or before the cut-off: the first sessions have had time)
    k.month IS NOT NULL AS attendance_known
  -- the PCN-months of the activity rows: the same PCN-months as the organisation rows (both grouping sets group every
  -- connection), and far fewer rows to read (issue 17, perfq34)
  FROM (SELECT DISTINCT pcn_code, month FROM connection_counts WHERE activity_row = 1) AS m
  INNER JOIN pcn_months AS p
    -- in its reporting span, as events_in_force (a stray before it is in no figure: review 7, M5)
    ON p.pcn_code = m.pcn_code AND p.month = m.month AND p.reporting
  LEFT JOIN attendance_months AS k
    ON k.month = m.month
),

-- Connections and attendances per PCN and month, each activity spread into its columns here, on one row per PCN and
-- month (not on every area and period's rows below: issue 17), then given the PCN-month's geography; attendances
-- only where the month is in the attendance cohort (0 until then, as cof_person's cohorts), its connections split
-- into the cohort's and the recent ones.
activities AS (
  SELECT
    g.pcn_code, g.icb_code, g.region_code, g.month, g.fy,
    a.connections,
    CASE WHEN g.attendance_known THEN a.connections ELSE 0 END AS attendance_cohort,
    CASE WHEN g.attendance_known THEN 0 ELSE a.connections END AS recent_connections,
    CASE WHEN g.attendance_known THEN a.attended ELSE 0 END AS attended,
    a.activity_physical_activity, a.activity_arts_culture, a.activity_nature_green, a.activity_befriending_social,
    a.activity_mental_health_support, a.activity_financial_advice, a.activity_housing_support,
    a.activity_employment_education, a.activity_carer_support, a.activity_peer_support, a.activity_faith_community,
    a.activity_other,
    CASE WHEN g.attendance_known THEN a.attended_physical_activity ELSE 0 END AS attended_physical_activity,
    CASE WHEN g.attendance_known THEN a.attended_arts_culture ELSE 0 END AS attended_arts_culture,
    CASE WHEN g.attendance_known THEN a.attended_nature_green ELSE 0 END AS attended_nature_green,
    CASE WHEN g.attendance_known THEN a.attended_befriending_social ELSE 0 END AS attended_befriending_social,
    CASE WHEN g.attendance_known THEN a.attended_mental_health_support ELSE 0 END AS attended_mental_health_support,
    CASE WHEN g.attendance_known THEN a.attended_financial_advice ELSE 0 END AS attended_financial_advice,
    CASE WHEN g.attendance_known THEN a.attended_housing_support ELSE 0 END AS attended_housing_support,
    CASE WHEN g.attendance_known THEN a.attended_employment_education ELSE 0 END AS attended_employment_education,
    CASE WHEN g.attendance_known THEN a.attended_carer_support ELSE 0 END AS attended_carer_support,
    CASE WHEN g.attendance_known THEN a.attended_peer_support ELSE 0 END AS attended_peer_support,
    CASE WHEN g.attendance_known THEN a.attended_faith_community ELSE 0 END AS attended_faith_community,
    CASE WHEN g.attendance_known THEN a.attended_other ELSE 0 END AS attended_other
  FROM (
    SELECT
      pcn_code,
      month,
      sum(connections) AS connections,
      sum(attended) AS attended,
      sum(CASE WHEN activity_category = 'physical_activity' THEN connections ELSE 0 END) AS activity_physical_activity,
      sum(CASE WHEN activity_category = 'arts_culture' THEN connections ELSE 0 END) AS activity_arts_culture,
      sum(CASE WHEN activity_category = 'nature_green' THEN connections ELSE 0 END) AS activity_nature_green,
      sum(CASE WHEN activity_category = 'befriending_social' THEN connections ELSE 0 END) AS activity_befriending_social,
      sum(CASE WHEN activity_category = 'mental_health_support' THEN connections ELSE 0 END) AS activity_mental_health_support,
      sum(CASE WHEN activity_category = 'financial_advice' THEN connections ELSE 0 END) AS activity_financial_advice,
      sum(CASE WHEN activity_category = 'housing_support' THEN connections ELSE 0 END) AS activity_housing_support,
      sum(CASE WHEN activity_category = 'employment_education' THEN connections ELSE 0 END) AS activity_employment_education,
      sum(CASE WHEN activity_category = 'carer_support' THEN connections ELSE 0 END) AS activity_carer_support,
      sum(CASE WHEN activity_category = 'peer_support' THEN connections ELSE 0 END) AS activity_peer_support,
      sum(CASE WHEN activity_category = 'faith_community' THEN connections ELSE 0 END) AS activity_faith_community,
      sum(CASE WHEN activity_category = 'other' THEN connections ELSE 0 END) AS activity_other,
      sum(CASE WHEN activity_category = 'physical_activity' THEN attended ELSE 0 END) AS attended_physical_activity,
      sum(CASE WHEN activity_category = 'arts_culture' THEN attended ELSE 0 END) AS attended_arts_culture,
      sum(CASE WHEN activity_category = 'nature_green' THEN attended ELSE 0 END) AS attended_nature_green,
      sum(CASE WHEN activity_category = 'befriending_social' THEN attended ELSE 0 END) AS attended_befriending_social,
      sum(CASE WHEN activity_category = 'mental_health_support' THEN attended ELSE 0 END) AS attended_mental_health_support,
      sum(CASE WHEN activity_category = 'financial_advice' THEN attended ELSE 0 END) AS attended_financial_advice,
      sum(CASE WHEN activity_category = 'housing_support' THEN attended ELSE 0 END) AS attended_housing_support,
      sum(CASE WHEN activity_category = 'employment_education' THEN attended ELSE 0 END) AS attended_employment_education,
      sum(CASE WHEN activity_category = 'carer_support' THEN attended ELSE 0 END) AS attended_carer_support,
      sum(CASE WHEN activity_category = 'peer_support' THEN attended ELSE 0 END) AS attended_peer_support,
      sum(CASE WHEN activity_category = 'faith_community' THEN attended ELSE 0 END) AS attended_faith_community,
      sum(CASE WHEN activity_category = 'other' THEN attended ELSE 0 END) AS attended_other
    FROM connection_counts
    WHERE activity_row = 1
    GROUP BY pcn_code, month
  ) AS a
  INNER JOIN places AS g
    ON g.pcn_code = a.pcn_code AND g.month = a.month
),

-- Distinct organisations, area by area: each organisation once per PCN and month (a PCN's month has one ICB, region
-- and year: events_in_force's geography is joined on the PCN and month, and an event's month is that of its date), then
-- once per month and year (provider_months, provider_years) for the ICBs, regions and England. (A count(DISTINCT
-- provider_id) of every PCN's organisations at all eight areas and periods cost a third of the query at national scale;
-- a grouping per area and period after it, most of it: this query on the 25% layout, both versions alternated in one
-- process at load 16-18, 1.16-1.19 CPU s before, 0.81-0.82 after; national, one process at load 8-20, 7.41 and
-- 6.05; the same rows; issue 17.)
pcn_providers AS (
  SELECT g.pcn_code, g.icb_code, g.region_code, g.month, g.fy, c.provider_id
  FROM connection_counts AS c
  -- each place once (a reference listing a PCN twice in a month gives it twice): the organisations of the grouping set
  -- are distinct per PCN and month already, so they are not grouped again (issue 17)
  INNER JOIN (SELECT DISTINCT pcn_code, icb_code, region_code, month, fy FROM places) AS g
    ON g.pcn_code = c.pcn_code AND g.month = c.month
  WHERE c.activity_row = 0
),

-- Each organisation once per month and once per year, with the lowest and highest ICB and region it received people
-- in: almost every organisation of a month or year is in one ICB (and region), counted once there without grouping
-- its PCNs' rows again per area (issue 17: a grouping of every organisation per ICB, region and England, by month and
-- by year, cost most of this query); only those in more than one are counted distinct in each (spread_providers).
provider_months AS (
  SELECT
    provider_id, month, fy,
    min(icb_code) AS icb_lo, max(icb_code) AS icb_hi, min(region_code) AS region_lo, max(region_code) AS region_hi
  FROM pcn_providers
  GROUP BY provider_id, month, fy
),

provider_years AS (
  SELECT
    provider_id, fy,
    min(icb_lo) AS icb_lo, max(icb_hi) AS icb_hi, min(region_lo) AS region_lo, max(region_hi) AS region_hi
  FROM provider_months
  GROUP BY provider_id, fy
),

-- The organisations of a month or year in more than one ICB or region, each once per ICB and region it was in. (The
-- join is null-safe: an organisation sent as NULL is one organisation, as the groupings count it.)
spread_providers AS (
  SELECT 'month' AS period_type, p.month AS period, p.icb_code, p.region_code, p.provider_id
  FROM pcn_providers AS p
  INNER JOIN provider_months AS m
    ON m.month = p.month
    AND COALESCE(m.provider_id, '') = COALESCE(p.provider_id, '') AND (m.provider_id IS NULL) = (p.provider_id IS NULL)
  WHERE m.icb_lo <> m.icb_hi OR m.region_lo <> m.region_hi

  UNION ALL

  SELECT 'fy' AS period_type, p.fy AS period, p.icb_code, p.region_code, p.provider_id
  FROM pcn_providers AS p
  INNER JOIN provider_years AS y
    ON y.fy = p.fy
    AND COALESCE(y.provider_id, '') = COALESCE(p.provider_id, '') AND (y.provider_id IS NULL) = (p.provider_id IS NULL)
  WHERE y.icb_lo <> y.icb_hi OR y.region_lo <> y.region_hi
),

provider_counts AS (
  SELECT 'pcn' AS level, pcn_code AS code, 'month' AS period_type, month AS period, count(*) AS providers
  FROM pcn_providers
  GROUP BY pcn_code, month
  UNION ALL
  SELECT 'pcn' AS level, pcn_code AS code, 'fy' AS period_type, fy AS period, count(*) AS providers
  FROM (SELECT DISTINCT pcn_code, fy, provider_id FROM pcn_providers) AS y
  GROUP BY pcn_code, fy
  UNION ALL
  SELECT 'national' AS level, 'ENG' AS code, 'month' AS period_type, month AS period, count(*) AS providers
  FROM provider_months
  GROUP BY month
  UNION ALL
  SELECT 'national' AS level, 'ENG' AS code, 'fy' AS period_type, fy AS period, count(*) AS providers
  FROM provider_years
  GROUP BY fy
  UNION ALL
  SELECT 'icb' AS level, icb_lo AS code, 'month' AS period_type, month AS period, count(*) AS providers
  FROM provider_months
  WHERE icb_lo = icb_hi AND region_lo = region_hi
  GROUP BY icb_lo, month
  UNION ALL
  SELECT 'region' AS level, region_lo AS code, 'month' AS period_type, month AS period, count(*) AS providers
  FROM provider_months
  WHERE icb_lo = icb_hi AND region_lo = region_hi
  GROUP BY region_lo, month
  UNION ALL
  SELECT 'icb' AS level, icb_lo AS code, 'fy' AS period_type, fy AS period, count(*) AS providers
  FROM provider_years
  WHERE icb_lo = icb_hi AND region_lo = region_hi
  GROUP BY icb_lo, fy
  UNION ALL
  SELECT 'region' AS level, region_lo AS code, 'fy' AS period_type, fy AS period, count(*) AS providers
  FROM provider_years
  WHERE icb_lo = icb_hi AND region_lo = region_hi
  GROUP BY region_lo, fy
  UNION ALL
  SELECT 'icb' AS level, icb_code AS code, period_type, period, count(*) AS providers
  FROM (SELECT DISTINCT period_type, period, icb_code, provider_id FROM spread_providers) AS i
  GROUP BY icb_code, period_type, period
  UNION ALL
  SELECT 'region' AS level, region_code AS code, period_type, period, count(*) AS providers
  FROM (SELECT DISTINCT period_type, period, region_code, provider_id FROM spread_providers) AS r
  GROUP BY region_code, period_type, period
),

providers AS (
  SELECT level, code, period_type, period, sum(providers) AS providers
  FROM provider_counts
  GROUP BY 1, 2, 3, 4
),

figures AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN a.pcn_code WHEN 'icb' THEN a.icb_code WHEN 'region' THEN a.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN a.month ELSE a.fy END AS period,
    sum(a.connections) AS connections,
    sum(a.attendance_cohort) AS attendance_cohort,
    sum(a.recent_connections) AS recent_connections,
    sum(a.attended) AS attended,
    sum(a.activity_physical_activity) AS activity_physical_activity,
    sum(a.activity_arts_culture) AS activity_arts_culture,
    sum(a.activity_nature_green) AS activity_nature_green,
    sum(a.activity_befriending_social) AS activity_befriending_social,
    sum(a.activity_mental_health_support) AS activity_mental_health_support,
    sum(a.activity_financial_advice) AS activity_financial_advice,
    sum(a.activity_housing_support) AS activity_housing_support,
    sum(a.activity_employment_education) AS activity_employment_education,
    sum(a.activity_carer_support) AS activity_carer_support,
    sum(a.activity_peer_support) AS activity_peer_support,
    sum(a.activity_faith_community) AS activity_faith_community,
    sum(a.activity_other) AS activity_other,
    sum(a.attended_physical_activity) AS attended_physical_activity,
    sum(a.attended_arts_culture) AS attended_arts_culture,
    sum(a.attended_nature_green) AS attended_nature_green,
    sum(a.attended_befriending_social) AS attended_befriending_social,
    sum(a.attended_mental_health_support) AS attended_mental_health_support,
    sum(a.attended_financial_advice) AS attended_financial_advice,
    sum(a.attended_housing_support) AS attended_housing_support,
    sum(a.attended_employment_education) AS attended_employment_education,
    sum(a.attended_carer_support) AS attended_carer_support,
    sum(a.attended_peer_support) AS attended_peer_support,
    sum(a.attended_faith_community) AS attended_faith_community,
    sum(a.attended_other) AS attended_other
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
  f.attendance_cohort,
  f.recent_connections,
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
