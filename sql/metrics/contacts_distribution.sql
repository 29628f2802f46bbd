-- How many link worker contacts each referred person had (the 6-12 expectation is about link worker contacts):
-- episodes by number of link worker contacts (20 or more counted together), by the year of referral, for referrals
-- old enough (referred on or before parameter 1, 6 months before the data-as-of date, and with the window ended by
-- the PCN's own end of observation: episodes.sql). The median is read from
-- this distribution exactly. docs/methodology.md.
WITH capped AS (
  SELECT pcn_code, icb_code, region_code, fy, CASE WHEN splw_contacts > 20 THEN 20 ELSE splw_contacts END AS contacts
  FROM episodes
  -- and the window ends by the PCN's own end of observation (episodes.sql, R26-1)
  WHERE referred_on <= CAST(? AS DATE) AND outcome_observed
)

SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  'fy' AS period_type,
  fy AS period,
  contacts,
  CAST(sum(episodes) AS BIGINT) AS episodes
-- Counted once per PCN (with its ICB and region), year and number, then those counts added up in the four grouping
-- sets: DuckDB keeps a hash table per grouping set and puts every row in each, so the sets over every episode hashed
-- each four times (national, in turns: 0.69 -> 0.36 CPU s, the same rows in the same order; issue 17, met38).
FROM (
  SELECT pcn_code, icb_code, region_code, fy, contacts, count(*) AS episodes
  FROM capped
  GROUP BY pcn_code, icb_code, region_code, fy, contacts
) AS c
GROUP BY GROUPING SETS ((fy, contacts), (region_code, fy, contacts), (icb_code, fy, contacts), (pcn_code, fy, contacts))
ORDER BY level, code, period, contacts
