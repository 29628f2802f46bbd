-- Every PCN in force on the first day of every month from the first month with events to the last (months nobody
-- sent anything included, so a gap is a month, not a missing row), with its ICB, region, financial year and list
-- size: the denominators (a PCN that sent nothing still counts in its area's population; a PCN open part of a year
-- counts only for the months it was open) and the geography each event is counted in. PCNs open, close and change
-- ICB from the first day of a month. docs/methodology.md, "Periods".
-- The months are those of events in force (event_months): a row later corrected to another month, withdrawn or
-- retracted does not stretch the range (one referral first sent as 2019 and corrected to 2025 would otherwise add six
-- years of empty months to every document). They start at the first month any PCN reports (onboarded.sql's
-- first_month): a stray event dated before its PCN's reporting (one event dated 2019) does not stretch them either
-- (red-team review 7, M15).
-- `reporting`: the month is in the PCN's reporting span (onboarded.sql, from first_month to last_month). Only such a
-- PCN-month counts: its list in the denominators (populations.sql; months after its extract stopped and before its
-- reporting began are no data, not 0: M5), its events in the figures (events_in_force: an event dated before the PCN's
-- reporting, a stray, is in no figure at any level, as one dated when the PCN is not in force). A PCN in force and not
-- reporting still counts among its area's PCNs open.
WITH bounds AS (
  SELECT
    min(CAST(substr(e.month, 1, 4) AS INTEGER) * 12 + CAST(substr(e.month, 6, 2) AS INTEGER) - 1) AS first_index,
    max(CAST(substr(e.month, 1, 4) AS INTEGER) * 12 + CAST(substr(e.month, 6, 2) AS INTEGER) - 1) AS last_index
  FROM event_months AS e
  INNER JOIN onboarded AS o
    ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
  -- No month after the last complete one (published_through; docs/methodology.md, "Data as of").
  WHERE e.month <= (SELECT month FROM published_through)
),

digits AS (
  SELECT n FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d (n)
),

month_indexes AS (
  SELECT b.first_index + units.n + 10 * tens.n + 100 * hundreds.n AS month_index
  FROM bounds AS b
  CROSS JOIN digits AS units
  CROSS JOIN digits AS tens
  CROSS JOIN digits AS hundreds
  WHERE b.first_index + units.n + 10 * tens.n + 100 * hundreds.n <= b.last_index
),

months AS (
  SELECT
    CAST(CAST(floor(CAST(month_index AS DOUBLE) / 12) AS INTEGER) AS VARCHAR)
      || '-' || lpad(CAST(month_index % 12 + 1 AS VARCHAR), 2, '0') AS month,
    CAST(floor(CAST(month_index AS DOUBLE) / 12) AS INTEGER) - CASE WHEN month_index % 12 + 1 >= 4 THEN 0 ELSE 1 END AS fy_start
  FROM month_indexes
)

SELECT
  p.pcn_code,
  p.icb_code,
  p.region_code,
  m.month,
  CAST(m.fy_start AS VARCHAR) || '/' || substr(CAST(m.fy_start + 1 AS VARCHAR), 3, 2) AS fy,
  p.list_size,
  COALESCE(m.month >= o.first_month AND m.month <= o.last_month, false) AS reporting
FROM months AS m
INNER JOIN pcns AS p
  ON p.valid_from <= CAST(m.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(m.month || '-01' AS DATE))
LEFT JOIN onboarded AS o
  ON o.pcn_code = p.pcn_code
