-- Events dated outside their PCN's reporting span (stray or mis-dated events, before its first month of sustained
-- reporting), by PCN and month, for the refresh's log (functions/refresh/refresh.ts, describeOutsideReporting): the
-- prepare table outside_reporting (sql/prepare/outside_reporting.sql), which data_quality groups by PCN.
SELECT pcn_code, month, events
FROM outside_reporting
ORDER BY pcn_code, month
