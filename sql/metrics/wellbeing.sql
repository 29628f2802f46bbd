-- Wellbeing change per instrument, by the month or year of referral: people measured at baseline and follow-up
-- (pairs), their total and mean change (positive = better on every instrument) and how many improved.
SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  instrument,
  count(*) AS pairs,
  count(*) FILTER (WHERE change > 0) AS improved,
  avg(baseline) AS mean_baseline,
  avg(follow_up) AS mean_follow_up,
  avg(change) AS mean_change
FROM wellbeing_pairs
GROUP BY GROUPING SETS (
  (instrument, month), (instrument, fy), (region_code, instrument, month), (region_code, instrument, fy),
  (icb_code, instrument, month), (icb_code, instrument, fy), (pcn_code, instrument, month), (pcn_code, instrument, fy)
)
ORDER BY level, code, period_type, period, instrument
