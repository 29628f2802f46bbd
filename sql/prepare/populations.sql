-- The registered population of every area and period (rollups) from the PCNs in force (pcn_months): the mean list
-- size over the months of the period with data, PCNs and months. A financial year's list size is the mean over its
-- months. Denominators of rollout and workforce.
SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN p.pcn_code WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN p.month ELSE p.fy END AS period,
  CAST(sum(p.list_size) AS DOUBLE) / count(DISTINCT p.month) AS list_size,
  count(DISTINCT p.pcn_code) AS pcns,
  count(DISTINCT p.month) AS months
FROM pcn_months AS p
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
