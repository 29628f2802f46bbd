-- Wellbeing change per instrument, by the month or year of referral, for referrals whose 6-month follow-up window
-- has closed (referred on or before parameter 1, 6 months before the data-as-of date; the follow-up is the last
-- within 6 months of the referral: wellbeing_pairs.sql): people measured at baseline and
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
-- Distinct people add up across PCNs (person ids are per PCN: equity.sql): each person is counted once per PCN, ICB,
-- region, period and instrument, and those counts added up for every area (rollups); only a PCN whose pairs fall in
-- more than one ICB or region in a period (moved_pcns) has its people counted distinct at each level. The exact sums add up
-- exactly too, so they are summed once per PCN and month and then for every area and period.
WITH pairs AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, instrument, person_id, improved, threshold,
    CAST(baseline AS DECIMAL(18, 6)) AS baseline,
    CAST(follow_up AS DECIMAL(18, 6)) AS follow_up,
    CAST(change AS DECIMAL(18, 6)) AS change
  FROM wellbeing_pairs
  WHERE referred_on <= CAST(? AS DATE)
),

fine_sums AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, instrument,
    count(*) AS pairs,
    max(threshold) AS threshold,
    sum(baseline) AS sum_baseline,
    sum(follow_up) AS sum_follow_up,
    sum(change) AS sum_change,
    sum(change * change) AS sum_change_squared
  FROM pairs
  GROUP BY pcn_code, icb_code, region_code, month, fy, instrument
),

sums AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN f.pcn_code WHEN 'icb' THEN f.icb_code WHEN 'region' THEN f.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN f.month ELSE f.fy END AS period,
    f.instrument,
    sum(f.pairs) AS pairs,
    max(f.threshold) AS threshold,
    CAST(sum(f.sum_baseline) AS DOUBLE) AS sum_baseline,
    CAST(sum(f.sum_follow_up) AS DOUBLE) AS sum_follow_up,
    CAST(sum(f.sum_change) AS DOUBLE) AS sum_change,
    CAST(sum(f.sum_change_squared) AS DOUBLE) AS sum_change_squared
  FROM fine_sums AS f
  CROSS JOIN rollups AS r
  GROUP BY 1, 2, 3, 4, 5
),

-- Each person once per PCN (with its ICB and region), year and instrument, with the first and last month of the year
-- they had a pair in: the one grouping of every pair by person (grouping every pair once per period type, by month
-- and by year, cost most of this query at national scale; issue 17). A person with pairs in one month of the year
-- (almost everyone) is one of that month's people, improved as in the year; the few with pairs in more than one
-- month are one of each such month's people, read from their own pairs. A pair's month is its episode's, that of the
-- referral date, so of one financial year (rollout.sql).
person_years AS (
  SELECT
    pcn_code, icb_code, region_code, fy, instrument, person_id,
    min(month) AS first_month,
    max(month) AS last_month,
    max(CASE WHEN improved THEN 1 ELSE 0 END) AS improved
  FROM pairs
  GROUP BY pcn_code, icb_code, region_code, fy, instrument, person_id
),

-- The people with pairs in more than one month of the year, once per month.
month_people AS (
  SELECT
    p.month, p.pcn_code, p.icb_code, p.region_code, p.instrument, p.person_id,
    max(CASE WHEN p.improved THEN 1 ELSE 0 END) AS improved
  FROM pairs AS p
  INNER JOIN person_years AS y
    ON y.pcn_code = p.pcn_code AND y.icb_code = p.icb_code AND y.region_code = p.region_code AND y.fy = p.fy
    AND y.instrument = p.instrument AND y.person_id = p.person_id
  WHERE y.first_month < y.last_month
  GROUP BY 1, 2, 3, 4, 5, 6
),

-- Each person once per PCN (with its ICB and region), period and instrument: read only for the PCNs that moved
-- (people_parts), so never materialised whole.
people AS (
  SELECT 'month' AS period_type, first_month AS period, pcn_code, icb_code, region_code, instrument, person_id, improved
  FROM person_years
  WHERE first_month = last_month

  UNION ALL

  SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, instrument, person_id, improved
  FROM month_people

  UNION ALL

  SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, instrument, person_id, improved
  FROM person_years
),

-- People per PCN (with its ICB and region), period and instrument, counted from the rows above without their ids
-- (each is one person) and before the PCNs that moved are left out (those are whole periods of a PCN): the people of
-- every PCN were materialised and joined to moved_pcns one by one before (issue 17).
people_counts AS (
  SELECT c.period_type, c.period, c.pcn_code, c.icb_code, c.region_code, c.instrument,
    sum(c.people) AS people, sum(c.improved) AS improved
  FROM (
    SELECT 'month' AS period_type, first_month AS period, pcn_code, icb_code, region_code, instrument,
      count(*) AS people, sum(improved) AS improved
    FROM person_years
    WHERE first_month = last_month
    GROUP BY 1, 2, 3, 4, 5, 6

    UNION ALL

    SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, instrument,
      count(*) AS people, sum(improved) AS improved
    FROM month_people
    GROUP BY 1, 2, 3, 4, 5, 6

    UNION ALL

    SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, instrument,
      count(*) AS people, sum(improved) AS improved
    FROM person_years
    GROUP BY 1, 2, 3, 4, 5, 6
  ) AS c
  LEFT JOIN moved_pcns AS m ON m.period_type = c.period_type AND m.period = c.period AND m.pcn_code = c.pcn_code
  WHERE m.pcn_code IS NULL
  GROUP BY 1, 2, 3, 4, 5, 6
),

people_parts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
    c.period_type, c.period, c.instrument,
    sum(c.people) AS people,
    sum(c.improved) AS improved
  FROM people_counts AS c
  INNER JOIN rollups AS r ON r.period_type = c.period_type
  GROUP BY 1, 2, 3, 4, 5

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN p.pcn_code WHEN 'icb' THEN p.icb_code WHEN 'region' THEN p.region_code ELSE 'ENG' END AS code,
    p.period_type, p.period, p.instrument,
    count(DISTINCT p.person_id) AS people,
    count(DISTINCT CASE WHEN p.improved = 1 THEN p.person_id END) AS improved
  FROM people AS p
  INNER JOIN moved_pcns AS m ON m.period_type = p.period_type AND m.period = p.period AND m.pcn_code = p.pcn_code
  INNER JOIN rollups AS r ON r.period_type = p.period_type
  GROUP BY 1, 2, 3, 4, 5
),

people_totals AS (
  SELECT level, code, period_type, period, instrument, sum(people) AS people, sum(improved) AS improved
  FROM people_parts
  GROUP BY 1, 2, 3, 4, 5
)

SELECT
  s.level, s.code, s.period_type, s.period, s.instrument, p.people, p.improved, s.pairs, s.threshold,
  CAST(s.sum_baseline AS DOUBLE) / s.pairs AS mean_baseline,
  CAST(s.sum_follow_up AS DOUBLE) / s.pairs AS mean_follow_up,
  CAST(s.sum_change AS DOUBLE) / s.pairs AS mean_change,
  CASE WHEN s.pairs > 1 THEN
    sqrt(greatest(CAST(s.sum_change_squared - s.sum_change * CAST(s.sum_change AS DOUBLE) / s.pairs AS DOUBLE) / (s.pairs - 1), CAST(0 AS DOUBLE)))
  END AS sd_change
FROM sums AS s
INNER JOIN people_totals AS p
  ON p.level = s.level AND p.code = s.code AND p.period_type = s.period_type AND p.period = s.period
  AND p.instrument = s.instrument
ORDER BY s.level, s.code, s.period_type, s.period, s.instrument
