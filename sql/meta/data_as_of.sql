-- How complete each month with events is (docs/methodology.md, "Data as of"), counted over the PCNs open on its first
-- day (in force in the reference data, as pcn_months counts them):
-- - pcns_open: all of them;
-- - pcns_onboarded: those that have sent at least one event in force dated in this month or an earlier one (uploading
--   automatically by then: a PCN of a later rollout wave is not expected before its first month);
-- - pcns_submitting: those that sent at least one event in force dated in it (event_months, as rollout counts PCNs
--   submitting); each has onboarded.
-- functions/refresh/data-as-of.ts reads the last complete month from these and publishes every month up to it
-- (published_through).
WITH first_months AS (
  SELECT pcn_code, min(month) AS first_month
  FROM event_months
  GROUP BY pcn_code
),

months AS (
  SELECT DISTINCT month
  FROM event_months
)

SELECT
  m.month,
  count(DISTINCT s.pcn_code) AS pcns_submitting,
  count(DISTINCT CASE WHEN f.first_month <= m.month THEN p.pcn_code END) AS pcns_onboarded,
  count(DISTINCT p.pcn_code) AS pcns_open
FROM months AS m
LEFT JOIN pcns AS p
  ON p.valid_from <= CAST(m.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(m.month || '-01' AS DATE))
LEFT JOIN first_months AS f
  ON f.pcn_code = p.pcn_code
LEFT JOIN event_months AS s
  ON s.pcn_code = p.pcn_code AND s.month = m.month
GROUP BY m.month
ORDER BY m.month
