-- Data quality: for each PCN, its uploads, files rejected whole, rows accepted and rejected by reason, its last
-- upload, and the months with data missing since its first month (counted against the latest month anyone sent).
WITH sent AS (
  SELECT
    pcn_code,
    count(*) AS uploads,
    count(*) FILTER (WHERE status = 'rejected') AS files_rejected,
    sum(rows_accepted) AS rows_accepted,
    sum(rows_rejected) AS rows_rejected,
    sum(rejected_invalid) AS rejected_invalid,
    sum(rejected_duplicate) AS rejected_duplicate,
    sum(rejected_other) AS rejected_other,
    count(*) FILTER (WHERE file_error = 'identifiable_data') AS files_with_identifiers,
    max(received_at) AS last_upload
  FROM uploads
  GROUP BY pcn_code
),

months_with_data AS (
  SELECT pcn_code, count(DISTINCT month) AS months_with_data, min(month) AS first_month
  FROM events_in_force
  GROUP BY pcn_code
),

latest AS (
  SELECT max(month) AS latest_month FROM events_in_force
)

SELECT
  'pcn' AS level,
  s.pcn_code AS code,
  'all' AS period_type,
  'all' AS period,
  s.uploads,
  s.files_rejected,
  s.files_with_identifiers,
  s.rows_accepted,
  s.rows_rejected,
  s.rejected_invalid,
  s.rejected_duplicate,
  s.rejected_other,
  s.last_upload,
  m.first_month,
  COALESCE(m.months_with_data, 0) AS months_with_data,
  CASE
    WHEN m.first_month IS NULL THEN NULL
    ELSE (CAST(substr(l.latest_month, 1, 4) AS INTEGER) * 12 + CAST(substr(l.latest_month, 6, 2) AS INTEGER))
      - (CAST(substr(m.first_month, 1, 4) AS INTEGER) * 12 + CAST(substr(m.first_month, 6, 2) AS INTEGER))
      + 1 - m.months_with_data
  END AS months_missing
FROM sent AS s
LEFT JOIN months_with_data AS m ON m.pcn_code = s.pcn_code
CROSS JOIN latest AS l
ORDER BY s.pcn_code
