-- The last month published (docs/methodology.md, "Data as of"): the last complete month (parameter 1, chosen by
-- functions/refresh/data-as-of.ts from meta/data_as_of), one row, NULL while no month is complete. Every figure's
-- period ends with it: pcn_months, events_in_force, wellbeing_pairs, workforce_in_force and moved_pcns read no later
-- month, so an event dated after it (the first days of a new month, sent early) waits in curated/ until its month is
-- complete, and counts then.
SELECT max(month) AS month
FROM event_months
WHERE month <= ?
