-- Equity: referrals, take-up and wellbeing improvement by deprivation decile (1 = most deprived), ethnicity
-- group, age band and sex, by financial year of referral, so gaps between groups can be seen.
WITH people AS (
  SELECT
    pcn_code, icb_code, region_code, fy, took_up,
    COALESCE(CAST(imd_decile AS VARCHAR), 'unknown') AS imd_decile,
    ethnicity_group, age_band, sex
  FROM episodes
),

measured AS (
  SELECT
    pcn_code, icb_code, region_code, fy, change,
    COALESCE(CAST(imd_decile AS VARCHAR), 'unknown') AS imd_decile,
    ethnicity_group, age_band, sex
  FROM wellbeing_pairs
),

referrals AS (
  SELECT
    CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
    fy AS period,
    CASE WHEN imd_decile IS NOT NULL THEN 'imd_decile' WHEN ethnicity_group IS NOT NULL THEN 'ethnicity_group' WHEN age_band IS NOT NULL THEN 'age_band' ELSE 'sex' END AS dimension,
    COALESCE(imd_decile, ethnicity_group, age_band, sex) AS "group",
    count(*) AS referrals,
    count(*) FILTER (WHERE took_up) AS took_up
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
    count(*) AS wellbeing_pairs,
    count(*) FILTER (WHERE change > 0) AS wellbeing_improved
  FROM measured
  GROUP BY GROUPING SETS (
    (fy, imd_decile), (fy, ethnicity_group), (fy, age_band), (fy, sex),
    (region_code, fy, imd_decile), (region_code, fy, ethnicity_group), (region_code, fy, age_band), (region_code, fy, sex),
    (icb_code, fy, imd_decile), (icb_code, fy, ethnicity_group), (icb_code, fy, age_band), (icb_code, fy, sex),
    (pcn_code, fy, imd_decile), (pcn_code, fy, ethnicity_group), (pcn_code, fy, age_band), (pcn_code, fy, sex)
  )
)

SELECT
  r.level,
  r.code,
  'fy' AS period_type,
  r.period,
  r.dimension,
  r."group",
  r.referrals,
  r.took_up,
  COALESCE(o.wellbeing_pairs, 0) AS wellbeing_pairs,
  COALESCE(o.wellbeing_improved, 0) AS wellbeing_improved
FROM referrals AS r
LEFT JOIN outcomes AS o
  ON o.level = r.level AND o.code = r.code AND o.period = r.period AND o.dimension = r.dimension AND o."group" = r."group"
ORDER BY r.level, r.code, r.period, r.dimension, r."group"
