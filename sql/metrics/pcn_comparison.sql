-- PCN comparison: for each PCN and financial year, its region and ICB (as at its latest month), mean list size,
-- accepted referrals, take-up (people who attended a community connection) and wellbeing improvement (people
-- measured at baseline and follow-up, improved by their headline instrument's meaningful-change threshold): the
-- numerators and denominators of the funnel plots. docs/methodology.md.
-- Control limits around the national and regional rates are computed from these figures.
-- A PCN open part of the year has its list pro rata to the months it was open (of the year's months with data).
WITH year_months AS (
  SELECT fy, count(DISTINCT month) AS months
  FROM pcn_months
  GROUP BY fy
),

places AS (
  SELECT p.pcn_code, p.fy, max_by(p.region_code, p.month) AS region_code, max_by(p.icb_code, p.month) AS icb_code,
    CAST(sum(p.list_size) AS DOUBLE) / min(y.months) AS list_size
  FROM pcn_months AS p
  INNER JOIN year_months AS y ON y.fy = p.fy
  GROUP BY p.pcn_code, p.fy
),

care AS (
  SELECT pcn_code, fy, count(*) AS referrals, count(*) FILTER (WHERE connected) AS took_up
  FROM episodes
  GROUP BY pcn_code, fy
),

headline AS (
  SELECT pcn_code, fy, referral_id, min_by(improved, headline_rank) AS improved
  FROM wellbeing_pairs
  GROUP BY pcn_code, fy, referral_id
),

wellbeing AS (
  SELECT pcn_code, fy, count(*) AS wellbeing_pairs, count(*) FILTER (WHERE improved) AS wellbeing_improved
  FROM headline
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
  COALESCE(c.referrals, 0) AS referrals,
  COALESCE(c.took_up, 0) AS took_up,
  COALESCE(w.wellbeing_pairs, 0) AS wellbeing_pairs,
  COALESCE(w.wellbeing_improved, 0) AS wellbeing_improved
FROM places AS p
LEFT JOIN care AS c ON c.pcn_code = p.pcn_code AND c.fy = p.fy
LEFT JOIN wellbeing AS w ON w.pcn_code = p.pcn_code AND w.fy = p.fy
ORDER BY p.fy, p.pcn_code
