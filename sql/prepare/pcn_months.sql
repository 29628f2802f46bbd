-- Every PCN in force on the first day of every month that has events, with its ICB, region, financial year and
-- list size: the denominators (a PCN that sent nothing still counts in its area's population) and the geography
-- each event is counted in. PCNs open, close and change ICB from the first day of a month.
WITH months AS (
  SELECT DISTINCT
    event_month AS month,
    CAST(substr(event_month, 1, 4) AS INTEGER) - CASE WHEN CAST(substr(event_month, 6, 2) AS INTEGER) >= 4 THEN 0 ELSE 1 END AS fy_start
  FROM committed_events
)

SELECT
  p.pcn_code,
  p.icb_code,
  p.region_code,
  m.month,
  CAST(m.fy_start AS VARCHAR) || '/' || substr(CAST(m.fy_start + 1 AS VARCHAR), 3, 2) AS fy,
  p.list_size
FROM months AS m
INNER JOIN pcns AS p
  ON p.valid_from <= CAST(m.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(m.month || '-01' AS DATE))
