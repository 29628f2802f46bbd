-- The PCNs whose extract has stopped (table stopped_pcns: meta/stopped_pcns.sql), for the refresh's log: those open on
-- the first day of the latest month some PCN reports in (the last month of meta/data_as_of.sql, read by data-as-of.ts,
-- stoppedExtracts: parameter 1 is that month, parameters 2 and 3 its first day) and stopped before it. They are
-- meta.json's pcns_stopped (data_as_of's pcns_stopped of that month), named, with their last month reported, so that
-- the team can ask each PCN to restart its extract. PCN codes are not personal.
SELECT DISTINCT s.pcn_code, s.last_month
FROM stopped_pcns AS s
INNER JOIN pcns AS p
  ON p.pcn_code = s.pcn_code
WHERE s.last_month < ?
  AND p.valid_from <= CAST(? AS DATE)
  AND (p.valid_to IS NULL OR p.valid_to >= CAST(? AS DATE))
ORDER BY s.pcn_code
