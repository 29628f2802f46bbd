-- Equity: people referred, engagement, connection and wellbeing improvement by deprivation decile (1 = most
-- deprived), ethnicity group, age band and sex, by financial year of referral, so gaps between groups can be seen.
-- People referred are distinct people (pseudonymous person_id); engagement and connection are counted on referrals
-- old enough (parameter 1, 3 months before the data-as-of date), wellbeing on people measured at baseline and
-- follow-up referred on or before parameter 2 (6 months), improved on their headline instrument.
-- Access: people referred per registered patient by the deprivation quintile of the PCN's registered population
-- (IMD 2019, pcn_deprivation), for England, regions and ICBs, with the registered list of the PCNs in each quintile
-- (each PCN pro rata to the months of the year it was open) for the rate per 1,000. docs/methodology.md.
WITH people AS (
  SELECT
    pcn_code, icb_code, region_code, fy, person_id,
    referred_on <= CAST(? AS DATE) AS in_engagement_cohort,
    engaged, connected,
    COALESCE(CAST(imd_decile AS VARCHAR), 'unknown') AS imd_decile,
    ethnicity_group, age_band, sex
  FROM episodes
),

measured AS (
  SELECT
    pcn_code, icb_code, region_code, fy, person_id,
    min_by(improved, headline_rank) AS improved,
    COALESCE(CAST(min(imd_decile) AS VARCHAR), 'unknown') AS imd_decile,
    min(ethnicity_group) AS ethnicity_group, min(age_band) AS age_band, min(sex) AS sex
  FROM wellbeing_pairs
  WHERE referred_on <= CAST(? AS DATE)
  GROUP BY pcn_code, icb_code, region_code, fy, person_id, referral_id
),

referrals AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    fy AS period,
    CASE WHEN imd_decile IS NOT NULL THEN 'imd_decile' WHEN ethnicity_group IS NOT NULL THEN 'ethnicity_group' WHEN age_band IS NOT NULL THEN 'age_band' ELSE 'sex' END AS dimension,
    COALESCE(imd_decile, ethnicity_group, age_band, sex) AS "group",
    count(DISTINCT person_id) AS people_referred,
    count(*) FILTER (WHERE in_engagement_cohort) AS engagement_cohort,
    count(*) FILTER (WHERE in_engagement_cohort AND engaged) AS engaged,
    count(*) FILTER (WHERE in_engagement_cohort AND connected) AS connected
  FROM people
  GROUP BY GROUPING SETS (
    (fy, imd_decile), (fy, ethnicity_group), (fy, age_band), (fy, sex),
    (region_code, fy, imd_decile), (region_code, fy, ethnicity_group), (region_code, fy, age_band), (region_code, fy, sex),
    (icb_code, fy, imd_decile), (icb_code, fy, ethnicity_group), (icb_code, fy, age_band), (icb_code, fy, sex),
    (pcn_code, fy, imd_decile), (pcn_code, fy, ethnicity_group), (pcn_code, fy, age_band), (pcn_code, fy, sex)
  )
),

outcomes AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    fy AS period,
    CASE WHEN imd_decile IS NOT NULL THEN 'imd_decile' WHEN ethnicity_group IS NOT NULL THEN 'ethnicity_group' WHEN age_band IS NOT NULL THEN 'age_band' ELSE 'sex' END AS dimension,
    COALESCE(imd_decile, ethnicity_group, age_band, sex) AS "group",
    count(DISTINCT person_id) AS wellbeing_people,
    count(DISTINCT CASE WHEN improved THEN person_id END) AS wellbeing_improved
  FROM measured
  GROUP BY GROUPING SETS (
    (fy, imd_decile), (fy, ethnicity_group), (fy, age_band), (fy, sex),
    (region_code, fy, imd_decile), (region_code, fy, ethnicity_group), (region_code, fy, age_band), (region_code, fy, sex),
    (icb_code, fy, imd_decile), (icb_code, fy, ethnicity_group), (icb_code, fy, age_band), (icb_code, fy, sex),
    (pcn_code, fy, imd_decile), (pcn_code, fy, ethnicity_group), (pcn_code, fy, age_band), (pcn_code, fy, sex)
  )
),

year_months AS (
  SELECT fy, count(DISTINCT month) AS months
  FROM pcn_months
  GROUP BY fy
),

quintile_lists AS (
  SELECT
    CASE WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(icb_code, region_code, 'ENG') AS code,
    fy AS period,
    quintile AS "group",
    sum(list_size) AS list_months
  FROM (
    SELECT p.icb_code, p.region_code, p.fy, p.list_size, COALESCE(CAST(d.imd_quintile AS VARCHAR), 'unknown') AS quintile
    FROM pcn_months AS p
    LEFT JOIN pcn_deprivation AS d ON d.pcn_code = p.pcn_code
  ) AS q
  GROUP BY GROUPING SETS ((fy, quintile), (region_code, fy, quintile), (icb_code, fy, quintile))
),

quintile_people AS (
  SELECT
    CASE WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(icb_code, region_code, 'ENG') AS code,
    fy AS period,
    quintile AS "group",
    count(DISTINCT person_id) AS people_referred,
    count(*) FILTER (WHERE in_engagement_cohort) AS engagement_cohort,
    count(*) FILTER (WHERE in_engagement_cohort AND engaged) AS engaged,
    count(*) FILTER (WHERE in_engagement_cohort AND connected) AS connected
  FROM (
    SELECT p.*, COALESCE(CAST(d.imd_quintile AS VARCHAR), 'unknown') AS quintile
    FROM people AS p
    LEFT JOIN pcn_deprivation AS d ON d.pcn_code = p.pcn_code
  ) AS q
  GROUP BY GROUPING SETS ((fy, quintile), (region_code, fy, quintile), (icb_code, fy, quintile))
)

SELECT
  r.level,
  r.code,
  'fy' AS period_type,
  r.period,
  r.dimension,
  r."group",
  r.people_referred,
  r.engagement_cohort,
  r.engaged,
  r.connected,
  COALESCE(o.wellbeing_people, 0) AS wellbeing_people,
  COALESCE(o.wellbeing_improved, 0) AS wellbeing_improved,
  CAST(NULL AS DOUBLE) AS list_size,
  CAST(NULL AS INTEGER) AS months
FROM referrals AS r
LEFT JOIN outcomes AS o
  ON o.level = r.level AND o.code = r.code AND o.period = r.period AND o.dimension = r.dimension AND o."group" = r."group"

UNION ALL

SELECT
  l.level,
  l.code,
  'fy' AS period_type,
  l.period,
  'pcn_imd_quintile' AS dimension,
  l."group",
  COALESCE(q.people_referred, 0) AS people_referred,
  COALESCE(q.engagement_cohort, 0) AS engagement_cohort,
  COALESCE(q.engaged, 0) AS engaged,
  COALESCE(q.connected, 0) AS connected,
  CAST(NULL AS BIGINT) AS wellbeing_people,
  CAST(NULL AS BIGINT) AS wellbeing_improved,
  CAST(l.list_months AS DOUBLE) / y.months AS list_size,
  CAST(y.months AS INTEGER) AS months
FROM quintile_lists AS l
INNER JOIN year_months AS y ON y.fy = l.period
LEFT JOIN quintile_people AS q
  ON q.level = l.level AND q.code = l.code AND q.period = l.period AND q."group" = l."group"
ORDER BY level, code, period, dimension, "group"
