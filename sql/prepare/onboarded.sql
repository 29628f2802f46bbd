-- Each PCN's reporting span: the months it really reports (docs/methodology.md, Periods, "A PCN's reporting span";
-- red-team review 7, M5 and M15). One definition for every step that needs it: pcn_months (its `reporting`
-- months, which populations.sql, events_in_force and the metrics read), meta/data_as_of.sql (the PCNs onboarded by
-- a month), pcn_comparison.sql and equity.sql (the months a PCN is compared and counted over). A PCN that has sent
-- nothing has no row.
-- - first_month, the start of its sustained reporting: its months with events in force (event_months) fall into runs
--   separated by gaps of more than MAX_GAP = 3 months with no event (a quarter: an extract that failed for up to a
--   quarter and was sent again later, or a PCN quiet over a summer, is one run); the start is the first month of its
--   earliest run of at least MIN_RUN = 3 months with events (a quarter of monthly extracts), or of its latest run
--   when none is that long (a PCN of a new wave; or one that reported a month or two and stopped, or closed: its
--   span then ends with its extract, below, so a test event sent before a feed began counts its list for its own
--   month or two only, and becomes a stray when the feed begins more than a quarter later). A stray or mis-dated
--   event (a pilot's row, a typo in the year) dated more than a quarter before the months the PCN reports is not its
--   reporting: one such event onboarded the PCN years early, and its list then counted in every denominator at 0
--   activity (M5), and one dated 2019 stretched every document back to 2019 (M15). Events dated before first_month
--   are left out of every figure (events_in_force, through pcn_months) and listed (meta/outside_reporting.sql,
--   data_quality).
-- - last_month, its end: the last month an events extract received from it covers (its last month with events only
--   for a PCN with no receipt on record). Events dated in the month of their receipt are accepted (only future dates
--   are refused), but that month is not over: a file received on 15 November with rows to the 14th made November part
--   of the span, so the PCN counted as having sent November (pcns_sent, its list in every denominator) on half a
--   month while its full file was late (red-team review 18, R18-4). An upload covers the months up to its latest row's month (of its events: a retraction's month is the day
--   it was made, so a retraction covers no month; review 17, R17-1), and no later than the month before the one it
--   was received in (uploads are monthly automatic extracts: one received after a month ended covers it, so a month
--   in it without events is a real 0). An upload whose rows
--   all stop before the month before receipt is a late extract of an earlier month (a failed extract sent again, its
--   rejected rows fixed and re-sent, a correction), not the next month's: an October file received on 1 December
--   made November a real 0 for its PCN (its list in every denominator, an SPC concern and alerts) until November's
--   file came (red-team review 16, R16-1); one re-sent April row received in August turned a stopped PCN's June and
--   July into real zeros (review 9, R9-6). After last_month its extract has stopped or is late: those months are no
--   data (NULL), not 0 (M5 b), until a file covering them arrives.
-- Every month with events is read (not only those up to the last complete one): a PCN whose regular reporting begins
-- in a month not yet published is not onboarded yet, whatever stray event it sent earlier; pcn_months reads no later
-- month than published_through.
WITH months AS (
  SELECT
    pcn_code,
    month,
    CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER) - 1 AS month_index
  FROM event_months
),

-- A new run where more than 3 months without events (MAX_GAP) separate a month from the PCN's previous one: months
-- 4 apart have 3 empty months between them.
runs AS (
  SELECT
    pcn_code,
    month,
    month_index,
    sum(breaks) OVER (
      PARTITION BY pcn_code ORDER BY month_index ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS run
  FROM (
    SELECT
      pcn_code,
      month,
      month_index,
      CASE
        WHEN month_index - lag(month_index) OVER (PARTITION BY pcn_code ORDER BY month_index) > 4 THEN 1 ELSE 0
      END AS breaks
    FROM months
  ) AS m
),

run_lengths AS (
  SELECT pcn_code, run, min(month) AS first_month, max(month) AS last_month, count(*) AS months
  FROM runs
  GROUP BY pcn_code, run
),

spans AS (
  SELECT
    pcn_code,
    -- the earliest run of 3 or more months with events (MIN_RUN), else its latest run
    COALESCE(min(first_month) FILTER (WHERE months >= 3), max(first_month)) AS first_month,
    max(last_month) AS last_event_month
  FROM run_lengths
  GROUP BY pcn_code
),

-- Each upload's latest row's month. Not a retraction's: its month is the day it was made, not a month of activity, so a
-- retraction sent alone on 1 December covered November and made it a real 0 (red-team review 17, R17-1); an upload of
-- retractions alone covers no month. Grouped from the events table itself: only the committed uploads' groups are read
-- (extracts joins them to committed_uploads), the same rows as from committed_events, whose test of every event's
-- upload against the receipts was about three fifths of this step (issue 17: the 25% layout, in turns in one process,
-- 0.29-0.34 -> 0.11-0.12 CPU s; test/bench/refresh-variants.ts).
upload_months AS (
  SELECT
    upload_id,
    max(CAST(substr(event_month, 1, 4) AS INTEGER) * 12 + CAST(substr(event_month, 6, 2) AS INTEGER) - 1)
      AS last_row_index
  FROM events
  WHERE event_type <> 'retraction'
  GROUP BY upload_id
),

-- The latest month the PCN's events uploads cover (rejected files are no extract): each upload's latest row's month,
-- at most the month before receipt (above; an empty file is refused, so every upload covering a month has a row).
extracts AS (
  SELECT
    pcn_code,
    month_index,
    CAST(CAST(floor(CAST(month_index AS DOUBLE) / 12) AS INTEGER) AS VARCHAR)
      || '-' || lpad(CAST(month_index % 12 + 1 AS VARCHAR), 2, '0') AS last_month
  FROM (
    SELECT
      u.pcn_code,
      max(
        CASE
          WHEN r.last_row_index < u.month_before THEN r.last_row_index
          ELSE u.month_before
        END
      ) AS month_index
    FROM (
      -- received_at is UTC; a month ends at midnight in London, an hour earlier in British Summer Time: a file
      -- received at 00:30 BST on 1 October (23:30 UTC on 30 September) covers September (review 20, R20-6). One hour
      -- on in GMT counts a file received in a month's last hour as after it: the month is all but over.
      SELECT
        upload_id,
        pcn_code,
        year(received_at + INTERVAL '1' HOUR) * 12 + month(received_at + INTERVAL '1' HOUR) - 2 AS month_before
      FROM committed_uploads
      WHERE kind = 'events' AND status <> 'rejected'
    ) AS u
    INNER JOIN upload_months AS r
      ON r.upload_id = u.upload_id
    GROUP BY u.pcn_code
  ) AS x
)

SELECT
  s.pcn_code,
  s.first_month,
  COALESCE(x.last_month, s.last_event_month) AS last_month
FROM spans AS s
LEFT JOIN extracts AS x
  ON x.pcn_code = s.pcn_code
