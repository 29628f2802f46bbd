-- The PCN-months with events in force (event_months) that no figure reads: not in force, or outside the PCN's reporting
-- span, or after the last complete month (events_in_force reads none of them; published_through; docs/methodology.md,
-- "Data as of"). Episodes' follow-ups and wellbeing_pairs' measures are read from committed_events, not from
-- events_in_force, and each is looked up here: a follow-up or measure in force is an event in force, so its PCN-month
-- is one of event_months' (which groups exactly those events), and leaving out the rows of these few PCN-months (none,
-- or a handful: stray and out-of-force months) keeps the same rows as keeping those of the reporting PCN-months did,
-- but each row is looked up in a table of a few rows, not in every reporting PCN-month (issue 17, perfs34: the 25%
-- layout 4.08 -> 3.60 CPU s for episodes, in turns in one process, the same rows). One step, so that both read one
-- statement of it (issue 17).
-- pcn_months lists a PCN more than once in a month when the reference does (a PCN in force twice): such a month is
-- reporting if any of its rows is, as the DISTINCT list of reporting PCN-months read before.
SELECT m.pcn_code, m.month
FROM event_months AS m
LEFT JOIN (
  SELECT DISTINCT pcn_code, month
  FROM pcn_months
  WHERE reporting AND month <= (SELECT month FROM published_through)
) AS r
  ON r.pcn_code = m.pcn_code AND r.month = m.month
WHERE r.month IS NULL
