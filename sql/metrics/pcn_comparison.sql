-- PCN comparison: for each PCN and financial year, its region and ICB (as at its latest month), mean list size,
-- months open in the year (for exposure pro rata), accepted referrals, take-up and wellbeing improvement: the
-- numerators and denominators of the funnel plots.
-- Control limits around the national and regional rates are computed from these figures.
WITH places AS (
  SELECT pcn_code, fy, max_by(region_code, month) AS region_code, max_by(icb_code, month) AS icb_code,
    CAST(sum(list_size) AS DOUBLE) / count(DISTINCT month) AS list_size,
    count(DISTINCT month) AS months_open
  FROM pcn_months
  GROUP BY pcn_code, fy
),

care AS (
  SELECT pcn_code, fy, count(*) AS referrals, count(*) FILTER (WHERE took_up) AS took_up
  FROM episodes
  GROUP BY pcn_code, fy
),

wellbeing AS (
  SELECT pcn_code, fy, count(*) AS wellbeing_pairs, count(*) FILTER (WHERE change > 0) AS wellbeing_improved
  FROM wellbeing_pairs
  GROUP BY pcn_code, fy
)

SELECT
  'pcn' AS level,
  p.pcn_code AS code,
  'fy' AS period_type,
  p.fy AS period,
  p.region_code,
  p.icb_code,
  p.list_size,
  p.months_open,
  COALESCE(c.referrals, 0) AS referrals,
  COALESCE(c.took_up, 0) AS took_up,
  COALESCE(w.wellbeing_pairs, 0) AS wellbeing_pairs,
  COALESCE(w.wellbeing_improved, 0) AS wellbeing_improved
FROM places AS p
LEFT JOIN care AS c ON c.pcn_code = p.pcn_code AND c.fy = p.fy
LEFT JOIN wellbeing AS w ON w.pcn_code = p.pcn_code AND w.fy = p.fy
ORDER BY p.fy, p.pcn_code
