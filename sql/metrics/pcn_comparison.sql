-- PCN comparison: for each PCN and financial year, its region and ICB (as at its latest month), mean list size,
-- accepted referrals, and the outcomes as cof_person defines them, on the referrals old enough to have them:
-- take-up is engagement (a link worker contact within 3 months of the referral, not declined by then: episodes.sql)
-- of the engagement cohort (referred on or before parameter 1, 3 months before the data-as-of date, so the window has
-- closed for every referral counted), with connection (attended a community activity within 3 months) beside it;
-- wellbeing improvement is of people in the outcome cohort (referred on or before parameter 2, 6 months before)
-- measured at baseline and follow-up (within 6 months: wellbeing_pairs.sql), improved by their headline
-- instrument's meaningful-change threshold.
-- These are the numerators and denominators of the funnel plots. docs/methodology.md, "Comparing PCNs".
-- Control limits around the national and regional rates are computed from these figures.
-- A PCN open part of the year: its list is the mean over the months it was open (months_open, of the year's months
-- with data), and its exposure, list x months open / months of the year, is made from them (funnel-documents.ts).
-- Open means open and onboarded: over its reporting span (onboarded.sql), as populations.sql counts it (review 6,
-- K8; review 7, M5): a PCN that has sent nothing is not placed at 0, one joining in October is compared over six
-- months, and one whose extract stopped over the months it reported.
WITH places AS (
  SELECT p.pcn_code, p.fy, max_by(p.region_code, p.month) AS region_code, max_by(p.icb_code, p.month) AS icb_code,
    CAST(sum(p.list_size) AS DOUBLE) / count(DISTINCT p.month) AS list_size,
    count(DISTINCT p.month) AS months_open
  FROM pcn_months AS p
  INNER JOIN onboarded AS f
    ON f.pcn_code = p.pcn_code AND p.month >= f.first_month AND p.month <= f.last_month
  GROUP BY p.pcn_code, p.fy
),

-- A ? parameter only in a WHERE clause (Athena): the engagement cohort's last referral day, compared on each row (as
-- equity.sql), not the cohort's referral days joined to every episode as a flag (a second pass over the episodes and a
-- join; issue 17, sql37).
cohort AS (
  SELECT max(referred_on) AS last_referred FROM episodes WHERE referred_on <= CAST(? AS DATE)
),

-- The counts are sums of 1s and 0s, not count(*) FILTER (DuckDB evaluates each FILTER apart over the whole chunk:
-- issue 17, perfq34).
care AS (
  SELECT
    e.pcn_code,
    e.fy,
    count(*) AS referrals,
    -- the engagement cohort: its window ends by the PCN's own end of observation too (episodes.sql, R26-1)
    CAST(sum(CASE WHEN e.referred_on <= c.last_referred AND e.engagement_observed THEN 1 ELSE 0 END) AS BIGINT)
      AS engagement_cohort,
    CAST(
      sum(CASE WHEN e.referred_on <= c.last_referred AND e.engagement_observed AND e.engaged THEN 1 ELSE 0 END) AS BIGINT
    ) AS engaged,
    CAST(
      sum(CASE WHEN e.referred_on <= c.last_referred AND e.engagement_observed AND e.connected THEN 1 ELSE 0 END)
        AS BIGINT
    ) AS connected
  FROM episodes AS e
  CROSS JOIN cohort AS c
  GROUP BY e.pcn_code, e.fy
),

headline AS (
  SELECT pcn_code, fy, referral_id, min_by(improved, headline_rank) AS improved
  FROM wellbeing_pairs
  WHERE referred_on <= CAST(? AS DATE) AND outcome_observed
  GROUP BY pcn_code, fy, referral_id
),

wellbeing AS (
  SELECT pcn_code, fy, count(*) AS wellbeing_measured, count(*) FILTER (WHERE improved) AS wellbeing_improved
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
  p.months_open,
  COALESCE(c.referrals, 0) AS referrals,
  COALESCE(c.engagement_cohort, 0) AS engagement_cohort,
  COALESCE(c.engaged, 0) AS engaged,
  COALESCE(c.connected, 0) AS connected,
  COALESCE(w.wellbeing_measured, 0) AS wellbeing_measured,
  COALESCE(w.wellbeing_improved, 0) AS wellbeing_improved
FROM places AS p
LEFT JOIN care AS c ON c.pcn_code = p.pcn_code AND c.fy = p.fy
LEFT JOIN wellbeing AS w ON w.pcn_code = p.pcn_code AND w.fy = p.fy
ORDER BY p.fy, p.pcn_code
