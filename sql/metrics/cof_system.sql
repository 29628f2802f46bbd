-- Common Outcomes Framework, impact on the health and care system (docs/methodology.md, "Service use"): for each
-- service (GP appointments, A&E attendances, emergency admissions, outpatient appointments), referrals (episodes: a
-- person referred twice counts twice; the column is named people) with a before and an after window of 6 months,
-- their uses before and after referral, and the standard deviation of the per-person difference for the 95% interval.
-- One length for every row (window_months, 6: SERVICE_USE_WINDOW_MONTHS in functions/contract/enums.ts, which must
-- change with the 6s below; test/unit/cof-system-window.test.ts fails if they part): pairs of 3 or 12-month windows
-- are in no figure. A count of 3 months and one of 12 are not in one unit, and the band of use before means a
-- different thing by length (GP 7+ in 3 months: the heaviest users; in 12 months: ordinary use), so no row adds
-- windows of different lengths; and a referral month's figures stay of one length as it ages (review 26, R26-3: each
-- referral's longest ended pair added 3-month counts of some referrals to 12-month counts of others, and a month
-- switched from its 3-month to its 12-month figures once those windows ended). 6 months: the outcome cohort's window
-- (catalogue.ts OUTCOME_COHORT_MONTHS), so a year's referrals are all counted 6 months after it ends, where 12 would
-- leave a year empty until its first month is a year old, and 3 months is little time for use to change; why not a
-- row per length: docs/methodology.md, "Health and care system use".
-- By month or year of referral, and, for years, by the band of use in the window before (so regression to the mean
-- can be seen: heavy users fall back, light users rise, with or without social prescribing). GP bands 0-3, 4-6, 7+;
-- other services 0, 1, 2+.
-- Only windows that have ended by the data-as-of date count: a pair only for a referral made on or before the date
-- 6 months before it (parameter 1, as cohortCutoff), so an after window still running (uses still to come) is never
-- compared with a whole before window; and only an after count dated on or after its window's end (below): a count
-- sent earlier is the uses so far, whatever the cut-off.
-- The service use is read from committed_events with events_in_force's own filter (no withdrawn row; a service_use
-- row is never a retraction), not from the view, which also joins every row to its geography (pcn_months): nothing
-- here reads it (the area is the episode's), and a reference that lists a PCN twice in a month would add each of its
-- counts twice (issue 17).
-- One count per referral, service, window and length (the contract, functions/contract/fields.ts `count`): the whole
-- window's uses, so two rows of one window are never added. A PCN system's monthly extract may send the uses so far
-- each month, each under a new event_id (a correction replaces only the same event_id: superseded.sql), and a sum
-- would add every one of them (review 6, K5: England GP -37.5% where the truth was -25%). The latest row of a window
-- is its count: the latest occurred_on, then the later recorded_at (a row without one is earlier than one with it, as
-- superseded.sql), then the larger count (a cumulative count only grows), so that both engines pick the same row.
-- The order is one BIGINT per row, `latest`: days from 2019-01-01 (the contract's first date; under 2^14 until 2063)
-- x 2^49, plus recorded_at's milliseconds from 2019-01-01 + 1 (0 without one; held within 1 to 2^40 - 1, 2053) x 2^9,
-- plus the count (0-500, under 2^9). The largest `latest` of a window is its latest row; its count is `latest` %
-- 512 and its date `latest` / 2^49, compared below as days. A max of one BIGINT costs what the sum did (this grouping
-- alone on the 2% layout, alternated in one process: 0.60-0.75 CPU s, the sum 0.62-0.94), where max_by over a ROW of
-- the same order took 1.53-3.07 (issue 17).
WITH uses AS (
  SELECT
    e.pcn_code,
    e.referral_id,
    e.service,
    e."window",
    date_diff('day', DATE '2019-01-01', e.occurred_on) * 562949953421312
      + COALESCE(
        least(greatest(date_diff('millisecond', TIMESTAMP '2019-01-01 00:00:00', e.recorded_at) + 1, 1), 1099511627775),
        0
      ) * 512
      + e."count" AS latest
  FROM committed_events AS e
  -- In force and in the PCN's reporting span in its month, as events_in_force (review 7, M5; review 8, N9), and up to
  -- the last complete month (published_through; docs/methodology.md, "Data as of"): a join to each such PCN-month once
  -- (a reference listing a PCN twice in a month does not add its counts twice), not a correlated EXISTS, which DuckDB
  -- ran as a delim join over every service-use row (this query on the 25% layout, both versions alternated in one
  -- process at load 22: 1.56-1.59 CPU s before, 1.45 after; national, one process at load 8-20, 11.26 and 10.78;
  -- the same rows; issue 17).
  INNER JOIN (
    SELECT DISTINCT pcn_code, month FROM pcn_months
    WHERE reporting AND month <= (SELECT month FROM published_through)
  ) AS f
    ON f.pcn_code = e.pcn_code AND f.month = e.event_month
  -- on the row's kind too, so the join holds the withdrawn service use only (withdrawn.sql: nationally 9.5 -> 4.0 CPU s
  -- for this pass, the same rows; issue 17)
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row AND w.event_type = e.event_type
  WHERE e.event_type = 'service_use'
    AND e.window_months = 6
    AND w.upload_id IS NULL
),

-- Each window's latest row (its `latest`), not yet its count: a referral's before and after windows of every service
-- in one grouping per referral, in columns of their own (the contract's four services, functions/contract/enums.ts
-- SERVICES: a service_use row has one of them). Grouped per referral, not per referral and service: a quarter of the
-- groups (4.0 million nationally, most of this query's CPU in one hash table), and a quarter of the rows joined to
-- the episodes below (issue 17, perfq34).
windows AS (
  SELECT
    pcn_code,
    referral_id,
    max(latest) FILTER (WHERE service = 'gp_appointment' AND "window" = 'before') AS gp_appointment_before,
    max(latest) FILTER (WHERE service = 'gp_appointment' AND "window" = 'after') AS gp_appointment_after,
    max(latest) FILTER (WHERE service = 'ae_attendance' AND "window" = 'before') AS ae_attendance_before,
    max(latest) FILTER (WHERE service = 'ae_attendance' AND "window" = 'after') AS ae_attendance_after,
    max(latest) FILTER (WHERE service = 'emergency_admission' AND "window" = 'before') AS emergency_admission_before,
    max(latest) FILTER (WHERE service = 'emergency_admission' AND "window" = 'after') AS emergency_admission_after,
    max(latest) FILTER (WHERE service = 'outpatient' AND "window" = 'before') AS outpatient_before,
    max(latest) FILTER (WHERE service = 'outpatient' AND "window" = 'after') AS outpatient_after
  FROM uses
  GROUP BY pcn_code, referral_id
),

-- The latest referral date whose windows have ended (on or before parameter 1): for a referral date, "on or before
-- the cut-off" and "on or before the latest referral date on or before it" are the same. The cut-off is compared in a
-- WHERE clause (Athena takes a ? parameter only there: athena-stand-in.ts checkPlaceholders), so the pairs below can
-- read it.
ended AS (
  SELECT (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_referred
),

-- Each referral's windows with the episode's area and period (one episode per PCN and referral), and its after
-- window's end (referral + 6 months) as `latest` orders dates (days from 2019-01-01 x 2^49), once per referral.
referral_windows AS (
  SELECT
    e.pcn_code, e.icb_code, e.region_code, e.month, e.fy,
    date_diff('day', DATE '2019-01-01', CAST(e.referred_on + INTERVAL '6' MONTH AS DATE)) * 562949953421312 AS after_end,
    w.gp_appointment_before, w.gp_appointment_after, w.ae_attendance_before, w.ae_attendance_after,
    w.emergency_admission_before, w.emergency_admission_after, w.outpatient_before, w.outpatient_after
  FROM windows AS w
  INNER JOIN episodes AS e
    ON e.pcn_code = w.pcn_code AND e.referral_id = w.referral_id
  CROSS JOIN ended AS d
  WHERE e.referred_on <= d.last_referred
),

-- Each referral's pair of ended windows per service. An after count dated before its window's end is the uses so
-- far, not the window's: the pair is not counted. The latest row's date is compared (as `latest`): when it is before
-- the end, so is every row of the window.
service_windows AS (
  SELECT
    r.pcn_code, r.icb_code, r.region_code, r.month, r.fy, r.after_end,
    s.service,
    CASE s.service
      WHEN 'gp_appointment' THEN r.gp_appointment_before
      WHEN 'ae_attendance' THEN r.ae_attendance_before
      WHEN 'emergency_admission' THEN r.emergency_admission_before
      WHEN 'outpatient' THEN r.outpatient_before
    END AS before_latest,
    CASE s.service
      WHEN 'gp_appointment' THEN r.gp_appointment_after
      WHEN 'ae_attendance' THEN r.ae_attendance_after
      WHEN 'emergency_admission' THEN r.emergency_admission_after
      WHEN 'outpatient' THEN r.outpatient_after
    END AS after_latest
  FROM referral_windows AS r
  CROSS JOIN (
    VALUES ('gp_appointment'), ('ae_attendance'), ('emergency_admission'), ('outpatient')
  ) AS s (service)
),

paired AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, service,
    -- the count of the window's latest row (`latest` % 2^9)
    before_latest % 512 AS before_count,
    after_latest % 512 AS after_count
  FROM service_windows
  WHERE before_latest IS NOT NULL AND after_latest >= after_end
),

banded AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, service, before_count, after_count,
    CASE
      WHEN service = 'gp_appointment' THEN
        CASE WHEN before_count <= 3 THEN '0-3' WHEN before_count <= 6 THEN '4-6' ELSE '7+' END
      ELSE CASE WHEN before_count = 0 THEN '0' WHEN before_count = 1 THEN '1' ELSE '2+' END
    END AS band
  FROM paired
),

-- The standard deviation comes from exact BIGINT sums of the difference and its square, as
-- (sum d^2 - (sum d)^2 / n) / (n - 1): stddev_samp adds DOUBLEs in whatever order the threads finish, so a published
-- interval on a rounding boundary would flip between two refreshes of the same data (never below 0, and NULL below
-- 2 people, as stddev_samp). Exact sums add up, so they are summed once per PCN, month, service and band, then for
-- every area and period (rollups), all bands together and, for years, each band.
fine AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, service, band,
    count(*) AS people,
    sum(before_count) AS before_total,
    sum(after_count) AS after_total,
    sum((after_count - before_count) * (after_count - before_count)) AS sum_difference_squared
  FROM banded
  GROUP BY pcn_code, icb_code, region_code, month, fy, service, band
),

sums AS (
  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN f.pcn_code WHEN 'icb' THEN f.icb_code WHEN 'region' THEN f.region_code ELSE 'ENG' END AS code,
    r.period_type,
    CASE r.period_type WHEN 'month' THEN f.month ELSE f.fy END AS period,
    f.service,
    'all' AS baseline_band,
    sum(f.people) AS people,
    sum(f.before_total) AS before_total,
    sum(f.after_total) AS after_total,
    sum(f.sum_difference_squared) AS sum_difference_squared
  FROM fine AS f
  CROSS JOIN rollups AS r
  GROUP BY 1, 2, 3, 4, 5, 6

  UNION ALL

  SELECT
    r.level,
    CASE r.level WHEN 'pcn' THEN f.pcn_code WHEN 'icb' THEN f.icb_code WHEN 'region' THEN f.region_code ELSE 'ENG' END AS code,
    r.period_type,
    f.fy AS period,
    f.service,
    f.band AS baseline_band,
    sum(f.people) AS people,
    sum(f.before_total) AS before_total,
    sum(f.after_total) AS after_total,
    sum(f.sum_difference_squared) AS sum_difference_squared
  FROM fine AS f
  CROSS JOIN rollups AS r
  WHERE r.period_type = 'fy'
  GROUP BY 1, 2, 3, 4, 5, 6
)

SELECT
  level, code, period_type, period,
  -- The length of every row's windows (a key of the document: a reader never has to assume it).
  6 AS window_months,
  service, baseline_band, people, before_total, after_total,
  CASE WHEN people > 1 THEN
    sqrt(greatest(
      CAST(sum_difference_squared - (after_total - before_total) * CAST(after_total - before_total AS DOUBLE) / people AS DOUBLE)
      / (people - 1),
      CAST(0 AS DOUBLE)
    ))
  END AS sd_difference
FROM sums
ORDER BY level, code, period_type, period, service, baseline_band
