-- One row per accepted referral (an episode of care, SNOMED 871731000000106): where and when it began, who it
-- was for, and what followed it within a fixed follow-up window from the referral date (docs/methodology.md,
-- "Cohorts"): whether the person engaged (a link worker contact within 3 months, with no decline recorded by then),
-- connected (attended a community connection within 3 months) and agreed a plan (within 3 months); their contacts
-- (link worker and other roles apart) within 6 months; and how the episode ended (the latest discharge within 6
-- months). A fixed window makes referral months and years comparable (review2 F3): counted up to the data-as-of
-- date, a referral made 20 months ago had 20 months to engage and one made 3 months ago 3, so a steady service
-- showed a falling take-up and a "concern" special cause. The metrics count an outcome only on referrals whose
-- window has closed (the cohort cut-offs of catalogue.ts, ENGAGEMENT_COHORT_MONTHS = 3 and OUTCOME_COHORT_MONTHS = 6,
-- equal to these windows: a referral on or before the cut-off has its whole window on or before the data-as-of date),
-- and whose window ends by its PCN's own end of observation (engagement_observed, outcome_observed: observation below).
-- "Within N months" is calendar months, both ends counted: from the referral date to the same day N months later
-- (the month's last day when it has no such day: 31 August + 3 months is 30 November), as both engines add a month
-- interval to a date (Trino: "timestamp '2012-10-31 01:00' + interval '1' month = 2012-11-30 01:00:00.000",
-- trino.io/docs/current/functions/datetime.html; DuckDB likewise, returning a TIMESTAMP, hence the CAST to DATE).
WITH referral_events AS (
  -- A referral may be recorded by more than one referral event (say a re-referral months later, after the PCN moved
  -- ICB): the episode is the first event's, whole: its date, area, person and demographics together, an empty one
  -- (no imd_decile, say) included. Ordered by date, then event id, so that two events on one day give the same
  -- episode in every refresh and engine.
  SELECT
    pcn_code, referral_id, event_id, person_id, occurred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM events_in_force
  WHERE event_type = 'referral' AND snomed_code = '871731000000106'
),

-- Each referral's first date and its number of referral events, in one grouping of the referral events: the date is the
-- first event's (events are ordered by date first, so the earliest date is the first event's date, whichever event
-- ties break), so referral_windows takes it from here, not from a second pass over the episodes; and almost every
-- referral has one referral event, which is its episode as it is: only the referrals with more than one (or whose
-- event the geography repeats) are put in order, not every referral (a window over every referral event was the
-- costliest part of this step at national scale; issue 17).
referral_counts AS (
  SELECT pcn_code, referral_id, min(occurred_on) AS referred_on, count(*) AS referral_events
  FROM referral_events
  GROUP BY pcn_code, referral_id
),

repeated AS (
  SELECT pcn_code, referral_id
  FROM referral_counts
  WHERE referral_events > 1
),

first_events AS (
  SELECT
    pcn_code, referral_id, person_id, occurred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM (
    SELECT
      r.*,
      row_number() OVER (PARTITION BY r.pcn_code, r.referral_id ORDER BY r.occurred_on, r.event_id) AS event_no
    FROM referral_events AS r
    INNER JOIN repeated AS m
      ON m.pcn_code = r.pcn_code AND m.referral_id = r.referral_id
  ) AS ranked
  WHERE event_no = 1
),

referrals AS (
  SELECT
    r.pcn_code,
    r.referral_id,
    r.person_id,
    r.occurred_on AS referred_on,
    r.month,
    r.fy,
    r.icb_code,
    r.region_code,
    r.referral_source,
    r.referral_reasons,
    r.age_band,
    r.sex,
    r.ethnicity_group,
    r.imd_decile
  FROM referral_events AS r
  LEFT JOIN repeated AS m
    ON m.pcn_code = r.pcn_code AND m.referral_id = r.referral_id
  WHERE m.referral_id IS NULL

  UNION ALL

  SELECT
    pcn_code, referral_id, person_id, occurred_on AS referred_on, month, fy, icb_code, region_code, referral_source,
    referral_reasons, age_band, sex, ethnicity_group, imd_decile
  FROM first_events
),

-- Each referral's date and the end of its two windows, computed once per referral (issue 17): the join below compares
-- dates, not a month interval added to every follow-up's referral date (two per follow-up event, each a calendar
-- split of the date), and it reads these three narrow columns, not the whole episode: `referrals` is then read once,
-- by the final SELECT, so DuckDB streams it instead of materialising every episode's columns for two readers (the
-- fixed windows of review2 F3 made this step 45 s at national scale, from 20.6 s; about a quarter less CPU on the 2%
-- layout with this). The date is referral_counts' (the first event's), not the episodes' union of single and first
-- events again with its join on `repeated` (issue 17: one grouping of the referral events, not two; the same rows,
-- national 0/0; this step 8.3 -> 7.0 CPU s on four national months, but 83.7 -> 82.4 on all 36 in one process at
-- load 16 to 27, within the noise: test/bench/refresh-profile.ts).
referral_windows AS (
  SELECT
    pcn_code,
    referral_id,
    referred_on,
    CAST(referred_on + INTERVAL '3' MONTH AS DATE) AS engagement_end,
    CAST(referred_on + INTERVAL '6' MONTH AS DATE) AS outcome_end
  FROM referral_counts
),

-- Each PCN's end of observation (review 26, R26-1): the last day of the month its data are KNOWN to end, up to the last
-- complete month: its last month in force (it closed or merged, per the reference data), or, where its extract has
-- stopped (table stopped_pcns, the data-as-of rule's one statement of it: no extract from it covers any of the more than
-- 3 months ended since its last month reported; data-as-of.ts, STOPPED_AFTER_MONTHS), its last month reported if
-- earlier; else published_through (pcn_months reads no later month). A referral whose window ends after it was not
-- followed for its whole window and never will be: its later contacts, plans, connections, measures and discharges were
-- never seen (or, sent under a closed PCN's code after it closed, are out of force). Such a referral is in no cohort
-- (engagement_observed, outcome_observed; the metrics AND them with England's cut-offs): counted, it read as not
-- engaged, 0 contacts and not measured. A PCN-month's referrals are all observed or none (the end is a month's end,
-- as England's cut-off). A PCN only late (its last month reported before the last complete month, its extract not
-- stopped: the 10% the data-as-of rule allows) is NOT censored: lateness is no known end, and censored at its last
-- month sent, one late PCN made England's referrals less its cohort one PCN's figure, and the cohort-gap hold then
-- blanked England's cohort figures of the month and the whole year at every release while it stayed late (red-team
-- review 29, R29-3). Its newest referrals stay in the cohorts; their follow-ups in the months it has not sent are
-- counted when its file arrives, a revision as any late file's (docs/methodology.md, "Cohorts"). The months are
-- pcn_months' (in force, reporting or not), so a PCN whose extract is late has its in-force months here.
observation AS (
  SELECT
    m.pcn_code,
    CAST(
      CAST(
        CASE WHEN max(s.last_month) < max(m.month) THEN max(s.last_month) ELSE max(m.month) END || '-01' AS DATE
      ) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE
    ) AS observed_to
  FROM pcn_months AS m
  LEFT JOIN stopped_pcns AS s
    ON s.pcn_code = m.pcn_code
  WHERE m.month <= (SELECT month FROM published_through)
  GROUP BY m.pcn_code
),

-- The follow-ups are read from committed_events with events_in_force's own filter (no withdrawn row; none of these
-- kinds is a retraction), not from the view, which also joins every row to its geography (pcn_months): nothing here
-- reads it, and a reference that lists a PCN twice in a month would count each of its contacts twice (issue 17).
-- Each is joined to its referral's date once, and every count is a FILTER over its window, in one grouping (issue 17:
-- no second pass). Events after the longer window are never read past the join. A follow-up dated before the referral
-- (an earlier episode, or a data-entry slip) counts in no window; a decline counts wherever it is dated up to the end
-- of the engagement window (a person who declined has not taken up the referral, whenever the decline was recorded
-- before then; one recorded later is outside the window, as a contact would be).
windowed AS (
  SELECT
    e.pcn_code,
    e.referral_id,
    e.event_type,
    e.worker_role,
    e.attended,
    e.discharge_reason,
    e.occurred_on,
    e.occurred_on >= r.referred_on AS after_referral,
    e.occurred_on <= r.engagement_end AS by_engagement_end,
    -- the order of discharges (below), made for discharges only, not a date cast to text on every follow-up that the
    -- FILTER then leaves unread (issue 17)
    CASE WHEN e.event_type = 'discharge' THEN CAST(e.occurred_on AS VARCHAR) || e.discharge_reason END AS discharge_order
  FROM committed_events AS e
  INNER JOIN referral_windows AS r
    ON r.pcn_code = e.pcn_code AND r.referral_id = e.referral_id
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row
  LEFT JOIN unreported_months AS f
    ON f.pcn_code = e.pcn_code AND f.month = e.event_month
  -- The follow-up kinds, written as the kinds that are not one (the contract's other four: functions/contract/enums.ts
  -- EVENT_TYPES): DuckDB filters a NOT IN in the Parquet scan itself, while it plans an IN list as a join that marks
  -- every event (52.8 million nationally) and a filter after it. The same rows either way (and a kind added to the
  -- contract later would reach the grouping only to be counted by none of its FILTERs, each of which names its kind).
  -- The scan and filter alone, alternated in one process (load 23 to 32): national 2.95 and 2.89 CPU s with the IN
  -- list, 1.99 and 2.08 with NOT IN; 25% layout 0.44 to 0.51 against 0.32 to 0.37. Issue 17, perfsql3.
  WHERE e.event_type NOT IN ('referral', 'wellbeing_measure', 'service_use', 'retraction')
    AND w.upload_id IS NULL
    -- In force and in the PCN's reporting span in its own month, up to the last complete month, as events_in_force: a
    -- stray event dated before the span (a decline mis-dated years before its referral; red-team review 7, M5) and a
    -- follow-up dated when its PCN was not in force (a contact after the PCN closed, which data_quality lists as in no
    -- figure; review 8, N9) are in no figure.
    AND f.month IS NULL
    -- The longer (outcome) window's end: nothing later is counted.
    AND e.occurred_on <= r.outcome_end
),

follow_ups AS (
  SELECT
    pcn_code,
    referral_id,
    -- contacts and connections made within the outcome window (6 months)
    count(*) FILTER (WHERE event_type = 'contact' AND after_referral) AS contacts,
    count(*) FILTER (WHERE event_type = 'contact' AND worker_role = 'splw' AND after_referral) AS splw_contacts,
    count(*) FILTER (WHERE event_type = 'community_connection' AND after_referral) AS connections,
    -- engaged, connected and plan agreed: within the engagement window (3 months)
    count(*) FILTER (
      WHERE event_type = 'contact' AND worker_role = 'splw' AND after_referral AND by_engagement_end
    ) AS early_splw_contacts,
    count(*) FILTER (WHERE event_type = 'declined' AND by_engagement_end) AS declines,
    count(*) FILTER (WHERE event_type = 'plan_agreed' AND after_referral AND by_engagement_end) AS plans,
    count(*) FILTER (
      WHERE event_type = 'community_connection' AND attended AND after_referral AND by_engagement_end
    ) AS connections_attended,
    -- how it ended: the latest discharge within the outcome window (a person may be discharged, re-engage and be
    -- discharged again); two on one day go by the reason's name, so that every engine picks the same without reading
    -- every event's id (max_by in DuckDB and Trino alike)
    max_by(discharge_reason, discharge_order) FILTER (WHERE event_type = 'discharge' AND after_referral) AS discharge_reason
  FROM windowed
  GROUP BY pcn_code, referral_id
)

SELECT
  r.pcn_code,
  r.referral_id,
  r.person_id,
  r.referred_on,
  r.month,
  r.fy,
  r.icb_code,
  r.region_code,
  r.referral_source,
  r.referral_reasons,
  r.age_band,
  r.sex,
  r.ethnicity_group,
  r.imd_decile,
  COALESCE(f.contacts, 0) AS contacts,
  COALESCE(f.splw_contacts, 0) AS splw_contacts,
  COALESCE(f.contacts, 0) - COALESCE(f.splw_contacts, 0) AS other_contacts,
  COALESCE(f.early_splw_contacts > 0 AND f.declines = 0, false) AS engaged,
  COALESCE(f.plans, 0) > 0 AS plan_agreed,
  COALESCE(f.connections, 0) AS connections,
  COALESCE(f.connections_attended, 0) > 0 AS connected,
  f.discharge_reason,
  -- the engagement (outcome) window ends by the PCN's end of observation (observation, above)
  COALESCE(CAST(r.referred_on + INTERVAL '3' MONTH AS DATE) <= o.observed_to, false) AS engagement_observed,
  COALESCE(CAST(r.referred_on + INTERVAL '6' MONTH AS DATE) <= o.observed_to, false) AS outcome_observed
FROM referrals AS r
LEFT JOIN follow_ups AS f
  ON f.pcn_code = r.pcn_code AND f.referral_id = r.referral_id
LEFT JOIN observation AS o
  ON o.pcn_code = r.pcn_code
