-- The PCNs whose extract has stopped (docs/methodology.md, "Data as of"), for the refresh's log: onboarded, open on the
-- first day of the latest month some PCN reports in (as meta/data_as_of counts its PCNs open), with their reporting
-- span ended before it and before parameter 1 (data-as-of.ts, stoppedBefore: no extract from them covers any of the
-- more than 3 months ended since their last month reported). They are meta.json's pcns_stopped, named, with their
-- last month reported, so that the team can ask each PCN to restart its extract. PCN codes are not personal.
WITH latest AS (
  SELECT max(e.month) AS month
  FROM event_months AS e
  INNER JOIN onboarded AS o
    ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
)

SELECT DISTINCT o.pcn_code, o.last_month
FROM onboarded AS o
CROSS JOIN latest AS l
INNER JOIN pcns AS p
  ON p.pcn_code = o.pcn_code
  AND p.valid_from <= CAST(l.month || '-01' AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(l.month || '-01' AS DATE))
WHERE o.last_month < l.month
  AND o.last_month < ?
ORDER BY o.pcn_code
