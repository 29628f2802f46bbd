-- Each region's people referred by month of each financial year, for the year-end projection's ratio of monthly
-- people to people (functions/stats/people-pace.ts ratioAtMonth; review 31, R31-6): a year's ratio at the end of each
-- of its months, like for like with this year's so far, and how much it grew from there to the year end, in England
-- (the regions added up) and in each region (the spread of that growth: the uncertainty of assuming it).
-- - monthly_people: the people referred in the month (distinct in the month, as rollout counts them);
-- - new_people: of those, the people not referred earlier in the year (added up over the months to the end of one,
--   the people referred in the year so far; over the year, rollout's people referred in it).
-- Counted as rollout counts people (each person once per PCN: person ids are per PCN): the referrals less each
-- person's repeats, read only for the people referred more than once in a PCN-year (repeated_people). A referral is
-- counted in its episode's month and region. Read by the refresh only (never published).
WITH referrals AS (
  SELECT region_code, fy, month, count(*) AS referrals
  FROM episodes
  GROUP BY region_code, fy, month
),

repeats AS (
  SELECT
    e.region_code,
    e.fy,
    e.month,
    row_number() OVER (PARTITION BY e.pcn_code, e.fy, e.person_id ORDER BY e.month, e.referred_on, e.referral_id) AS nth_in_year,
    row_number() OVER (PARTITION BY e.pcn_code, e.fy, e.person_id, e.month ORDER BY e.referred_on, e.referral_id) AS nth_in_month
  FROM episodes AS e
  INNER JOIN repeated_people AS r
    ON r.pcn_code = e.pcn_code AND r.fy = e.fy AND r.person_id = e.person_id
),

again AS (
  SELECT
    region_code,
    fy,
    month,
    count(*) FILTER (WHERE nth_in_month > 1) AS again_in_month,
    count(*) FILTER (WHERE nth_in_year > 1) AS again_in_year
  FROM repeats
  GROUP BY region_code, fy, month
)

SELECT
  c.region_code,
  c.fy,
  c.month,
  c.referrals - COALESCE(a.again_in_month, 0) AS monthly_people,
  c.referrals - COALESCE(a.again_in_year, 0) AS new_people
FROM referrals AS c
LEFT JOIN again AS a
  ON a.region_code = c.region_code AND a.fy = c.fy AND a.month = c.month
ORDER BY c.fy, c.region_code, c.month
