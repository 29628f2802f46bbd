-- The months each PCN is expected to send: "onboarded, not stopped", stated once (docs/methodology.md, "Data as of"),
-- a view kept by functions/refresh/data-as-of.ts after table stopped_pcns, for meta/data_as_of.sql (the PCNs the
-- data-as-of rule waits for: pcns_stopped, list_sending) and metrics/rollout.sql (pcns_expected), so that the two
-- cannot drift. A PCN is expected from its first month (onboarded.sql's first_month: its sustained reporting begun)
-- to the last month an extract from it covers where its extract has stopped (stopped_pcns, on the refresh's date),
-- else with no end ('9999-12', after every month). It is expected to send month m when m is in
-- [sending_from, sending_to] and it is in force on m's first day (each reader's own join to the PCNs in force). A PCN
-- that has sent nothing has no row: not onboarded, not expected. PCN codes are not personal.
SELECT
  o.pcn_code,
  o.first_month AS sending_from,
  COALESCE(x.last_month, '9999-12') AS sending_to
FROM onboarded AS o
LEFT JOIN stopped_pcns AS x
  ON x.pcn_code = o.pcn_code
