-- Wellbeing change per instrument, by the month or year of referral, for referrals old enough for a follow-up
-- (referred on or before parameter 1, 6 months before the data-as-of date): people measured at baseline and
-- follow-up on the instrument (distinct people, not questionnaire items), people whose change reached the
-- instrument's meaningful-change threshold, the mean change (positive = better on every instrument) with its
-- standard deviation for the 95% confidence interval, and the mean scores. docs/methodology.md, "Wellbeing".
-- Every mean and the standard deviation are made from exact sums so that a refresh is reproducible: a DOUBLE sum
-- is added in whatever order the threads finish, and a figure on a rounding boundary then flips between two
-- refreshes of the same data. Scores are cast to DECIMAL(18, 6) (6 decimals: finer than any instrument's scale; a
-- double is never exactly half way between two such decimals, so both engines round it alike) and summed exactly
-- (DuckDB: DECIMAL(38, s); Trino: "sum of decimal(p,s) returns decimal(38,s), the accumulator a BigInteger",
-- trinodb/trino commit 423098bb, and DECIMAL is "an exact decimal number", docs/src/main/sphinx/language/types.md);
-- each exact sum is converted to DOUBLE once and divided at the end. A squared change is at most 70^2 = 4900, within
-- DuckDB's DECIMAL(18, 12) product of two DECIMAL(18, 6) (Trino's is DECIMAL(36, 12)). The sample variance is
-- (sum x^2 - (sum x)^2 / n) / (n - 1) from those exact sums: the same DOUBLE operations on the same values in
-- every run (never below 0, and NULL below 2 pairs, as stddev_samp).
WITH sums AS (
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
    CAST(sum(CAST(baseline AS DECIMAL(18, 6))) AS DOUBLE) AS sum_baseline,
    CAST(sum(CAST(follow_up AS DECIMAL(18, 6))) AS DOUBLE) AS sum_follow_up,
    CAST(sum(CAST(change AS DECIMAL(18, 6))) AS DOUBLE) AS sum_change,
    CAST(sum(CAST(change AS DECIMAL(18, 6)) * CAST(change AS DECIMAL(18, 6))) AS DOUBLE) AS sum_change_squared
  FROM wellbeing_pairs
  WHERE referred_on <= CAST(? AS DATE)
  GROUP BY GROUPING SETS (
    (instrument, month), (instrument, fy), (region_code, instrument, month), (region_code, instrument, fy),
    (icb_code, instrument, month), (icb_code, instrument, fy), (pcn_code, instrument, month), (pcn_code, instrument, fy)
  )
)

SELECT
  level, code, period_type, period, instrument, people, improved, pairs, threshold,
  CAST(sum_baseline AS DOUBLE) / pairs AS mean_baseline,
  CAST(sum_follow_up AS DOUBLE) / pairs AS mean_follow_up,
  CAST(sum_change AS DOUBLE) / pairs AS mean_change,
  CASE WHEN pairs > 1 THEN
    sqrt(greatest(CAST(sum_change_squared - sum_change * CAST(sum_change AS DOUBLE) / pairs AS DOUBLE) / (pairs - 1), CAST(0 AS DOUBLE)))
  END AS sd_change
FROM sums
ORDER BY level, code, period_type, period, instrument
