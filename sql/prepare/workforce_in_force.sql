-- Workforce snapshots in force: the latest upload's row for each PCN, month and role, with the PCN's ICB and
-- region in force on the first day of that month, and the financial year (labelled 2024/25). A snapshot of a month
-- when its PCN is not in force (a closed PCN's late return) has no ICB or region and is left out of every level,
-- England included, as events are (events_in_force; red-team review 7, M10): no "UNKNOWN" area is published.
WITH ranked AS (
  SELECT
    w.*,
    row_number() OVER (
      PARTITION BY w.pcn_code, w.snapshot_month, w.role
      ORDER BY w.received_at DESC, w.upload_id DESC, w.source_row DESC
    ) AS version_rank
  FROM committed_workforce AS w
),

latest AS (
  SELECT
    r.*,
    CASE
      WHEN CAST(substr(r.snapshot_month, 6, 2) AS INTEGER) >= 4 THEN CAST(substr(r.snapshot_month, 1, 4) AS INTEGER)
      ELSE CAST(substr(r.snapshot_month, 1, 4) AS INTEGER) - 1
    END AS fy_start
  FROM ranked AS r
  WHERE r.version_rank = 1
    -- No snapshot after the last complete month of events (published_through; docs/methodology.md, "Data as of"); a
    -- store without events (a workforce publication imported alone) has no such month, and its snapshots stand alone.
    AND (r.snapshot_month <= (SELECT month FROM published_through) OR NOT EXISTS (SELECT 1 FROM event_months))
)

SELECT
  l.pcn_code,
  p.icb_code,
  p.region_code,
  l.snapshot_month AS month,
  CAST(l.fy_start AS VARCHAR) || '/' || substr(CAST(l.fy_start + 1 AS VARCHAR), 3, 2) AS fy,
  l.role,
  l.headcount,
  l.fte,
  l.accredited_training_headcount,
  l.vacancies_fte
FROM latest AS l
INNER JOIN pcns AS p
  ON p.pcn_code = l.pcn_code
  AND p.valid_from <= CAST(l.snapshot_month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(l.snapshot_month || '-01' AS DATE))
