-- Common Outcomes Framework, impact on the person, by the month or year of referral (docs/methodology.md).
-- Each outcome is counted within a fixed follow-up window from the referral date (episodes.sql, wellbeing_pairs.sql),
-- and only on referrals whose window has closed, so every month and year has had the same time (review2 F3):
--   engagement cohort (referred on or before parameter 1, 3 months before the data-as-of date: the 3-month window
--   closed): engaged (a link worker contact within 3 months, not declined by then), connected (attended a community
--   activity within 3 months), plans agreed within 3 months;
--   outcome cohort (referred on or before parameter 2, 6 months before: the 6-month window closed): link worker
--   contacts within 6 months (the 6-12 expectation), other roles' contacts, referrals with 6 to 12 link worker
--   contacts, wellbeing measured at baseline and follow-up (within 6 months) and improved on their headline
--   instrument, and how episodes ended (within 6 months).
-- Medians come from contacts_distribution and the change per instrument from wellbeing. Counted once per PCN and
-- month, then added up for every area and period (rollups).
-- The cut-offs are Athena execution parameters, which may stand only in a WHERE clause ("Currently, ? parameters can
-- be placed only in the WHERE clause": docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html),
-- so each cohort's last referral day on or before its cut-off is read in a scalar subquery's WHERE clause (as
-- cof_system's `ended`), and a referral is in the cohort when it is on or before that day, compared on each row (for a
-- referral date, on or before the cut-off and on or before that day are the same): not the cohort's referral days
-- (a DISTINCT over every episode, twice) joined to every episode and pair as flags (national, in turns: 2.97 -> 2.31
-- CPU s, the same rows in the same order; issue 17, met38). Of them, the referrals whose window ends by their PCN's
-- end of observation (engagement_observed, outcome_observed: its extract stopped, or it closed or merged, before the
-- window ended; episodes.sql, review 26 R26-1).
-- Wellbeing measured and improved are counted from wellbeing_pairs alone, which carries each episode's PCN, area,
-- month and referral date: each referral of the outcome cohort with a pair once, by its headline instrument, then
-- per PCN and month, joined to the other figures there, not every episode joined to its referral's headline (issue
-- 17; refresh-profile.ts with PROFILE_BASELINE, one process: 25% layout 0.57 -> 0.42 CPU s; national 4.2 -> 3.1 CPU
-- s, 19 -> 15 s wall at load 14 to 33; the same rows, 0 and 0).
WITH cohort_days AS (
  SELECT
    (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_engagement,
    (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_outcome
),

cohorts AS (
  SELECT
    e.*,
    -- and the window ends by the PCN's own end of observation (episodes.sql, R26-1)
    COALESCE(e.referred_on <= d.last_engagement, false) AND e.engagement_observed AS in_engagement_cohort,
    COALESCE(e.referred_on <= d.last_outcome, false) AND e.outcome_observed AS in_outcome_cohort
  FROM episodes AS e
  CROSS JOIN cohort_days AS d
),

-- Each referral of the outcome cohort with a pair, improved on its headline instrument or not.
headline AS (
  SELECT
    p.pcn_code, p.icb_code, p.region_code, p.month, p.fy, p.referral_id,
    min_by(p.improved, p.headline_rank) AS improved
  FROM wellbeing_pairs AS p
  CROSS JOIN cohort_days AS d
  WHERE p.outcome_observed AND p.referred_on <= d.last_outcome
  GROUP BY p.pcn_code, p.icb_code, p.region_code, p.month, p.fy, p.referral_id
),

wellbeing AS (
  SELECT pcn_code, icb_code, region_code, month, fy,
    count(*) AS wellbeing_measured,
    count(*) FILTER (WHERE improved) AS wellbeing_improved
  FROM headline
  GROUP BY pcn_code, icb_code, region_code, month, fy
),

-- Each count a sum of 1s and 0s, not a count(*) FILTER: DuckDB evaluates each FILTER apart over the whole chunk, and
-- these 19 cost more than the grouping itself (issue 17, perfq34; the same figures, NULL conditions counted by neither).
figures AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy,
    count(*) AS episodes,
    CAST(sum(CASE WHEN in_engagement_cohort THEN 1 ELSE 0 END) AS BIGINT) AS engagement_cohort,
    CAST(sum(CASE WHEN in_engagement_cohort AND engaged THEN 1 ELSE 0 END) AS BIGINT) AS engaged,
    CAST(sum(CASE WHEN in_engagement_cohort AND connected THEN 1 ELSE 0 END) AS BIGINT) AS connected,
    CAST(sum(CASE WHEN in_engagement_cohort AND plan_agreed THEN 1 ELSE 0 END) AS BIGINT) AS plans_agreed,
    CAST(sum(CASE WHEN in_outcome_cohort THEN 1 ELSE 0 END) AS BIGINT) AS outcome_cohort,
    COALESCE(sum(CASE WHEN in_outcome_cohort THEN splw_contacts ELSE 0 END), 0) AS splw_contacts,
    COALESCE(sum(CASE WHEN in_outcome_cohort THEN other_contacts ELSE 0 END), 0) AS other_contacts,
    CAST(sum(CASE WHEN in_outcome_cohort AND splw_contacts BETWEEN 6 AND 12 THEN 1 ELSE 0 END) AS BIGINT) AS episodes_6_to_12_contacts,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS discharged,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'goals_met' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_goals_met,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'connected_to_support' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_connected_to_support,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'declined' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_declined,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'disengaged' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_disengaged,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'moved_away' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_moved_away,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'referred_elsewhere' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_referred_elsewhere,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'died' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_died,
    CAST(sum(CASE WHEN in_outcome_cohort AND discharge_reason = 'other' THEN 1 ELSE 0 END) AS BIGINT) AS discharge_other
  FROM cohorts
  GROUP BY pcn_code, icb_code, region_code, month, fy
)

SELECT
  r.level,
  CASE r.level WHEN 'pcn' THEN f.pcn_code WHEN 'icb' THEN f.icb_code WHEN 'region' THEN f.region_code ELSE 'ENG' END AS code,
  r.period_type,
  CASE r.period_type WHEN 'month' THEN f.month ELSE f.fy END AS period,
  sum(f.episodes) AS episodes,
  sum(f.engagement_cohort) AS engagement_cohort,
  sum(f.engaged) AS engaged,
  sum(f.connected) AS connected,
  sum(f.plans_agreed) AS plans_agreed,
  sum(f.outcome_cohort) AS outcome_cohort,
  sum(f.splw_contacts) AS splw_contacts,
  sum(f.other_contacts) AS other_contacts,
  sum(f.episodes_6_to_12_contacts) AS episodes_6_to_12_contacts,
  sum(f.wellbeing_measured) AS wellbeing_measured,
  sum(f.wellbeing_improved) AS wellbeing_improved,
  sum(f.discharged) AS discharged,
  sum(f.discharge_goals_met) AS discharge_goals_met,
  sum(f.discharge_connected_to_support) AS discharge_connected_to_support,
  sum(f.discharge_declined) AS discharge_declined,
  sum(f.discharge_disengaged) AS discharge_disengaged,
  sum(f.discharge_moved_away) AS discharge_moved_away,
  sum(f.discharge_referred_elsewhere) AS discharge_referred_elsewhere,
  sum(f.discharge_died) AS discharge_died,
  sum(f.discharge_other) AS discharge_other
FROM (
  SELECT
    f.*,
    COALESCE(w.wellbeing_measured, 0) AS wellbeing_measured,
    COALESCE(w.wellbeing_improved, 0) AS wellbeing_improved
  FROM figures AS f
  LEFT JOIN wellbeing AS w
    ON w.pcn_code = f.pcn_code AND w.icb_code = f.icb_code AND w.region_code = f.region_code AND w.month = f.month
    AND w.fy = f.fy
) AS f
CROSS JOIN rollups AS r
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4
