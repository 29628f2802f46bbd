-- Events dated in a month when their PCN is not in force in the reference data (after its valid_to, or before its
-- valid_from: a closed PCN's late export, a new PCN's history from before it opened, as after a merger), by PCN and
-- month, up to the last month published. They have no ICB or region in that month (pcn_months), so they are left out
-- of every figure, England included (events_in_force; red-team review 7, M10); the refresh logs them and
-- data_quality lists them, so that the PCN's dates or the reference can be corrected (a corrected reference version
-- brings them in at the next refresh). PCN codes are not personal.
SELECT e.pcn_code, e.month, e.events
FROM event_months AS e
-- In the PCN's reporting span: a stray event dated before it is listed by meta/outside_reporting instead (M5).
INNER JOIN onboarded AS o
  ON o.pcn_code = e.pcn_code AND e.month >= o.first_month
LEFT JOIN pcn_months AS p
  ON p.pcn_code = e.pcn_code AND p.month = e.month
WHERE p.pcn_code IS NULL
  AND e.month <= (SELECT month FROM published_through)
ORDER BY e.pcn_code, e.month
