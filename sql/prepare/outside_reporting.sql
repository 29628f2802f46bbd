-- Events dated outside their PCN's reporting span (onboarded.sql): before the first month of its sustained reporting
-- (a stray or mis-dated event: a pilot's row, a typo in the year, dated more than 3 months before the months the PCN
-- reports), by PCN and month, up to the last month published. They are left out of every figure, England included,
-- so the levels add up (events_in_force, through pcn_months' `reporting`; red-team review 7, M5 and M15), as events
-- dated when their PCN is not in force are (out_of_force.sql). The refresh logs them and data_quality lists them, so
-- that the PCN can correct the dates. PCN codes are not personal. (No event is after a span's end: the end is the
-- PCN's last month with events or later.)
-- A prepare table (one row a PCN and month with stray events: a few rows), read by the refresh's log
-- (meta/outside_reporting) and grouped by PCN in data_quality: one selection of the months for both, as out_of_force.
SELECT e.pcn_code, e.month, e.events
FROM event_months AS e
INNER JOIN onboarded AS o
  ON o.pcn_code = e.pcn_code
WHERE e.month < o.first_month
  AND e.month <= (SELECT month FROM published_through)
