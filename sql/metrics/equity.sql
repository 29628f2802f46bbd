-- Equity: people referred, engagement, connection and wellbeing improvement by deprivation decile (1 = most
-- deprived), ethnicity group, age band and sex, by financial year of referral, so gaps between groups can be seen.
-- People referred are distinct people (pseudonymous person_id); engagement and connection (within 3 months of the
-- referral: episodes.sql) are counted on referrals whose window has closed (parameter 1, 3 months before the
-- data-as-of date), wellbeing on people measured at baseline and follow-up (the follow-up within 6 months:
-- wellbeing_pairs.sql) referred on or before parameter 2 (6 months), improved on their headline instrument.
-- Access: people referred per registered patient by the deprivation quintile of the PCN's registered population
-- (IMD 2019, pcn_deprivation), for England and regions where no cell gives away a PCN (quintile_levels), with
-- the registered list of the PCNs in each quintile (each PCN pro rata to the months of the year it was open and
-- onboarded: onboarded.sql) for the rate per 1,000. docs/methodology.md.
-- Distinct people add up across PCNs: person_id is a keyed hash under the PCN's own secret key, so one id never
-- belongs to two PCNs (functions/upload/pseudonymise.ts). Each person is therefore counted once per PCN, ICB and
-- region of the year and group, and those counts are added up for every area (rollups), instead of a distinct count
-- of every person at every level. Only a PCN whose referrals fall in more than one ICB or region in a year (it moved
-- during the year) has its people counted distinct at each level, since one person can be on both sides of the move.
-- Only people referred (or measured) more than once in a PCN-year (repeated_people), and every person of a PCN-year
-- that moved, keep their person_id as a grouping key; every other referral is grouped with a NULL one, so a group's
-- people are its referrals with a NULL person plus one for each person's row (issue 17).
-- Each referral's columns are written once (people, measured) and each is read by one grouping (review 42, R42-4:
-- the cohort rule was written twice, for a pass with person_id and one without; a CTE read twice is made a table by
-- DuckDB). National and 25% figures: docs/benchmarks.md, sql37.

WITH cohort AS (
  -- The engagement cohort's last referral day (parameter 1; a ? only in a WHERE clause, for Athena): a referral is in
  -- the cohort when it is on or before that day, compared on each row, not joined (issue 17).
  SELECT max(referred_on) AS last_referred FROM episodes WHERE referred_on <= CAST(? AS DATE)
),

-- PCN-years whose referrals may fall in more than one ICB or region (moved_pcns; wellbeing pairs are of these referrals).
moved AS (
  SELECT pcn_code, period AS fy
  FROM moved_pcns
  WHERE period_type = 'fy'
),

-- Every referral, once, with the engagement cohort's rule, its groups of each dimension, whether its PCN-year moved,
-- and its person_id only where the person is referred more than once in the PCN-year (repeated_people) or the
-- PCN-year moved (whose people are counted distinct at each level below); else NULL.
people AS (
  SELECT
    e.pcn_code, e.icb_code, e.region_code, e.fy,
    m.pcn_code IS NOT NULL AS moved,
    CASE WHEN k.person_id IS NOT NULL OR m.pcn_code IS NOT NULL THEN e.person_id END AS person_id,
    -- and the window ends by the PCN's own end of observation (episodes.sql, R26-1)
    COALESCE(e.referred_on <= c.last_referred, false) AND e.engagement_observed AS in_engagement_cohort,
    e.engaged, e.connected,
    COALESCE(CAST(e.imd_decile AS VARCHAR), 'unknown') AS imd_decile,
    e.ethnicity_group, e.age_band, e.sex
  FROM episodes AS e
  CROSS JOIN cohort AS c
  LEFT JOIN repeated_people AS k ON k.pcn_code = e.pcn_code AND k.fy = e.fy AND k.person_id = e.person_id
  LEFT JOIN moved AS m ON m.pcn_code = e.pcn_code AND m.fy = e.fy
),

-- Each referral measured (its pairs grouped by referral: improved on its headline instrument), as people above.
measured AS (
  SELECT
    s.pcn_code, s.icb_code, s.region_code, s.fy,
    m.pcn_code IS NOT NULL AS moved,
    CASE WHEN k.person_id IS NOT NULL OR m.pcn_code IS NOT NULL THEN s.person_id END AS person_id,
    s.improved, s.imd_decile, s.ethnicity_group, s.age_band, s.sex
  FROM (
    SELECT
      pcn_code, icb_code, region_code, fy, person_id,
      min_by(improved, headline_rank) AS improved,
      COALESCE(CAST(min(imd_decile) AS VARCHAR), 'unknown') AS imd_decile,
      min(ethnicity_group) AS ethnicity_group, min(age_band) AS age_band, min(sex) AS sex
    FROM wellbeing_pairs
    WHERE referred_on <= CAST(? AS DATE) AND outcome_observed
    GROUP BY pcn_code, icb_code, region_code, fy, person_id, referral_id
  ) AS s
  -- A person measured on more than one referral in a PCN-year was referred more than once there (a pair is its
  -- episode's, with the episode's PCN, year and person): among repeated_people.
  LEFT JOIN repeated_people AS k ON k.pcn_code = s.pcn_code AND k.fy = s.fy AND k.person_id = s.person_id
  LEFT JOIN moved AS m ON m.pcn_code = s.pcn_code AND m.fy = s.fy
),

-- One row per PCN (with its ICB and region), year, group of each dimension and person (NULL: the referrals of every
-- person referred once there, together), with their referrals in it: one grouping set per dimension, told apart by
-- GROUPING (0: the column is grouped; DuckDB and Trino alike,
-- https://trino.io/docs/current/functions/aggregate.html#grouping), in one pass over the referrals; the counts are
-- sums of 1s and 0s, not count(*) FILTER (DuckDB evaluates each FILTER apart over the whole chunk; issue 17, perfq34).
-- 'pcn_imd_quintile' is the PCN's deprivation quintile, joined on the PCN to the grouped rows (every set's, used by
-- the fifth), not to every referral: an equality, which DuckDB hash-joins, where a condition on the left side alone in
-- a LEFT JOIN's ON clause makes it compare every row with every row.
people_sets AS (
  SELECT
    p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id,
    CASE
      WHEN GROUPING(p.imd_decile) = 0 THEN 'imd_decile'
      WHEN GROUPING(p.ethnicity_group) = 0 THEN 'ethnicity_group'
      WHEN GROUPING(p.age_band) = 0 THEN 'age_band'
      WHEN GROUPING(p.sex) = 0 THEN 'sex'
      ELSE 'pcn_imd_quintile'
    END AS dimension,
    CASE
      WHEN GROUPING(p.imd_decile) = 0 THEN p.imd_decile
      WHEN GROUPING(p.ethnicity_group) = 0 THEN p.ethnicity_group
      WHEN GROUPING(p.age_band) = 0 THEN p.age_band
      WHEN GROUPING(p.sex) = 0 THEN p.sex
    END AS "group",
    count(*) AS referrals,
    CAST(sum(CASE WHEN p.in_engagement_cohort THEN 1 ELSE 0 END) AS BIGINT) AS engagement_cohort,
    CAST(sum(CASE WHEN p.in_engagement_cohort AND p.engaged THEN 1 ELSE 0 END) AS BIGINT) AS engaged,
    CAST(sum(CASE WHEN p.in_engagement_cohort AND p.connected THEN 1 ELSE 0 END) AS BIGINT) AS connected
  FROM people AS p
  GROUP BY GROUPING SETS (
    (p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id, p.imd_decile),
    (p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id, p.ethnicity_group),
    (p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id, p.age_band),
    (p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id, p.sex),
    (p.pcn_code, p.icb_code, p.region_code, p.fy, p.moved, p.person_id)
  )
),

group_people AS (
  SELECT
    r.pcn_code, r.icb_code, r.region_code, r.fy, r.moved, r.person_id, r.dimension,
    CASE
      WHEN r.dimension = 'pcn_imd_quintile' THEN COALESCE(CAST(q.imd_quintile AS VARCHAR), 'unknown')
      ELSE r."group"
    END AS "group",
    r.referrals, r.engagement_cohort, r.engaged, r.connected
  FROM people_sets AS r
  LEFT JOIN pcn_deprivation AS q
    ON q.pcn_code = r.pcn_code
),

-- Counted once per PCN, ICB, region, year and group (PCNs that did not move): each group's referrals, less each
-- person's repeats in it (a person's row is one person, however many of their referrals it holds); then added up for
-- every area.
group_counts AS (
  SELECT
    pcn_code, icb_code, region_code, fy, dimension, "group",
    sum(CASE WHEN person_id IS NULL THEN referrals ELSE 1 END) AS people_referred,
    sum(engagement_cohort) AS engagement_cohort,
    sum(engaged) AS engaged,
    sum(connected) AS connected
  FROM group_people
  WHERE NOT moved
  GROUP BY pcn_code, icb_code, region_code, fy, dimension, "group"
),

referral_parts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
    c.fy AS period,
    c.dimension,
    c."group",
    sum(c.people_referred) AS people_referred,
    sum(c.engagement_cohort) AS engagement_cohort,
    sum(c.engaged) AS engaged,
    sum(c.connected) AS connected
  FROM group_counts AS c
  CROSS JOIN rollups AS r
  WHERE r.period_type = 'fy'
  GROUP BY 1, 2, 3, 4, 5

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN g.pcn_code WHEN 'icb' THEN g.icb_code WHEN 'region' THEN g.region_code ELSE 'ENG' END AS code,
    g.fy AS period,
    g.dimension,
    g."group",
    count(DISTINCT g.person_id) AS people_referred,
    sum(g.engagement_cohort) AS engagement_cohort,
    sum(g.engaged) AS engaged,
    sum(g.connected) AS connected
  FROM group_people AS g
  CROSS JOIN rollups AS r
  WHERE g.moved AND r.period_type = 'fy'
  GROUP BY 1, 2, 3, 4, 5
),

referrals AS (
  SELECT
    level, code, period, dimension, "group",
    sum(people_referred) AS people_referred,
    sum(engagement_cohort) AS engagement_cohort,
    sum(engaged) AS engaged,
    sum(connected) AS connected
  FROM referral_parts
  GROUP BY 1, 2, 3, 4, 5
),

-- Wellbeing as the referrals above: a group's people measured are its referrals measured with a NULL person plus one
-- for each person's row, and its people improved likewise (a person improved on any of their referrals in the group
-- is one person improved); pcn_imd_quintile is not published for wellbeing.
measured_people AS (
  SELECT
    s.pcn_code, s.icb_code, s.region_code, s.fy, s.moved, s.person_id,
    CASE
      WHEN GROUPING(s.imd_decile) = 0 THEN 'imd_decile'
      WHEN GROUPING(s.ethnicity_group) = 0 THEN 'ethnicity_group'
      WHEN GROUPING(s.age_band) = 0 THEN 'age_band'
      ELSE 'sex'
    END AS dimension,
    CASE
      WHEN GROUPING(s.imd_decile) = 0 THEN s.imd_decile
      WHEN GROUPING(s.ethnicity_group) = 0 THEN s.ethnicity_group
      WHEN GROUPING(s.age_band) = 0 THEN s.age_band
      ELSE s.sex
    END AS "group",
    count(*) AS referrals,
    CAST(sum(CASE WHEN s.improved THEN 1 ELSE 0 END) AS BIGINT) AS improved
  FROM measured AS s
  GROUP BY GROUPING SETS (
    (s.pcn_code, s.icb_code, s.region_code, s.fy, s.moved, s.person_id, s.imd_decile),
    (s.pcn_code, s.icb_code, s.region_code, s.fy, s.moved, s.person_id, s.ethnicity_group),
    (s.pcn_code, s.icb_code, s.region_code, s.fy, s.moved, s.person_id, s.age_band),
    (s.pcn_code, s.icb_code, s.region_code, s.fy, s.moved, s.person_id, s.sex)
  )
),

measured_counts AS (
  SELECT
    pcn_code, icb_code, region_code, fy, dimension, "group",
    sum(CASE WHEN person_id IS NULL THEN referrals ELSE 1 END) AS wellbeing_people,
    sum(
      CASE WHEN person_id IS NULL THEN improved WHEN improved > 0 THEN 1 ELSE 0 END
    ) AS wellbeing_improved
  FROM measured_people
  WHERE NOT moved
  GROUP BY pcn_code, icb_code, region_code, fy, dimension, "group"
),

outcome_parts AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN c.pcn_code WHEN 'icb' THEN c.icb_code WHEN 'region' THEN c.region_code ELSE 'ENG' END AS code,
    c.fy AS period,
    c.dimension,
    c."group",
    sum(c.wellbeing_people) AS wellbeing_people,
    sum(c.wellbeing_improved) AS wellbeing_improved
  FROM measured_counts AS c
  CROSS JOIN rollups AS r
  WHERE r.period_type = 'fy'
  GROUP BY 1, 2, 3, 4, 5

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN g.pcn_code WHEN 'icb' THEN g.icb_code WHEN 'region' THEN g.region_code ELSE 'ENG' END AS code,
    g.fy AS period,
    g.dimension,
    g."group",
    count(DISTINCT g.person_id) AS wellbeing_people,
    count(DISTINCT CASE WHEN g.improved > 0 THEN g.person_id END) AS wellbeing_improved
  FROM measured_people AS g
  CROSS JOIN rollups AS r
  WHERE g.moved AND r.period_type = 'fy'
  GROUP BY 1, 2, 3, 4, 5
),

outcomes AS (
  SELECT
    level, code, period, dimension, "group",
    sum(wellbeing_people) AS wellbeing_people,
    sum(wellbeing_improved) AS wellbeing_improved
  FROM outcome_parts
  GROUP BY 1, 2, 3, 4, 5
),

year_months AS (
  SELECT fy, count(DISTINCT month) AS months
  FROM pcn_months
  GROUP BY fy
),

-- The PCN-deprivation-quintile cells of England, each region and (to check the others, never published) each ICB,
-- with the registered list and the PCNs each holds. docs/methodology.md, Equity: a cell of one PCN is that PCN's
-- figures, and ICB cells hold 1 or 2 PCNs in 34 of England's 42 ICBs, so ICB cells are never published.
-- A PCN counts in a cell from its first month with events in force (onboarded.sql), as in rollout's lists
-- (populations.sql): a PCN of a later wave that has sent nothing is no 0 of people referred on its whole list, which
-- turned the order of the waves into a gap between quintiles (red-team review 6, K8). Its PCNs are those onboarded in
-- the year, so a cell whose figures are one PCN's counts as one PCN, however many others are open and silent.
quintile_cells AS (
  SELECT
    CASE WHEN icb_code IS NOT NULL THEN 'icb' WHEN region_code IS NOT NULL THEN 'region' ELSE 'national' END AS level,
    COALESCE(icb_code, region_code, 'ENG') AS code,
    region_code,
    fy AS period,
    quintile AS "group",
    sum(list_size) AS list_months,
    count(DISTINCT pcn_code) AS pcns,
    count(DISTINCT icb_code) AS icbs
  FROM (
    SELECT p.pcn_code, p.icb_code, p.region_code, p.fy, p.list_size,
      COALESCE(CAST(d.imd_quintile AS VARCHAR), 'unknown') AS quintile
    FROM pcn_months AS p
    INNER JOIN onboarded AS o ON o.pcn_code = p.pcn_code AND p.month >= o.first_month AND p.month <= o.last_month
    LEFT JOIN pcn_deprivation AS d ON d.pcn_code = p.pcn_code
  ) AS q
  GROUP BY GROUPING SETS ((fy, quintile), (region_code, fy, quintile), (region_code, icb_code, fy, quintile))
),

-- A cell's PCNs outside one of its parts (an ICB of a region; a region or an ICB of England): an ICB or region user
-- sees its own PCNs, so it could take its own part away and be left with one other PCN.
quintile_outside AS (
  SELECT DISTINCT a.level, a.period
  FROM quintile_cells AS a
  INNER JOIN quintile_cells AS s
    ON s.period = a.period AND s."group" = a."group"
    AND ((a.level = 'region' AND s.level = 'icb' AND s.region_code = a.code)
      OR (a.level = 'national' AND s.level IN ('region', 'icb')))
  WHERE a.pcns - s.pcns = 1
),

-- The levels (England, the regions) published for a year: every cell of the level holds 3 or more PCNs, none
-- leaves a single PCN when one of its parts is taken away, and each draws on 2 or more ICBs (a cell of one ICB is
-- that ICB's cell, and the ICB's total less it its other cells). All or nothing at a level, since a region left out
-- would be England less the other regions. test/unit/equity-quintile-map.test.ts checks England's maps.
quintile_levels AS (
  SELECT c.level, c.period
  FROM quintile_cells AS c
  LEFT JOIN quintile_outside AS x ON x.level = c.level AND x.period = c.period
  WHERE c.level <> 'icb' AND x.level IS NULL
  GROUP BY c.level, c.period
  HAVING min(c.pcns) >= 3 AND min(c.icbs) >= 2
)

SELECT
  r.level,
  r.code,
  'fy' AS period_type,
  r.period,
  r.dimension,
  r."group",
  r.people_referred,
  r.engagement_cohort,
  r.engaged,
  r.connected,
  COALESCE(o.wellbeing_people, 0) AS wellbeing_people,
  COALESCE(o.wellbeing_improved, 0) AS wellbeing_improved,
  CAST(NULL AS DOUBLE) AS list_size,
  CAST(NULL AS INTEGER) AS months
FROM referrals AS r
LEFT JOIN outcomes AS o
  ON o.level = r.level AND o.code = r.code AND o.period = r.period AND o.dimension = r.dimension AND o."group" = r."group"
WHERE r.dimension <> 'pcn_imd_quintile'

UNION ALL

SELECT
  l.level,
  l.code,
  'fy' AS period_type,
  l.period,
  'pcn_imd_quintile' AS dimension,
  l."group",
  COALESCE(q.people_referred, 0) AS people_referred,
  COALESCE(q.engagement_cohort, 0) AS engagement_cohort,
  COALESCE(q.engaged, 0) AS engaged,
  COALESCE(q.connected, 0) AS connected,
  CAST(NULL AS BIGINT) AS wellbeing_people,
  CAST(NULL AS BIGINT) AS wellbeing_improved,
  CAST(l.list_months AS DOUBLE) / y.months AS list_size,
  CAST(y.months AS INTEGER) AS months
FROM quintile_cells AS l
INNER JOIN quintile_levels AS v ON v.level = l.level AND v.period = l.period
INNER JOIN year_months AS y ON y.fy = l.period
LEFT JOIN referrals AS q
  ON q.dimension = 'pcn_imd_quintile' AND q.level = l.level AND q.code = l.code AND q.period = l.period AND q."group" = l."group"
ORDER BY level, code, period, dimension, "group"
