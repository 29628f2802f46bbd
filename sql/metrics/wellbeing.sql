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
-- A referral has one pair per instrument (wellbeing_pairs.sql), so a person referred once at a PCN (almost everyone)
-- is one pair in each of their cells: a cell's people are its pairs, and its people improved its pairs improved,
-- counted with the sums, less each person's pairs beyond their first in the cell, which only people referred more
-- than once in the PCN-year (repeated_people) can have. So only those people's pairs are grouped by person, not
-- every pair (grouping every pair by person, once per PCN, ICB, region, year and instrument, and the counts of those
-- groups again for each period type, was most of this query). The pairs are read from wellbeing_pairs by each
-- reader, filtered to the cohort's last referral day (cohort: the parameter may stand only in a WHERE clause, and
-- once), not from one CTE of them that DuckDB materialises for its several readers (issue 17; refresh-profile.ts
-- with PROFILE_BASELINE, one process: 25% layout 0.95 -> 0.55 CPU s; national 6.7 -> 3.5 CPU s, 31 -> 11 s wall at
-- load 14 to 33; the same rows, 0 and 0).
-- The last referral day of the cohort (referred on or before parameter 1) with a pair: every reader below takes the
-- pairs referred on or before it, the same pairs as on or before the parameter, and of them those whose 6-month
-- window ends by their PCN's own end of observation (outcome_observed: episodes.sql, review 26 R26-1).
WITH cohort AS (
  SELECT max(referred_on) AS last_referred_on
  FROM wellbeing_pairs
  WHERE referred_on <= CAST(? AS DATE)
),

-- Pairs, pairs improved and the exact sums per PCN (with its ICB and region), month and instrument.
fine_sums AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, instrument,
    count(*) AS pairs,
    count(*) FILTER (WHERE improved) AS improved_pairs,
    max(threshold) AS threshold,
    sum(CAST(baseline AS DECIMAL(18, 6))) AS sum_baseline,
    sum(CAST(follow_up AS DECIMAL(18, 6))) AS sum_follow_up,
    sum(CAST(change AS DECIMAL(18, 6))) AS sum_change,
    sum(CAST(change AS DECIMAL(18, 6)) * CAST(change AS DECIMAL(18, 6))) AS sum_change_squared
  FROM wellbeing_pairs
  WHERE referred_on <= (SELECT last_referred_on FROM cohort) AND outcome_observed
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

-- The pairs of people referred more than once in a PCN-year (repeated_people): the only ones who can have two pairs in
-- one cell (a referral has one pair per instrument, and its month, year and area are its episode's, so two pairs in
-- one cell are of two referrals of one person in one PCN-year). Read from the prepare table, not found again by
-- grouping every pair by person (that grouping was the costliest part of this query; issue 17, perfq34).
repeat_pairs AS (
  SELECT p.pcn_code, p.icb_code, p.region_code, p.month, p.fy, p.instrument, p.person_id,
    CASE WHEN p.improved THEN 1 ELSE 0 END AS improved
  FROM wellbeing_pairs AS p
  -- the cohort's last referral day compared in the join, beside each of these people (a comparison with the scalar
  -- subquery in the WHERE clause came between the scan and this join, and made DuckDB probe every pair one by one:
  -- three times the CPU of this join on the 25% layout)
  INNER JOIN (
    SELECT k.pcn_code, k.fy, k.person_id, c.last_referred_on
    FROM repeated_people AS k
    CROSS JOIN cohort AS c
  ) AS k
    ON k.pcn_code = p.pcn_code AND k.fy = p.fy AND k.person_id = p.person_id AND p.referred_on <= k.last_referred_on
  WHERE p.outcome_observed
),

-- Each such person's pairs beyond their first in a cell (month or year), and their pairs improved beyond one when any
-- improved: what the pairs of a cell count more than its people.
repeats AS (
  SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, instrument,
    count(*) - 1 AS people, sum(improved) - max(improved) AS improved
  FROM repeat_pairs
  GROUP BY month, pcn_code, icb_code, region_code, instrument, person_id
  HAVING count(*) > 1

  UNION ALL

  SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, instrument,
    count(*) - 1 AS people, sum(improved) - max(improved) AS improved
  FROM repeat_pairs
  GROUP BY fy, pcn_code, icb_code, region_code, instrument, person_id
  HAVING count(*) > 1
),

-- People per PCN (with its ICB and region), period and instrument: pairs less repeats, for the PCN-periods that did
-- not move (the others are counted distinct at each level below).
people_counts AS (
  SELECT c.period_type, c.period, c.pcn_code, c.icb_code, c.region_code, c.instrument,
    sum(c.people) AS people, sum(c.improved) AS improved
  FROM (
    SELECT 'month' AS period_type, month AS period, pcn_code, icb_code, region_code, instrument,
      pairs AS people, improved_pairs AS improved
    FROM fine_sums

    UNION ALL

    SELECT 'fy' AS period_type, fy AS period, pcn_code, icb_code, region_code, instrument,
      pairs AS people, improved_pairs AS improved
    FROM fine_sums

    UNION ALL

    SELECT period_type, period, pcn_code, icb_code, region_code, instrument, -people AS people, -improved AS improved
    FROM repeats
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
    m.period_type, m.period, p.instrument,
    count(DISTINCT p.person_id) AS people,
    count(DISTINCT CASE WHEN p.improved THEN p.person_id END) AS improved
  FROM wellbeing_pairs AS p
  INNER JOIN moved_pcns AS m ON m.pcn_code = p.pcn_code
  INNER JOIN rollups AS r ON r.period_type = m.period_type
  WHERE m.period = CASE m.period_type WHEN 'month' THEN p.month ELSE p.fy END
    AND p.referred_on <= (SELECT last_referred_on FROM cohort) AND p.outcome_observed
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
