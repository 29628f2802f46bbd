-- Events dated in a month when their PCN is not in force in the reference data (after its valid_to, or before its
-- valid_from: a closed PCN's late export, a new PCN's history from before it opened, as after a merger), by PCN and
-- month, up to the last month published. They have no ICB or region in that month (pcn_months), so they are left out
-- of every figure, England included (events_in_force; red-team review 7, M10); the refresh logs them and
-- data_quality lists them, so that the PCN's dates or the reference can be corrected (a corrected reference version
-- brings them in at the next refresh). PCN codes are not personal.
-- Workforce snapshots of a month when their PCN is not in force on its first day are left out of every figure the same
-- way (workforce_in_force) and listed beside them: snapshot_rows is the number of the PCN's snapshot rows of the month
-- (one a role: the latest upload's, as workforce_in_force keeps one), up to the last month published as
-- workforce_in_force reads them (any month when the store has no events). events or snapshot_rows is 0 where the PCN
-- has only the other out of force in that month.
-- A prepare table (one row a PCN and month out of force: a few rows), read by the refresh's log (meta/out_of_force)
-- and grouped by PCN in data_quality: one grouping of the events by month for both.
WITH events AS (
  SELECT e.pcn_code, e.month, e.events, 0 AS snapshot_rows
  FROM event_months AS e
  -- In the PCN's reporting span: a stray event dated before it is listed by outside_reporting instead (M5).
  INNER JOIN onboarded AS o
    ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
  LEFT JOIN pcn_months AS p
    ON p.pcn_code = e.pcn_code AND p.month = e.month
  WHERE p.pcn_code IS NULL
    AND e.month <= (SELECT month FROM published_through)
),

snapshots AS (
  SELECT w.pcn_code, w.snapshot_month AS month, 0 AS events, count(DISTINCT w.role) AS snapshot_rows
  FROM committed_workforce AS w
  WHERE (w.snapshot_month <= (SELECT month FROM published_through) OR NOT EXISTS (SELECT 1 FROM event_months))
    AND NOT EXISTS (
      SELECT 1
      FROM pcns AS p
      WHERE p.pcn_code = w.pcn_code
        AND p.valid_from <= CAST(w.snapshot_month || '-01' AS DATE)
        AND (p.valid_to IS NULL OR p.valid_to >= CAST(w.snapshot_month || '-01' AS DATE))
    )
  GROUP BY w.pcn_code, w.snapshot_month
)

SELECT pcn_code, month, sum(events) AS events, sum(snapshot_rows) AS snapshot_rows
FROM (
  SELECT * FROM events
  UNION ALL
  SELECT * FROM snapshots
) AS o
GROUP BY pcn_code, month
