-- Common Outcomes Framework, impact on the health and care system (docs/methodology.md, "Service use"): for each
-- service (GP appointments, A&E attendances, emergency admissions, outpatient appointments), referrals (episodes: a
-- person referred twice counts twice; the column is named people) with a before and an after window of the SAME length (their longest such pair when several lengths were sent; windows of
-- different lengths are never summed together), their uses before and after referral, and the standard deviation
-- of the per-person difference for the 95% interval. By month or year of referral, and, for years, by the band of
-- use in the window before (so regression to the mean can be seen: heavy users fall back, light users rise, with
-- or without social prescribing). GP bands 0-3, 4-6, 7+; other services 0, 1, 2+.
-- Only windows that have ended by the data-as-of date count: a pair of L-month windows only for a referral made on
-- or before the date L months before it (parameters 1, 2 and 3: 3, 6 and 12 months before, as cohortCutoff), so
-- an after window still running (uses still to come) is never compared with a whole before window; and only an after
-- count dated on or after its window's end (below): a count sent earlier is the uses so far, whatever the cut-off.
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
-- Each referral's windows per service in one grouping, the counts of each length (3, 6 or 12 months: the contract's
-- only lengths) in columns of their own, so that the longest ended pair is picked on that row below, not by grouping
-- every (referral, service, length) row a second time (two groupings of every referral's service use cost most of
-- this query at national scale; issue 17).
WITH uses AS (
  SELECT
    e.pcn_code,
    e.referral_id,
    e.service,
    e."window",
    e.window_months,
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
  LEFT JOIN withdrawn AS w
    ON w.upload_id = e.upload_id AND w.source_row = e.source_row
  WHERE e.event_type = 'service_use'
    AND w.upload_id IS NULL
),

-- Each window's latest row (its `latest`), not yet its count.
windows AS (
  SELECT
    pcn_code,
    referral_id,
    service,
    max(latest) FILTER (WHERE window_months = 3 AND "window" = 'before') AS before_3,
    max(latest) FILTER (WHERE window_months = 3 AND "window" = 'after') AS after_3,
    max(latest) FILTER (WHERE window_months = 6 AND "window" = 'before') AS before_6,
    max(latest) FILTER (WHERE window_months = 6 AND "window" = 'after') AS after_6,
    max(latest) FILTER (WHERE window_months = 12 AND "window" = 'before') AS before_12,
    max(latest) FILTER (WHERE window_months = 12 AND "window" = 'after') AS after_12
  FROM uses
  GROUP BY pcn_code, referral_id, service
),

-- The latest referral date whose L-month windows have ended (on or before parameter 1, 2 or 3): for a referral date,
-- "on or before the cut-off" and "on or before the latest referral date on or before it" are the same. Each cut-off
-- is compared in a WHERE clause (Athena takes a ? parameter only there: athena-stand-in.ts checkPlaceholders), so
-- the choice of the longest pair below can read them.
ended AS (
  SELECT
    (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_referred_3,
    (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_referred_6,
    (SELECT max(referred_on) FROM episodes WHERE referred_on <= CAST(? AS DATE)) AS last_referred_12
),

-- Each referral's longest pair of ended windows per service, with the episode's area and period (one episode per PCN
-- and referral).
lengths AS (
  SELECT
    e.pcn_code, e.icb_code, e.region_code, e.month, e.fy,
    w.service,
    w.before_3, w.after_3, w.before_6, w.after_6, w.before_12, w.after_12,
    -- An after count dated before its window's end (referral + L months) is the uses so far, not the window's: the
    -- pair is not counted. The latest row's date is compared (as days from 2019-01-01 x 2^49, as `latest`): when it
    -- is before the end, so is every row of the window.
    CASE
      WHEN w.before_12 IS NOT NULL
        AND w.after_12 >= date_diff('day', DATE '2019-01-01', CAST(e.referred_on + INTERVAL '12' MONTH AS DATE)) * 562949953421312
        AND e.referred_on <= d.last_referred_12 THEN 12
      WHEN w.before_6 IS NOT NULL
        AND w.after_6 >= date_diff('day', DATE '2019-01-01', CAST(e.referred_on + INTERVAL '6' MONTH AS DATE)) * 562949953421312
        AND e.referred_on <= d.last_referred_6 THEN 6
      WHEN w.before_3 IS NOT NULL
        AND w.after_3 >= date_diff('day', DATE '2019-01-01', CAST(e.referred_on + INTERVAL '3' MONTH AS DATE)) * 562949953421312
        AND e.referred_on <= d.last_referred_3 THEN 3
    END AS window_months
  FROM windows AS w
  INNER JOIN episodes AS e
    ON e.pcn_code = w.pcn_code AND e.referral_id = w.referral_id
  CROSS JOIN ended AS d
),

paired AS (
  SELECT
    pcn_code, icb_code, region_code, month, fy, service,
    -- the count of the window's latest row (`latest` % 2^9)
    CASE window_months WHEN 12 THEN before_12 WHEN 6 THEN before_6 ELSE before_3 END % 512 AS before_count,
    CASE window_months WHEN 12 THEN after_12 WHEN 6 THEN after_6 ELSE after_3 END % 512 AS after_count
  FROM lengths
  WHERE window_months IS NOT NULL
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
  level, code, period_type, period, service, baseline_band, people, before_total, after_total,
  CASE WHEN people > 1 THEN
    sqrt(greatest(
      CAST(sum_difference_squared - (after_total - before_total) * CAST(after_total - before_total AS DOUBLE) / people AS DOUBLE)
      / (people - 1),
      CAST(0 AS DOUBLE)
    ))
  END AS sd_difference
FROM sums
ORDER BY level, code, period_type, period, service, baseline_band
