-- Data quality: for each PCN, its uploads, files rejected whole, rows accepted and rejected by reason, its last
-- upload, and the months with data missing since its first month: months it was open (in force in the reference
-- data) up to the latest month anyone sent, without an event from it. A PCN that closed is not missing after it.
-- Rows accepted are published rounded up to a multiple of 5 (0 stays 0, 1 to 5 show 5): a refresh follows each
-- ingest, and the exact rows a PCN's late file added would say how far that PCN moved England's figures, which the
-- revisions policy holds back until 3 or more PCNs have changed them (docs/methodology.md). A PCN's own exact
-- figures are on its upload receipts.
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
  SELECT pcn_code, count(*) AS months_with_data, min(month) AS first_month
  FROM event_months
  GROUP BY pcn_code
),

missing AS (
  SELECT p.pcn_code, count(*) FILTER (WHERE s.month IS NULL) AS months_missing
  FROM pcn_months AS p
  INNER JOIN months_with_data AS m
    ON m.pcn_code = p.pcn_code AND p.month >= m.first_month
  LEFT JOIN event_months AS s
    ON s.pcn_code = p.pcn_code AND s.month = p.month
  GROUP BY p.pcn_code
)

SELECT
  'pcn' AS level,
  s.pcn_code AS code,
  'all' AS period_type,
  'all' AS period,
  s.uploads,
  s.files_rejected,
  s.files_with_identifiers,
  CAST(CEIL(CAST(s.rows_accepted AS DOUBLE) / 5) * 5 AS BIGINT) AS rows_accepted,
  s.rows_rejected,
  s.rejected_invalid,
  s.rejected_duplicate,
  s.rejected_other,
  s.last_upload,
  m.first_month,
  COALESCE(m.months_with_data, 0) AS months_with_data,
  CASE WHEN m.first_month IS NULL THEN NULL ELSE COALESCE(x.months_missing, 0) END AS months_missing
FROM sent AS s
LEFT JOIN months_with_data AS m ON m.pcn_code = s.pcn_code
LEFT JOIN missing AS x ON x.pcn_code = s.pcn_code
ORDER BY s.pcn_code
