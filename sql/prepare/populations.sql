-- The registered population of every area and period (rollups) from the PCNs in force (pcn_months): the mean list
-- size of those onboarded over the months of the period with data, PCNs open and months. A financial year's list
-- size is the mean over its months. Denominators of rollout and workforce.
-- A PCN counts over its reporting span (onboarded.sql, pcn_months' `reporting`): from the first month of its
-- sustained reporting, as the data-as-of rule counts PCNs onboarded (docs/methodology.md, "Data as of"), to its last
-- month reported. Uploads roll out in waves, and a PCN of a later wave has sent nothing yet, which is no count of 0.
-- Counting its list diluted England's and its region's rates (red-team review 6, K8: England 10 -> 8 referrals per
-- 1,000 with three silent PCNs), and a PCN joining in October was read at half its rate for the year. Likewise one
-- stray event dated years before its feed, and the months after its extract stopped (red-team review 7, M5).
SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN p.pcn_code WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN p.month ELSE p.fy END AS period,
  -- Lists of the PCNs reporting in each month, over every month of the period with data: a PCN joining in October
  -- counts half its list over the year, so its rate over the year's months is its pace. NULL where none reported.
  CAST(sum(CASE WHEN p.reporting THEN p.list_size END) AS DOUBLE) / count(DISTINCT p.month) AS list_size,
  -- Every PCN in force (the rollout's "PCNs open"), onboarded or not.
  count(DISTINCT p.pcn_code) AS pcns,
  count(DISTINCT p.month) AS months
FROM pcn_months AS p
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
