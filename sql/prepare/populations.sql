-- The registered population of every area and period (rollups) from the PCNs in force (pcn_months): the mean list
-- size of those onboarded over the months of the period with data, PCNs open and months. A financial year's list
-- size is the mean over its months. Denominators of rollout and workforce.
-- A PCN counts from its first month with events in force (onboarded.sql), as the data-as-of rule counts PCNs
-- onboarded (docs/methodology.md, "Data as of"): uploads roll out in waves, and a PCN of a later wave has sent
-- nothing yet, which is no count of 0. Counting its list diluted England's and its region's rates (red-team review
-- 6, K8: England 10 -> 8 referrals per 1,000 with three silent PCNs), and a PCN joining in October was read at half
-- its rate for the year.
SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN p.pcn_code WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN p.month ELSE p.fy END AS period,
  -- Lists of the PCNs onboarded in each month, over every month of the period with data: a PCN joining in October
  -- counts half its list over the year, so its rate over the year's months is its pace. NULL where none had onboarded.
  CAST(sum(CASE WHEN p.month >= f.first_month THEN p.list_size END) AS DOUBLE) / count(DISTINCT p.month) AS list_size,
  -- Every PCN in force (the rollout's "PCNs open"), onboarded or not.
  count(DISTINCT p.pcn_code) AS pcns,
  count(DISTINCT p.month) AS months
FROM pcn_months AS p
LEFT JOIN onboarded AS f
  ON f.pcn_code = p.pcn_code
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
