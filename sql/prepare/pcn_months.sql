-- Every PCN in force on the first day of every month that has data, with its ICB, region and list size:
-- the denominators, so a PCN that sent nothing still counts in its area's population.
WITH months AS (
  SELECT DISTINCT month, fy FROM events_in_force
)

SELECT
  p.pcn_code,
  p.icb_code,
  p.region_code,
  m.month,
  m.fy,
  p.list_size
FROM months AS m
INNER JOIN pcns AS p
  ON p.valid_from <= CAST(m.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(m.month || '-01' AS DATE))
