-- Wellbeing measured twice in one episode: the first baseline and the last follow-up score per instrument, the
-- change, signed so that a positive change is always an improvement (ONS4 anxiety and MYCaW: lower is better), and
-- whether it reached the instrument's meaningful-change threshold (docs/methodology.md, "Wellbeing"):
--   SWEMWBS 3 points (Shah et al. 2018, Health Qual Life Outcomes 16:239: 1 to 3 points depending on the standard;
--   the upper one, 2.77 SEM = 2.87 points, rounded up to a whole point); WEMWBS 3 points (Maheswaran et al. 2012,
--   Health Qual Life Outcomes 10:156: one SEM is 2.4 to 3.1 points; 3 is the convention of the Warwick guidance);
--   ONS4 items 1 point on the 0-10 scale, PAM 1 level and MYCaW 1 point: conventions (no published threshold).
-- headline_rank orders a person's instruments for measures pooled across instruments ("improved on their
-- instrument"): SWEMWBS, WEMWBS, ONS4 life satisfaction, PAM, MYCaW, then the other ONS4 items.
-- The scores are read from committed_events with events_in_force's own filter (no withdrawn row; a wellbeing measure is
-- never a retraction), not from the view, which also joins every row to its geography (pcn_months): nothing here reads
-- it (the area is the episode's), and a first or last score is the same whether or not that join repeats a row (about
-- a quarter less CPU at national scale; issue 17).
-- First and last are in one order of the measures: by date, then by when the PCN's system recorded them (recorded_at;
-- a measure without one before those with one), then by event id. So two measures of one instrument on one day give
-- the same pair in every refresh and engine: the baseline is the first baseline in that order, the follow-up the last
-- follow-up. (Ordered by a ROW, which both engines order field by field; the COALESCE keeps NULL out of it, and one
-- key for both is computed once per row.)
-- Almost every instrument of an episode has one baseline and one follow-up, whose scores are the first and the last
-- as they are: only the (PCN, referral, instrument)s with more than one of either are put in that order (the first of
-- several by min_by over the order's ROW, as before), so the grouping of every measure keeps a count and a score, not
-- a ROW of date, time and event id, and reads no event id (the grouping was the costliest part of this step at
-- national scale: a quarter to a third less CPU; issue 17).
-- A pair needs time between its measures: the last follow-up must be dated (occurred_on) after the first baseline,
-- a later day, not the same one (a same-day "follow-up" measures no time with the link worker; the contract gives a
-- date, not a time of measurement). As the order is by date first, the last follow-up is also the last one after the
-- baseline whenever there is one, and there is none when the latest follow-up is on or before the first baseline:
-- so the two dates, kept beside the counts (a min and a max of a date), decide it for both paths.
-- A fixed follow-up window (review2 F3; docs/methodology.md, "Cohorts"): only measures dated within 6 months of the
-- referral (to the same day 6 months later, both ends counted, calendar months as episodes.sql) are read, so the
-- follow-up is the last one within the window. Counted to the data-as-of date instead, a referral made years ago
-- could be followed up years later and one made 6 months ago only within 6 months: cohorts of unequal time, and a
-- later follow-up measures more time with the service. The metrics count pairs only on referrals whose window has
-- closed (the outcome cohort, referred at least 6 months before the data-as-of date: OUTCOME_COHORT_MONTHS).
-- The window needs the referral's date, which only the episodes hold: the one-of-each path (almost every pair) is
-- windowed by its follow-up's date at the join to the episodes below, which it has anyway (its one follow-up is in
-- the window, or it has none there; its baseline is before it), and only the measures of the few with more than one
-- are joined to their episode one by one (issue 17: no join of every measure). A measure outside the window still
-- counts towards "more than one" here, which only sends a pair down the exact path.
-- The exact path starts from those few (PCN, referral, instrument)s and joins the measures to them, so the measures
-- of every other one are left at the scan: joined to them last, after the episodes, the reporting months and the
-- withdrawn rows, every measure went through all three joins a second time to find none (the generated data has no
-- such pair), about two fifths of this step's CPU. And a measure's PCN-month is looked up in the reporting
-- PCN-months, each once (DISTINCT: a reference listing a PCN twice in a month repeats no measure), by an inner join,
-- not an EXISTS, which DuckDB plans as a join that first buffers every measure (issue 17; test/bench/refresh-profile.ts
-- with PROFILE_BASELINE, both in one process: 25% layout 3.54 -> 2.24 CPU s; national 24.9 -> 14.3 CPU s, 131 -> 67 s
-- wall at load 14 to 33; the same rows, 0 and 0).
WITH counted AS (
  SELECT
    pcn_code,
    referral_id,
    instrument,
    count(*) FILTER (WHERE phase = 'baseline') AS baselines,
    count(*) FILTER (WHERE phase = 'follow_up') AS follow_ups,
    -- the score of the one baseline (or follow-up) when there is one: min and max of one value are that value
    min(score) FILTER (WHERE phase = 'baseline') AS baseline,
    max(score) FILTER (WHERE phase = 'follow_up') AS follow_up,
    min(occurred_on) FILTER (WHERE phase = 'baseline') AS first_baseline_on,
    max(occurred_on) FILTER (WHERE phase = 'follow_up') AS last_follow_up_on
  FROM (
    SELECT e.pcn_code, e.referral_id, e.instrument, e.phase, e.score, e.occurred_on
    FROM committed_events AS e
    -- in force and in the PCN's reporting span in its month, up to the last complete month, as events_in_force: a
    -- stray measure dated before the span (review 7, M5) or one dated when its PCN was not in force (review 8, N9) is
    -- in no figure (unreported_months.sql: the few PCN-months no measure is read in)
    LEFT JOIN unreported_months AS f
      ON f.pcn_code = e.pcn_code AND f.month = e.event_month
    -- joined on the row's kind too, so the join holds the withdrawn wellbeing measures only (withdrawn.sql: nationally
    -- 9.0 -> 7.3 CPU s for this pass, the same rows; issue 17, perfs30)
    LEFT JOIN withdrawn AS w
      ON w.upload_id = e.upload_id AND w.source_row = e.source_row AND w.event_type = e.event_type
    WHERE e.event_type = 'wellbeing_measure'
      AND w.upload_id IS NULL
      AND f.month IS NULL
  ) AS m
  GROUP BY pcn_code, referral_id, instrument
),

repeated AS (
  SELECT pcn_code, referral_id, instrument
  FROM counted
  WHERE (baselines > 1 OR follow_ups > 1) AND last_follow_up_on > first_baseline_on
),

scores AS (
  SELECT pcn_code, referral_id, instrument, baseline, follow_up, last_follow_up_on
  FROM counted
  WHERE baselines <= 1 AND follow_ups <= 1 AND last_follow_up_on > first_baseline_on

  UNION ALL

  SELECT
    m.pcn_code,
    m.referral_id,
    m.instrument,
    min_by(m.score, ROW(m.occurred_on, COALESCE(m.recorded_at, TIMESTAMP '0001-01-01 00:00:00'), m.event_id))
      FILTER (WHERE m.phase = 'baseline') AS baseline,
    max_by(m.score, ROW(m.occurred_on, COALESCE(m.recorded_at, TIMESTAMP '0001-01-01 00:00:00'), m.event_id))
      FILTER (WHERE m.phase = 'follow_up') AS follow_up,
    max(m.occurred_on) FILTER (WHERE m.phase = 'follow_up') AS last_follow_up_on
  FROM (
    SELECT e.pcn_code, e.referral_id, e.instrument, e.phase, e.score, e.occurred_on, e.recorded_at, e.event_id
    FROM repeated AS r
    INNER JOIN committed_events AS e
      ON e.pcn_code = r.pcn_code AND e.referral_id = r.referral_id AND e.instrument = r.instrument
    -- in force and in the PCN's reporting span in its month, up to the last complete month, as above
    LEFT JOIN unreported_months AS f
      ON f.pcn_code = e.pcn_code AND f.month = e.event_month
    INNER JOIN episodes AS p
      ON p.pcn_code = e.pcn_code AND p.referral_id = e.referral_id
    LEFT JOIN withdrawn AS w
      ON w.upload_id = e.upload_id AND w.source_row = e.source_row AND w.event_type = e.event_type
    WHERE e.event_type = 'wellbeing_measure'
      AND w.upload_id IS NULL
      AND f.month IS NULL
      -- within the follow-up window: 6 months from the referral (episodes.sql)
      AND e.occurred_on <= CAST(p.referred_on + INTERVAL '6' MONTH AS DATE)
  ) AS m
  GROUP BY m.pcn_code, m.referral_id, m.instrument
  -- of the measures in the window, the last follow-up must still be after the first baseline
  HAVING max(m.occurred_on) FILTER (WHERE m.phase = 'follow_up') > min(m.occurred_on) FILTER (WHERE m.phase = 'baseline')
),

changes AS (
  SELECT
    pcn_code,
    referral_id,
    instrument,
    baseline,
    follow_up,
    last_follow_up_on,
    CASE
      WHEN instrument IN ('ons4_anxiety', 'mycaw') THEN baseline - follow_up
      ELSE follow_up - baseline
    END AS change,
    CASE instrument WHEN 'swemwbs' THEN 3 WHEN 'wemwbs' THEN 3 ELSE 1 END AS threshold,
    CASE instrument
      WHEN 'swemwbs' THEN 1
      WHEN 'wemwbs' THEN 2
      WHEN 'ons4_life_satisfaction' THEN 3
      WHEN 'pam_level' THEN 4
      WHEN 'mycaw' THEN 5
      WHEN 'ons4_worthwhile' THEN 6
      WHEN 'ons4_happiness' THEN 7
      ELSE 8
    END AS headline_rank
  FROM scores
  WHERE baseline IS NOT NULL AND follow_up IS NOT NULL
)

SELECT
  e.pcn_code, e.icb_code, e.region_code, e.month, e.fy,
  e.referred_on,
  e.person_id,
  e.imd_decile,
  e.ethnicity_group,
  e.age_band,
  e.sex,
  c.referral_id,
  c.instrument,
  c.baseline,
  c.follow_up,
  c.change,
  c.threshold,
  c.change >= c.threshold AS improved,
  c.headline_rank,
  -- its episode's 6-month window ends by its PCN's end of observation (episodes.sql): the readers count a pair only then
  e.outcome_observed
FROM changes AS c
INNER JOIN episodes AS e
  ON e.pcn_code = c.pcn_code AND e.referral_id = c.referral_id
-- the follow-up within 6 months of the referral (the window above)
WHERE c.last_follow_up_on <= CAST(e.referred_on + INTERVAL '6' MONTH AS DATE)
