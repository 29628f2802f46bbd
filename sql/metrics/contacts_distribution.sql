-- How many contacts each referred person had: episodes by number of contacts (20 or more counted together),
-- by the year of referral. The median contacts per person is read from this distribution exactly.
WITH capped AS (
  SELECT pcn_code, icb_code, region_code, fy, CASE WHEN contacts > 20 THEN 20 ELSE contacts END AS contacts
  FROM episodes
)

SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  'fy' AS period_type,
  fy AS period,
  contacts,
  count(*) AS episodes
FROM capped
GROUP BY GROUPING SETS ((fy, contacts), (region_code, fy, contacts), (icb_code, fy, contacts), (pcn_code, fy, contacts))
ORDER BY level, code, period, contacts
