-- How complete each month with events is (docs/methodology.md, "Data as of"): the PCNs that sent at least one event
-- in force dated in it (event_months, as rollout counts PCNs submitting) and the PCNs open on its first day (in force
-- in the reference data, as pcn_months counts them). functions/refresh/data-as-of.ts reads the last complete month
-- from these and publishes every month up to it (published_through).
WITH submitted AS (
  SELECT month, count(*) AS pcns_submitting
  FROM event_months
  GROUP BY month
)

SELECT s.month, s.pcns_submitting, count(DISTINCT p.pcn_code) AS pcns_open
FROM submitted AS s
LEFT JOIN pcns AS p
  ON p.valid_from <= CAST(s.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(s.month || '-01' AS DATE))
GROUP BY s.month, s.pcns_submitting
ORDER BY s.month
