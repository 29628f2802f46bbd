-- The PCNs whose extract has stopped (docs/methodology.md, "Data as of"), kept once per refresh as table stopped_pcns
-- (functions/refresh/data-as-of.ts, publishCompleteMonths) for meta/data_as_of.sql (each month's pcns_stopped) and
-- meta/stopped_extracts.sql (the refresh's log naming them): the one statement of what "stopped" means. A PCN has
-- stopped when its reporting span ended (onboarded.sql's last_month, the last month an extract from it covers) before
-- parameter 1, the earliest last month of a PCN still sending on the refresh's date (data-as-of.ts, stoppedBefore: no
-- extract from it covers any of the more than 3 months ended since). A month after its last_month does not wait for
-- it; a month its last extract covers counts it whatever came after. A PCN only late (its last extract 3 months old
-- or less) is not here. The parameter is in a WHERE clause, as Athena requires of a prepared statement's ? parameters
-- (https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements.html). PCN codes are not personal.
SELECT pcn_code, last_month
FROM onboarded
WHERE last_month < ?
