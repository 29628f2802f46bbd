-- Wellbeing change per instrument, by the month or year of referral, for referrals old enough for a follow-up
-- (referred on or before parameter 1, 6 months before the data-as-of date): people measured at baseline and
-- follow-up on the instrument (distinct people, not questionnaire items), people whose change reached the
-- instrument's meaningful-change threshold, the mean change (positive = better on every instrument) with its
-- standard deviation for the 95% confidence interval, and the mean scores. docs/methodology.md, "Wellbeing".
SELECT
  CASE WHEN pcn_code IS NOT NULL THEN 'pcn' WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
  COALESCE(pcn_code, icb_code, region_code, 'ENG') AS code,
  CASE WHEN month IS NOT NULL THEN 'month' ELSE 'fy' END AS period_type,
  COALESCE(month, fy) AS period,
  instrument,
  count(DISTINCT person_id) AS people,
  count(DISTINCT CASE WHEN improved THEN person_id END) AS improved,
  count(*) AS pairs,
  max(threshold) AS threshold,
  avg(baseline) AS mean_baseline,
  avg(follow_up) AS mean_follow_up,
  avg(change) AS mean_change,
  stddev_samp(change) AS sd_change
FROM wellbeing_pairs
WHERE referred_on <= CAST(? AS DATE)
GROUP BY GROUPING SETS (
  (instrument, month), (instrument, fy), (region_code, instrument, month), (region_code, instrument, fy),
  (icb_code, instrument, month), (icb_code, instrument, fy), (pcn_code, instrument, month), (pcn_code, instrument, fy)
)
ORDER BY level, code, period_type, period, instrument
